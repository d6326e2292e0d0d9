SELECT
  COUNT(*) AS "value"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t0"."member_id"
    FROM "points" AS "t0"
    WHERE
      "t0"."at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
      AND "t0"."at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
      AND "t0"."kind" IN ('earn', 'redeem')
  ) AS "t3"
  UNION
  SELECT
    *
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t1"."member_id"
      FROM "orders" AS "t1"
      WHERE
        "t1"."status" = 'paid'
        AND "t1"."member_id" IS NOT NULL
        AND "t1"."ordered_at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
        AND "t1"."ordered_at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    ) AS "t4"
    UNION
    SELECT
      *
    FROM (
      SELECT
        "t2"."member_id"
      FROM "events" AS "t2"
      WHERE
        "t2"."at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
        AND "t2"."at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    ) AS "t5"
  ) AS "t6"
) AS "t7"
