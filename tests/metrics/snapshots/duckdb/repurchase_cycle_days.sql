SELECT
  QUANTILE_CONT(
    (
      EPOCH(CAST("t10"."ordered_at" AS TIMESTAMP)) - EPOCH(CAST("t10"."previous" AS TIMESTAMP))
    ) / 86400,
    0.5
  ) AS "value"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t6"."order_id",
      "t6"."member_id",
      "t6"."ordered_at",
      "t6"."amount",
      "t6"."status",
      "t6"."channel",
      "t6"."store_id",
      "t6"."campaign_id",
      "t6"."discount",
      COALESCE("t6"."_lag", "t8"."_before") AS "previous"
    FROM (
      SELECT
        "t1"."order_id",
        "t1"."member_id",
        "t1"."ordered_at",
        "t1"."amount",
        "t1"."status",
        "t1"."channel",
        "t1"."store_id",
        "t1"."campaign_id",
        "t1"."discount",
        LAG("t1"."ordered_at") OVER (
          PARTITION BY "t1"."member_id"
          ORDER BY "t1"."ordered_at" ASC
          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
        ) AS "_lag"
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
    ) AS "t6"
    LEFT OUTER JOIN (
      SELECT
        "t4"."member_id",
        MAX("t4"."ordered_at") AS "_before"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            *
          FROM "orders" AS "t0"
          WHERE
            "t0"."status" = 'paid' AND "t0"."member_id" IS NOT NULL
        ) AS "t2"
        WHERE
          "t2"."ordered_at" < CAST('2025-03-01 00:00:00' AS TIMESTAMP)
          AND "t2"."member_id" IN (
            SELECT
              "t0"."member_id"
            FROM "orders" AS "t0"
            WHERE
              "t0"."status" = 'paid'
              AND "t0"."member_id" IS NOT NULL
              AND "t0"."ordered_at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
              AND "t0"."ordered_at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
          )
      ) AS "t4"
      GROUP BY
        1
    ) AS "t8"
      ON "t6"."member_id" = "t8"."member_id"
  ) AS "t9"
  WHERE
    "t9"."ordered_at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
    AND "t9"."ordered_at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
    AND "t9"."previous" IS NOT NULL
) AS "t10"
