-- What one department's accuracy rests on, in one row: whether it has predictions dated in shifts (the join is
-- possible), its reports and how many carry a published match, and the windows its prediction window can come
-- from: its dated predictions' (the departments table's dates first), the published totals', the departments
-- table's.
WITH dated AS (
    SELECT coalesce(bool_or(date IS NOT NULL AND shifted), FALSE) AS dated, min(date) AS first, max(date) AS last
    FROM accuracy_prediction_days
    WHERE department = $department
),
reports AS (
    SELECT count(*) AS reports, count(has_prediction) AS carried
    FROM accuracy_reports
    WHERE department = $department
),
published AS (
    SELECT min(window_start) AS first, max(window_end) AS last
    FROM prediction_counts
    WHERE department = $department
),
listed AS (
    SELECT first_prediction_date AS first, final_prediction_date AS last
    FROM departments
    WHERE department = $department
    LIMIT 1
)
SELECT dated.dated, reports.reports, reports.carried,
       coalesce(listed.first, dated.first) AS dated_first, coalesce(listed.last, dated.last) AS dated_last,
       published.first AS published_first, published.last AS published_last,
       listed.first AS listed_first, listed.last AS listed_last
FROM dated CROSS JOIN reports CROSS JOIN published LEFT JOIN listed ON TRUE
