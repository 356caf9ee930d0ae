-- The prediction locations (department, lat, lon) an exclusion takes out, one row per location and reason:
--   artefacts: the location's 600 ft box (centred on it) holds a site of an artefact kind ($artefact_kinds) from
--              the data's site list, or one of the sites a reader added for the session ($added_lat, $added_lon,
--              already narrowed to those kinds);
--   outside:   the location lies in no block group (no coordinates counts as outside);
--   geocoding: the geocoding audit (outside_points, stored at load) flags the point ($error_statuses).
-- Only the reasons in $reasons are looked for. Reads the tables of schema main: the original predictions.
WITH located AS (
    SELECT department, lat, lon, min(geoid) AS geoid FROM main.prediction_locations GROUP BY ALL
),
artefact_sites AS (
    SELECT lat, lon FROM main.sites
    WHERE list_contains($artefact_kinds, kind) AND lat IS NOT NULL AND lon IS NOT NULL
    UNION ALL
    SELECT unnest(CAST($added_lat AS DOUBLE[])) AS lat, unnest(CAST($added_lon AS DOUBLE[])) AS lon
)
SELECT l.department, l.lat, l.lon, 'artefacts' AS reason FROM located l
WHERE list_contains($reasons, 'artefacts')
  AND EXISTS (SELECT 1 FROM artefact_sites s WHERE {box_contains})
UNION ALL
SELECT l.department, l.lat, l.lon, 'outside' FROM located l
WHERE list_contains($reasons, 'outside') AND l.geoid IS NULL
UNION ALL
SELECT l.department, l.lat, l.lon, 'geocoding' FROM located l
WHERE list_contains($reasons, 'geocoding') AND (l.department, l.lat, l.lon) IN (
    SELECT department, lat, lon FROM {flagged_points}
    WHERE source = 'predictions' AND list_contains($error_statuses, status))
