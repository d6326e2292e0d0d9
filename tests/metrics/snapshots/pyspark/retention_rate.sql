SELECT
  COUNT(`t7`.`kept`) / NULLIF(COUNT(*), 0) AS `value`
FROM (
  SELECT
    `t6`.`member_id`,
    `t6`.`kept`
  FROM (
    SELECT
      `t3`.`member_id`,
      `t5`.`member_id` AS `member_id_right`,
      `t5`.`kept`
    FROM (
      SELECT DISTINCT
        `t0`.`member_id`
      FROM `orders` AS `t0`
      WHERE
        `t0`.`status` = 'paid'
        AND `t0`.`member_id` IS NOT NULL
        AND `t0`.`ordered_at` >= CAST('2025-02-01 00:00:00' AS TIMESTAMP)
        AND `t0`.`ordered_at` < CAST('2025-03-01 00:00:00' AS TIMESTAMP)
    ) AS `t3`
    LEFT OUTER JOIN (
      SELECT
        `t2`.`member_id`,
        1 AS `kept`
      FROM (
        SELECT DISTINCT
          `t0`.`member_id`
        FROM `orders` AS `t0`
        WHERE
          `t0`.`status` = 'paid'
          AND `t0`.`member_id` IS NOT NULL
          AND `t0`.`ordered_at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
          AND `t0`.`ordered_at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
      ) AS `t2`
    ) AS `t5`
      ON `t3`.`member_id` = `t5`.`member_id`
  ) AS `t6`
) AS `t7`
