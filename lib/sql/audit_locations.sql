-- The distinct points of one table outside every block group (geoid NULL), per department, with how much sits
-- on each.
SELECT p.department, p.lat, p.lon, {weight} AS predictions, CAST({records} AS BIGINT) AS records,
       any_value(p.address) AS address, min({day}) AS first_date, max({day}) AS last_date,
       CAST(NULL AS VARCHAR) AS geoid
FROM {table} p
WHERE {where} AND p.geoid IS NULL AND p.lat IS NOT NULL AND p.lon IS NOT NULL
GROUP BY p.department, p.lat, p.lon
