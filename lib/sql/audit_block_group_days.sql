-- Per block group: predictions and distinct days with a prediction (within the department's
-- first..final prediction dates), with residents, race and income (joined after summing: grouping by
-- every column of block_group_stats took twice as long).
WITH per_bg AS (
    SELECT p.department, p.geoid, CAST(sum(p.count) AS BIGINT) AS predictions,
           count(DISTINCT p.date) AS days_targeted, min(p.date) AS first_targeted, max(p.date) AS last_targeted
    FROM prediction_days p
    JOIN departments d USING (department)
    WHERE {where} AND p.geoid IS NOT NULL AND p.date IS NOT NULL
      AND (d.first_prediction_date IS NULL OR p.date >= d.first_prediction_date)
      AND (d.final_prediction_date IS NULL OR p.date <= d.final_prediction_date)
    GROUP BY p.department, p.geoid
)
SELECT per_bg.*, s.total AS residents, s.households, s.share_black, s.share_latino, s.share_white,
       s.share_asian, s.share_black_latino, s.share_low_income, s.majority
FROM per_bg
LEFT JOIN block_group_stats s USING (department, geoid)
