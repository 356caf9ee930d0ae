-- The points outside the United States with the evidence a reader needs (lib/analysis/audit.py's
-- abroad_evidence, stored at load) and their department's name. From {points} (audit_geocoding_summary.sql).
SELECT p.source, p.department, d.name, p.lat, p.lon, p.country_code, p.country, p.place, p.address, p.predictions,
       p.records, p.first_date, p.last_date, p.distance_km, p.correction, p.corrected_geoid, p.same_street_address,
       p.same_street_lat, p.same_street_lon, p.same_street_records, p.explanation
FROM {points} p
LEFT JOIN departments d ON d.department = p.department
WHERE p.status = 'abroad'
ORDER BY p.source, p.department, p.lat, p.lon
