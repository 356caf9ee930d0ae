-- The matched reports per (report type, raw types of the predictions whose boxes held them): how many, and the
-- predictions those boxes held. Python decides per row which prediction type the reports count for.
{scope}
SELECT predictable_type, prediction_types, count(*) AS reports, CAST(sum(num_predictions) AS BIGINT) AS predictions
FROM matches
GROUP BY ALL
