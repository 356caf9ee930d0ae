-- map_locations.sql with no date or type filter: the locations as stored at load (prediction_locations), a few
-- hundred rows per department instead of every (location, day, type). Placeholder where: the filters on p.
SELECT p.department, p.lat, p.lon, p.count AS predictions, nullif(p.days, 0) AS days, p.address, p.geoid
FROM prediction_locations p
WHERE {where}
