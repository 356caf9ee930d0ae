-- The selection every page starts from, as CTEs that a named query includes by saying "selection"
-- in braces (lib/db.py query):
--   days:   the predictions the filters keep (the where fragment) per block group, day and type, from
--           prediction_days (a tenth of the rows of prediction_cells: the filters name no finer column);
--   per_bg: their sum per block group;
--   bg:     the block groups the filters keep (bg_where) with their predictions (0 when none).
days AS (
    SELECT p.department, p.geoid, p.date, p.count FROM prediction_days p WHERE {where}
),
per_bg AS (
    SELECT department, geoid, sum(count) AS predictions FROM days WHERE geoid IS NOT NULL GROUP BY ALL
),
bg AS (
    SELECT s.*, coalesce(per_bg.predictions, 0) AS predictions
    FROM block_group_stats s LEFT JOIN per_bg USING (department, geoid)
    WHERE {bg_where}
)
