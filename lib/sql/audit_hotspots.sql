-- Prediction locations ranked by predictions, with their share of the department's predictions
-- (in the selection) and the days they were targeted (counted for the ranked locations only); as
-- prediction_locations.sql keeps them, a location's first address. (audit_hotspots_all_time.sql: no date or type filter.)
WITH p AS NOT MATERIALIZED (SELECT p.* FROM prediction_cells p WHERE {where}),
top AS (
    SELECT department, lat, lon, CAST(sum(count) AS BIGINT) AS predictions,
           min(address) AS address, min(geoid) AS geoid
    FROM p GROUP BY department, lat, lon
    ORDER BY predictions DESC, department, lat, lon
    LIMIT $limit
),
days AS (
    SELECT department, lat, lon, count(DISTINCT date) AS days_targeted
    FROM p WHERE (department, lat, lon) IN (SELECT department, lat, lon FROM top)
    GROUP BY department, lat, lon
),
dept AS (
    SELECT department, CAST(sum(count) AS BIGINT) AS department_predictions
    FROM prediction_days p WHERE {where} GROUP BY department
)
SELECT top.department, top.lat, top.lon, top.predictions, days.days_targeted, top.address, top.geoid,
       top.predictions / dept.department_predictions AS share_of_department
FROM top JOIN days USING (department, lat, lon) JOIN dept USING (department)
ORDER BY top.predictions DESC, top.department, top.lat, top.lon
