-- The matched reports in line order, the first $limit (NULL: all), each with the prediction type shown and the
-- type it counts for. Those are decided in Python per (report type, raw prediction types) and arrive as parallel
-- lists: reports of $rule_report_types[i] matched by $rule_prediction_types[i] show $rule_shown[i] and count for
-- $rule_counts_for[i].
{scope},
shown AS (
    SELECT * FROM matches ORDER BY line LIMIT $limit
),
rule AS (
    SELECT unnest(CAST($rule_report_types AS VARCHAR[])) AS predictable_type,
           unnest(CAST($rule_prediction_types AS VARCHAR[])) AS prediction_types,
           unnest(CAST($rule_shown AS VARCHAR[])) AS prediction_type,
           unnest(CAST($rule_counts_for AS VARCHAR[])) AS counts_for
)
SELECT m.line, r.ts, r.description, r.address, r.lat, r.lon, r.geoid, m.predictable_type, m.num_predictions,
       rule.prediction_type, rule.counts_for
FROM shown m
JOIN reports r USING (line)
LEFT JOIN rule ON rule.predictable_type IS NOT DISTINCT FROM m.predictable_type
              AND rule.prediction_types IS NOT DISTINCT FROM m.prediction_types
ORDER BY m.line
