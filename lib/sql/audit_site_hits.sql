-- Every prediction whose box (centred on the prediction) contains a site. Sites arrive as
-- parallel lists ($site_id, $site_lat, $site_lon) so added sites never touch the database.
WITH s AS (
    SELECT unnest($site_id) AS site_id, unnest($site_lat) AS lat, unnest($site_lon) AS lon
),
p AS (SELECT p.line, p.department, p.lat, p.lon, p.count, p.date FROM predictions p WHERE {where})
SELECT s.site_id, p.line, p.department, p.lat, p.lon, p.count, p.date
FROM s JOIN p ON {box_contains}
