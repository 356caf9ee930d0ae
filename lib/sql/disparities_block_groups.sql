-- Every block group of the selection with its prediction count (0 when none fell in it) and its census
-- counts, for departments with at least one prediction in a block group of the selection.
-- {where}: the filters on predictions p; {bg_where}: the filters on block_group_stats s.
WITH p AS (
    SELECT p.department, p.geoid, p.count FROM predictions p WHERE {where}
),
per_bg AS (
    SELECT department, geoid, sum(count) AS predictions FROM p WHERE geoid IS NOT NULL GROUP BY ALL
),
bg AS (
    SELECT s.*, coalesce(per_bg.predictions, 0)::BIGINT AS predictions
    FROM block_group_stats s LEFT JOIN per_bg USING (department, geoid)
    WHERE {bg_where}
)
SELECT * FROM bg
WHERE department IN (SELECT department FROM bg GROUP BY department HAVING sum(predictions) > 0)
ORDER BY department, geoid
