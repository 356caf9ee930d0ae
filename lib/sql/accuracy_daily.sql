-- Per day of the window: the analysed reports, the predictable ones, and the predictions (NULL on every day when
-- the department's predictions carry no dates).
{scope},
days AS (
    SELECT CAST(range AS DATE) AS date FROM range($start, $end + INTERVAL 1 DAY, INTERVAL 1 DAY)
),
reported AS (
    SELECT date, sum(reports) AS reports, sum(reports) FILTER (WHERE predictable) AS predictable_reports
    FROM report_days WHERE left_because IS NULL
    GROUP BY date
),
predicted AS (
    SELECT date, sum(predictions) AS predictions FROM accuracy_prediction_days
    WHERE department = $department AND date BETWEEN $start AND $end
    GROUP BY date
)
SELECT d.date, CAST(coalesce(r.reports, 0) AS BIGINT) AS reports,
       CAST(coalesce(r.predictable_reports, 0) AS BIGINT) AS predictable_reports,
       CASE WHEN EXISTS (SELECT 1 FROM predicted) THEN CAST(coalesce(p.predictions, 0) AS DOUBLE) END AS predictions
FROM days d LEFT JOIN reported r USING (date) LEFT JOIN predicted p USING (date)
ORDER BY d.date
