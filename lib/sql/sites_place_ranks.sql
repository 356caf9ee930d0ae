-- Per site, the best rank among its department's prediction locations (1 = the most predictions; ties share a
-- rank) of a location whose 600 ft box holds the site (audit_site_boxes), and how many locations were ranked.
{site_boxes},
ranked AS (
    SELECT department, lat, lon, rank() OVER (PARTITION BY department ORDER BY sum(count) DESC) AS place_rank,
           count(*) OVER (PARTITION BY department) AS places
    FROM p
    GROUP BY department, lat, lon
)
SELECT h.site_id, min(r.place_rank) AS best_place_rank, any_value(r.places) AS places
FROM (SELECT DISTINCT site_id, department, lat, lon FROM hits) h
JOIN ranked r USING (department, lat, lon)
GROUP BY h.site_id
