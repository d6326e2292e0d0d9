SELECT
  `t15`.`top` / NULLIF(`t13`.`bottom`, 0) AS `value`
FROM (
  SELECT
    `t12`.`value` AS `top`
  FROM (
    SELECT
      COUNT(*) AS `value`
    FROM (
      SELECT
        *
      FROM (
        SELECT
          `t0`.`member_id`
        FROM `points` AS `t0`
        WHERE
          `t0`.`at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
          AND `t0`.`at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
          AND `t0`.`kind` IN ('earn', 'redeem')
      ) AS `t4`
      UNION
      SELECT
        *
      FROM (
        SELECT
          *
        FROM (
          SELECT
            `t2`.`member_id`
          FROM `orders` AS `t2`
          WHERE
            `t2`.`status` = 'paid'
            AND `t2`.`member_id` IS NOT NULL
            AND `t2`.`ordered_at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
            AND `t2`.`ordered_at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
        ) AS `t6`
        UNION
        SELECT
          *
        FROM (
          SELECT
            `t3`.`member_id`
          FROM `events` AS `t3`
          WHERE
            `t3`.`at` >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
            AND `t3`.`at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
        ) AS `t7`
      ) AS `t8`
    ) AS `t10`
  ) AS `t12`
) AS `t15`
CROSS JOIN (
  SELECT
    `t9`.`value` AS `bottom`
  FROM (
    SELECT
      COUNT(*) AS `value`
    FROM (
      SELECT
        *
      FROM `members` AS `t1`
      WHERE
        `t1`.`registered_at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    ) AS `t5`
  ) AS `t9`
) AS `t13`
