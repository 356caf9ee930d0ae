-- Every point outside the block groups, classified, without the evidence kept for those abroad ({evidence}:
-- audit/geocoding.py's EVIDENCE columns). From {points} (audit_geocoding_summary.sql).
SELECT * EXCLUDE ({evidence})
FROM {points}
ORDER BY source, department, lat, lon
