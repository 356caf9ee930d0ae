-- Per department, the distinct points of one table inside its block groups: how many, and how much sits on them.
SELECT department, $source AS source, 'inside' AS status, count(*) AS locations,
       CAST(sum(records) AS BIGINT) AS records, CAST(sum(predictions) AS BIGINT) AS predictions
FROM (
    SELECT p.department, {weight} AS predictions, {records} AS records
    FROM {table} p
    WHERE {where} AND p.geoid IS NOT NULL AND p.lat IS NOT NULL AND p.lon IS NOT NULL
    GROUP BY p.department, p.lat, p.lon
)
GROUP BY department
