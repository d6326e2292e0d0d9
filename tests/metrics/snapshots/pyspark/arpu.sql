WITH `t1` AS (
  SELECT
    *
  FROM `orders` AS `t0`
  WHERE
    `t0`.`status` = 'paid'
    AND `t0`.`member_id` IS NOT NULL
    AND `t0`.`ordered_at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
    AND `t0`.`ordered_at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
)
SELECT
  `t7`.`top` / NULLIF(`t8`.`bottom`, 0) AS `value`
FROM (
  SELECT
    `t3`.`value` AS `top`
  FROM (
    SELECT
      SUM(`t2`.`amount`) AS `value`
    FROM `t1` AS `t2`
  ) AS `t3`
) AS `t7`
CROSS JOIN (
  SELECT
    `t4`.`value` AS `bottom`
  FROM (
    SELECT
      COUNT(DISTINCT `t2`.`member_id`) AS `value`
    FROM `t1` AS `t2`
  ) AS `t4`
) AS `t8`
