-- Addresses whose text names a police station, jail, court or hospital, in predictions,
-- crime reports and the excluded-address list (named_addresses: audit_named_addresses.sql, run at load).
WITH pred AS NOT MATERIALIZED (
    SELECT p.* FROM prediction_cells p WHERE {pred_where}
),
report AS NOT MATERIALIZED (
    SELECT p.* FROM crime_reports p WHERE {report_where}
),
{named}
SELECT 'predictions' AS source, p.department, p.address, n.word,
       CAST(sum(p.count) AS BIGINT) AS predictions, CAST(sum(p.records) AS BIGINT) AS records,
       count(DISTINCT p.date) AS days,
       min(p.date) AS first_date, max(p.date) AS last_date, CAST(NULL AS VARCHAR) AS reason
FROM pred p JOIN named n USING (address)
GROUP BY ALL
UNION ALL
SELECT 'crime reports', p.department, p.address, n.word,
       NULL, count(*)::BIGINT, count(DISTINCT p.date), min(p.date), max(p.date), NULL
FROM report p JOIN named n USING (address)
GROUP BY ALL
UNION ALL
SELECT 'excluded addresses', NULL, e.address, n.word, NULL, 1::BIGINT, NULL, NULL, NULL, e.reason
FROM excluded_addresses e JOIN named n USING (address)
ORDER BY 1, 6 DESC, 3
