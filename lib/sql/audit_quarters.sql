-- Predictions per block group and calendar quarter.
SELECT p.department, p.geoid, date_trunc('quarter', p.date)::DATE AS quarter, CAST(sum(p.count) AS BIGINT) AS predictions
FROM prediction_days p
WHERE {where} AND p.geoid IS NOT NULL AND p.date IS NOT NULL
GROUP BY ALL
