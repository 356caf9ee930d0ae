-- The accuracy method's tables stored at load, without the predictions at the excluded locations
-- ({schema}.excluded, as prediction lines in excluded_lines): the (report, prediction) pairs, the predictions that
-- came true and those patrolled lose them; the reports that fell in one of their boxes (affected_reports) are
-- gathered again from the pairs left (rematched_reports, filled per department from accuracy_per_report.sql); the
-- predictions per day lose what the excluded lines held. The published totals (prediction_counts) and the match the
-- reports carry name no location and stay as published. Statements run in order (split on semicolons).
CREATE TABLE {schema}.excluded_lines AS
SELECT p.department, p.line, p.date, p.incident_type, p.shift IS NOT NULL AS shifted, p.count
FROM main.predictions p SEMI JOIN {schema}.excluded x ON {same_location_p};

CREATE VIEW {schema}.report_prediction_pairs AS
SELECT p.* FROM main.report_prediction_pairs p
ANTI JOIN {schema}.excluded_lines x ON p.department = x.department AND p.prediction_line = x.line;

CREATE VIEW {schema}.true_predictions AS
SELECT p.* FROM main.true_predictions p
ANTI JOIN {schema}.excluded_lines x ON p.department = x.department AND p.prediction_line = x.line;

CREATE VIEW {schema}.patrolled_predictions AS
SELECT p.* FROM main.patrolled_predictions p
ANTI JOIN {schema}.excluded_lines x ON p.department = x.department AND p.prediction_line = x.line;

CREATE TABLE {schema}.affected_reports AS
SELECT DISTINCT p.department, p.report_line FROM main.report_prediction_pairs p
SEMI JOIN {schema}.excluded_lines x ON p.department = x.department AND p.prediction_line = x.line;

CREATE TABLE {schema}.rematched_reports AS
SELECT * FROM main.report_matches WHERE FALSE;

CREATE VIEW {schema}.report_matches AS
SELECT m.* FROM main.report_matches m ANTI JOIN {schema}.affected_reports a USING (department, report_line)
UNION ALL BY NAME
SELECT * FROM {schema}.rematched_reports;

CREATE VIEW {schema}.accuracy_prediction_days AS
SELECT d.* REPLACE (d.predictions - coalesce(r.predictions, 0) AS predictions)
FROM main.accuracy_prediction_days d LEFT JOIN (
    SELECT department, date, incident_type, shifted, CAST(sum(count) AS BIGINT) AS predictions
    FROM {schema}.excluded_lines GROUP BY ALL
) r ON d.department = r.department AND d.date IS NOT DISTINCT FROM r.date
  AND d.incident_type IS NOT DISTINCT FROM r.incident_type AND d.shifted = r.shifted
WHERE d.predictions > coalesce(r.predictions, 0)
