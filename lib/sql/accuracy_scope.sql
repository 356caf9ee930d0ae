-- Fragment: the CTEs every accuracy query of one department and window ($department, $start, $end) starts from.
-- Each reads tables stored when the data loaded (lib/analysis/accuracy.py, write_match_tables), so a view filters
-- and counts stored rows instead of joining millions of predictions.
--   reports    every report (accuracy_reports), with left_because: the first step of the method that sets it
--              aside, the window first (NULL = analysed; lib/sql/macros.sql)
--   report_days  the same counted per day and what the method asks of the reports (accuracy_report_days)
--   pairs      the (report, prediction) pairs of the window: the prediction dated in it, the report analysed in it
--              (a stored pair's report is analysed whenever the window holds its date, and of a predictable kind)
--   matches    per analysed predictable report inside at least one box during its shift: predictable_type, how
--              many predictions, and their types as raw text (box_types, lib/sql/macros.sql); from the stored
--              boxes dated in the window (the join) or from the match the reports carry ($method chooses)
--   came_true  per dated prediction of the window whose box held, during the shift, a report of the predicted
--              type analysed in the window: how many such reports
WITH reports AS (
    SELECT * EXCLUDE (department, reason), left_because(date, reason, $start, $end) AS left_because
    FROM accuracy_reports
    WHERE department = $department
),
report_days AS (
    SELECT * EXCLUDE (department, reason), left_because(date, reason, $start, $end) AS left_because
    FROM accuracy_report_days
    WHERE department = $department
),
pairs AS (
    SELECT * EXCLUDE (department)
    FROM report_prediction_pairs
    WHERE department = $department AND date BETWEEN $start AND $end AND in_window(report_date, $start, $end)
),
joined AS NOT MATERIALIZED (
    SELECT * FROM report_matches
    WHERE department = $department AND $method = 'join' AND in_window(report_date, $start, $end)
),
matches AS (
    SELECT report_line AS line, predictable_type, num_predictions, prediction_types FROM joined
    WHERE first_prediction_date >= $start AND last_prediction_date <= $end
    UNION ALL
    -- the few reports at the window's edges, whose boxes the window does not all date (two conditions that each
    -- reach the Parquet scan, so the list of boxes is read for these rows only)
    SELECT line, predictable_type, box_predictions(predictions), box_types(predictions) FROM (
        SELECT report_line AS line, predictable_type,
               list_filter(predictions, lambda p: p.date BETWEEN $start AND $end) AS predictions
        FROM joined WHERE first_prediction_date < $start
        UNION ALL
        SELECT report_line AS line, predictable_type,
               list_filter(predictions, lambda p: p.date BETWEEN $start AND $end) AS predictions
        FROM joined WHERE first_prediction_date >= $start AND last_prediction_date > $end
    )
    WHERE len(predictions) > 0
    UNION ALL
    SELECT line, predictable_type, CAST(coalesce(num_predictions, 0) AS BIGINT), prediction_type
    FROM reports
    WHERE $method = 'carried' AND left_because IS NULL AND predictable AND has_prediction
),
came_true AS (
    SELECT * FROM (
        SELECT * EXCLUDE (department, report_dates),
               len(list_filter(report_dates, lambda d: in_window(d, $start, $end))) AS reports
        FROM true_predictions
        WHERE department = $department AND date BETWEEN $start AND $end
    )
    WHERE reports > 0
)
