SELECT
  COUNT(*) AS `value`
FROM (
  SELECT
    *
  FROM `members` AS `t0`
  WHERE
    `t0`.`referrer_id` IS NOT NULL
    AND `t0`.`registered_at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
    AND `t0`.`registered_at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
) AS `t1`
