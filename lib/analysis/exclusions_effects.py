"""With and without the left-out predictions on the Audit and Accuracy pages (and `cli audit --exclude`): each
headline figure computed on a cursor that honours no exclusion and on one that honours the selection's
(lib/analysis/exclusions.py), and how much it changed.

The Audit's figures are those its tabs show as metrics; the Accuracy page's those of its headline. The published
match of the crime reports (Plainfield's) names no prediction location, so where it is the method the figures
that rest on it cannot lose the left-out predictions: carried_match_limits() says how many matched reports that
leaves in doubt.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from lib import geo_math
from lib.analysis import accuracy, audit, compare, exclusions
from lib.db import run
from lib.filters import Filters

# figure -> (label, kind as lib.analysis.compare words it)
AUDIT_FIGURES: dict[str, tuple[str, str]] = {
    "predictions": ("Predictions in the selection", "count"),
    "artefact_predictions": ("Predictions at police stations, jails, courts, hospitals or addresses naming one",
                             "count"),
    "artefact_sites_hit": ("Such sites that drew predictions", "count"),
    "locations_checked": ("Prediction locations checked against the block groups", "count"),
    "outside_locations": ("Prediction locations outside the block groups", "count"),
    "outside_predictions": ("Predictions outside the block groups", "count"),
    "abroad": ("Points outside the United States (all tables)", "count"),
    "zero_zero": ("Points at 0,0 (all tables)", "count"),
    "swapped": ("Points with latitude and longitude swapped (all tables)", "count"),
    "everyday_block_groups": ("Block groups targeted on more than 90% of days in use", "count"),
    "everyday_residents": ("Residents of those block groups", "count"),
    "quarter_kept": ("Share of the top 10% kept from one quarter to the next", "share"),
}

ACCURACY_FIGURES: dict[str, tuple[str, str]] = {
    "predictions_total": ("Predictions in the window", "count"),
    "predictions_matched": ("Predictions that came true", "count"),
    "success_rate": ("Success rate", "fine_share"),
    "reports_with_prediction": ("Predictable reports inside a box during its shift", "count"),
    "reports_correct_type": ("… of the predicted type", "count"),
}


def _on(con, reasons, sites, compute, unchanged=None, departments=()):
    """compute(cursor) on a cursor honouring `reasons` and `sites`; `unchanged` (the figures with every prediction)
    when they leave out nothing of `departments`."""
    if unchanged is not None and not exclusions.takes_out(con, reasons, sites, departments):
        return unchanged
    cursor = exclusions.cursor(con, reasons, sites)
    try:
        return compute(cursor)
    finally:
        cursor.close()


def effects(before: dict, after: dict, figures: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """figure, label, kind, with, without, change (without − with), change_share, words: one row per figure
    either side has."""
    rows = []
    for figure, (label, kind) in figures.items():
        if figure not in before and figure not in after:
            continue
        a, b = before.get(figure), after.get(figure)
        both = a is not None and b is not None and not (pd.isna(a) or pd.isna(b))
        change = b - a if both else None
        rows.append({"figure": figure, "label": label, "kind": kind, "with": a, "without": b, "change": change,
                     "change_share": change / a if both and a else None,
                     "words": compare.change_words(kind, a, b)})
    return pd.DataFrame(rows, columns=["figure", "label", "kind", "with", "without", "change", "change_share",
                                       "words"])


# -- Audit ----------------------------------------------------------------------------------------

def audit_figures(con, f: Filters, added: pd.DataFrame | None = None) -> dict:
    """The Audit tabs' metrics for `f` on `con` (which honours f.exclude or not: the caller's choice).
    The per-day figures are left out when the predictions carry no dates."""
    with audit.one_view():
        shares = audit.artefact_share(con, f, added)
        sites = audit.site_artefacts(con, f, added)
        geo = audit.geocoding_audit(con, f.places_and_time_only())
        totals = audit.department_predictions(con, f)
        pred = geo.summary[geo.summary["source"] == "predictions"]
        away = pred[pred["status"] != "inside"]
        statuses = geo.points["status"].value_counts()
        out = {
            "predictions": int(totals["department_predictions"].sum()),
            "artefact_predictions": int(shares["artefact_predictions"].sum()),
            "artefact_sites_hit": int((sites["predictions"] > 0).sum()),
            "locations_checked": int(pred["locations"].sum()),
            "outside_locations": int(away["locations"].sum()),
            "outside_predictions": int(away["predictions"].fillna(0).sum()),
            **{status: int(statuses.get(status, 0)) for status in ("abroad", "zero_zero", "swapped")},
        }
        if audit.has_dates(con, f):
            days = audit.block_group_days(con, f)
            everyday = days[days["share_of_days"] > audit.EVERYDAY_SHARE]
            kept = audit.quarter_overlap(con, f)["overlap_share"].dropna()
            out.update({"everyday_block_groups": len(everyday),
                        "everyday_residents": int(everyday["residents"].fillna(0).sum()),
                        "quarter_kept": float(kept.mean()) if len(kept) else None})
    return out


def audit_effects(con, f: Filters, added: pd.DataFrame | None = None) -> pd.DataFrame:
    """effects() of the Audit's figures: with every prediction, and without those f.exclude leaves out."""
    before = _on(con, (), (), lambda c: audit_figures(c, replace(f, exclude=(), exclude_sites=()), added))
    after = _on(con, f.exclude, f.exclude_sites, lambda c: audit_figures(c, f, added), before, f.departments)
    return effects(before, after, AUDIT_FIGURES)


# -- Accuracy -------------------------------------------------------------------------------------

def accuracy_figures(summary: dict) -> dict:
    return {figure: summary.get(figure) for figure in ACCURACY_FIGURES}


def accuracy_effects(con, department: str, window, reasons, sites=()) -> pd.DataFrame:
    """effects() of the Accuracy headline for one department and window, with every prediction and without
    those of `reasons` (and the added artefact `sites`)."""
    before = _on(con, (), (), lambda c: accuracy.accuracy(c, department, window).summary)
    after = _on(con, reasons, sites, lambda c: accuracy.accuracy(c, department, window).summary, before,
                (department,))
    return effects(accuracy_figures(before), accuracy_figures(after), ACCURACY_FIGURES)


def carried_match_limits(con, department: str, window, reasons, sites=()) -> dict:
    """Where the reports carry a published match (no prediction location): the department's predictions at the
    left-out locations (all dates: published predictions may carry none), and the matched reports of the window
    that lie in one of those locations' boxes, with the predictions their match counts (at most that many of the
    predictions that came true may be left-out ones)."""
    left_out = exclusions.excluded_locations(con, reasons, sites)
    left_out = left_out[left_out["department"] == department].drop_duplicates(["lat", "lon"])
    return run(con, f"""
        WITH x AS (SELECT unnest(CAST($x_lat AS DOUBLE[])) AS lat, unnest(CAST($x_lon AS DOUBLE[])) AS lon),
        matched AS (
            SELECT lat, lon, coalesce(num_predictions, 0) AS predictions FROM main.accuracy_reports
            WHERE department = $department AND reason IS NULL AND predictable AND has_prediction
              AND in_window(date, $start, $end)
        )
        SELECT (SELECT CAST(coalesce(sum(p.count), 0) AS BIGINT) FROM main.predictions p SEMI JOIN x
                  ON p.department = $department AND p.lat IS NOT DISTINCT FROM x.lat
                  AND p.lon IS NOT DISTINCT FROM x.lon) AS left_out_predictions,
               count(*) AS reports, CAST(coalesce(sum(predictions), 0) AS BIGINT) AS report_predictions
        FROM matched r WHERE EXISTS (SELECT 1 FROM x WHERE {geo_math.box_contains_sql('x', 'r')})""",
               {"x_lat": left_out["lat"].tolist(), "x_lon": left_out["lon"].tolist(), "department": department,
                "start": window[0], "end": window[1]}).iloc[0].astype(int).to_dict()
