-- Fragment: the CTEs that find the prediction boxes (600 ft, centred on the prediction) holding a site.
--   s        the sites, as parallel lists ($site_id, $site_lat, $site_lon, $site_stored), so added sites never
--            touch the database; stored: a site of the data, whose boxes were found when the data loaded
--   p        the prediction cells the filters select
--   hits     each (site, cell) where the cell's box contains the site: the stored ones (site_cells) and, for
--            added sites, the box test run live (audit_site_boxes_live, once per distinct location)
WITH s AS (
    SELECT unnest($site_id) AS site_id, unnest($site_lat) AS lat, unnest($site_lon) AS lon,
           unnest($site_stored) AS stored
),
p AS NOT MATERIALIZED (
    SELECT p.department, p.geoid, p.lat, p.lon, p.address, p.date, p.incident_type, p.count
    FROM prediction_cells p WHERE {where}
),
hits AS (
    SELECT s.site_id, p.department, p.geoid, p.lat, p.lon, p.address, p.date, p.incident_type, p.count
    FROM site_cells p JOIN s ON s.stored AND p.site_lat = s.lat AND p.site_lon = s.lon
    WHERE {where}
    {live}
)
