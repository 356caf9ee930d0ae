-- Per site, the predictions whose box contains it: how many, on how many days and at how many locations, the
-- first and last day, and the department of those predictions.
{site_boxes}
SELECT site_id, CAST(sum(count) AS BIGINT) AS predictions, count(DISTINCT date) AS days,
       count(DISTINCT (lat, lon)) AS locations, min(date) AS first_date, max(date) AS last_date,
       min(department) AS hit_department
FROM hits
GROUP BY site_id
