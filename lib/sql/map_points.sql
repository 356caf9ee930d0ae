-- One row per prediction location (department, lat, lon) of the selection, with the demographics of its
-- block group for hover text. Placeholder where: the filters on predictions p.
WITH p AS (
    SELECT p.department, p.lat, p.lon, p.count, p.records, p.date, p.address, p.geoid FROM prediction_cells p WHERE {where}
),
loc AS (
    SELECT department, lat, lon,
           sum(count) AS predictions,
           CASE WHEN count(date) > 0 THEN count(DISTINCT date) END AS days,
           sum(records) AS records,
           any_value(address) AS address,
           any_value(geoid) AS geoid
    FROM p GROUP BY department, lat, lon
)
SELECT loc.department, d.name, loc.lat, loc.lon, loc.predictions::BIGINT AS predictions, loc.days, loc.address,
       loc.geoid, s.total AS residents, s.share_black, s.share_latino, s.share_white, s.share_asian,
       s.share_black_latino, s.share_low_income, s.majority
FROM loc
JOIN departments d USING (department)
LEFT JOIN block_group_stats s USING (department, geoid)
ORDER BY loc.predictions DESC, loc.department, loc.lat, loc.lon
