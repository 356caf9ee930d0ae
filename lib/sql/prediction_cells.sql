-- The predictions summed per department, block group, location, address, day and type: count is the
-- predictions, records the rows they came in. Lines and shifts are gone; every page but Accuracy needs neither.
-- {predictions}: the predictions table to summarise.
SELECT department, geoid, lat, lon, address, date, incident_type, CAST(sum(count) AS BIGINT) AS count,
       count(*) AS records
FROM {predictions}
GROUP BY department, geoid, lat, lon, address, date, incident_type
