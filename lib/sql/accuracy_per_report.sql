-- Per report inside at least one box during its shift, over all time: the predictions those boxes held (date,
-- count, type), how many and of which types (box_predictions, box_types), and the dates of the first and last,
-- so a window that holds both reads the row as it is and one that does not keeps those it dates
-- (accuracy_scope). Stored when the data loads (report_matches), in date order so a window's edges are a few
-- stretches of rows.
SELECT *, box_predictions(predictions) AS num_predictions, box_types(predictions) AS prediction_types
FROM (
    SELECT report_line, any_value(report_date) AS report_date, any_value(predictable_type) AS predictable_type,
           min(date) AS first_prediction_date, max(date) AS last_prediction_date,
           list(struct_pack(date := date, count := count, type := incident_type)) AS predictions
    FROM {pairs}
    GROUP BY report_line
)
ORDER BY report_date, report_line
