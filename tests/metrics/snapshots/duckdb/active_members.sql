SELECT
  COUNT(DISTINCT "t8"."member_id") AS "value"
FROM (
  SELECT
    *
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t0"."member_id",
        "t0"."at"
      FROM "points" AS "t0"
      WHERE
        "t0"."kind" IN ('earn', 'redeem')
    ) AS "t4"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t1"."member_id",
          "t1"."ordered_at" AS "at"
        FROM "orders" AS "t1"
        WHERE
          "t1"."status" = 'paid' AND "t1"."member_id" IS NOT NULL
      ) AS "t5"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t2"."member_id",
          "t2"."at"
        FROM "events" AS "t2"
      ) AS "t3"
    ) AS "t6"
  ) AS "t7"
  WHERE
    "t7"."at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
    AND "t7"."at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
) AS "t8"
