-- audit_hotspots.sql over all time (no date or type filter): the locations and their days as stored at load
-- (prediction_locations), ranked.
WITH top AS (
    SELECT p.department, p.lat, p.lon, p.count AS predictions, p.days AS days_targeted, p.address, p.geoid
    FROM prediction_locations p WHERE {where}
    ORDER BY predictions DESC, department, lat, lon
    LIMIT $limit
),
dept AS (
    SELECT department, CAST(sum(count) AS BIGINT) AS department_predictions
    FROM prediction_days p WHERE {where} GROUP BY department
)
SELECT top.*, top.predictions / dept.department_predictions AS share_of_department
FROM top JOIN dept USING (department)
ORDER BY top.predictions DESC, top.department, top.lat, top.lon
