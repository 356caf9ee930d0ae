-- Reported crimes against dated prediction boxes: a report is a hit when it lies inside a box (the
-- 600 ft square test from lib.geo_math.box_contains_sql) between the start of the box's shift and its end.
-- Placeholders, filled by lib.analysis.maps: where (filters on predictions p), report_where (filters on
-- crime_reports r), shift_values ((letter, start minute) pairs), shift_minutes, box, and final (the result
-- wanted, which may add CTEs after matched).
WITH shifts(shift, start_minute) AS (VALUES {shift_values}),
p AS (
    SELECT p.department, p.line, p.lat, p.lon, p.count, p.date,
           p.date + to_minutes(shifts.start_minute) AS starts
    FROM predictions p JOIN shifts ON shifts.shift = p.shift
    WHERE {where} AND p.date IS NOT NULL
),
-- A shift starting in the evening ends the next morning, and a report near a cell edge may lie in a box
-- centred in the next cell: each box is keyed on both days and its 3 x 3 grid cells so that an equality
-- join narrows the candidates before the exact test (cells of 0.005 degrees are wider than half a box).
p_keys AS (
    SELECT p.*, p.date + d.v AS day,
           CAST(floor(p.lat / 0.005) AS BIGINT) + dy.v AS cell_y, CAST(floor(p.lon / 0.005) AS BIGINT) + dx.v AS cell_x
    FROM p, (VALUES (0), (1)) d(v), (VALUES (-1), (0), (1)) dy(v), (VALUES (-1), (0), (1)) dx(v)
),
r AS (
    SELECT r.department, r.line, r.date, r.description, r.address, r.lat, r.lon,
           coalesce(r.datetime, r.date + r.time) AS at
    FROM crime_reports r WHERE {report_where}
),
matched AS (
    SELECT DISTINCT r.department, r.line AS report_line, p.line AS prediction_line
    FROM r JOIN p_keys p ON p.department = r.department AND p.day = CAST(r.at AS DATE)
         AND p.cell_y = CAST(floor(r.lat / 0.005) AS BIGINT) AND p.cell_x = CAST(floor(r.lon / 0.005) AS BIGINT)
    WHERE r.lat IS NOT NULL AND r.at >= p.starts AND r.at < p.starts + to_minutes({shift_minutes}) AND {box}
)
{final}
