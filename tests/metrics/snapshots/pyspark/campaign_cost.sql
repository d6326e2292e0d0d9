SELECT
  COALESCE(SUM(`t1`.`cost`), 0) AS `value`
FROM (
  SELECT
    *
  FROM `campaigns` AS `t0`
  WHERE
    `t0`.`starts_at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
    AND `t0`.`starts_at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
) AS `t1`
