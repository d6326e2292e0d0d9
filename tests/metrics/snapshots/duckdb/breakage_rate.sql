SELECT
  -(
    COALESCE(SUM("t1"."points") FILTER(WHERE
      "t1"."kind" = 'expire'), 0)
  ) / NULLIF(
    -(
      COALESCE(SUM("t1"."points") FILTER(WHERE
        "t1"."kind" = 'redeem'), 0)
    ) + -(
      COALESCE(SUM("t1"."points") FILTER(WHERE
        "t1"."kind" = 'expire'), 0)
    ),
    0
  ) AS "value"
FROM (
  SELECT
    *
  FROM "points" AS "t0"
  WHERE
    "t0"."at" < CAST('2025-04-01 00:00:00' AS TIMESTAMP)
) AS "t1"
