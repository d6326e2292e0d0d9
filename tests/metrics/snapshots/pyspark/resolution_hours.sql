SELECT
  (
    CAST(SUM(
      CAST(UNIX_TIMESTAMP(CAST(`t1`.`resolved_at` AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t1`.`opened_at` AS TIMESTAMP)) AS DECIMAL(38, 6))
    ) AS DOUBLE) / COUNT(
      UNIX_TIMESTAMP(CAST(`t1`.`resolved_at` AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t1`.`opened_at` AS TIMESTAMP))
    )
  ) / 3600 AS `value`
FROM (
  SELECT
    *
  FROM `tickets` AS `t0`
  WHERE
    `t0`.`resolved_at` IS NOT NULL
    AND `t0`.`resolved_at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
    AND `t0`.`resolved_at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
) AS `t1`
