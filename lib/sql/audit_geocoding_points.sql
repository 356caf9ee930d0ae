-- Every point outside the block groups, classified, without the evidence kept for those abroad. From {points}
-- (audit_geocoding_summary.sql).
SELECT * EXCLUDE (same_street_address, same_street_lat, same_street_lon, same_street_records, explanation)
FROM {points}
ORDER BY source, department, lat, lon
