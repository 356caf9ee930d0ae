-- The predictions summed per department, block group, day and type (count: predictions, records: rows), from
-- {cells} (prediction_cells): what the Audit page's counts per block group and per day read, about a tenth of
-- the rows of prediction_cells at 6 million dated predictions.
SELECT department, geoid, date, incident_type, CAST(sum(count) AS BIGINT) AS count,
       CAST(sum(records) AS BIGINT) AS records
FROM {cells}
GROUP BY department, geoid, date, incident_type
