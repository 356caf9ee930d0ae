-- Every block group of the selection (the CTEs of lib/sql/selection.sql) with its prediction count (0 when
-- none fell in it) and census counts, for departments with at least one prediction in a selected block group.
WITH {selection}
SELECT * FROM bg
WHERE department IN (SELECT department FROM bg GROUP BY department HAVING sum(predictions) > 0)
ORDER BY department, geoid
