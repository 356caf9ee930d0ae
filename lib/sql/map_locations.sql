-- The prediction locations of the selection for map_points.sql, summed from prediction_cells. Placeholder
-- where: the filters on predictions p. Of a location's addresses (usually one) the first is kept, as
-- prediction_locations.sql keeps it.
SELECT p.department, p.lat, p.lon, sum(p.count) AS predictions,
       CASE WHEN count(p.date) > 0 THEN count(DISTINCT p.date) END AS days,
       min(p.address) AS address, min(p.geoid) AS geoid
FROM prediction_cells p
WHERE {where}
GROUP BY p.department, p.lat, p.lon
