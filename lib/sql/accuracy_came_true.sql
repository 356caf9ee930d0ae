-- The dated predictions whose box held, during the shift, a report of the predicted type ({pairs}: the
-- pairs of accuracy_pairs, which carry each prediction's columns): one row per prediction, with how many such
-- reports. Which report types a prediction type catches is decided in Python (lib/analysis/accuracy.py,
-- matched_alternative) over the few distinct pairs of types, and arrives as two parallel lists:
-- $report_types[i] is caught by $prediction_types[i].
WITH matching AS (
    SELECT unnest(CAST($report_types AS VARCHAR[])) AS predictable_type,
           unnest(CAST($prediction_types AS VARCHAR[])) AS incident_type
)
SELECT prediction_line, date, shift, incident_type, count, prediction_lat, prediction_lon,
       count(DISTINCT report_line) AS reports, address, geoid
FROM {pairs} JOIN matching USING (predictable_type, incident_type)
GROUP BY prediction_line, date, shift, incident_type, count, prediction_lat, prediction_lon, address, geoid
ORDER BY prediction_line
