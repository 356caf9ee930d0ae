-- Macros every connection has (lib/db.py, create_tables).

-- The predictions whose boxes held a report, as a list of struct(date, count, type): how many predictions, and
-- their types as raw text ('|'-joined, distinct and sorted, so one set of types is always spelled one way; NULL
-- when none has a type). lib/analysis/accuracy.py spells each set of sub-types one way (type_key).
CREATE MACRO box_predictions(boxes) AS
    CAST(coalesce(list_sum(list_transform(boxes, lambda b: coalesce(b.count, 0))), 0) AS BIGINT);
CREATE MACRO box_types(boxes) AS
    nullif(array_to_string(list_sort(list_distinct(list_transform(boxes, lambda b: b.type))), '|'), '');

-- The accuracy method's window, first_day to last_day: a report dated outside it is set aside before any other
-- step (a report with no date is not); `reason` is the first other step that sets it aside (NULL: none).
CREATE MACRO in_window(day, first_day, last_day) AS NOT coalesce(day < first_day OR day > last_day, FALSE);
CREATE MACRO left_because(day, reason, first_day, last_day) AS
    CASE WHEN in_window(day, first_day, last_day) THEN reason ELSE 'outside the analysis window' END;
