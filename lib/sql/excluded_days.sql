-- What the excluded locations ({schema}.excluded) held per department, block group, day and type: taken off
-- prediction_days in schema {schema}.
CREATE TABLE {schema}.removed_days AS
SELECT c.department, c.geoid, c.date, c.incident_type, CAST(sum(c.count) AS BIGINT) AS count,
       CAST(sum(c.records) AS BIGINT) AS records
FROM main.prediction_cells c SEMI JOIN {schema}.excluded x ON {same_location}
GROUP BY ALL
