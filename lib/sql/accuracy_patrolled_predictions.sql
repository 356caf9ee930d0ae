-- Patrol "dosage": the dated predictions of one department in the window that had a patrol logged
-- inside the box while the shift ran (run once per department over all time when the data is loaded;
-- a window's are these dated inside it) (the patrol's [start, end] overlaps the shift). Same boxes, grid and
-- feet-per-degree approximation as the reports' join (accuracy_boxes), keyed here by (shift start, grid cell).
WITH {boxes},
patrol_spans AS (
    SELECT t.lat, t.lon, t.start, coalesce(t."end", t.start) AS finish, coalesce(t.minutes, 0) AS minutes
    FROM patrols t
    WHERE t.department = $department AND t.lat IS NOT NULL AND t.lon IS NOT NULL AND t.start IS NOT NULL
),
patrol_shifts AS (
    -- the shifts the patrol overlaps: one that began the day before the patrol started may still be running,
    -- and a long patrol may reach into the next days' shifts
    SELECT * FROM (
        SELECT t.*, CAST(day.d AS DATE) + s.starts_after AS shift_start
        FROM patrol_spans t, shifts s,
             unnest(generate_series(CAST(t.start AS DATE) - 1, CAST(t.finish AS DATE), INTERVAL 1 DAY)) AS day(d)
    )
    WHERE start < shift_start + to_minutes(CAST($shift_minutes AS BIGINT)) AND finish >= shift_start
),
patrol_keys AS (
    {patrol_cells}
)
SELECT b.prediction_line, b.date, b.count, count(*) AS patrols, sum(k.minutes) AS patrol_minutes
FROM boxes b
JOIN patrol_keys k ON k.shift_start = b.shift_start AND k.cell_y = b.cell_y AND k.cell_x = b.cell_x
WHERE abs((k.lat - b.prediction_lat) * $feet_per_degree) <= $half_box_feet
  AND abs((k.lon - b.prediction_lon) * $feet_per_degree * cos(radians(b.prediction_lat))) <= $half_box_feet
GROUP BY b.prediction_line, b.date, b.count
ORDER BY b.prediction_line
