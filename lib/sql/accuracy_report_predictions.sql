-- Spatial-temporal join: every (report, prediction) pair where an analysed, predictable report fell in
-- the prediction's box during its shift. The reports fragment is the accuracy_reports query.
-- The box is a square of $half_box_feet either side of the prediction point, north-south and east-west;
-- degrees become feet on a sphere of mean Earth radius, the east-west scale taken at the prediction's
-- latitude (an equirectangular approximation: off by well under 1% over a 600 ft box).
-- Speed at millions of predictions: a report can only fall in a shift that began on its own day or the
-- day before, and only in a box whose centre lies in its own or a neighbouring grid cell ($cell_degrees
-- is wider than half a box), so an equality join on (day, cell) narrows the candidates before the exact test.
WITH reports AS (
    SELECT line AS report_line, ts, lat, lon
    FROM ({reports})
    WHERE left_because IS NULL AND predictable_type IS NOT NULL AND ts IS NOT NULL
),
report_keys AS (
    SELECT r.*, CAST(r.ts AS DATE) - back.days AS day,
           CAST(floor(r.lat / $cell_degrees) AS BIGINT) + dy.v AS cell_y,
           CAST(floor(r.lon / $cell_degrees) AS BIGINT) + dx.v AS cell_x
    FROM reports r,
         (VALUES (0), (1)) AS back(days),
         (VALUES (-1), (0), (1)) AS dy(v),
         (VALUES (-1), (0), (1)) AS dx(v)
),
shifts AS (
    SELECT * FROM (VALUES {shift_values}) AS s(shift, starts_after)
),
boxes AS (
    SELECT p.line AS prediction_line, p.date, p.shift, p.incident_type, p.count, p.address,
           p.lat AS prediction_lat, p.lon AS prediction_lon, p.geoid,
           p.date + s.starts_after AS shift_start,
           CAST(floor(p.lat / $cell_degrees) AS BIGINT) AS cell_y,
           CAST(floor(p.lon / $cell_degrees) AS BIGINT) AS cell_x
    FROM predictions p JOIN shifts s ON s.shift = upper(trim(p.shift))
    WHERE p.department = $department AND p.date BETWEEN $start AND $end
      AND p.lat IS NOT NULL AND p.lon IS NOT NULL
)
SELECT k.report_line, b.prediction_line, b.date, b.shift, b.incident_type, b.count, b.address,
       b.prediction_lat, b.prediction_lon, b.geoid, b.shift_start,
       (k.lat - b.prediction_lat) * $feet_per_degree AS north_feet,
       (k.lon - b.prediction_lon) * $feet_per_degree * cos(radians(b.prediction_lat)) AS east_feet
FROM report_keys k
JOIN boxes b ON b.date = k.day AND b.cell_y = k.cell_y AND b.cell_x = k.cell_x
WHERE abs((k.lat - b.prediction_lat) * $feet_per_degree) <= $half_box_feet
  AND abs((k.lon - b.prediction_lon) * $feet_per_degree * cos(radians(b.prediction_lat))) <= $half_box_feet
  AND k.ts >= b.shift_start
  AND k.ts < b.shift_start + to_minutes(CAST($shift_minutes AS BIGINT))
ORDER BY k.report_line, b.prediction_line
