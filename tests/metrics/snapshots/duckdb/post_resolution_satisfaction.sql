SELECT
  AVG("t1"."satisfaction") AS "value"
FROM (
  SELECT
    *
  FROM "tickets" AS "t0"
  WHERE
    "t0"."resolved_at" IS NOT NULL
    AND "t0"."resolved_at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
    AND "t0"."resolved_at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    AND "t0"."satisfaction" IS NOT NULL
) AS "t1"
