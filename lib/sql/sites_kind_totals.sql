-- Per department and kind of site: the predictions whose 600 ft box holds at least one site of that kind
-- (audit_site_boxes; a prediction near two stations counts once), beside the department's predictions.
{site_boxes},
kinds AS (
    SELECT unnest($site_id) AS site_id, unnest($site_kind) AS kind
),
cells AS (
    SELECT DISTINCT k.kind, h.department, h.geoid, h.lat, h.lon, h.address, h.date, h.incident_type, h.count
    FROM hits h JOIN kinds k USING (site_id)
)
SELECT kind, department, CAST(sum(count) AS BIGINT) AS predictions_at_sites
FROM cells
GROUP BY kind, department
