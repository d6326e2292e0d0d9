SELECT
  COUNT(*) AS `value`
FROM (
  SELECT
    *
  FROM (
    SELECT
      `t1`.`member_id`,
      MAX(`t1`.`ordered_at`) AS `last`
    FROM (
      SELECT
        *
      FROM `orders` AS `t0`
      WHERE
        `t0`.`status` = 'paid'
        AND `t0`.`member_id` IS NOT NULL
        AND `t0`.`ordered_at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    ) AS `t1`
    GROUP BY
      1
  ) AS `t2`
  WHERE
    `t2`.`last` < CAST('2024-10-03 00:00:00' AS TIMESTAMP)
) AS `t3`
