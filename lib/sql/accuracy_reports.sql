-- Every crime report of one department as the accuracy method reads it, over all time: exact duplicates
-- merged (copies counts them), whether it is of a kind the software predicts ($kinds: the report types with at
-- least one alternative, decided in Python by lib/analysis/accuracy.py, alternatives), and the first step of the
-- method other than the window that sets it aside (reason; NULL = analysed whenever the window holds it). ts is
-- when the crime was reported, for placing it in a prediction's shift. Written once per department when the
-- data loads (write_match_tables, as the stored table accuracy_reports); accuracy_window_reports adds a window.
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
    r.line, r.copies, r.date, r.time,
    coalesce(r.datetime, r.date + r.time) AS ts,
    r.description, r.address, r.lat, r.lon, r.geoid, r.predictable_type,
    r.has_prediction, r.num_predictions, r.prediction_type,
    coalesce(list_contains($kinds, r.predictable_type), FALSE) AS predictable,
    CASE
        WHEN r.lat IS NULL OR r.lon IS NULL THEN 'no coordinates'
        WHEN r.geoid IS NULL THEN 'outside the department''s block groups'
        WHEN lower(trim(r.address)) IN (SELECT address FROM excluded) THEN 'at an excluded address'
    END AS reason
FROM distinct_reports r
ORDER BY r.line
