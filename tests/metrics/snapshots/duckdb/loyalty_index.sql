SELECT
  (
    (
      "t31"."repurchase" * 0.3
    ) + (
      "t38"."retention" * 0.3
    ) + (
      "t39"."activity" * 0.2
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
    "t35"."value" AS "activity"
  FROM (
    SELECT
      "t32"."top" / NULLIF("t22"."bottom", 0) AS "value"
    FROM (
      SELECT
        "t25"."value" AS "top"
      FROM (
        SELECT
          COUNT(DISTINCT "t21"."member_id") AS "value"
        FROM (
          SELECT
            *
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
            ) AS "t11"
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
              ) AS "t6"
              UNION ALL
              SELECT
                *
              FROM (
                SELECT
                  "t4"."member_id",
                  "t4"."at"
                FROM "events" AS "t4"
              ) AS "t5"
            ) AS "t13"
          ) AS "t15"
          WHERE
            "t15"."at" >= CAST('2025-03-01 00:00:00' AS TIMESTAMP)
            AND "t15"."at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
        ) AS "t21"
      ) AS "t25"
    ) AS "t32"
    CROSS JOIN (
      SELECT
        "t18"."value" AS "bottom"
      FROM (
        SELECT
          COUNT(*) AS "value"
        FROM (
          SELECT
            *
          FROM "members" AS "t2"
          WHERE
            "t2"."registered_at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
        ) AS "t10"
      ) AS "t18"
    ) AS "t22"
  ) AS "t35"
) AS "t39"
CROSS JOIN (
  SELECT
    "t23"."value" AS "repurchase"
  FROM (
    SELECT
      COUNT(*) FILTER(WHERE
        "t16"."n" >= 2) / NULLIF(COUNT(*), 0) AS "value"
    FROM (
      SELECT
        "t8"."member_id",
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
      ) AS "t8"
      GROUP BY
        1
    ) AS "t16"
  ) AS "t23"
) AS "t31"
CROSS JOIN (
  SELECT
    "t34"."value" AS "retention"
  FROM (
    SELECT
      COUNT("t28"."kept") / NULLIF(COUNT(*), 0) AS "value"
    FROM (
      SELECT
        "t24"."member_id",
        "t24"."kept"
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
            "t9"."member_id",
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
          ) AS "t9"
        ) AS "t19"
          ON "t14"."member_id" = "t19"."member_id"
      ) AS "t24"
    ) AS "t28"
  ) AS "t34"
) AS "t38"
CROSS JOIN (
  SELECT
    "t26"."value" AS "nps"
  FROM (
    SELECT
      (
        (
          SUM(CAST("t7"."nps" >= 9 AS BIGINT)) - SUM(CAST("t7"."nps" <= 6 AS BIGINT))
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
    ) AS "t7"
  ) AS "t26"
) AS "t33"
