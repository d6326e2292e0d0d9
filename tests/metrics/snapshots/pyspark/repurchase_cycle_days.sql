SELECT
  PERCENTILE(
    (
      UNIX_TIMESTAMP(CAST(`t3`.`ordered_at` AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t3`.`previous` AS TIMESTAMP))
    ) / 86400,
    0.5
  ) AS `value`
FROM (
  SELECT
    *
  FROM (
    SELECT
      `t1`.`order_id`,
      `t1`.`member_id`,
      `t1`.`ordered_at`,
      `t1`.`amount`,
      `t1`.`status`,
      `t1`.`channel`,
      `t1`.`store_id`,
      `t1`.`campaign_id`,
      `t1`.`discount`,
      LAG(`t1`.`ordered_at`) OVER (PARTITION BY `t1`.`member_id` ORDER BY `t1`.`ordered_at` ASC NULLS LAST) AS `previous`
    FROM (
      SELECT
        *
      FROM `orders` AS `t0`
      WHERE
        `t0`.`status` = 'paid' AND `t0`.`member_id` IS NOT NULL
    ) AS `t1`
  ) AS `t2`
  WHERE
    `t2`.`ordered_at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
    AND `t2`.`ordered_at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    AND `t2`.`previous` IS NOT NULL
) AS `t3`
