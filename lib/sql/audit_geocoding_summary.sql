-- The geocoding check per department, source and status: how many distinct locations, and the records and
-- predictions on them. From _geo_points (every point outside the block groups, classified) and _geo_counts (per
-- source and department, the points inside and the records with no coordinates), both lib/analysis/audit.py's
-- frames; records without coordinates count for the tables whose rows may lack them, and come last.
SELECT department, source, status, count(*) AS locations, CAST(sum(records) AS BIGINT) AS records,
       CAST(sum(predictions) AS BIGINT) AS predictions
FROM _geo_points
GROUP BY ALL
UNION ALL
SELECT department, source, 'inside', locations, records, predictions
FROM _geo_counts
WHERE locations > 0
UNION ALL
SELECT department, source, 'no_coordinates', 0, missing_records, missing_predictions
FROM _geo_counts
WHERE missing_records > 0 AND source IN ('crime reports', 'patrols')
ORDER BY status = 'no_coordinates', department, source, status
