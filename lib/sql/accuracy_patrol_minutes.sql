-- Patrol minutes by block group for one department in the window, beside its predictions there
-- (dated predictions in the window when they have dates, otherwise every prediction in the data).
WITH logged AS (
    SELECT geoid, count(*) AS patrols, sum(coalesce(minutes, 0)) AS patrol_minutes
    FROM patrols
    WHERE department = $department AND CAST(start AS DATE) BETWEEN $start AND $end
    GROUP BY geoid
),
predicted AS (
    SELECT geoid, sum(count) AS predictions
    FROM prediction_days
    WHERE department = $department AND (date IS NULL OR date BETWEEN $start AND $end)
    GROUP BY geoid
)
SELECT l.geoid, l.patrols, l.patrol_minutes, coalesce(p.predictions, 0) AS predictions,
       s.share_black_latino, s.share_low_income
FROM logged l
LEFT JOIN predicted p ON p.geoid IS NOT DISTINCT FROM l.geoid
LEFT JOIN block_group_stats s ON s.department = $department AND s.geoid = l.geoid
ORDER BY l.patrol_minutes DESC, l.geoid NULLS LAST
