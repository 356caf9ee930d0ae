-- Prediction locations ranked by predictions, with their share of the department's predictions
-- (in the selection) and the days they were targeted.
WITH p AS (SELECT p.* FROM prediction_cells p WHERE {where}),
dept AS (SELECT department, CAST(sum(count) AS BIGINT) AS department_predictions FROM p GROUP BY department),
loc AS (
    SELECT department, lat, lon, CAST(sum(count) AS BIGINT) AS predictions, count(DISTINCT date) AS days_targeted,
           any_value(address) AS address, any_value(geoid) AS geoid
    FROM p GROUP BY department, lat, lon
)
SELECT loc.*, loc.predictions / dept.department_predictions AS share_of_department
FROM loc JOIN dept USING (department)
ORDER BY loc.predictions DESC, loc.department, loc.lat, loc.lon
LIMIT $limit
