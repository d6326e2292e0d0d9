SELECT
  COALESCE(SUM(`t7`.`amount`), 0) AS `value`
FROM (
  SELECT DISTINCT
    *
  FROM (
    SELECT
      `t4`.`order_id`,
      `t4`.`member_id`,
      `t4`.`amount`
    FROM (
      SELECT
        `t0`.`member_id` AS `toucher`,
        `t0`.`at` AS `touched_at`
      FROM `campaign_touches` AS `t0`
      WHERE
        `t0`.`group` = 'treatment'
        AND `t0`.`at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
        AND `t0`.`at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    ) AS `t5`
    INNER JOIN (
      SELECT
        *
      FROM `orders` AS `t1`
      WHERE
        `t1`.`status` = 'paid' AND `t1`.`member_id` IS NOT NULL
    ) AS `t4`
      ON `t5`.`toucher` = `t4`.`member_id`
      AND `t4`.`ordered_at` > `t5`.`touched_at`
      AND `t4`.`ordered_at` <= (
        `t5`.`touched_at` + INTERVAL '7' DAY
      )
  ) AS `t6`
) AS `t7`
