-- Fragment: the addresses of the CTE distinct_addresses whose text names a police
-- station, sheriff, jail, court or hospital ($pattern), with the word; streets named Court (Court Pl,
-- $court_street) are blanked first. The pattern runs once per distinct address, not once per row.
SELECT address, regexp_extract(text, $pattern, 1) AS word
FROM (
    SELECT address, regexp_replace(upper(address), $court_street, ' ', 'g') AS text
    FROM distinct_addresses
)
WHERE regexp_matches(text, $pattern)
