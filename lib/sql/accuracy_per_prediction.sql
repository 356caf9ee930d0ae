-- Per dated prediction whose box held, during the shift, a report of the predicted type, over all time: the dates
-- of those reports (one per report), so a window counts those it holds (accuracy_scope), and whether a patrol
-- visited the box during the shift (patrolled_predictions). Stored when the data loads (true_predictions).
SELECT prediction_line, any_value(date) AS date, any_value(shift) AS shift, any_value(incident_type) AS incident_type,
       any_value(count) AS count, any_value(prediction_lat) AS prediction_lat,
       any_value(prediction_lon) AS prediction_lon, any_value(address) AS address, any_value(geoid) AS geoid,
       list(report_date) AS report_dates,
       prediction_line IN (SELECT prediction_line FROM patrolled_predictions WHERE department = $department) AS patrolled
FROM {pairs}
WHERE caught
GROUP BY prediction_line
ORDER BY date, prediction_line
