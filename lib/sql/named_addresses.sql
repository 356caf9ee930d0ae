-- Every distinct address of the predictions, crime reports and excluded addresses whose text names a police
-- station, sheriff, jail, court or hospital, with the word (named: audit_named_addresses.sql). Stored when the
-- data loads (named_addresses), so the pattern runs once per address, never per view.
-- The distinct addresses are gathered into one list and unnested, as lib/analysis/audit/addresses.py's DISTINCT_ADDRESSES
-- explains.
WITH distinct_addresses AS (
    SELECT unnest(list(DISTINCT address)) AS address
    FROM (SELECT address FROM prediction_cells UNION ALL SELECT address FROM crime_reports
          UNION ALL SELECT address FROM excluded_addresses)
    WHERE address IS NOT NULL
),
named AS ({named})
SELECT address, word FROM named ORDER BY address
