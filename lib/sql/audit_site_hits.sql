-- Every cell of predictions (prediction_cells: one location, address, day and type) whose box (centred on
-- the prediction) contains a site. Sites arrive as parallel lists ($site_id, $site_lat, $site_lon) so added
-- sites never touch the database.
WITH s AS (
    SELECT unnest($site_id) AS site_id, unnest($site_lat) AS lat, unnest($site_lon) AS lon
),
p AS (SELECT p.department, p.geoid, p.lat, p.lon, p.address, p.date, p.incident_type, p.count
      FROM prediction_cells p WHERE {where})
SELECT s.site_id, p.department, p.geoid, p.lat, p.lon, p.address, p.date, p.incident_type, p.count
FROM s JOIN p ON {box_contains}
