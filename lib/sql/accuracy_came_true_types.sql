-- The predictions that came true by incident type: how many predictions (each counted once), how many rows
-- (predictions), and how many of the predictions a patrol visited during the shift.
{scope}
SELECT incident_type, CAST(sum(count) AS BIGINT) AS predictions, count(*) AS rows,
       CAST(coalesce(sum(count) FILTER (WHERE patrolled), 0) AS BIGINT) AS patrolled
FROM came_true
GROUP BY incident_type
