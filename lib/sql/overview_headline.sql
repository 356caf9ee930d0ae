-- Headline figures for the current filters. {where}: the filters on predictions p;
-- {bg_where}: the filters on block_group_stats s; {place_where}: departments and dates only; locations: the
-- prediction locations of the selection (map_locations.sql, or over all time map_locations_stored.sql).
-- Residents and households count only departments with predictions in the selection (a department that never
-- used the software, like Indianapolis in The Markup's files, would dilute every share), and each GEOID once:
-- a block group straddling two departments is listed under both, with the same census counts.
WITH {selection},
everything AS (
    SELECT sum(count) AS predictions FROM prediction_days
),
outside AS (
    SELECT sum(p.count) AS predictions FROM prediction_days p WHERE {place_where} AND p.geoid IS NULL
),
served AS (
    SELECT * FROM bg WHERE department IN (SELECT DISTINCT department FROM days)
),
places AS (
    SELECT geoid, any_value(total) AS total, any_value(households) AS households,
           any_value(majority) AS majority, any_value(share_low_income) AS share_low_income
    FROM served GROUP BY geoid
)
SELECT
    (SELECT count(DISTINCT department) FROM served) AS departments,
    (SELECT count(DISTINCT department) FROM bg) AS departments_listed,
    (SELECT coalesce(sum(count), 0) FROM days) AS predictions,
    (SELECT count(*) FROM ({locations})) AS locations,
    (SELECT count(*) FROM places) AS block_groups,
    (SELECT coalesce(sum(total), 0) FROM places) AS residents,
    (SELECT coalesce(sum(households), 0) FROM places) AS households,
    (SELECT coalesce(sum(count), 0) FROM days WHERE geoid IS NULL) AS predictions_outside_shown,
    (SELECT coalesce(predictions, 0) FROM outside) AS predictions_outside_all,
    (SELECT coalesce(predictions, 0) FROM everything) AS predictions_in_data,
    (SELECT sum(predictions) FILTER (WHERE majority IN ('black', 'latino')) / nullif(sum(predictions), 0) FROM served)
        AS share_predictions_black_latino_majority,
    (SELECT sum(total) FILTER (WHERE majority IN ('black', 'latino')) / nullif(sum(total), 0) FROM places)
        AS share_residents_black_latino_majority,
    (SELECT sum(predictions) FILTER (WHERE share_low_income > 0.5) / nullif(sum(predictions), 0) FROM served)
        AS share_predictions_low_income_majority,
    (SELECT sum(households) FILTER (WHERE share_low_income > 0.5) / nullif(sum(households), 0) FROM places)
        AS share_households_low_income_majority
