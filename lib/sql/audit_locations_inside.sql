-- Per department, the distinct points of one table inside its block groups (how many, and how much sits on
-- them: locations, records, predictions) and the records with no coordinates (missing_records,
-- missing_predictions). One scan serves both.
SELECT department, $source AS source, 'inside' AS status,
       count(*) FILTER (WHERE inside) AS locations,
       CAST(sum(records) FILTER (WHERE inside) AS BIGINT) AS records,
       CAST(sum(predictions) FILTER (WHERE inside) AS BIGINT) AS predictions,
       CAST(coalesce(sum(records) FILTER (WHERE missing), 0) AS BIGINT) AS missing_records,
       CAST(sum(predictions) FILTER (WHERE missing) AS BIGINT) AS missing_predictions
FROM (
    SELECT p.department, p.geoid IS NOT NULL AND p.lat IS NOT NULL AND p.lon IS NOT NULL AS inside,
           p.lat IS NULL OR p.lon IS NULL AS missing, {weight} AS predictions, {records} AS records
    FROM {table} p
    WHERE {where} AND (p.geoid IS NOT NULL OR p.lat IS NULL OR p.lon IS NULL)
    GROUP BY p.department, p.lat, p.lon, inside, missing
)
GROUP BY department
