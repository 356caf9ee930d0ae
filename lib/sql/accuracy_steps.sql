-- How many reports each step of the method keeps: one row per (left_because, predictable, no_time,
-- predictable_type, description) with the distinct reports and the rows of the file they merge (copies).
{scope}
SELECT left_because, predictable, no_time, predictable_type, description,
       CAST(sum(reports) AS BIGINT) AS reports, CAST(sum(copies) AS BIGINT) AS copies
FROM report_days
GROUP BY ALL
