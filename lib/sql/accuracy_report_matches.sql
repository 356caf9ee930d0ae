-- One row per analysed predictable report that fell in at least one box during its shift ({pairs}: the
-- pairs of accuracy_pairs): how many predictions those boxes held, and their types ('|'-joined distinct
-- incident types, in no set order: lib/analysis/accuracy.py spells each set of types one way).
SELECT report_line, coalesce(sum(count), 0) AS num_predictions,
       string_agg(DISTINCT incident_type, '|') AS prediction_types
FROM {pairs}
GROUP BY report_line
