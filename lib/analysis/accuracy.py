"""Accuracy: how often did the predictions come true? The Markup's 2023 method.

reports (exact duplicates merged, each with the step that sets it aside: the window, coordinates, block groups,
excluded addresses) -> analysed -> of a kind the software predicts -> matched (the match the data carries, or a
spatial-temporal join with dated predictions) -> of the predicted type -> success rate (predictions that came
true / all predictions, with a Beta interval).

What depends only on the data (duplicates, the steps other than the window, the box-and-shift joins) is stored
once when the data loads (the tables of lib/store/tables.py, with match_parameters); a department and window (Scope)
then count stored rows in SQL (lib/sql/accuracy_scope.sql and the accuracy_*.sql that start from it), and Python
decides the type rule once per distinct pair of types.

Types: '%' in a report's predictable_type separates alternatives; '|' separates the sub-types of one type
(and of the types of the predictions a report fell in). Type names are compared as sets of sub-types, so
'Aggravated Assault|Robbery' is the prediction type 'Robbery|Aggravated Assault'.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date

import pandas as pd
# the Beta quantile, as scipy.stats.beta.ppf computes it, without importing scipy.stats (a second on first use)
from scipy.special import betaincinv

from lib import schema
from lib.db import query, run, scalar, sql

# Degrees to feet on a sphere of the mean Earth radius (IUGG, 6,371,008.8 m). Over a 600 ft box this
# differs from the WGS84 ellipsoid by well under 1% (a few feet at most).
FEET_PER_DEGREE = math.pi * (6_371_008.8 / 0.3048) / 180
HALF_BOX_FEET = schema.BOX_FEET / 2

CARRIED = "carried"
JOIN = "join"
METHOD_WORDS = {
    CARRIED: "the match published with the crime reports",
    JOIN: "a spatial-temporal join of the reports with the dated predictions",
    None: "no match possible: neither a published match nor dated predictions",
}
DUPLICATES = "exact duplicate rows"
REASONS = (DUPLICATES, "outside the analysis window", "no coordinates", "outside the department's block groups",
           "at an excluded address")


# -- types --------------------------------------------------------------------------------------

def subtypes(text: str | None) -> frozenset[str]:
    """'Robbery|Aggravated Assault' -> {'Robbery', 'Aggravated Assault'}."""
    if not isinstance(text, str):
        return frozenset()
    return frozenset(s.strip() for s in text.split("|") if s.strip())


@lru_cache(maxsize=4096)
def type_key(text: str | frozenset) -> str:
    """One spelling per type, whatever the order of its sub-types."""
    parts = text if isinstance(text, frozenset) else subtypes(text)
    return "|".join(sorted(parts))


def alternatives(predictable_type: str | None) -> list[frozenset[str]]:
    """'Aggravated Assault|Robbery%Gun Crimes' -> [{Aggravated Assault, Robbery}, {Gun Crimes}]."""
    if not isinstance(predictable_type, str):
        return []
    return [s for s in (subtypes(a) for a in predictable_type.split("%")) if s]


@lru_cache(maxsize=4096)
def matched_alternative(predictable_type: str | None, prediction_type: str | None) -> frozenset[str] | None:
    """The first alternative of the report's type whose sub-types are all among the prediction types'."""
    have = subtypes(prediction_type)
    for alternative in alternatives(predictable_type):
        if alternative <= have:
            return alternative
    return None


def attribute(alternative: frozenset[str], type_keys: list[str]) -> str:
    """The prediction type a matched report counts for: its own, else the narrowest type containing it."""
    containing = [k for k in type_keys if alternative <= subtypes(k)]
    return min(containing, key=lambda k: len(subtypes(k))) if containing else type_key(alternative)


def type_label(text: str) -> str:
    return " / ".join(s.strip() for s in text.split("|"))


# -- which data, which window ---------------------------------------------------------------------

def departments_with_reports(con) -> pd.DataFrame:
    """Departments that have crime reports, most reports first."""
    return run(con, """
        SELECT c.department, coalesce(d.name, c.department) AS name, count(*) AS reports
        FROM crime_reports c LEFT JOIN departments d USING (department)
        GROUP BY ALL ORDER BY reports DESC, name""")


def department_facts(con, department: str) -> dict:
    """One department's facts (accuracy_department.sql): dated (predictions dated in shifts), reports, carried
    (reports with a published match) and the candidate windows (dated_, published_, listed_ first and last)."""
    row = query(con, "accuracy_department", {"department": department}).iloc[0]
    return {k: (None if pd.isna(v) else v) for k, v in row.items()}


def match_method(con, department: str, facts: dict | None = None) -> str | None:
    """The published match when the reports carry it; else the join when predictions are dated; None without
    reports to match. `facts`: department_facts(), when the caller has them."""
    facts = facts or department_facts(con, department)
    if not facts["reports"]:
        return None
    if facts["carried"]:
        return CARRIED
    return JOIN if facts["dated"] else None


def analysis_window(con, department: str, facts: dict | None = None) -> tuple[date, date] | None:
    """The department's prediction window: from its dated predictions (or the departments table), else
    the window the published prediction totals cover (else the departments table's)."""
    facts = facts or department_facts(con, department)
    if facts["dated"]:
        first, last = facts["dated_first"], facts["dated_last"]
    elif facts["published_first"] is not None:
        first, last = facts["published_first"], facts["published_last"]
    else:
        first, last = facts["listed_first"], facts["listed_last"]
    if first is None or last is None:
        return None
    return pd.Timestamp(first).date(), pd.Timestamp(last).date()


# -- the stored tables ------------------------------------------------------------------------------

ALL_TIME = (date(1, 1, 1), date(9999, 12, 31))


def match_parameters(con) -> dict:
    """The placeholders and parameters of the accuracy method's stored tables (lib/store/tables.py), written once
    per department over all time when the data is loaded.

    accuracy_reports holds every report as the method reads it: duplicates merged, of a kind the software
    predicts or not, and the first step other than the window that sets it aside. The pairs are those of the
    reports that no step but the window sets aside, of a predictable kind, each marked `caught` when the report's
    type is one the prediction predicted. A window's pairs are the stored ones whose report it analyses and whose
    prediction it dates: the report steps other than the window (duplicates, coordinates, block groups, excluded
    addresses, kind) do not depend on it, and the box, shift and type tests involve only the report and the
    prediction. report_matches and true_predictions gather the pairs per report and per prediction over all
    time, with the dates of the other side, so a window keeps what it dates. One pass at load serves every
    window, and a page filters and counts stored rows instead of joining millions of predictions. `con` has the
    canonical tables (lib.db.create_tables)."""
    kinds = [t for (t,) in con.execute("SELECT DISTINCT predictable_type FROM crime_reports").fetchall()
             if alternatives(t)]
    incident_types = [t for (t,) in con.execute("SELECT DISTINCT incident_type FROM predictions").fetchall()]
    caught = [(t, p) for t in kinds for p in incident_types if matched_alternative(t, p) is not None]
    return {"boxes": _boxes(), "report_cells": _neighbour_cells("report_shifts"),
            "patrol_cells": _neighbour_cells("patrol_shifts"),
            "candidates": "(SELECT line, date, ts, lat, lon, predictable_type FROM accuracy_reports "
                          "WHERE department = $department AND reason IS NULL AND predictable)",
            "pairs": "(SELECT * FROM report_prediction_pairs WHERE department = $department)",
            "kinds": kinds, "report_types": [t for t, _ in caught], "prediction_types": [p for _, p in caught],
            "start": ALL_TIME[0], "end": ALL_TIME[1], "feet_per_degree": FEET_PER_DEGREE,
            "half_box_feet": HALF_BOX_FEET, "shift_minutes": schema.SHIFT_MINUTES}


def _boxes() -> str:
    """The CTEs of accuracy_boxes.sql: grid, shifts and the dated predictions as boxes."""
    return sql("accuracy_boxes").format(shift_values=_shift_values())


def _neighbour_cells(points: str) -> str:
    """accuracy_neighbour_cells.sql over the CTE named `points`."""
    return sql("accuracy_neighbour_cells").format(points=points)


def _shift_values() -> str:
    """The shifts as SQL VALUES rows (letter, start after midnight), from the schema's constants."""
    return ", ".join(f"('{letter}', INTERVAL {_minutes(start)} MINUTE)" for letter, start in schema.PREDPOL_SHIFTS.items())


def _minutes(hh_mm: str) -> int:
    hours, minutes = hh_mm.split(":")
    return int(hours) * 60 + int(minutes)


# -- one department and window ------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """What every query of one result reads: the department, the window and how reports are matched."""
    department: str
    window: tuple[date, date]
    method: str | None

    def query(self, con, name: str, params: dict | None = None) -> pd.DataFrame:
        """lib/sql/<name>.sql over this scope."""
        return self.run(con, sql(name), params)

    def run(self, con, text: str, params: dict | None = None) -> pd.DataFrame:
        """A statement that starts with {scope} (the CTEs of accuracy_scope.sql) over this scope."""
        return run(con, text.format(scope=sql("accuracy_scope")),
                   {"department": self.department, "start": self.window[0], "end": self.window[1],
                    "method": self.method, **(params or {})})


def reports(con, department: str, window: tuple[date, date]) -> pd.DataFrame:
    """Every report of the department, exact duplicates merged (`copies`), with `left_because` (NULL: analysed)
    and whether it is of a kind the software predicts (`predictable`)."""
    return Scope(department, window, None).run(con, "{scope} SELECT * FROM reports ORDER BY line")


def report_prediction_pairs(con, department: str, window: tuple[date, date]) -> pd.DataFrame:
    """(report, prediction) pairs where an analysed predictable report fell in the box during the shift
    (one row per pair: for inspection; accuracy() counts them in SQL)."""
    return Scope(department, window, None).run(con, "{scope} SELECT * FROM pairs ORDER BY report_line, prediction_line")


def prediction_totals(con, department: str, window: tuple[date, date], dated: bool) -> tuple[pd.DataFrame, str | None]:
    """Predictions by type in the window (type, key, predictions) and where the totals come from.
    Published totals are used only when their window is the analysis window: they cannot be split."""
    params = {"department": department, "start": window[0], "end": window[1]}
    if dated:  # department_facts()["dated"]
        frame = run(con, """
            SELECT incident_type AS type, sum(predictions) AS predictions FROM accuracy_prediction_days
            WHERE department = $department AND date BETWEEN $start AND $end AND shifted
            GROUP BY ALL ORDER BY predictions DESC, type""", params)
        source = "the individual dated predictions"
    else:
        frame = run(con, """
            SELECT incident_type AS type, sum(predictions) AS predictions FROM prediction_counts
            WHERE department = $department AND window_start = $start AND window_end = $end
            GROUP BY ALL ORDER BY predictions DESC, type""", params)
        source = "the published totals by type (prediction_counts_by_type.csv)"
    if frame.empty:
        return frame.assign(key=[]), None
    frame["type"] = frame["type"].fillna("(no type)")
    frame["key"] = frame["type"].map(type_key)
    frame["predictions"] = frame["predictions"].astype(int)
    return frame, source


def success_rate(k: int | None, n: int | None) -> dict:
    """k of n, with the 95% credible interval of a binomial rate under a flat prior: Beta(k+1, n-k+1)."""
    if k is None or not n:
        return {"rate": None, "ci95": None}
    return {"rate": k / n, "ci95": [float(betaincinv(k + 1, n - k + 1, 0.025)), float(betaincinv(k + 1, n - k + 1, 0.975))]}


def type_rule(match_types: pd.DataFrame, method: str | None, type_keys: list[str]) -> pd.DataFrame:
    """Per row of accuracy_match_types (report type, raw prediction types): the prediction type shown
    (one spelling per set of sub-types for the join; as published for a carried match) and the prediction
    type the reports count for (None: the boxes predicted other crimes)."""
    frame = match_types.copy()
    raw = [p if isinstance(p, str) else None for p in frame["prediction_types"]]
    frame["prediction_type"] = [type_key(p) if p is not None and method == JOIN else p for p in raw]
    found = [matched_alternative(t, p) for t, p in zip(frame["predictable_type"], raw)]
    frame["counts_for"] = [attribute(a, type_keys) if a else None for a in found]
    frame["other_types"] = [sum(1 for k in type_keys if k != counts and subtypes(k) <= subtypes(p))
                            if counts else 0 for counts, p in zip(frame["counts_for"], raw)]
    return frame


def carried_by_type(correct: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per prediction type, at most and at least how many of its predictions came true, from a carried match.

    A published report carries how many predictions' boxes held it (num_preds) and the union of their types,
    not each prediction's type: in a box that also held predictions of other types (a robbery inside a
    "Robbery|Aggravated Assault" box and a "Gun Crimes" one), num_preds counts them all. Every type listed
    held at least one prediction, so at most num_preds minus one per other type were of the report's type, and
    at least one. Where no other type is listed both bounds are num_preds. The Markup counted each prediction's
    own type with their unpublished predictions (pred-accuracy-assessment.ipynb in
    the-markup/investigation-geolitica-plainfield, get_correct_predictions on one incident type)."""
    mixed = correct["other_types"] > 0
    most = correct["predictions"] - correct["reports"] * correct["other_types"]
    least = correct["predictions"].where(~mixed, correct["reports"])
    by = correct["counts_for"]
    return most.groupby(by).sum(), least.groupby(by).sum()


# -- everything together --------------------------------------------------------------------------

@dataclass
class Accuracy:
    summary: dict
    scope: Scope
    steps: pd.DataFrame = field(repr=False)  # accuracy_steps: reports per step, kind and offence
    rule: pd.DataFrame = field(repr=False)  # type_rule(): the type each matched report counts for
    true_by_type: pd.DataFrame | None = field(repr=False)  # accuracy_came_true_types (join only)


def accuracy(con, department: str, window: tuple[date, date] | None = None) -> Accuracy:
    """The method's figures for one department and window (default: its prediction window), counted in SQL."""
    facts = department_facts(con, department)
    dated = bool(facts["dated"])
    default_window = analysis_window(con, department, facts)
    window = window or default_window
    if window is None:
        window = tuple(scalar(con, f"SELECT {agg}(date) FROM crime_reports WHERE department = $department",
                              {"department": department}) for agg in ("min", "max"))
    method = match_method(con, department, facts)
    totals, totals_source = prediction_totals(con, department, window, dated)
    type_keys = list(totals["key"])
    scope = Scope(department, window, method)
    steps = scope.query(con, "accuracy_steps")
    analysed = steps[steps["left_because"].isna()]
    candidates = analysed[analysed["predictable"]]
    rule = type_rule(scope.query(con, "accuracy_match_types"), method, type_keys)
    correct = rule[rule["counts_for"].notna()]
    true = scope.query(con, "accuracy_came_true_types") if method == JOIN else None
    if true is not None:
        matched_by_type = true.groupby(true["incident_type"].map(type_key))["predictions"].sum()
        least_by_type = matched_by_type
        predictions_matched = int(matched_by_type.sum())
    else:
        matched_by_type, least_by_type = carried_by_type(correct)
        # The Markup's headline count: every prediction whose box held a report of a type predicted there.
        predictions_matched = int(correct["predictions"].sum()) if method else None
    predictions_total = int(totals["predictions"].sum()) if totals_source else None
    overall = success_rate(predictions_matched, predictions_total)

    by_type = []
    keys = type_keys + sorted(set(matched_by_type.index) - set(type_keys))
    reports_by_type = candidates.groupby("predictable_type")["reports"].sum()
    caught_by_key = correct.groupby("counts_for")["reports"].sum()
    mixed = correct[correct["other_types"] > 0].groupby("counts_for")[["reports", "predictions"]].sum()
    for key in keys:
        row = totals[totals["key"] == key]
        n = int(row["predictions"].iloc[0]) if len(row) else (0 if totals_source else None)
        k = int(matched_by_type.get(key, 0)) if method else None
        k_least = int(least_by_type.get(key, 0)) if method else None
        rate = success_rate(k, n)
        of_type = int(sum(count for t, count in reports_by_type.items()
                          if any(a <= subtypes(key) for a in alternatives(t))))
        caught_here = int(caught_by_key.get(key, 0)) if method else None
        share = success_rate(caught_here, of_type)
        by_type.append({
            "type": row["type"].iloc[0] if len(row) else key, "key": key,
            "predictions_total": n, "predictions_matched": k, "predictions_matched_at_least": k_least,
            # reports whose boxes were also of other types, and every prediction those boxes held: where the
            # two bounds part
            "reports_in_mixed_boxes": int(mixed["reports"].get(key, 0)) if method and true is None else 0,
            "predictions_in_mixed_boxes": int(mixed["predictions"].get(key, 0)) if method and true is None else 0,
            "success_rate": rate["rate"], "success_rate_ci95": rate["ci95"],
            "reports_of_type": of_type, "reports_correct_type": caught_here,
            "share_of_reports_predicted": share["rate"], "share_of_reports_predicted_ci95": share["ci95"],
        })

    total, distinct = int(steps["copies"].sum()), int(steps["reports"].sum())
    by_reason = steps.groupby("left_because")["reports"].sum()
    left = {DUPLICATES: total - distinct, **{reason: int(by_reason.get(reason, 0)) for reason in REASONS[1:]}}
    n_analysed, n_predictable = int(analysed["reports"].sum()), int(candidates["reports"].sum())
    with_prediction = int(rule["reports"].sum()) if method else None
    n_correct = int(correct["reports"].sum()) if method else None
    caught_share = success_rate(n_correct, n_predictable)
    summary = {
        "department": department,
        "window": [window[0].isoformat(), window[1].isoformat()],
        "default_window": [d.isoformat() for d in default_window] if default_window else None,
        "match_method": method,
        "match_method_words": METHOD_WORDS[method],
        "predictions_total_source": totals_source,
        "reports_total": total,
        "reports_distinct": distinct,
        "reports_analysed": n_analysed,
        "reports_predictable": n_predictable,
        "reports_with_prediction": with_prediction,
        "reports_correct_type": n_correct,
        "predictions_matched": predictions_matched,
        # per type: the join sees each prediction's type; a carried match gives at most / at least (by_type)
        "types_exact": method == JOIN,
        "predictions_total": predictions_total,
        "success_rate": overall["rate"],
        "success_rate_ci95": overall["ci95"],
        "share_of_reports_predicted": caught_share["rate"],
        "share_of_reports_predicted_ci95": caught_share["ci95"],
        "share_unpredictable": (1 - n_predictable / n_analysed) if n_analysed else None,
        "left": left,
        "funnel": funnel(total, left, n_analysed, n_predictable, with_prediction, n_correct),
        "by_type": by_type,
        "predictable_without_time": int(candidates.loc[candidates["no_time"], "reports"].sum()) if method == JOIN else 0,
    }
    return Accuracy(summary, scope, steps, rule, true)


def funnel(total: int, left: dict[str, int], analysed: int, predictable_n: int,
           with_prediction: int | None, correct: int | None) -> list[dict]:
    """The steps from every report in the file to those of the correct type, with why reports left."""
    steps = [{"step": "Reports in the file", "reports": total, "left": None, "why": None},
             {"step": "Analysed", "reports": analysed, "left": total - analysed,
              "why": "; ".join(f"{n:,} {reason}" for reason, n in left.items() if n) or None},
             {"step": "Of a kind the software predicts", "reports": predictable_n, "left": analysed - predictable_n,
              "why": "of other kinds (e.g. theft, simple assault)"}]
    if with_prediction is not None:
        steps.append({"step": "Inside a prediction box during its shift", "reports": with_prediction,
                      "left": predictable_n - with_prediction, "why": "in no box at the time"})
        steps.append({"step": "Inside a box of the same type", "reports": correct, "left": with_prediction - correct,
                      "why": "the boxes were predicting other crimes"})
    return steps


# -- the tables behind the figures ------------------------------------------------------------------------

MATCHED_COLUMNS = ["ts", "description", "address", "lat", "lon", "geoid", "predictable_type", "num_predictions",
                   "prediction_type", "counts_for"]
CAME_TRUE_COLUMNS = ["date", "shift", "incident_type", "count", "reports", "address", "prediction_lat",
                     "prediction_lon", "geoid"]


def matched_reports(con, result: Accuracy, limit: int | None = None) -> pd.DataFrame:
    """Predictable reports that fell in at least one box during its shift, in line order (the first `limit`),
    with how many predictions and of which types, and the type each counts for (`counts_for`)."""
    rule = result.rule
    return result.scope.query(con, "accuracy_matched", {
        "rule_report_types": _texts(rule["predictable_type"]), "rule_prediction_types": _texts(rule["prediction_types"]),
        "rule_shown": _texts(rule["prediction_type"]), "rule_counts_for": _texts(rule["counts_for"]), "limit": limit})


def _texts(values: pd.Series) -> list[str | None]:
    """A column as a list for a VARCHAR[] parameter: missing values as None (pandas holds them as NaN)."""
    return [v if isinstance(v, str) else None for v in values]


def came_true(con, result: Accuracy, limit: int | None = None) -> pd.DataFrame | None:
    """Dated predictions whose box and shift held a report of the predicted type, one row per prediction by date
    (the first `limit`), with how many such reports (None without the join)."""
    if result.scope.method != JOIN:
        return None
    return result.scope.run(con, "{scope} SELECT * FROM came_true ORDER BY date, prediction_line LIMIT $limit",
                            {"limit": limit})


def matched_table(con, result: Accuracy, limit: int | None = None) -> pd.DataFrame:
    return matched_reports(con, result, limit)[MATCHED_COLUMNS]


def came_true_table(con, result: Accuracy, limit: int | None = None) -> pd.DataFrame | None:
    frame = came_true(con, result, limit)
    return None if frame is None else frame[CAME_TRUE_COLUMNS]


def patrol_dosage(con, result: Accuracy) -> dict | None:
    """Predictions whose box and shift saw a patrol, and the success rate with and without one
    (needs the join's dated predictions, their total, and a patrol log)."""
    s = result.summary
    if result.true_by_type is None or not s["predictions_total"]:
        return None
    row = result.scope.query(con, "accuracy_dosage").iloc[0]
    if not row["logged"]:
        return None
    n_patrolled, k_patrolled = int(row["patrolled"]), int(result.true_by_type["patrolled"].sum())
    out = {}
    for label, k, n in (("patrolled", k_patrolled, n_patrolled),
                        ("not_patrolled", s["predictions_matched"] - k_patrolled, s["predictions_total"] - n_patrolled)):
        rate = success_rate(k, n)
        out[label] = {"predictions": n, "came_true": k, "success_rate": rate["rate"], "success_rate_ci95": rate["ci95"]}
    out["patrol_minutes"] = float(row["patrol_minutes"])
    return out


def patrol_minutes(con, department: str, window: tuple[date, date]) -> pd.DataFrame:
    """Patrols and minutes by block group, with the predictions there."""
    return query(con, "accuracy_patrol_minutes", {"department": department, "start": window[0], "end": window[1]})


def reports_by_description(result: Accuracy) -> pd.DataFrame:
    """Analysed reports by recorded offence, whether the software predicts that kind, and their share."""
    analysed = result.steps[result.steps["left_because"].isna()]
    frame = (analysed.groupby(["description", "predictable"], as_index=False)["reports"].sum()
             .rename(columns={"predictable": "predicted_kind"})
             .sort_values(["reports", "description", "predicted_kind"], ascending=[False, True, True],
                          ignore_index=True))
    return frame.assign(share=frame["reports"] / max(int(frame["reports"].sum()), 1))


def daily_counts(con, department: str, window: tuple[date, date]) -> pd.DataFrame:
    """Per day in the window: analysed reports, predictable ones, and predictions (NULL when undated)."""
    return Scope(department, window, None).query(con, "accuracy_daily")


# -- what the page shows ------------------------------------------------------------------------------

@dataclass
class AccuracyView:
    """What the Accuracy page shows for one department and window before a reader opens its long tables: the
    figures, the small tables, the row counts of the two long ones, and the result they are fetched from
    (matched_table() and came_true_table(), the first rows when opened, all of them for a download)."""
    result: Accuracy
    kinds: pd.DataFrame  # reports_by_description()
    daily: pd.DataFrame  # daily_counts()
    matched_rows: int
    came_true_rows: int
    dosage: dict | None  # patrol_dosage()
    minutes: pd.DataFrame  # patrol_minutes()

    @property
    def summary(self) -> dict:
        return self.result.summary


def page_view(con, department: str, window: tuple[date, date] | None = None) -> AccuracyView:
    result = accuracy(con, department, window)
    s, used = result.summary, result.scope.window
    true = result.true_by_type
    return AccuracyView(result, reports_by_description(result), daily_counts(con, department, used),
                        s["reports_with_prediction"] or 0, 0 if true is None else int(true["rows"].sum()),
                        patrol_dosage(con, result), patrol_minutes(con, department, used))


def accuracy_summary(con, department: str, window: tuple[date, date] | None = None) -> dict:
    """The figures of the method for one department, as plain JSON-ready values."""
    return accuracy(con, department, window).summary
