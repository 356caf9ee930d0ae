-- Days each department used the software: distinct prediction dates within its first..final
-- prediction dates (and the selected dates). The denominator of "targeted on N% of days".
SELECT p.department, count(DISTINCT p.date) AS days_in_use,
       min(p.date) AS first_day, max(p.date) AS last_day
FROM prediction_days p JOIN departments d USING (department)
WHERE {where} AND p.date IS NOT NULL
  AND (d.first_prediction_date IS NULL OR p.date >= d.first_prediction_date)
  AND (d.final_prediction_date IS NULL OR p.date <= d.final_prediction_date)
GROUP BY p.department
