-- Addresses whose text names a police station, jail, court or hospital, in predictions,
-- crime reports and the excluded-address list. Streets named Court (Court Pl) are blanked first.
WITH pred AS (
    SELECT p.*, regexp_replace(upper(p.address), $court_street, ' ', 'g') AS text
    FROM prediction_cells p WHERE {pred_where} AND p.address IS NOT NULL
),
report AS (
    SELECT p.*, regexp_replace(upper(p.address), $court_street, ' ', 'g') AS text
    FROM crime_reports p WHERE {report_where} AND p.address IS NOT NULL
),
excluded AS (
    SELECT e.*, regexp_replace(upper(e.address), $court_street, ' ', 'g') AS text FROM excluded_addresses e
)
SELECT 'predictions' AS source, department, address, regexp_extract(text, $pattern, 1) AS word,
       CAST(sum(count) AS BIGINT) AS predictions, CAST(sum(records) AS BIGINT) AS records,
       count(DISTINCT date) AS days,
       min(date) AS first_date, max(date) AS last_date, CAST(NULL AS VARCHAR) AS reason
FROM pred WHERE regexp_matches(text, $pattern)
GROUP BY ALL
UNION ALL
SELECT 'crime reports', department, address, regexp_extract(text, $pattern, 1),
       NULL, count(*)::BIGINT, count(DISTINCT date), min(date), max(date), NULL
FROM report WHERE regexp_matches(text, $pattern)
GROUP BY ALL
UNION ALL
SELECT 'excluded addresses', NULL, address, regexp_extract(text, $pattern, 1), NULL, 1::BIGINT, NULL, NULL, NULL, reason
FROM excluded WHERE regexp_matches(text, $pattern)
ORDER BY 1, 6 DESC, 3
