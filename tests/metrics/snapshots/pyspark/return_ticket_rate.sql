SELECT
  `t9`.`top` / NULLIF(`t8`.`bottom`, 0) AS `value`
FROM (
  SELECT
    `t4`.`value` * 1000 AS `top`
  FROM (
    SELECT
      COUNT(*) AS `value`
    FROM (
      SELECT
        *
      FROM `tickets` AS `t0`
      WHERE
        `t0`.`kind` = 'return'
        AND `t0`.`opened_at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
        AND `t0`.`opened_at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    ) AS `t2`
  ) AS `t4`
) AS `t9`
CROSS JOIN (
  SELECT
    `t5`.`value` AS `bottom`
  FROM (
    SELECT
      COUNT(*) AS `value`
    FROM (
      SELECT
        *
      FROM `orders` AS `t1`
      WHERE
        `t1`.`status` = 'paid'
        AND `t1`.`member_id` IS NOT NULL
        AND `t1`.`ordered_at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
        AND `t1`.`ordered_at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    ) AS `t3`
  ) AS `t5`
) AS `t8`
