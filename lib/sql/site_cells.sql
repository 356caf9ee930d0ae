-- Every cell of predictions (prediction_cells) whose box (600 ft, centred on the prediction) contains a
-- site of the data (sites), with the site's coordinates: the box test of the Audit page's site tables done once
-- when the data loads, per distinct location. Sites a reader adds for a session are tested live
-- (audit_site_boxes). Stored as site_cells.
WITH s AS (
    SELECT DISTINCT lat, lon FROM {sites} WHERE lat IS NOT NULL AND lon IS NOT NULL
),
located AS (
    SELECT DISTINCT department, lat, lon FROM {cells}
),
hit AS (
    SELECT s.lat AS site_lat, s.lon AS site_lon, l.department, l.lat, l.lon FROM s JOIN located l ON {box_contains}
)
SELECT h.site_lat, h.site_lon, p.department, p.geoid, p.lat, p.lon, p.address, p.date, p.incident_type, p.count
FROM {cells} p JOIN hit h USING (department, lat, lon)
ORDER BY h.site_lat, h.site_lon, p.date
