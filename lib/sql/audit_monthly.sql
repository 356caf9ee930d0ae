-- Predictions per block group and month, for the block groups with the most predictions.
WITH p AS (SELECT p.* FROM prediction_days p WHERE {where} AND p.geoid IS NOT NULL AND p.date IS NOT NULL),
top AS (
    SELECT department, geoid, CAST(sum(count) AS BIGINT) AS total FROM p GROUP BY ALL
    ORDER BY total DESC, department, geoid LIMIT $top
)
SELECT p.department, p.geoid, date_trunc('month', p.date)::DATE AS month,
       CAST(sum(p.count) AS BIGINT) AS predictions,
       any_value(top.total) AS total
FROM p JOIN top USING (department, geoid)
GROUP BY ALL
ORDER BY total DESC, department, geoid, month
