-- The department's predictions per day and type, and whether they carry a shift: what the method needs of the
-- predictions besides their boxes (the window, the dated totals by type, the predictions per day), in a few
-- hundred rows a department. Stored when the data loads (accuracy_prediction_days).
SELECT date, incident_type, shift IS NOT NULL AS shifted, CAST(sum(count) AS BIGINT) AS predictions
FROM predictions
WHERE department = $department
GROUP BY ALL
ORDER BY date, incident_type
