SELECT
  "t16"."top" / NULLIF("t13"."bottom", 0) AS "value"
FROM (
  SELECT
    "t14"."value" AS "top"
  FROM (
    SELECT
      COUNT(*) AS "value"
    FROM (
      SELECT DISTINCT
        "t10"."member_id"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t1"."member_id",
            "t1"."at"
          FROM "points" AS "t1"
          WHERE
            "t1"."kind" IN ('earn', 'redeem')
            AND "t1"."at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
            AND "t1"."at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
        ) AS "t5"
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t2"."member_id",
              "t2"."ordered_at" AS "at"
            FROM "orders" AS "t2"
            WHERE
              "t2"."status" = 'paid'
              AND "t2"."member_id" IS NOT NULL
              AND "t2"."ordered_at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
              AND "t2"."ordered_at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
          ) AS "t6"
          UNION ALL
          SELECT
            *
          FROM (
            SELECT
              "t3"."member_id",
              "t3"."at"
            FROM "events" AS "t3"
            WHERE
              TRUE
              AND "t3"."at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
              AND "t3"."at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
          ) AS "t7"
        ) AS "t8"
      ) AS "t10"
    ) AS "t12"
  ) AS "t14"
) AS "t16"
CROSS JOIN (
  SELECT
    "t9"."value" AS "bottom"
  FROM (
    SELECT
      COUNT(*) AS "value"
    FROM (
      SELECT
        *
      FROM "members" AS "t0"
      WHERE
        "t0"."registered_at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    ) AS "t4"
  ) AS "t9"
) AS "t13"
