SELECT
  COUNT(*) AS `value`
FROM (
  SELECT DISTINCT
    `t0`.`member_id`
  FROM `campaign_touches` AS `t0`
  WHERE
    `t0`.`group` = 'treatment'
    AND `t0`.`at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
    AND `t0`.`at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
) AS `t1`
