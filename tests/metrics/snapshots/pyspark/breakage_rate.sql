SELECT
  -(
    COALESCE(SUM(IF(`t1`.`kind` = 'expire', `t1`.`points`, NULL)), 0)
  ) / NULLIF(
    -(
      COALESCE(SUM(IF(`t1`.`kind` = 'redeem', `t1`.`points`, NULL)), 0)
    ) + -(
      COALESCE(SUM(IF(`t1`.`kind` = 'expire', `t1`.`points`, NULL)), 0)
    ),
    0
  ) AS `value`
FROM (
  SELECT
    *
  FROM `points` AS `t0`
  WHERE
    `t0`.`at` < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
) AS `t1`
