-- One row per block group: residents, households and the shares the filters and analyses use.
-- The universe is every block group named by the shapes or the census files. A table, not a view: it is read
-- by nearly every query (the block-group filters), and computing it each time cost about 10 ms a query.
CREATE TABLE block_group_stats AS
WITH keys AS (
    SELECT department, geoid FROM block_groups
    UNION SELECT department, geoid FROM race
    UNION SELECT department, geoid FROM income
)
SELECT
    k.department,
    k.geoid,
    coalesce(r.total, 0) AS total,
    r.white, r.black, r.latino, r.asian,
    i.households,
    i.low_income_households,
    -- only where the block group has bracket counts, so averages skip places without them
    CASE WHEN {has_brackets} THEN coalesce(i.bracket_households, i.households) END AS bracket_households,
    {bracket_columns}
    r.black / nullif(r.total, 0) AS share_black,
    r.latino / nullif(r.total, 0) AS share_latino,
    r.white / nullif(r.total, 0) AS share_white,
    r.asian / nullif(r.total, 0) AS share_asian,
    (coalesce(r.black, 0) + coalesce(r.latino, 0)) / nullif(r.total, 0) AS share_black_latino,
    i.low_income_households / nullif(i.households, 0) AS share_low_income,
    CASE
        WHEN r.black / nullif(r.total, 0) > 0.5 THEN 'black'
        WHEN r.latino / nullif(r.total, 0) > 0.5 THEN 'latino'
        WHEN r.white / nullif(r.total, 0) > 0.5 THEN 'white'
        WHEN r.asian / nullif(r.total, 0) > 0.5 THEN 'asian'
        WHEN r.total > 0 THEN 'none'
    END AS majority,
    CASE
        WHEN i.low_income_households / nullif(i.households, 0) < 0.25 THEN 'lt25'
        WHEN i.low_income_households / nullif(i.households, 0) < 0.50 THEN '25to50'
        WHEN i.low_income_households / nullif(i.households, 0) < 0.75 THEN '50to75'
        WHEN i.low_income_households / nullif(i.households, 0) >= 0.75 THEN 'ge75'
    END AS low_income_band,
    {top_bracket} AS top_bracket,
    b.centroid_lat, b.centroid_lon, b.area_km2,
    b.geoid IS NOT NULL AS has_shape
FROM keys k
LEFT JOIN block_groups b USING (department, geoid)
LEFT JOIN race r USING (department, geoid)
LEFT JOIN income i USING (department, geoid)
