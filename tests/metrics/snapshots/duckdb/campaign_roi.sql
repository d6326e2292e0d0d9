SELECT
  (
    "t15"."gain" - "t11"."cost"
  ) / NULLIF("t11"."cost", 0) AS "value"
FROM (
  SELECT
    "t13"."value" AS "gain"
  FROM (
    SELECT
      COALESCE(SUM("t12"."amount"), 0) AS "value"
    FROM (
      SELECT DISTINCT
        *
      FROM (
        SELECT
          "t7"."order_id",
          "t7"."member_id",
          "t7"."amount"
        FROM (
          SELECT
            "t1"."member_id" AS "toucher",
            "t1"."at" AS "touched_at"
          FROM "campaign_touches" AS "t1"
          WHERE
            "t1"."group" = 'treatment'
            AND "t1"."at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
            AND "t1"."at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
        ) AS "t6"
        INNER JOIN (
          SELECT
            *
          FROM "orders" AS "t2"
          WHERE
            "t2"."status" = 'paid' AND "t2"."member_id" IS NOT NULL
        ) AS "t7"
          ON "t6"."toucher" = "t7"."member_id"
          AND "t7"."ordered_at" > "t6"."touched_at"
          AND "t7"."ordered_at" <= (
            "t6"."touched_at" + INTERVAL '7' DAY
          )
      ) AS "t10"
    ) AS "t12"
  ) AS "t13"
) AS "t15"
CROSS JOIN (
  SELECT
    "t8"."value" AS "cost"
  FROM (
    SELECT
      COALESCE(SUM("t3"."cost"), 0) AS "value"
    FROM (
      SELECT
        *
      FROM "campaigns" AS "t0"
      WHERE
        "t0"."starts_at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
        AND "t0"."starts_at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    ) AS "t3"
  ) AS "t8"
) AS "t11"
