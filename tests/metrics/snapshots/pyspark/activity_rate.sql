SELECT
  `t16`.`top` / NULLIF(`t12`.`bottom`, 0) AS `value`
FROM (
  SELECT
    `t14`.`value` AS `top`
  FROM (
    SELECT
      COUNT(DISTINCT `t13`.`member_id`) AS `value`
    FROM (
      SELECT
        *
      FROM (
        SELECT
          *
        FROM (
          SELECT
            `t1`.`member_id`,
            `t1`.`at`
          FROM `points` AS `t1`
          WHERE
            `t1`.`kind` IN ('earn', 'redeem')
        ) AS `t5`
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            *
          FROM (
            SELECT
              `t2`.`member_id`,
              `t2`.`ordered_at` AS `at`
            FROM `orders` AS `t2`
            WHERE
              `t2`.`status` = 'paid' AND `t2`.`member_id` IS NOT NULL
          ) AS `t7`
          UNION ALL
          SELECT
            *
          FROM (
            SELECT
              `t3`.`member_id`,
              `t3`.`at`
            FROM `events` AS `t3`
          ) AS `t4`
        ) AS `t8`
      ) AS `t10`
      WHERE
        `t10`.`at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
        AND `t10`.`at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    ) AS `t13`
  ) AS `t14`
) AS `t16`
CROSS JOIN (
  SELECT
    `t9`.`value` AS `bottom`
  FROM (
    SELECT
      COUNT(*) AS `value`
    FROM (
      SELECT
        *
      FROM `members` AS `t0`
      WHERE
        `t0`.`registered_at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    ) AS `t6`
  ) AS `t9`
) AS `t12`
