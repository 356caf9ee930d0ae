-- Every crime report of one department, exact duplicates merged (copies counts them), with the first
-- step of the method that sets it aside (left_because; NULL = analysed). ts is when the crime was
-- reported, for placing it in a prediction's shift.
WITH distinct_reports AS (
    SELECT * EXCLUDE (line), min(line) AS line, count(*) AS copies
    FROM crime_reports
    WHERE department = $department
    GROUP BY ALL
),
excluded AS (
    SELECT DISTINCT lower(trim(address)) AS address FROM excluded_addresses WHERE address IS NOT NULL
)
SELECT
    r.line, r.copies, r.department, r.date, r.time,
    coalesce(r.datetime, r.date + r.time) AS ts,
    r.description, r.address, r.lat, r.lon, r.geoid, r.predictable_type,
    r.has_prediction, r.num_predictions, r.prediction_type,
    CASE
        WHEN r.date < $start OR r.date > $end THEN 'outside the analysis window'
        WHEN r.lat IS NULL OR r.lon IS NULL THEN 'no coordinates'
        WHEN r.geoid IS NULL THEN 'outside the department''s block groups'
        WHEN lower(trim(r.address)) IN (SELECT address FROM excluded) THEN 'at an excluded address'
    END AS left_because
FROM distinct_reports r
ORDER BY r.line
