SELECT
  COUNT(`t14`.`converted`) / NULLIF(COUNT(*), 0) AS `value`
FROM (
  SELECT
    `t13`.`member_id`,
    `t13`.`converted`
  FROM (
    SELECT
      `t5`.`member_id`,
      `t12`.`member_id` AS `member_id_right`,
      `t12`.`converted`
    FROM (
      SELECT DISTINCT
        `t0`.`member_id`
      FROM `campaign_touches` AS `t0`
      WHERE
        `t0`.`group` = 'treatment'
        AND `t0`.`at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
        AND `t0`.`at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    ) AS `t5`
    LEFT OUTER JOIN (
      SELECT
        `t10`.`member_id`,
        1 AS `converted`
      FROM (
        SELECT DISTINCT
          `t9`.`member_id`
        FROM (
          SELECT DISTINCT
            *
          FROM (
            SELECT
              `t7`.`order_id`,
              `t7`.`member_id`,
              `t7`.`amount`
            FROM (
              SELECT
                `t0`.`member_id` AS `toucher`,
                `t0`.`at` AS `touched_at`
              FROM `campaign_touches` AS `t0`
              WHERE
                `t0`.`group` = 'treatment'
                AND `t0`.`at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
                AND `t0`.`at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
            ) AS `t6`
            INNER JOIN (
              SELECT
                *
              FROM `orders` AS `t1`
              WHERE
                `t1`.`status` = 'paid' AND `t1`.`member_id` IS NOT NULL
            ) AS `t7`
              ON `t6`.`toucher` = `t7`.`member_id`
              AND `t7`.`ordered_at` > `t6`.`touched_at`
              AND `t7`.`ordered_at` <= (
                `t6`.`touched_at` + INTERVAL '7' DAY
              )
          ) AS `t8`
        ) AS `t9`
      ) AS `t10`
    ) AS `t12`
      ON `t5`.`member_id` = `t12`.`member_id`
  ) AS `t13`
) AS `t14`
