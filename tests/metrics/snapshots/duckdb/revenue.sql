SELECT
  SUM("t1"."amount") AS "value"
FROM (
  SELECT
    *
  FROM "orders" AS "t0"
  WHERE
    "t0"."status" = 'paid'
    AND "t0"."member_id" IS NOT NULL
    AND "t0"."ordered_at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
    AND "t0"."ordered_at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
) AS "t1"
