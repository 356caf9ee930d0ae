-- One row per prediction location (department, lat, lon) of the selection, with the demographics of its
-- block group for hover text. Placeholder locations: per location its predictions, days (NULL where undated),
-- address and geoid (map_locations.sql, or over all time map_locations_stored.sql).
WITH loc AS (
    {locations}
)
SELECT loc.department, d.name, loc.lat, loc.lon, loc.predictions::BIGINT AS predictions, loc.days, loc.address,
       loc.geoid, s.total AS residents, s.share_black, s.share_latino, s.share_white, s.share_asian,
       s.share_black_latino, s.share_low_income, s.majority
FROM loc
JOIN departments d USING (department)
LEFT JOIN block_group_stats s USING (department, geoid)
ORDER BY loc.predictions DESC, loc.department, loc.lat, loc.lon
