"""Accuracy: how often did the predictions come true? The Markup's 2023 method, one step per function.

reports (exact duplicates merged, each with the step that set it aside) -> reports_analysed -> predictable
-> matched_reports (the match the data carries, or a spatial-temporal join with dated predictions)
-> correct_type -> success_rate (predictions that came true / all predictions, with a Beta interval).

Types: '%' in a report's predictable_type separates alternatives; '|' separates the sub-types of one type
(and of the types of the predictions a report fell in). Type names are compared as sets of sub-types, so
'Aggravated Assault|Robbery' is the prediction type 'Robbery|Aggravated Assault'.
"""
from __future__ import annotations

import hashlib
import math
import os
import pickle
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from pathlib import Path

import pandas as pd
# the Beta quantile, as scipy.stats.beta.ppf computes it, without importing scipy.stats (a second on first use)
from scipy.special import betaincinv

from lib import schema
from lib.db import SQL_DIR, bind, query, run, run_large, scalar, sql

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


def has_dated_predictions(con, department: str) -> bool:
    return bool(scalar(con, "SELECT count(*) > 0 FROM predictions WHERE department = $department "
                            "AND date IS NOT NULL AND shift IS NOT NULL", {"department": department}))


def match_method(con, department: str) -> str | None:
    """The published match when the reports carry it; else the join when predictions are dated;
    None without reports to match."""
    reports_n, carried_n = run(con, "SELECT count(*) AS n, count(has_prediction) AS carried FROM crime_reports "
                                    "WHERE department = $department", {"department": department}).iloc[0]
    if not reports_n:
        return None
    if carried_n:
        return CARRIED
    return JOIN if has_dated_predictions(con, department) else None


def analysis_window(con, department: str) -> tuple[date, date] | None:
    """The department's prediction window: from its dated predictions (or the departments table), else
    the window the published prediction totals cover."""
    params = {"department": department}
    if has_dated_predictions(con, department):
        row = run(con, """
            SELECT coalesce(d.first_prediction_date, p.first) AS first, coalesce(d.final_prediction_date, p.last) AS last
            FROM (SELECT min(date) AS first, max(date) AS last FROM predictions WHERE department = $department) p
            LEFT JOIN departments d ON d.department = $department""", params).iloc[0]
    else:
        row = run(con, """
            SELECT min(window_start) AS first, max(window_end) AS last FROM prediction_counts
            WHERE department = $department""", params).iloc[0]
        if pd.isna(row["first"]):
            row = run(con, """SELECT first_prediction_date AS first, final_prediction_date AS last
                              FROM departments WHERE department = $department""", params)
            row = row.iloc[0] if len(row) else pd.Series({"first": None, "last": None})
    if pd.isna(row["first"]) or pd.isna(row["last"]):
        return None
    return pd.Timestamp(row["first"]).date(), pd.Timestamp(row["last"]).date()


# -- the steps ------------------------------------------------------------------------------------

def reports(con, department: str, window: tuple[date, date]) -> pd.DataFrame:
    """Every report of the department, exact duplicates merged (`copies`), with `left_because`."""
    return run_large(con, sql("accuracy_reports"), {"department": department, "start": window[0], "end": window[1]})


def reasons_left(all_reports: pd.DataFrame) -> dict[str, int]:
    """How many reports each step set aside, in the order of the method."""
    left = {DUPLICATES: int((all_reports["copies"] - 1).sum())}
    counts = all_reports["left_because"].value_counts()
    for reason in REASONS[1:]:
        left[reason] = int(counts.get(reason, 0))
    return left


def reports_analysed(all_reports: pd.DataFrame) -> pd.DataFrame:
    return all_reports[all_reports["left_because"].isna()]


def predictable(analysed: pd.DataFrame) -> pd.DataFrame:
    """Reports of a kind the software predicts."""
    return analysed.loc[predictable_kind(analysed["predictable_type"])]


def predictable_kind(types: pd.Series) -> pd.Series:
    # a few distinct types among many reports: decide each type once
    kinds = [t for t in types.dropna().unique() if alternatives(t)]
    return types.isin(kinds).astype(bool)


def report_prediction_pairs(con, department: str, window: tuple[date, date]) -> pd.DataFrame:
    """(report, prediction) pairs where an analysed predictable report fell in the box during the shift
    (one row per pair: for inspection; accuracy() aggregates them in SQL)."""
    candidates = predictable(reports_analysed(reports(con, department, window)))
    with _pairs(con, department, window, candidates) as pairs:
        return run_large(con, f"SELECT * FROM {pairs} ORDER BY report_line, prediction_line", {})


@contextmanager
def _pairs(con, department: str, window: tuple[date, date], candidates: pd.DataFrame):
    """The window's pairs as a temporary table, whose name this yields: the stored pairs of the department
    (write_match_tables) whose report is among `candidates` and whose prediction is dated in the window,
    aggregated by report and by prediction. The table and the candidates' view live on this connection only
    (a session's cursor), under names of their own, and are dropped after the block."""
    suffix = uuid.uuid4().hex
    view, table = f"accuracy_candidates_{suffix}", f"accuracy_pairs_{suffix}"
    con.register(view, candidates[["line"]])
    try:
        con.execute(f"""CREATE TEMP TABLE {table} AS SELECT * EXCLUDE (department) FROM report_prediction_pairs
                        WHERE department = $department AND date BETWEEN $start AND $end
                          AND report_line IN (SELECT line FROM {view})""",
                    {"department": department, "start": window[0], "end": window[1]})
        try:
            yield table
        finally:
            con.execute(f"DROP TABLE IF EXISTS {table}")
    finally:
        con.unregister(view)


# The method's two spatial-temporal joins, run once per department over all time when the data is loaded:
# stored table -> (its SQL file, the table whose departments it covers).
MATCH_TABLES = {
    "report_prediction_pairs": ("accuracy_pairs", "crime_reports"),
    "patrolled_predictions": ("accuracy_patrolled_predictions", "patrols"),
}
ALL_TIME = (date(1, 1, 1), date(9999, 12, 31))


def write_match_tables(con, tables: Path) -> None:
    """tables/<name>/part-<n>.parquet for each of MATCH_TABLES, over all time, one file per department.

    The pairs are those of the predictable reports analysed over all time. A window's pairs are the stored ones
    whose report it analyses and whose prediction it dates: the report steps other than the window (duplicates,
    coordinates, block groups, excluded addresses, kind) do not depend on it, and the box and shift test
    involves only the report and the prediction. So one join at load serves every window, and a page filters
    stored rows instead of joining millions of predictions. `con` has the canonical tables
    (lib.db.create_tables); each department's join streams straight to its file."""
    fragments = {"boxes": _boxes(), "report_cells": _neighbour_cells("report_shifts"),
                 "patrol_cells": _neighbour_cells("patrol_shifts"),
                 # the reports analysed over all time (left_because IS NULL) of a kind the software predicts
                 "candidates": "(SELECT line, ts, lat, lon, predictable_type FROM (" + sql("accuracy_reports") + ")"
                               " WHERE left_because IS NULL AND list_contains($kinds, predictable_type))"}
    kinds = [t for (t,) in con.execute("SELECT DISTINCT predictable_type FROM crime_reports").fetchall()
             if alternatives(t)]
    for table, (name, source) in MATCH_TABLES.items():
        select = f"SELECT CAST($department AS VARCHAR) AS department, * FROM ({sql(name).format(**fragments)})"
        departments = [row[0] for row in con.execute(
            f"SELECT DISTINCT department FROM {source} WHERE department IS NOT NULL ORDER BY 1").fetchall()]
        (tables / table).mkdir()
        for i, department in enumerate(departments or [None]):  # None: an empty file that has the columns
            con.execute(f"COPY ({select}) TO '{tables / table / f'part-{i}.parquet'}' (FORMAT parquet)",
                        bind(select, {"department": department, "start": ALL_TIME[0], "end": ALL_TIME[1],
                                      "kinds": kinds, "feet_per_degree": FEET_PER_DEGREE,
                                      "half_box_feet": HALF_BOX_FEET, "shift_minutes": schema.SHIFT_MINUTES}))


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


def matched_reports(predictable_reports: pd.DataFrame, per_report: pd.DataFrame | None) -> pd.DataFrame:
    """Predictable reports that fell in at least one box during its shift, with how many predictions
    and of which types. `per_report`: report_matches() (the join); without it, the match the data
    carries is used as published."""
    frame = predictable_reports.copy()
    if per_report is not None:
        found = per_report.set_index("report_line")[["num_predictions"]]
        found["prediction_type"] = per_report["prediction_types"].map(_distinct_map(per_report["prediction_types"],
                                                                                    type_key)).to_numpy()
        frame = frame.drop(columns=["num_predictions", "prediction_type"]).join(found, on="line")
        frame["has_prediction"] = frame["num_predictions"].notna()
    matched = frame.loc[frame["has_prediction"].fillna(False).astype(bool)].copy()
    matched["num_predictions"] = matched["num_predictions"].fillna(0).astype(int)
    return matched


def _distinct_map(values: pd.Series, fn) -> dict:
    """fn of each distinct non-missing value (a few type names among many rows), for Series.map."""
    return {v: fn(v) for v in values.dropna().unique()}


def report_matches(con, pairs: str) -> pd.DataFrame:
    """Per predictable report inside at least one box during its shift (`pairs`: the table of _pairs()):
    report_line, num_predictions, prediction_types ('|'-joined, any order)."""
    return run_large(con, sql("accuracy_report_matches").format(pairs=pairs), {})


def correct_type(matched: pd.DataFrame, type_keys: list[str]) -> pd.DataFrame:
    """Matched reports whose type is among the types of the predictions they fell in; `counts_for` is
    the prediction type each counts for."""
    frame = matched.copy()
    types = frame[["predictable_type", "prediction_type"]]
    # a few distinct pairs of types among many reports: decide each pair once
    distinct = types.drop_duplicates()
    alternatives_found = [matched_alternative(t if isinstance(t, str) else None, p if isinstance(p, str) else None)
                          for t, p in zip(distinct["predictable_type"], distinct["prediction_type"])]
    distinct = distinct.assign(counts_for=[attribute(a, type_keys) if a else None for a in alternatives_found])
    frame["counts_for"] = types.merge(distinct, how="left", on=["predictable_type", "prediction_type"])[
        "counts_for"].to_numpy()
    return frame.loc[frame["counts_for"].notna().astype(bool)]


def came_true(con, pairs: str, report_types, prediction_types) -> pd.DataFrame:
    """Dated predictions whose box and shift held a report of the predicted type (one row per prediction;
    `pairs`: the table of _pairs()). The rule of matched_alternative is applied once per distinct pair of
    report type and prediction type, in Python; SQL joins the pairs that match."""
    caught = [(t, p) for t in set(report_types) for p in set(prediction_types)
              if isinstance(t, str) and isinstance(p, str) and matched_alternative(t, p) is not None]
    frame = run_large(con, sql("accuracy_came_true").format(pairs=pairs), {
        "report_types": [t for t, _ in caught], "prediction_types": [p for _, p in caught]})
    return frame.assign(type=frame["incident_type"].map(_distinct_map(frame["incident_type"], type_key)))


def prediction_totals(con, department: str, window: tuple[date, date]) -> tuple[pd.DataFrame, str | None]:
    """Predictions by type in the window (type, key, predictions) and where the totals come from.
    Published totals are used only when their window is the analysis window: they cannot be split."""
    params = {"department": department, "start": window[0], "end": window[1]}
    if has_dated_predictions(con, department):
        frame = run(con, """
            SELECT incident_type AS type, sum(count) AS predictions FROM predictions
            WHERE department = $department AND date BETWEEN $start AND $end AND shift IS NOT NULL
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


def patrol_dosage(con, department: str, window: tuple[date, date], true_predictions: pd.DataFrame,
                  predictions_total: int) -> dict | None:
    """Predictions whose box and shift saw a patrol, and the success rate with and without one
    (needs dated predictions and a patrol log). `true_predictions`: came_true()."""
    if not scalar(con, "SELECT count(*) > 0 FROM patrols WHERE department = $department", {"department": department}) \
            or not has_dated_predictions(con, department):
        return None
    patrolled = run(con, """SELECT prediction_line, count, patrols, patrol_minutes FROM patrolled_predictions
                            WHERE department = $department AND date BETWEEN $start AND $end""",
                    {"department": department, "start": window[0], "end": window[1]})
    n_patrolled = int(patrolled["count"].sum())
    k_patrolled = int(true_predictions.loc[true_predictions["prediction_line"].isin(patrolled["prediction_line"]),
                                           "count"].sum())
    k_all = int(true_predictions["count"].sum())
    out = {}
    for label, k, n in (("patrolled", k_patrolled, n_patrolled),
                        ("not_patrolled", k_all - k_patrolled, predictions_total - n_patrolled)):
        rate = success_rate(k, n)
        out[label] = {"predictions": n, "came_true": k, "success_rate": rate["rate"], "success_rate_ci95": rate["ci95"]}
    out["patrol_minutes"] = float(patrolled["patrol_minutes"].sum())
    return out


def patrol_minutes(con, department: str, window: tuple[date, date]) -> pd.DataFrame:
    """Patrols and minutes by block group, with the predictions there."""
    return query(con, "accuracy_patrol_minutes", {"department": department, "start": window[0], "end": window[1]})


def reports_by_description(analysed: pd.DataFrame) -> pd.DataFrame:
    """Analysed reports by recorded offence, and whether the software predicts that kind."""
    frame = analysed.assign(predicted_kind=predictable_kind(analysed["predictable_type"]),
                            description=analysed["description"].fillna("(not recorded)"))
    out = (frame.groupby(["description", "predicted_kind"]).agg(reports=("copies", "size")).reset_index()
           .sort_values(["reports", "description"], ascending=[False, True], ignore_index=True))
    out["share"] = out["reports"] / max(len(frame), 1)
    return out


def daily_counts(con, department: str, window: tuple[date, date], analysed: pd.DataFrame) -> pd.DataFrame:
    """Per day in the window: analysed reports, predictable ones, and predictions (NULL when undated)."""
    days = pd.DataFrame({"date": pd.date_range(window[0], window[1], freq="D")})
    counted = (analysed.assign(predictable=predictable_kind(analysed["predictable_type"]),
                               date=pd.to_datetime(analysed["date"]))
               .groupby("date").agg(reports=("line", "size"), predictable_reports=("predictable", "sum")))
    out = days.join(counted, on="date").fillna({"reports": 0, "predictable_reports": 0})
    predictions = run(con, """SELECT date, sum(count) AS predictions FROM predictions
                              WHERE department = $department AND date BETWEEN $start AND $end GROUP BY date""",
                      {"department": department, "start": window[0], "end": window[1]})
    if predictions.empty:
        out["predictions"] = float("nan")
    else:
        predictions["date"] = pd.to_datetime(predictions["date"])
        out = out.join(predictions.set_index("date"), on="date").fillna({"predictions": 0})
    return out.astype({"reports": int, "predictable_reports": int})


# -- everything together --------------------------------------------------------------------------

@dataclass
class Accuracy:
    summary: dict
    reports: pd.DataFrame = field(repr=False)  # every report, with left_because
    matched: pd.DataFrame = field(repr=False)  # predictable reports with a prediction, with counts_for
    came_true: pd.DataFrame | None = field(repr=False)  # dated predictions that came true (join only)
    totals: pd.DataFrame = field(repr=False)  # predictions by type


def accuracy(con, department: str, window: tuple[date, date] | None = None) -> Accuracy:
    default_window = analysis_window(con, department)
    window = window or default_window
    if window is None:
        window = tuple(scalar(con, f"SELECT {agg}(date) FROM crime_reports WHERE department = $department",
                              {"department": department}) for agg in ("min", "max"))
    method = match_method(con, department)
    everything = reports(con, department, window)
    analysed = reports_analysed(everything)
    candidates = predictable(analysed)
    totals, totals_source = prediction_totals(con, department, window)
    type_keys = list(totals["key"])
    per_report = true_predictions = None
    if method == JOIN:
        with _pairs(con, department, window, candidates) as pairs:
            per_report = report_matches(con, pairs)
            # totals list every type of the dated predictions in the window
            true_predictions = came_true(con, pairs, candidates["predictable_type"], totals["type"])
    matched = matched_reports(candidates, per_report) if method else candidates.iloc[:0].assign(counts_for=None)
    correct = correct_type(matched, type_keys) if method else matched
    matched = matched.join(correct["counts_for"]) if method else matched

    if true_predictions is not None:
        matched_by_type = true_predictions.groupby("type")["count"].sum()
    else:
        matched_by_type = correct.groupby("counts_for")["num_predictions"].sum()
    predictions_total = int(totals["predictions"].sum()) if totals_source else None
    predictions_matched = int(matched_by_type.sum()) if method else None
    overall = success_rate(predictions_matched, predictions_total)

    by_type = []
    keys = type_keys + sorted(set(matched_by_type.index) - set(type_keys))
    reports_by_type = candidates["predictable_type"].value_counts()
    for key in keys:
        row = totals[totals["key"] == key]
        n = int(row["predictions"].iloc[0]) if len(row) else (0 if totals_source else None)
        k = int(matched_by_type.get(key, 0)) if method else None
        rate = success_rate(k, n)
        of_type = int(sum(count for t, count in reports_by_type.items()
                          if any(a <= subtypes(key) for a in alternatives(t))))
        caught_here = int((correct["counts_for"] == key).sum()) if method else None
        share = success_rate(caught_here, of_type)
        by_type.append({
            "type": row["type"].iloc[0] if len(row) else key, "key": key,
            "predictions_total": n, "predictions_matched": k,
            "success_rate": rate["rate"], "success_rate_ci95": rate["ci95"],
            "reports_of_type": of_type, "reports_correct_type": caught_here,
            "share_of_reports_predicted": share["rate"], "share_of_reports_predicted_ci95": share["ci95"],
        })

    left = reasons_left(everything)
    n_analysed = len(analysed)
    caught = success_rate(len(correct) if method else None, len(candidates))
    summary = {
        "department": department,
        "window": [window[0].isoformat(), window[1].isoformat()],
        "default_window": [d.isoformat() for d in default_window] if default_window else None,
        "match_method": method,
        "match_method_words": METHOD_WORDS[method],
        "predictions_total_source": totals_source,
        "reports_total": int(everything["copies"].sum()),
        "reports_distinct": len(everything),
        "reports_analysed": n_analysed,
        "reports_predictable": len(candidates),
        "reports_with_prediction": len(matched) if method else None,
        "reports_correct_type": len(correct) if method else None,
        "predictions_matched": predictions_matched,
        "predictions_total": predictions_total,
        "success_rate": overall["rate"],
        "success_rate_ci95": overall["ci95"],
        "share_of_reports_predicted": caught["rate"],
        "share_of_reports_predicted_ci95": caught["ci95"],
        "share_unpredictable": (1 - len(candidates) / n_analysed) if n_analysed else None,
        "left": left,
        "funnel": funnel(everything, left, n_analysed, len(candidates),
                         len(matched) if method else None, len(correct) if method else None),
        "by_type": by_type,
        "predictable_without_time": int(candidates["ts"].isna().sum()) if method == JOIN else 0,
    }
    return Accuracy(summary, everything, matched, true_predictions, totals)


def funnel(everything: pd.DataFrame, left: dict[str, int], analysed: int, predictable_n: int,
           with_prediction: int | None, correct: int | None) -> list[dict]:
    """The steps from every report in the file to those of the correct type, with why reports left."""
    total = int(everything["copies"].sum())
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


# -- what the page shows ------------------------------------------------------------------------------

MATCHED_COLUMNS = ["ts", "description", "address", "lat", "lon", "geoid", "predictable_type", "num_predictions",
                   "prediction_type", "counts_for"]
CAME_TRUE_COLUMNS = ["date", "shift", "incident_type", "count", "reports", "address", "prediction_lat",
                     "prediction_lon", "geoid"]


@dataclass
class AccuracyView:
    """What the Accuracy page shows for one department and window: the figures, the small tables, and the
    first `shown` rows of the two long ones (their downloads rebuild them, matched_table() and
    came_true_table()). Under a megabyte, where an Accuracy holds every report and matched prediction
    (about 115 MB at 6 million predictions)."""
    summary: dict
    kinds: pd.DataFrame  # reports_by_description()
    daily: pd.DataFrame  # daily_counts()
    matched: pd.DataFrame  # the first rows of matched_table()
    matched_rows: int
    came_true: pd.DataFrame | None  # the first rows of came_true_table()
    came_true_rows: int
    dosage: dict | None  # patrol_dosage()
    minutes: pd.DataFrame  # patrol_minutes()


def matched_table(result: Accuracy) -> pd.DataFrame:
    return result.matched[MATCHED_COLUMNS]


def came_true_table(result: Accuracy) -> pd.DataFrame | None:
    return None if result.came_true is None else result.came_true[CAME_TRUE_COLUMNS]


def page_view(con, department: str, window: tuple[date, date] | None = None, shown: int = 2_000) -> AccuracyView:
    result = accuracy(con, department, window)
    s = result.summary
    used = tuple(date.fromisoformat(d) for d in s["window"])
    analysed = reports_analysed(result.reports)
    dosage = None
    if result.came_true is not None and s["predictions_total"]:
        dosage = patrol_dosage(con, department, used, result.came_true, s["predictions_total"])
    matched, true = matched_table(result), came_true_table(result)
    return AccuracyView(s, reports_by_description(analysed), daily_counts(con, department, used, analysed),
                        matched.head(shown).reset_index(drop=True), len(matched),
                        None if true is None else true.head(shown).reset_index(drop=True),
                        0 if true is None else len(true), dosage, patrol_minutes(con, department, used))


def _method_fingerprint() -> str:
    """Changes whenever the code or SQL of the method does, so a stored view is never stale."""
    digest = hashlib.sha1(Path(__file__).read_bytes())
    for path in sorted(SQL_DIR.glob("accuracy_*.sql")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def stored_view(con, store: Path, department: str, window: tuple[date, date] | None = None,
                shown: int = 2_000) -> AccuracyView:
    """page_view(), computed once per department and window and kept beside the dataset's typed cache
    (`store`, the app's own folder): every session and every restart of the app reads it back in
    milliseconds instead of re-running the joins (1-3 s at 6 million predictions). The file name holds a
    fingerprint of this module and its SQL, so a change of method never serves an old result; a store that
    cannot be written (a read-only disk) only costs the recomputation."""
    span = "default" if window is None else f"{window[0]:%Y%m%d}-{window[1]:%Y%m%d}"
    name = hashlib.sha1(f"{department}|{span}|{shown}".encode()).hexdigest()[:20]
    path = store / "derived" / f"accuracy-{_method_fingerprint()}" / f"{name}.pickle"
    if path.exists():
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass  # a damaged or foreign file: compute again and replace it
    view = page_view(con, department, window, shown)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(view, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
    return view


def store_default_views(con, store: Path, shown: int = 2_000) -> list[str]:
    """stored_view() of every department with crime reports over its whole prediction window -- the view
    the Accuracy page opens on -- so the page opens at once for the first reader too. The app runs this
    in the background when it opens a dataset. Returns the departments stored."""
    done = []
    for department in departments_with_reports(con)["department"]:
        stored_view(con, store, department, analysis_window(con, department), shown)
        done.append(department)
    return done


def accuracy_summary(con, department: str, window: tuple[date, date] | None = None) -> dict:
    """The figures of the method for one department, as plain JSON-ready values."""
    return accuracy(con, department, window).summary
