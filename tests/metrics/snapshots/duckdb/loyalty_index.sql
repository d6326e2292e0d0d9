SELECT
  (
    (
      "t32"."repurchase" * 0.3
    ) + (
      "t39"."retention" * 0.3
    ) + (
      "t38"."activity" * 0.2
    ) + (
      (
        (
          "t33"."nps" + 100
        ) * 0.2
      ) / 200
    )
  ) * 100 AS "value"
FROM (
  SELECT
    "t34"."value" AS "activity"
  FROM (
    SELECT
      "t30"."top" / NULLIF("t22"."bottom", 0) AS "value"
    FROM (
      SELECT
        "t23"."value" AS "top"
      FROM (
        SELECT
          COUNT(*) AS "value"
        FROM (
          SELECT DISTINCT
            "t18"."member_id"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t3"."member_id",
                "t3"."at"
              FROM "points" AS "t3"
              WHERE
                "t3"."kind" IN ('earn', 'redeem')
                AND "t3"."at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
                AND "t3"."at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
            ) AS "t10"
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
                  "t1"."status" = 'paid'
                  AND "t1"."member_id" IS NOT NULL
                  AND "t1"."ordered_at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
                  AND "t1"."ordered_at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
              ) AS "t7"
              UNION ALL
              SELECT
                *
              FROM (
                SELECT
                  "t4"."member_id",
                  "t4"."at"
                FROM "events" AS "t4"
                WHERE
                  TRUE
                  AND "t4"."at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
                  AND "t4"."at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
              ) AS "t11"
            ) AS "t13"
          ) AS "t18"
        ) AS "t21"
      ) AS "t23"
    ) AS "t30"
    CROSS JOIN (
      SELECT
        "t17"."value" AS "bottom"
      FROM (
        SELECT
          COUNT(*) AS "value"
        FROM (
          SELECT
            *
          FROM "members" AS "t2"
          WHERE
            "t2"."registered_at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
        ) AS "t9"
      ) AS "t17"
    ) AS "t22"
  ) AS "t34"
) AS "t38"
CROSS JOIN (
  SELECT
    "t24"."value" AS "repurchase"
  FROM (
    SELECT
      COUNT(*) FILTER(WHERE
        "t15"."n" >= 2) / NULLIF(COUNT(*), 0) AS "value"
    FROM (
      SELECT
        "t6"."member_id",
        COUNT(*) AS "n"
      FROM (
        SELECT
          *
        FROM "orders" AS "t1"
        WHERE
          "t1"."status" = 'paid'
          AND "t1"."member_id" IS NOT NULL
          AND "t1"."ordered_at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
          AND "t1"."ordered_at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
      ) AS "t6"
      GROUP BY
        1
    ) AS "t15"
  ) AS "t24"
) AS "t32"
CROSS JOIN (
  SELECT
    "t35"."value" AS "retention"
  FROM (
    SELECT
      COUNT("t29"."kept") / NULLIF(COUNT(*), 0) AS "value"
    FROM (
      SELECT
        "t25"."member_id",
        "t25"."kept"
      FROM (
        SELECT
          "t14"."member_id",
          "t19"."member_id" AS "member_id_right",
          "t19"."kept"
        FROM (
          SELECT DISTINCT
            "t1"."member_id"
          FROM "orders" AS "t1"
          WHERE
            "t1"."status" = 'paid'
            AND "t1"."member_id" IS NOT NULL
            AND "t1"."ordered_at" >= CAST('2025-02-01 00:00:00' AS TIMESTAMP)
            AND "t1"."ordered_at" < CAST('2025-03-01 00:00:00' AS TIMESTAMP)
        ) AS "t14"
        LEFT OUTER JOIN (
          SELECT
            "t8"."member_id",
            1 AS "kept"
          FROM (
            SELECT DISTINCT
              "t1"."member_id"
            FROM "orders" AS "t1"
            WHERE
              "t1"."status" = 'paid'
              AND "t1"."member_id" IS NOT NULL
              AND "t1"."ordered_at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
              AND "t1"."ordered_at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
          ) AS "t8"
        ) AS "t19"
          ON "t14"."member_id" = "t19"."member_id"
      ) AS "t25"
    ) AS "t29"
  ) AS "t35"
) AS "t39"
CROSS JOIN (
  SELECT
    "t26"."value" AS "nps"
  FROM (
    SELECT
      (
        (
          SUM(CAST("t5"."nps" >= 9 AS BIGINT)) - SUM(CAST("t5"."nps" <= 6 AS BIGINT))
        ) * 100.0
      ) / NULLIF(COUNT(*), 0) AS "value"
    FROM (
      SELECT
        *
      FROM "surveys" AS "t0"
      WHERE
        "t0"."at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
        AND "t0"."at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
        AND "t0"."nps" IS NOT NULL
    ) AS "t5"
  ) AS "t26"
) AS "t33"
