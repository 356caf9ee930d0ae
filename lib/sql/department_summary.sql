-- One row per department in the selection: predictions, block groups, residents, rate,
-- and how the most-targeted block group compares with the department as a whole.
WITH {selection},
top_bg AS (
    SELECT department, arg_max(share_black_latino, (predictions, total)) AS top_share_black_latino,
           arg_max(geoid, (predictions, total)) AS top_geoid
    FROM bg GROUP BY department
),
per_dept AS (
    SELECT department, count(*) AS block_groups, sum(total) AS residents,
           (sum(black) + sum(latino)) / nullif(sum(total), 0) AS share_black_latino,
           sum(predictions) FILTER (WHERE majority IN ('black', 'latino')) / nullif(sum(predictions), 0)
               AS share_predictions_black_latino_majority,
           sum(total) FILTER (WHERE majority IN ('black', 'latino')) / nullif(sum(total), 0)
               AS share_residents_black_latino_majority
    FROM bg GROUP BY department
),
dept_predictions AS (
    SELECT department, sum(count) AS predictions, sum(count) FILTER (WHERE geoid IS NULL) AS outside
    FROM days GROUP BY department
)
SELECT d.department, d.name,
       coalesce(dp.predictions, 0) AS predictions,
       coalesce(dp.outside, 0) AS predictions_outside,
       pd.block_groups, pd.residents,
       1000.0 * (coalesce(dp.predictions, 0) - coalesce(dp.outside, 0)) / nullif(pd.residents, 0)
           AS predictions_per_1000,
       t.top_geoid AS most_targeted_geoid,
       t.top_share_black_latino AS most_targeted_black_latino,
       pd.share_black_latino AS department_black_latino,
       pd.share_predictions_black_latino_majority,
       pd.share_residents_black_latino_majority,
       d.first_prediction_date, d.final_prediction_date
FROM departments d
JOIN per_dept pd USING (department)
LEFT JOIN dept_predictions dp USING (department)
LEFT JOIN top_bg t USING (department)
ORDER BY predictions DESC, d.name
