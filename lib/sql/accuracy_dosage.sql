-- Patrol "dosage" in the window: whether the department logged patrols, the predictions whose box a patrol
-- visited during the shift (patrolled_predictions, stored when the data loaded) and the patrol minutes.
{scope}
SELECT EXISTS (SELECT 1 FROM patrols WHERE department = $department) AS logged,
       CAST(coalesce(sum(count), 0) AS BIGINT) AS patrolled,
       CAST(coalesce(sum(patrol_minutes), 0) AS DOUBLE) AS patrol_minutes
FROM patrolled_predictions
WHERE department = $department AND date BETWEEN $start AND $end
