-- The dated predictions whose box held, during the shift, a report of the predicted type ({pairs}: the
-- pairs of accuracy_pairs): one row per prediction, with how many such reports. Which report types a
-- prediction type catches is decided in Python (lib/analysis/accuracy.py, matched_alternative) over the few
-- distinct pairs of types, and arrives as two parallel lists: $report_types[i] is caught by $prediction_types[i].
WITH matching AS (
    SELECT unnest(CAST($report_types AS VARCHAR[])) AS predictable_type,
           unnest(CAST($prediction_types AS VARCHAR[])) AS incident_type
),
came_true AS (
    SELECT prediction_line, count(DISTINCT report_line) AS reports
    FROM {pairs} JOIN matching USING (predictable_type, incident_type)
    GROUP BY prediction_line
)
SELECT p.line AS prediction_line, p.date, p.shift, p.incident_type, p.count, p.lat AS prediction_lat,
       p.lon AS prediction_lon, t.reports, p.address, p.geoid
FROM came_true t
JOIN predictions p ON p.line = t.prediction_line AND p.department = $department
ORDER BY p.line
