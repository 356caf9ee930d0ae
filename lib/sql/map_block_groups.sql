-- One row per selected block group with its outline, predictions and demographics.
-- Placeholders: where (the filters on predictions p), bg_where (the filters on block_group_stats s).
WITH per_bg AS (  -- from the sums per block group and day (the filters name no finer column)
    SELECT p.department, p.geoid, sum(p.count) AS predictions
    FROM prediction_days p WHERE {where} AND p.geoid IS NOT NULL GROUP BY ALL
)
SELECT s.department, d.name, s.geoid, b.geometry_json,
       coalesce(per_bg.predictions, 0)::BIGINT AS predictions,
       s.total AS residents,
       1000.0 * coalesce(per_bg.predictions, 0) / nullif(s.total, 0) AS per_1000,
       s.share_black, s.share_latino, s.share_white, s.share_asian, s.share_black_latino, s.share_low_income,
       s.majority, s.households, s.low_income_households,
       b.min_lon, b.min_lat, b.max_lon, b.max_lat, s.centroid_lat, s.centroid_lon
FROM block_group_stats s
JOIN block_groups b USING (department, geoid)
JOIN departments d USING (department)
LEFT JOIN per_bg USING (department, geoid)
WHERE {bg_where}
ORDER BY s.department, s.geoid
