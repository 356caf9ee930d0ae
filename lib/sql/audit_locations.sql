-- Distinct points of one table per department, with how much sits on each.
SELECT p.department, p.lat, p.lon, {weight} AS predictions, {records} AS records,
       any_value(p.address) AS address, min({day}) AS first_date, max({day}) AS last_date,
       any_value(p.geoid) AS geoid
FROM {table} p
WHERE {where} AND p.lat IS NOT NULL AND p.lon IS NOT NULL
GROUP BY p.department, p.lat, p.lon
