-- Per department: the predictions whose box holds an artefact site (audit_site_boxes), those of them whose
-- address also names a site (named_addresses, found at load), and all the filters select. Only the cells near a
-- site are read (hits, a cell once however many sites its box holds) and the totals come from the sums per
-- block group and day: lib/analysis/audit/addresses.py's artefact_share adds the predictions at named addresses
-- (address_artefacts), so no query reads every cell's address twice.
{site_boxes},
{named},
cells AS (
    SELECT DISTINCT department, geoid, lat, lon, address, date, incident_type, count FROM hits
),
near AS (
    SELECT department, sum(count) AS at_sites,
           sum(count) FILTER (WHERE address IN (SELECT address FROM named)) AS named_at_sites
    FROM cells
    GROUP BY department
),
totals AS (
    SELECT p.department, sum(p.count) AS department_predictions FROM prediction_days p WHERE {where}
    GROUP BY p.department
)
SELECT t.department, CAST(coalesce(n.at_sites, 0) AS BIGINT) AS at_sites,
       CAST(coalesce(n.named_at_sites, 0) AS BIGINT) AS named_at_sites,
       CAST(t.department_predictions AS BIGINT) AS department_predictions
FROM totals t
LEFT JOIN near n USING (department)
