-- Fragment of audit_site_boxes: the cells whose box contains an added site, tested once per distinct location.
UNION ALL
SELECT h.site_id, p.department, p.geoid, p.lat, p.lon, p.address, p.date, p.incident_type, p.count
FROM p JOIN (
    SELECT s.site_id, l.department, l.lat, l.lon
    FROM (SELECT * FROM s WHERE NOT stored) s
    JOIN (SELECT DISTINCT department, lat, lon FROM p) l ON {box_contains}
) h USING (department, lat, lon)
