-- The points outside the United States with the evidence a reader needs (lib/analysis/audit/geocoding.py's
-- abroad_evidence, stored at load) and their department's name (audit/geocoding.py orders the columns: ABROAD_COLUMNS).
-- From {points} (audit_geocoding_summary.sql).
SELECT p.*, d.name
FROM {points} p
LEFT JOIN departments d ON d.department = p.department
WHERE p.status = 'abroad'
ORDER BY p.source, p.department, p.lat, p.lon
