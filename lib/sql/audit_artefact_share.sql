-- Per department: the predictions whose box holds an artefact site (audit_site_boxes), those whose address
-- names one (named_addresses, found at load), either (each cell counted once), and all the filters select.
{site_boxes},
{named},
marked AS (
    SELECT p.department, p.count,
           (p.department, p.lat, p.lon) IN (SELECT department, lat, lon FROM hits) AS at_site,
           p.address IN (SELECT address FROM named) AS by_name
    FROM p
)
SELECT department,
       CAST(coalesce(sum(count) FILTER (WHERE at_site), 0) AS BIGINT) AS at_sites,
       CAST(coalesce(sum(count) FILTER (WHERE by_name), 0) AS BIGINT) AS named_addresses,
       CAST(coalesce(sum(count) FILTER (WHERE at_site OR by_name), 0) AS BIGINT) AS artefact_predictions,
       CAST(sum(count) AS BIGINT) AS department_predictions
FROM marked
GROUP BY department
