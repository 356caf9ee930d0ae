-- The department's reports (accuracy_reports) counted per day and per what the method asks of them: the first
-- step other than the window that sets them aside, their kind, whether they have a time of day, their type and
-- offence. What accuracy_steps and accuracy_daily count, in a few thousand rows a department. Stored when the
-- data loads (accuracy_report_days).
SELECT date, reason, predictable, ts IS NULL AS no_time, predictable_type,
       coalesce(description, '(not recorded)') AS description,
       count(*) AS reports, CAST(sum(copies) AS BIGINT) AS copies
FROM accuracy_reports
WHERE department = $department
GROUP BY ALL
ORDER BY date
