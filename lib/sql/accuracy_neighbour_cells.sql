-- Fragment: each row of {points} (with lat and lon) once per grid cell around it, its own and the eight
-- neighbours (cell_y, cell_x of the grid CTE of accuracy_boxes.sql): a box whose centre lies in one of them
-- may hold the point, so an equality join with the boxes' cells finds every candidate.
SELECT t.*,
       CAST(floor(t.lat / g.cell_lat) AS BIGINT) + dy.v AS cell_y,
       CAST(floor(t.lon / g.cell_lon) AS BIGINT) + dx.v AS cell_x
FROM {points} t, grid g,
     (VALUES (-1), (0), (1)) AS dy(v),
     (VALUES (-1), (0), (1)) AS dx(v)
