SELECT
  (
    (
      SUM(CAST(`t1`.`nps` >= 9 AS BIGINT)) - SUM(CAST(`t1`.`nps` <= 6 AS BIGINT))
    ) * 100.0
  ) / NULLIF(COUNT(*), 0) AS `value`
FROM (
  SELECT
    *
  FROM `surveys` AS `t0`
  WHERE
    `t0`.`at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
    AND `t0`.`at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    AND `t0`.`nps` IS NOT NULL
) AS `t1`
