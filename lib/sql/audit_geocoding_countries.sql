-- The points outside the block groups but located (nearby, far or abroad) by country: how many, the records and
-- predictions on them, and the departments they belong to. From {points} (audit_geocoding_summary.sql).
SELECT country_code, country, count(*) AS locations, CAST(sum(records) AS BIGINT) AS records,
       CAST(sum(predictions) AS BIGINT) AS predictions,
       array_to_string(list_sort(list_distinct(list(department))), ', ') AS departments
FROM {points}
WHERE status IN ('nearby', 'far', 'abroad')
GROUP BY ALL
ORDER BY locations DESC, country_code, country
