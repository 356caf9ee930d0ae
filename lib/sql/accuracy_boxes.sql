-- Fragment: the CTEs grid, shifts and boxes, shared by the spatial-temporal joins of accuracy_pairs and
-- accuracy_patrolled_predictions. boxes holds the dated predictions of one department in the window, each with
-- the start of its shift and its grid cell.
-- The box is a square of $half_box_feet either side of the prediction point, north-south and east-west;
-- degrees become feet on a sphere of mean Earth radius, the east-west scale taken at the prediction's
-- latitude (an equirectangular approximation: off by well under 1% over a 600 ft box).
-- A grid cell is at least half a box wide each way (1% wider, so rounding cannot matter; east-west at the
-- department's highest latitude), so a point inside a box lies in the cell of the box's centre or in a
-- neighbouring one: an equality join on cells narrows the candidates before the exact test.
grid AS (
    SELECT 1.01 * $half_box_feet / $feet_per_degree AS cell_lat,
           -- below 90 degrees, where the cosine would vanish: there the cell is wider than the whole globe
           1.01 * $half_box_feet
               / ($feet_per_degree * cos(radians(least(coalesce(max(abs(lat)), 0), 89.9999)))) AS cell_lon
    FROM predictions
    WHERE department = $department AND date BETWEEN $start AND $end
),
shifts AS (
    SELECT * FROM (VALUES {shift_values}) AS s(shift, starts_after)
),
boxes AS (
    SELECT p.line AS prediction_line, p.date, p.shift, p.incident_type, p.count,
           p.lat AS prediction_lat, p.lon AS prediction_lon, p.address, p.geoid,
           p.date + s.starts_after AS shift_start,
           CAST(floor(p.lat / g.cell_lat) AS BIGINT) AS cell_y,
           CAST(floor(p.lon / g.cell_lon) AS BIGINT) AS cell_x
    FROM predictions p JOIN shifts s ON s.shift = upper(trim(p.shift)), grid g
    WHERE p.department = $department AND p.date BETWEEN $start AND $end
      AND p.lat IS NOT NULL AND p.lon IS NOT NULL
)
