SELECT
  COUNT(DISTINCT `t1`.`member_id`) AS `value`
FROM (
  SELECT
    *
  FROM `points` AS `t0`
  WHERE
    `t0`.`kind` = 'redeem'
    AND `t0`.`at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
    AND `t0`.`at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
) AS `t1`
