-- The geocoding check per department, source and status: how many distinct locations, the records and
-- predictions on them, and how far the farthest lies from the department's block groups (max_km; outside only).
-- From {points} (every point outside the block groups, classified) and {counts} (per source and department, the
-- points inside and the records with no coordinates), as outside_points and point_counts store them
-- (lib/analysis/audit/geocoding.py's _geocoding); records without coordinates count for the tables whose rows may lack
-- them, and come last.
SELECT department, source, status, count(*) AS locations, CAST(sum(records) AS BIGINT) AS records,
       CAST(sum(predictions) AS BIGINT) AS predictions, max(distance_km) AS max_km
FROM {points}
GROUP BY ALL
UNION ALL
SELECT department, source, 'inside', locations, records, predictions, NULL
FROM {counts}
WHERE locations > 0
UNION ALL
SELECT department, source, 'no_coordinates', 0, missing_records, missing_predictions, NULL
FROM {counts}
WHERE missing_records > 0 AND source IN ('crime reports', 'patrols')
ORDER BY status = 'no_coordinates', department, source, status
