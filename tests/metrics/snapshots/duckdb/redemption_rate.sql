SELECT
  "t7"."top" / NULLIF("t8"."bottom", 0) AS "value"
FROM (
  SELECT
    "t3"."value" AS "top"
  FROM (
    SELECT
      COALESCE(SUM("t1"."points"), 0) * -1 AS "value"
    FROM (
      SELECT
        *
      FROM "points" AS "t0"
      WHERE
        "t0"."kind" = 'redeem'
        AND "t0"."at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
        AND "t0"."at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    ) AS "t1"
  ) AS "t3"
) AS "t7"
CROSS JOIN (
  SELECT
    "t4"."value" AS "bottom"
  FROM (
    SELECT
      COALESCE(SUM("t2"."points"), 0) * 1 AS "value"
    FROM (
      SELECT
        *
      FROM "points" AS "t0"
      WHERE
        "t0"."kind" = 'earn'
        AND "t0"."at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
        AND "t0"."at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    ) AS "t2"
  ) AS "t4"
) AS "t8"
