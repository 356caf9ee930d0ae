-- Patrol "dosage": the dated predictions of one department in the window that had a patrol logged
-- inside the box while the shift ran (the patrol's [start, end] overlaps the shift). Same box,
-- same feet-per-degree approximation and same (day, grid cell) narrowing as accuracy_report_predictions.
WITH shifts AS (
    SELECT * FROM (VALUES {shift_values}) AS s(shift, starts_after)
),
boxes AS (
    SELECT p.line AS prediction_line, p.count, p.lat, p.lon, p.date,
           p.date + s.starts_after AS shift_start,
           CAST(floor(p.lat / $cell_degrees) AS BIGINT) AS cell_y,
           CAST(floor(p.lon / $cell_degrees) AS BIGINT) AS cell_x
    FROM predictions p JOIN shifts s ON s.shift = upper(trim(p.shift))
    WHERE p.department = $department AND p.date BETWEEN $start AND $end
      AND p.lat IS NOT NULL AND p.lon IS NOT NULL
),
patrol_spans AS (
    SELECT t.lat, t.lon, t.start, coalesce(t."end", t.start) AS finish, coalesce(t.minutes, 0) AS minutes
    FROM patrols t
    WHERE t.department = $department AND t.lat IS NOT NULL AND t.lon IS NOT NULL AND t.start IS NOT NULL
),
patrol_days AS (
    -- a shift that began the day before the patrol started may still be running; a long patrol may
    -- reach into the next days' shifts
    SELECT t.*, CAST(unnest(generate_series(CAST(t.start AS DATE) - 1, CAST(t.finish AS DATE), INTERVAL 1 DAY))
                     AS DATE) AS day
    FROM patrol_spans t
),
patrol_keys AS (
    SELECT t.*,
           CAST(floor(t.lat / $cell_degrees) AS BIGINT) + dy.v AS cell_y,
           CAST(floor(t.lon / $cell_degrees) AS BIGINT) + dx.v AS cell_x
    FROM patrol_days t,
         (VALUES (-1), (0), (1)) AS dy(v),
         (VALUES (-1), (0), (1)) AS dx(v)
),
visits AS (
    SELECT b.prediction_line, count(*) AS patrols, sum(k.minutes) AS patrol_minutes
    FROM boxes b
    JOIN patrol_keys k ON k.day = b.date AND k.cell_y = b.cell_y AND k.cell_x = b.cell_x
    WHERE abs((k.lat - b.lat) * $feet_per_degree) <= $half_box_feet
      AND abs((k.lon - b.lon) * $feet_per_degree * cos(radians(b.lat))) <= $half_box_feet
      AND k.start < b.shift_start + to_minutes(CAST($shift_minutes AS BIGINT))
      AND k.finish >= b.shift_start
    GROUP BY b.prediction_line
)
SELECT b.prediction_line, b.count, v.patrols, v.patrol_minutes
FROM visits v JOIN boxes b USING (prediction_line)
ORDER BY b.prediction_line
