SELECT
  "t2"."value" * 0.01 AS "value"
FROM (
  SELECT
    COALESCE(SUM("t1"."points"), 0) AS "value"
  FROM (
    SELECT
      *
    FROM "points" AS "t0"
    WHERE
      "t0"."at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
  ) AS "t1"
) AS "t2"
