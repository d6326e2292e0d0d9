SELECT
  COALESCE(SUM(`t1`.`points`), 0) * 1 AS `value`
FROM (
  SELECT
    *
  FROM `points` AS `t0`
  WHERE
    `t0`.`kind` = 'earn'
    AND `t0`.`at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
    AND `t0`.`at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
) AS `t1`
