-- The Audit's tables stored at load, without the excluded locations ({schema}.excluded): the site boxes
-- (site_cells), the points outside the block groups (outside_points) and the points inside per department
-- (point_counts, less what the excluded locations held: removed_points). The same_location_c
-- fragment compares the location of alias c with x's (same_location_o: of o). Statements run in order, one at a time (split on semicolons).
CREATE VIEW {schema}.site_cells AS
SELECT c.* FROM main.site_cells c ANTI JOIN {schema}.excluded x ON {same_location_c};

CREATE VIEW {schema}.outside_points AS
SELECT o.* FROM main.outside_points o ANTI JOIN {schema}.excluded x ON o.source = 'predictions' AND {same_location_o};

CREATE TABLE {schema}.removed_points AS
SELECT department,
       count(*) FILTER (WHERE inside) AS locations,
       CAST(coalesce(sum(records) FILTER (WHERE inside), 0) AS BIGINT) AS records,
       CAST(coalesce(sum(count) FILTER (WHERE inside), 0) AS BIGINT) AS predictions,
       CAST(coalesce(sum(records) FILTER (WHERE missing), 0) AS BIGINT) AS missing_records,
       CAST(coalesce(sum(count) FILTER (WHERE missing), 0) AS BIGINT) AS missing_predictions
FROM (
    SELECT c.department, c.count, c.records, c.geoid IS NOT NULL AND c.lat IS NOT NULL AND c.lon IS NOT NULL AS inside,
           c.lat IS NULL OR c.lon IS NULL AS missing
    FROM main.prediction_locations c SEMI JOIN {schema}.excluded x ON {same_location_c}
)
GROUP BY department;

CREATE VIEW {schema}.point_counts AS
SELECT c.* REPLACE (c.locations - coalesce(r.locations, 0) AS locations, c.records - coalesce(r.records, 0) AS records,
                    c.predictions - coalesce(r.predictions, 0) AS predictions,
                    c.missing_records - coalesce(r.missing_records, 0) AS missing_records,
                    c.missing_predictions - coalesce(r.missing_predictions, 0) AS missing_predictions)
FROM main.point_counts c LEFT JOIN {schema}.removed_points r
  ON c.source = 'predictions' AND c.department IS NOT DISTINCT FROM r.department
