-- Spatial-temporal join: every (report, prediction) pair where a candidate report fell inside the
-- prediction's box during its shift. The candidates (line, ts, lat, lon, predictable_type) are the department's
-- reports analysed over all time of a kind the software predicts (the stored accuracy_reports); the boxes,
-- their grid and the box test are those of accuracy_boxes. Run once per department over all time when the data
-- is loaded (lib/analysis/accuracy.py, write_match_tables): a window's pairs are these, filtered to its analysed
-- reports and its dates (accuracy_scope).
-- Speed at millions of predictions: a report can only fall in a shift that began on its own day or the day
-- before, so each report is first given the starts of the shifts running when it was reported; the join is
-- then an equality on (shift start, grid cell) before the exact test of the box.
WITH {boxes},
report_shifts AS (
    SELECT * FROM (
        SELECT r.line AS report_line, r.date AS report_date, r.predictable_type, r.ts, r.lat, r.lon,
               CAST(r.ts AS DATE) - back.days + s.starts_after AS shift_start
        FROM {candidates} r, shifts s, (VALUES (0), (1)) AS back(days)
        WHERE r.ts IS NOT NULL AND r.lat IS NOT NULL AND r.lon IS NOT NULL
    )
    WHERE ts >= shift_start AND ts < shift_start + to_minutes(CAST($shift_minutes AS BIGINT))
),
report_keys AS (
    {report_cells}
),
-- which report types each prediction type catches, decided in Python (matched_alternative) over the distinct
-- pairs of types, as two parallel lists: a report of $report_types[i] is caught by a prediction of
-- $prediction_types[i]
matching AS (
    SELECT unnest(CAST($report_types AS VARCHAR[])) AS predictable_type,
           unnest(CAST($prediction_types AS VARCHAR[])) AS incident_type
)
SELECT k.report_line, k.report_date, k.predictable_type, b.prediction_line, b.date, b.shift, b.incident_type,
       b.count, b.prediction_lat, b.prediction_lon, b.address, b.geoid, b.shift_start,
       (k.lat - b.prediction_lat) * $feet_per_degree AS north_feet,
       (k.lon - b.prediction_lon) * $feet_per_degree * cos(radians(b.prediction_lat)) AS east_feet,
       m.incident_type IS NOT NULL AS caught  -- the report is of a type the prediction predicted
FROM boxes b
JOIN report_keys k ON b.shift_start = k.shift_start AND b.cell_y = k.cell_y AND b.cell_x = k.cell_x
LEFT JOIN matching m ON m.predictable_type = k.predictable_type AND m.incident_type = b.incident_type
WHERE abs((k.lat - b.prediction_lat) * $feet_per_degree) <= $half_box_feet
  AND abs((k.lon - b.prediction_lon) * $feet_per_degree * cos(radians(b.prediction_lat))) <= $half_box_feet
