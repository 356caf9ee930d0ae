-- The predictions summed per department and location over all time, from {cells} (prediction_cells): count is
-- the predictions, records the rows, days the distinct days with a prediction there. A location lies in one block
-- group; of its addresses (usually one) the first is kept. The Audit page ranks locations from it when no date or
-- type filter applies: a few hundred rows per department instead of every (location, day, type).
SELECT department, lat, lon, min(geoid) AS geoid, min(address) AS address, CAST(sum(count) AS BIGINT) AS count,
       CAST(sum(records) AS BIGINT) AS records, count(DISTINCT date) AS days, min(date) AS first_date,
       max(date) AS last_date
FROM {cells}
GROUP BY department, lat, lon
