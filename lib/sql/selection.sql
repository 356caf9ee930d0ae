-- The selection every page starts from, as CTEs that a named query includes by saying "selection"
-- in braces (lib/db.py query):
--   p:      the predictions the filters keep (the where fragment), from prediction_cells;
--   per_bg: their sum per block group;
--   bg:     the block groups the filters keep (bg_where) with their predictions (0 when none).
p AS (
    SELECT p.department, p.geoid, p.lat, p.lon, p.date, p.count FROM prediction_cells p WHERE {where}
),
per_bg AS (
    SELECT department, geoid, sum(count) AS predictions FROM p WHERE geoid IS NOT NULL GROUP BY ALL
),
bg AS (
    SELECT s.*, coalesce(per_bg.predictions, 0) AS predictions
    FROM block_group_stats s LEFT JOIN per_bg USING (department, geoid)
    WHERE {bg_where}
)
