SELECT
  COUNT(*) AS `value`
FROM (
  SELECT DISTINCT
    `t7`.`member_id`
  FROM (
    SELECT
      *
    FROM (
      SELECT
        `t0`.`member_id`,
        `t0`.`at`
      FROM `points` AS `t0`
      WHERE
        `t0`.`kind` IN ('earn', 'redeem')
        AND `t0`.`at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
        AND `t0`.`at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    ) AS `t3`
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        *
      FROM (
        SELECT
          `t1`.`member_id`,
          `t1`.`ordered_at` AS `at`
        FROM `orders` AS `t1`
        WHERE
          `t1`.`status` = 'paid'
          AND `t1`.`member_id` IS NOT NULL
          AND `t1`.`ordered_at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
          AND `t1`.`ordered_at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
      ) AS `t4`
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          `t2`.`member_id`,
          `t2`.`at`
        FROM `events` AS `t2`
        WHERE
          TRUE
          AND `t2`.`at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
          AND `t2`.`at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
      ) AS `t5`
    ) AS `t6`
  ) AS `t7`
) AS `t8`
