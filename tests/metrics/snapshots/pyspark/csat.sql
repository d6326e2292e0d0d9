SELECT
  AVG(`t1`.`csat`) AS `value`
FROM (
  SELECT
    *
  FROM `surveys` AS `t0`
  WHERE
    `t0`.`at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
    AND `t0`.`at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    AND `t0`.`csat` IS NOT NULL
) AS `t1`
