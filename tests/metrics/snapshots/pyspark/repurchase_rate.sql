SELECT
  SUM(CAST(`t2`.`n` >= 2 AS BIGINT)) / NULLIF(COUNT(*), 0) AS `value`
FROM (
  SELECT
    `t1`.`member_id`,
    COUNT(*) AS `n`
  FROM (
    SELECT
      *
    FROM `orders` AS `t0`
    WHERE
      `t0`.`status` = 'paid'
      AND `t0`.`member_id` IS NOT NULL
      AND `t0`.`ordered_at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
      AND `t0`.`ordered_at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
  ) AS `t1`
  GROUP BY
    1
) AS `t2`
