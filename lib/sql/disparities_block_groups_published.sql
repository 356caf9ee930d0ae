-- disparities_block_groups with the publisher's count per block group (block_group_counts; 0 where it has
-- none) in place of the predictions placed by point in polygon: those counts carry no dates or types, so only
-- the selection's departments and block-group filters apply to them. A department marked unusable is left out,
-- as The Markup analysed only usable ones (Indianapolis has counts in its GeoJSON but no row in their
-- departments.csv and no predictions).
WITH {selection},
counted AS (
    SELECT bg.* REPLACE (coalesce(c.predictions, 0) AS predictions)
    FROM bg LEFT JOIN block_group_counts c ON c.department = bg.department AND c.geoid = bg.geoid
    WHERE bg.department NOT IN (SELECT department FROM departments WHERE usable = false)
)
SELECT * FROM counted
WHERE department IN (SELECT department FROM counted GROUP BY department HAVING sum(predictions) > 0)
ORDER BY department, geoid
