"""Reproduction: every figure in The Markup's published tables beside the app's, the difference, and why.

The published tables are read from a folder given by the caller (the one `python -m lib.cli import-markup` read:
it holds markup-prediction-bias/ and markup-plainfield/). They are never copied into the app's data: the app
finds them through $PP_MARKUP_PUBLISHED or the `imported_from` the importer recorded in source.json.

What cannot match, and says so row by row:
- counts: The Markup ranked the predictions inside each department's analysis window, placed in block groups by
  their own geocoding of each prediction (prediction_count.csv, 5,970,024 in all; not published per block
  group). The app ranks the all-time prediction centres by point in polygon (6,280,691 in the files), or the
  GeoJSON `count` property (5,144,541), a third figure;
- bounds: The Markup's window means, "above the jurisdiction" counts and mean increases take, per department,
  the smallest of the estimate, lower and upper bound (R/disparate_impact/bg_comparison_methods.R,
  `min_value = min(values)`); the bounds are published only for Plainfield (lower bounds, no Latino);
- income brackets other than "Less than 45k" (which is the free-lunch eligibility count) are not published;
- arrests, use of force and UCR crime rates are not published at all.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lib.analysis import disparities as dsp
from lib.db import run
from lib.filters import Filters

ENV = "PP_MARKUP_PUBLISHED"
BIAS = "markup-prediction-bias"
PLAINFIELD_DIR = "markup-plainfield"
PLAINFIELD = "plainfieldpdnj"

COLUMNS = ["table", "figure", "department", "group", "measure", "published", "app", "difference", "status",
           "reason"]
MATCHES, DIFFERS, NOT_RECOMPUTABLE = "matches", "differs", "not recomputable"

# The Markup's labels (R/disparate_impact/*.R) -> the app's groups
RACE_GROUPS = {"African American": "black", "Latino": "latino", "White": "white", "Asian": "asian"}
LOW_INCOME = "Less than 45k"  # lt.45k_est = eligible_for_frl (R/preprocessing/preprocessing.R)
WINDOW_FILTERS = {"in_max_tb": "most", "in_med_tb": "median", "in_min_tb": "least", "total": "total"}
DECILE_LABELS = ["0 to 10th", "10th to 20th", "20th to 30th", "30th to 40th", "40th to 50th", "50th to 60th",
                 "60th to 70th", "70th to 80th", "80th to 90th", "90th to 100th"]
# Plainfield's lower bounds (markup-plainfield/plainfieldpdnj-geojson-with-data.json): group -> (count, total)
PLAINFIELD_BOUNDS = {"black": ("black_lb", "total_race_lb"), "white": ("white_lb", "total_race_lb"),
                     "asian": ("asian_lb", "total_race_lb"), "low_income": ("lt_45k_lb", "total_income_lb")}

# How close is "the same": correlations as the issue asks (0.05), shares to a point.
TOLERANCE = {"spearman": 0.05, "share": 0.01, "departments": 0, "count": 0, "rate": 0.0005}

COUNTS = {"all_time": "all-time prediction centres, point in polygon",
          "geojson": "the GeoJSON `count` property"}

# The 2023 Plainfield figures, as printed in The Markup's notebook (notebooks/pred-accuracy-assessment.ipynb in
# the-markup/investigation-geolitica-plainfield at 2c5aa954): (figure, value, cell that prints it).
PLAINFIELD_PUBLISHED = [
    ("Crime reports in the file", 3225, "cell 20"),
    ("Reports analysed", 3066, "cell 20"),
    ("Of a kind the software predicts", 336, "cell 59"),
    ("Inside a prediction box during its shift", 62, "cell 69"),
    ("Of the type predicted there", 34, "cell 69"),
    ("Predictions in the window", 23760, "cell 49"),
    ("Predictions during which a patrol was logged in the box", 129, "cell 71"),
    ("Predictions without a patrol (headline denominator)", 23631, "cell 71"),
    ("Predictions that matched a reported crime", 64, "cells 171, 173"),
    ("Robbery / Aggravated Assault predictions", 5766, "cell 107"),
    ("Robbery / Aggravated Assault predictions that came true", 32, "cell 109"),
    ("Burglary predictions", 10178, "cell 145"),
    ("Burglary predictions that came true", 11, "cell 147"),
]
PLAINFIELD_RATES = [
    ("Success rate, headline (64 / 23,631)", 64 / 23631, "cell 179"),
    ("Success rate, Robbery / Aggravated Assault (32 / 5,766)", 32 / 5766, "cell 113"),
    ("Success rate, Burglary (11 / 10,178)", 11 / 10178, "cell 153"),
]


# The per-type counts of the notebook: (prediction type as published, words, came true, predictions, cells that
# count them: the type's predictions, then get_correct_predictions on them).
PLAINFIELD_TYPE_FIGURES = [
    ("Robbery|Aggravated Assault", "robbery and aggravated assault", 32, 5766, "cells 107 and 109"),
    ("Burglary - Residential|Burglary - NON-Residence", "burglary", 11, 10178, "cells 145 and 147"),
]


# -- where the published tables are --------------------------------------------------------------

def find_published(data_dir: Path | str | None = None) -> Path | None:
    """The folder holding The Markup's published tables: $PP_MARKUP_PUBLISHED, else the folder the data was
    imported from (source.json `imported_from`, absolute or relative to the working directory or to the data
    directory); None when neither holds markup-prediction-bias/published."""
    candidates = []
    if os.environ.get(ENV):
        candidates.append(Path(os.environ[ENV]))
    if data_dir is not None:
        source = Path(data_dir) / "source.json"
        try:
            recorded = json.loads(source.read_text(encoding="utf-8")).get("imported_from")
        except (OSError, ValueError, AttributeError):
            recorded = None
        if isinstance(recorded, str) and recorded:
            path = Path(recorded)
            candidates += [path] if path.is_absolute() else [Path.cwd() / path, Path(data_dir) / path]
    for path in candidates:
        if (path / BIAS / "published").is_dir():
            return path.resolve()
    return None


# -- the app's side ------------------------------------------------------------------------------

@dataclass
class AppSide:
    """What the app computes once for every comparison: block groups ranked on the chosen counts, the
    department facts that explain a difference, and Plainfield's lower bounds."""
    ranked: pd.DataFrame
    facts: pd.DataFrame  # department, window, window_start, window_end, inside, all_time, geojson
    bounds: pd.DataFrame | None  # Plainfield: geoid and PLAINFIELD_BOUNDS columns
    counts: str


def geojson_counts(root: Path) -> pd.DataFrame:
    """department, geoid, count: the `count` property of each department's published GeoJSON (0 when null)."""
    rows = []
    for path in sorted((root / BIAS / "block_groups").glob("*-geojson-with-data.json")):
        department = path.name.removesuffix("-geojson-with-data.json")
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            props = feature.get("properties") or {}
            rows.append((department, str(props.get("id")), int(props.get("count") or 0)))
    return pd.DataFrame(rows, columns=["department", "geoid", "count"]).drop_duplicates(["department", "geoid"])


def plainfield_bounds(root: Path) -> pd.DataFrame | None:
    path = root / PLAINFIELD_DIR / "plainfieldpdnj-geojson-with-data.json"
    if not path.is_file():
        return None
    rows = [f["properties"] for f in json.loads(path.read_text(encoding="utf-8"))["features"]]
    frame = pd.DataFrame(rows)
    columns = sorted({c for pair in PLAINFIELD_BOUNDS.values() for c in pair})
    out = frame[["geoid", *columns]].copy()
    out["geoid"] = out["geoid"].astype(str)
    out[columns] = out[columns].apply(pd.to_numeric, errors="coerce").astype("float64")
    return out


def app_side(con, root: Path, counts: str = "all_time") -> AppSide:
    """Block groups of the departments with predictions ranked as The Markup did, on `counts` (COUNTS)."""
    frame = dsp.block_group_frame(con, Filters())
    inside = frame.groupby("department")["predictions"].sum()
    gj = geojson_counts(root)
    if counts == "geojson":
        merged = frame.merge(gj, on=["department", "geoid"], how="left")
        frame = merged.assign(predictions=merged["count"].fillna(0).astype("int64")).drop(columns="count")
    ranked = dsp.label_windows(dsp.rank_block_groups(frame))
    all_time = run(con, "SELECT department, sum(count) AS all_time FROM prediction_days GROUP BY ALL")
    window = pd.read_csv(root / BIAS / "prediction_count.csv")
    window = window[window["department"] != "Total"].rename(columns={"num_preds": "window"})
    facts = (pd.DataFrame({"department": inside.index, "inside": inside.to_numpy()})
             .merge(all_time, on="department", how="left")
             .merge(gj.groupby("department", as_index=False)["count"].sum().rename(columns={"count": "geojson"}),
                    on="department", how="left")
             .merge(window[["department", "window", "analysis_start_date", "analysis_end_date"]],
                    on="department", how="left"))
    return AppSide(ranked, facts, plainfield_bounds(root), counts)


def _count_reason(side: AppSide, department: str) -> str:
    """Why a department's figures differ: the window, predictions outside its block groups, or placement."""
    row = side.facts[side.facts["department"] == department]
    if row.empty:
        return "The app has no predictions for this department."
    r = row.iloc[0]
    if pd.isna(r["window"]):
        return "Counts differ: The Markup's counts for this department are not published."
    window, inside = int(r["window"]), int(r["inside"])
    all_time = int(r["all_time"]) if pd.notna(r["all_time"]) else inside
    ours = (f"the GeoJSON `count` property ({int(r['geojson']):,})" if side.counts == "geojson" else
            f"{inside:,} all-time predictions placed by point in polygon")
    causes = []
    if all_time - window > 0.01 * window:
        causes.append(f"window: {all_time - window:,} of the {all_time:,} predictions in the files fall outside "
                      f"The Markup's analysis window ({r['analysis_start_date']} to {r['analysis_end_date']}), "
                      "and the published predictions have no dates to cut it")
    if all_time - inside > 0.01 * all_time:
        causes.append(f"geocoding: {all_time - inside:,} box centres fall outside the department's block groups, "
                      "where The Markup's own geocoding of each prediction placed them")
    if not causes:
        outside = f"; {all_time - inside:,} box centres fall outside its block groups" if all_time > inside else ""
        causes.append(f"placement: the window holds {window:,} of the {all_time:,} predictions in the files"
                      f"{outside}, but The Markup placed each prediction by its own geocoding and the app places "
                      "box centres, so some predictions sit in other block groups and reorder the ranking")
    return f"Counts differ — The Markup ranked {window:,}, the app {ours}. " + "; ".join(
        c[0].upper() + c[1:] for c in causes) + "."


BOUNDS_REASON = ("Bounds: The Markup took, per department, the smallest of the estimate, lower and upper bound "
                 "(bg_comparison_methods.R); the bounds are unpublished except Plainfield's lower bounds")


# -- comparisons --------------------------------------------------------------------------------

def _row(table, figure, department, group, measure, published, app, reason_if_differs, tolerance) -> dict:
    published = float(published) if published is not None and not pd.isna(published) else math.nan
    app = float(app) if app is not None and not pd.isna(app) else math.nan
    difference = app - published
    if math.isnan(app):
        status = NOT_RECOMPUTABLE
    elif abs(difference) <= tolerance + 1e-12:
        status = MATCHES
    else:
        status = DIFFERS
    return {"table": table, "figure": figure, "department": department, "group": group, "measure": measure,
            "published": published, "app": app, "difference": difference, "status": status,
            "reason": "" if status == MATCHES else reason_if_differs}


def correlations(side: AppSide, root: Path) -> list[dict]:
    """race_corr_pred_count.csv (four groups) and income_corr_pred_count.csv ("Less than 45k" is the app's
    low-income share; the other brackets are not published)."""
    rho = dsp.spearman_by_department(side.ranked).set_index(["department", "group"])["spearman"]
    rows = []
    for table, labels in (("race_corr_pred_count.csv", RACE_GROUPS), ("income_corr_pred_count.csv",
                                                                      {LOW_INCOME: "low_income"})):
        published = pd.read_csv(root / BIAS / "published" / table)
        for p in published.itertuples():
            group = labels.get(p.demo)
            app = rho.get((p.department, group), math.nan) if group else math.nan
            reason = (_count_reason(side, p.department) if group else
                      "Income bracket: The Markup's bracket estimates are not published.")
            rows.append(_row(table, f"{p.department} · {p.demo}", p.department, p.demo, "Spearman correlation",
                             p.value, app, reason, TOLERANCE["spearman"]))
    return rows


def bounded_window_shares(ranked: pd.DataFrame, bounds: pd.DataFrame) -> pd.DataFrame:
    """Plainfield's window shares as The Markup took them: group, window, estimate, lower (from its published
    lower bounds; NaN where none is published, as for Latino residents) and share, the smaller of the two
    (bg_comparison_methods.R: min over estimate, lower and upper bound; the upper bounds are unpublished).
    `ranked`: Plainfield's ranked block groups (dsp.label_windows)."""
    dept = ranked[ranked["department"] == PLAINFIELD].merge(bounds, on="geoid", how="left")
    parts = {name: dept[dept[f"in_{name}"]] for name in dsp.WINDOWS} | {"total": dept}
    rows = []
    for group, (num, den) in dsp.GROUPS.items():
        for window, part in parts.items():
            estimate = dsp.share(part, num, den) if part[den].sum() > 0 else 0.0
            lower = math.nan
            if group in PLAINFIELD_BOUNDS:
                low_num, low_den = PLAINFIELD_BOUNDS[group]
                lower = dsp.share(part, low_num, low_den) if part[low_den].sum() > 0 else 0.0
            rows.append({"group": group, "window": window, "estimate": estimate, "lower": lower,
                         "share": float(np.fmin(estimate, lower))})
    return pd.DataFrame(rows, columns=["group", "window", "estimate", "lower", "share"])


def _window_shares(side: AppSide) -> pd.DataFrame:
    """department, group, window, share: estimates, and for Plainfield the smaller of estimate and lower
    bound (The Markup's min over estimate and bounds, with the bounds the data has). An empty window
    counts 0 as in The Markup's get_demo_proportions (replace(is.na(.), 0))."""
    shares = dsp.window_composition(side.ranked).fillna({"share": 0.0})
    if side.bounds is None:
        return shares
    bounded = bounded_window_shares(side.ranked, side.bounds).assign(department=PLAINFIELD)
    merged = shares.merge(bounded[["department", "group", "window", "share"]].rename(columns={"share": "bounded"}),
                          on=["department", "group", "window"], how="left")
    merged["share"] = merged["bounded"].fillna(merged["share"])
    return merged.drop(columns="bounded")


def window_means(side: AppSide, root: Path) -> list[dict]:
    """race_demo_comp_all.csv and income_demo_comp_all.csv: each group's share per window, averaged over
    departments."""
    means = _window_shares(side).groupby(["group", "window"])["share"].mean()
    rows = []
    for table, labels in (("race_demo_comp_all.csv", RACE_GROUPS), ("income_demo_comp_all.csv",
                                                                    {LOW_INCOME: "low_income"})):
        for p in pd.read_csv(root / BIAS / "published" / table).itertuples():
            group, window = labels.get(p.demo), WINDOW_FILTERS[p.prank_filter]
            app = means.get((group, window), math.nan) if group else math.nan
            reason = (BOUNDS_REASON + "; and the counts differ (window, geocoding)." if group else
                      "Income bracket: The Markup's bracket estimates are not published.")
            rows.append(_row(table, f"mean share · {p.demo} · {dsp.WINDOW_LABELS[window]}", "", p.demo,
                             "mean share", p.mean_val, app, reason, TOLERANCE["share"]))
    return rows


def above_total(side: AppSide, root: Path) -> list[dict]:
    """race/income_at_prank_gt_total.csv: departments whose window share is above the jurisdiction's, and
    race/income_inc_at_prank.csv: the mean relative increase of the window over the jurisdiction."""
    wide = _window_shares(side).pivot_table(index=["department", "group"], columns="window", values="share")
    rows = []
    for kind, labels in (("race", RACE_GROUPS), ("income", {LOW_INCOME: "low_income"})):
        for p in pd.read_csv(root / BIAS / "published" / f"{kind}_at_prank_gt_total.csv").itertuples():
            group, window = labels.get(p.demo), WINDOW_FILTERS[p.prank_filter]
            part = wide.xs(group, level="group") if group else None
            app = int((part[window] > part["total"]).sum()) if group else math.nan
            rows.append(_row(f"{kind}_at_prank_gt_total.csv", f"departments above the total · {p.demo} · "
                             f"{dsp.WINDOW_LABELS[window]}", "", p.demo, "departments", p.num_jur, app,
                             (BOUNDS_REASON + f" (theirs: {p.min_pop_est}); and the counts differ." if group else
                              "Income bracket: not published."), TOLERANCE["departments"]))
        for p in pd.read_csv(root / BIAS / "published" / f"{kind}_inc_at_prank.csv").itertuples():
            group, window = labels.get(p.demo), WINDOW_FILTERS[p.prank_filter]
            app = math.nan
            if group:
                part = wide.xs(group, level="group")
                app = float(((part[window] - part["total"]) / part["total"]).replace([np.inf, -np.inf], np.nan)
                            .mean())
            rows.append(_row(f"{kind}_inc_at_prank.csv", f"mean increase over the total · {p.demo} · "
                             f"{dsp.WINDOW_LABELS[window]}", "", p.demo, "relative increase", p.pct_inc, app,
                             (BOUNDS_REASON + " (theirs: the bound nearest zero); and the counts differ." if group
                              else "Income bracket: not published."), TOLERANCE["share"]))
    return rows


def decile_shares(side: AppSide) -> pd.DataFrame:
    """department, group, decile, share with an empty bucket as 0, as The Markup's tables have it."""
    return dsp.decile_composition(side.ranked).fillna({"share": 0.0})


def deciles(side: AppSide, root: Path) -> list[dict]:
    """race/income_demo_comp_percentile.csv (per department) and *_mean_percentile.csv (averaged)."""
    shares = decile_shares(side)
    by = shares.set_index(["department", "group", "decile"])["share"]
    means = shares.groupby(["group", "decile"])["share"].mean()
    rows = []
    for kind, labels in (("race", RACE_GROUPS), ("income", {LOW_INCOME: "low_income"})):
        for p in pd.read_csv(root / BIAS / "published" / f"{kind}_demo_comp_percentile.csv").itertuples():
            group, tenth = labels.get(p.demo), DECILE_LABELS.index(p.prank_filter) + 1
            app = by.get((p.department, group, tenth), math.nan) if group else math.nan
            rows.append(_row(f"{kind}_demo_comp_percentile.csv", f"{p.department} · {p.demo} · {p.prank_filter}",
                             p.department, p.demo, "share", p.values, app,
                             _count_reason(side, p.department) if group else "Income bracket: not published.",
                             TOLERANCE["share"] * 2))
        for p in pd.read_csv(root / BIAS / "published" / f"{kind}_demo_comp_mean_percentile.csv").itertuples():
            group, tenth = labels.get(p.demo), DECILE_LABELS.index(p.prank_filter) + 1
            app = means.get((group, tenth), math.nan) if group else math.nan
            rows.append(_row(f"{kind}_demo_comp_mean_percentile.csv", f"mean share · {p.demo} · {p.prank_filter}",
                             "", p.demo, "mean share", p.mean_val, app,
                             "Counts differ (window, geocoding) in some departments; see the per-department rows."
                             if group else "Income bracket: not published.", TOLERANCE["share"]))
    return rows


def prediction_counts(side: AppSide, root: Path) -> list[dict]:
    """prediction_count.csv: The Markup's analysis-window count per department beside the counts the app has."""
    rows = []
    for r in side.facts.itertuples():
        if pd.isna(r.window):
            continue
        ours = r.geojson if side.counts == "geojson" else r.inside
        rows.append(_row("prediction_count.csv", f"{r.department} · predictions ranked", r.department, "",
                         "predictions", r.window, ours, _count_reason(side, r.department), TOLERANCE["count"]))
    return rows


def plainfield(con, root: Path) -> list[dict]:
    """The 2023 funnel and success rates, published in the notebook, beside the Accuracy page's."""
    from lib.analysis.accuracy import accuracy, type_key
    if not run(con, "SELECT count(*) AS n FROM crime_reports WHERE department = $d", {"d": PLAINFIELD})["n"][0]:
        return []
    s = accuracy(con, PLAINFIELD).summary
    by_type = {t["key"]: t for t in s["by_type"]}
    robbery = by_type.get(type_key("Robbery|Aggravated Assault"), {})
    burglary = by_type.get(type_key("Burglary - Residential|Burglary - NON-Residence"), {})
    notes = type_count_notes(s)
    exact = "The published reports pin this count down; see the Accuracy page's rates by type."
    patrols = ("Not recomputable: which predictions had a patrol needs each prediction's date and shift, which "
               "the published data does not have.")
    app = {
        "Crime reports in the file": s["reports_total"], "Reports analysed": s["reports_analysed"],
        "Of a kind the software predicts": s["reports_predictable"],
        "Inside a prediction box during its shift": s["reports_with_prediction"],
        "Of the type predicted there": s["reports_correct_type"],
        "Predictions in the window": s["predictions_total"],
        "Predictions during which a patrol was logged in the box": None,
        "Predictions without a patrol (headline denominator)": None,
        "Predictions that matched a reported crime": s["predictions_matched"],
        "Robbery / Aggravated Assault predictions": robbery.get("predictions_total"),
        "Robbery / Aggravated Assault predictions that came true": robbery.get("predictions_matched"),
        "Burglary predictions": burglary.get("predictions_total"),
        "Burglary predictions that came true": burglary.get("predictions_matched"),
    }
    reasons = {
        "Predictions during which a patrol was logged in the box": patrols,
        "Predictions without a patrol (headline denominator)": patrols,
        "Robbery / Aggravated Assault predictions that came true": notes.get(robbery.get("key"), exact),
        "Burglary predictions that came true": notes.get(burglary.get("key"), exact),
    }
    rows = [_row("pred-accuracy-assessment.ipynb", figure, PLAINFIELD, "", f"count ({cell})", value, app[figure],
                 reasons.get(figure, "See the Accuracy page's funnel."), TOLERANCE["count"])
            for figure, value, cell in PLAINFIELD_PUBLISHED]
    n = s["predictions_total"]
    rates = {"Success rate, headline (64 / 23,631)": None,
             "Success rate, Robbery / Aggravated Assault (32 / 5,766)": robbery.get("success_rate"),
             "Success rate, Burglary (11 / 10,178)": burglary.get("success_rate")}
    reasons = {"Success rate, headline (64 / 23,631)": (
                   f"Not recomputable: the denominator leaves out the 129 predictions that had patrols; the app's "
                   f"{s['predictions_matched']} / {n:,} = {s['predictions_matched'] / n:.3%} counts every "
                   "prediction in the window." if n else patrols),
               "Success rate, Robbery / Aggravated Assault (32 / 5,766)": reasons[
                   "Robbery / Aggravated Assault predictions that came true"],
               "Success rate, Burglary (11 / 10,178)": reasons["Burglary predictions that came true"]}
    rows += [_row("pred-accuracy-assessment.ipynb", figure, PLAINFIELD, "", f"rate ({cell})", value, rates[figure],
                  reasons[figure], TOLERANCE["rate"]) for figure, value, cell in PLAINFIELD_RATES]
    return rows


NOT_RECOMPUTABLE_TABLES = {
    "arrests-per-capita.csv": ("values", "arrests per resident", "Its inputs (arrest records) are not published."),
    "corr-arrest-preds.csv": ("corr", "correlation", "Its inputs (block-level arrest and prediction counts) are "
                                                     "not published."),
    "policing_patterns_ucr.csv": ("per_capita_avg", "UCR rate per resident",
                                  "Its inputs (UCR crime and arrest data) are not published."),
    "race_prank_has_maj.csv": ("pct", "share of departments", "Not reproduced here: the jurisdiction-level "
                                                              "majority comparison (jur_comparison_methods.R)."),
    "income_prank_has_maj.csv": ("pct", "share of departments", "Not reproduced here: the jurisdiction-level "
                                                                "majority comparison (jur_comparison_methods.R)."),
}


def published_only(root: Path) -> list[dict]:
    """Published tables the app cannot recompute, shown as published."""
    rows = []
    for table, (column, measure, reason) in NOT_RECOMPUTABLE_TABLES.items():
        path = root / BIAS / "published" / table
        if not path.is_file():
            continue
        frame = pd.read_csv(path)
        for record in frame.to_dict("records"):
            label = " · ".join(str(v) for k, v in record.items() if k != column and isinstance(v, str))
            rows.append(_row(table, label, str(record.get("client", "")), "", measure, record[column], None,
                             reason, 0))
    return rows


def reproduction(con, root: Path | str, counts: str = "all_time") -> pd.DataFrame:
    """COLUMNS, one row per published figure: The Markup's value, the app's, the difference, whether it
    matches (within TOLERANCE), and why not."""
    root = Path(root)
    side = app_side(con, root, counts)
    rows = (prediction_counts(side, root) + correlations(side, root) + window_means(side, root)
            + above_total(side, root) + deciles(side, root) + plainfield(con, root) + published_only(root))
    return pd.DataFrame(rows, columns=COLUMNS)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per published table: figures, how many match, differ (each with a reason) or cannot be recomputed."""
    counts = table.groupby(["table", "status"]).size().unstack(fill_value=0)
    for status in (MATCHES, DIFFERS, NOT_RECOMPUTABLE):
        if status not in counts.columns:
            counts[status] = 0
    counts = counts[[MATCHES, DIFFERS, NOT_RECOMPUTABLE]]
    counts.insert(0, "figures", counts.sum(axis=1))
    order = list(dict.fromkeys(table["table"]))
    return counts.reindex(order).reset_index()


def headline(table: pd.DataFrame) -> dict:
    """The checks the issue names: race and income correlations within 0.05, the per-department decile errors."""
    race = table[table["table"] == "race_corr_pred_count.csv"]
    income = table[(table["table"] == "income_corr_pred_count.csv") & (table["status"] != NOT_RECOMPUTABLE)]
    race_deciles = table[table["table"] == "race_demo_comp_percentile.csv"]
    income_deciles = table[(table["table"] == "income_demo_comp_percentile.csv")
                           & (table["status"] != NOT_RECOMPUTABLE)]
    return {"race_within": int((race["difference"].abs() <= 0.05).sum()), "race_pairs": len(race),
            "income_within": int((income["difference"].abs() <= 0.05).sum()), "income_pairs": len(income),
            "race_decile_mae": float(race_deciles["difference"].abs().mean()) if len(race_deciles) else math.nan,
            "income_decile_mae": (float(income_deciles["difference"].abs().mean()) if len(income_deciles)
                                  else math.nan)}


DECILE_ERROR_COLUMNS = ["department", "race_mae", "income_mae", "buckets_moved", "income_off_where_race_same",
                        "reason"]


def decile_errors(table: pd.DataFrame) -> pd.DataFrame:
    """Per department: the mean absolute difference of its published race and low-income deciles from the
    app's, how many of its ten buckets hold other block groups than The Markup's (a race share differs), how
    many low-income shares differ in the buckets that hold the same block groups (0 when the method is the
    same and only the counts move block groups between buckets), and why its counts differ."""
    def by_bucket(name: str) -> pd.DataFrame:
        rows = table[(table["table"] == name) & (table["status"] != NOT_RECOMPUTABLE)]
        return rows.assign(decile=rows["figure"].str.rsplit(" · ", n=1).str[-1],
                           off=rows["difference"].abs())

    race, income = by_bucket("race_demo_comp_percentile.csv"), by_bucket("income_demo_comp_percentile.csv")
    moved = race.groupby(["department", "decile"])["off"].max() > 1e-9
    income_off = income.set_index(["department", "decile"])["off"] > 1e-9
    same = moved[~moved].index.intersection(income_off.index)
    rows = []
    for department, part in race.groupby("department", sort=True):
        theirs = income[income["department"] == department]
        reasons = pd.concat([part, theirs]).query("status == @DIFFERS")["reason"]
        rows.append({"department": department, "race_mae": part["off"].mean(),
                     "income_mae": theirs["off"].mean() if len(theirs) else math.nan,
                     "buckets_moved": int(moved.xs(department).sum()),
                     "income_off_where_race_same": int(income_off.loc[[i for i in same if i[0] == department]]
                                                       .sum()),
                     "reason": reasons.iloc[0] if len(reasons) else ""})
    return pd.DataFrame(rows, columns=DECILE_ERROR_COLUMNS).sort_values(
        "income_mae", ascending=False, kind="mergesort").reset_index(drop=True)


def _plainfield_window(summary: dict) -> bool:
    published = {figure: value for figure, value, _ in PLAINFIELD_PUBLISHED}
    return (summary.get("department") == PLAINFIELD and summary.get("window") == ["2018-02-25", "2018-12-18"]
            and summary.get("predictions_total") == published["Predictions in the window"])


def type_count_notes(summary: dict) -> dict[str, str]:
    """Per published per-type count the published reports cannot pin down (type key -> one sentence saying
    why, with the bounds they do give); empty for any other department or window, and for a type whose
    bounds meet. The Markup counted, per type, the predictions of that type whose box held a report
    (notebook cells 107-109, 145-147) in predictions_with_dosage.csv, which is not published; the reports file
    gives per report only how many boxes held it and the union of their types."""
    from lib.analysis.accuracy import type_key
    if not _plainfield_window(summary):
        return {}
    by_type = {t["key"]: t for t in summary.get("by_type", [])}
    notes = {}
    for published_type, words, came_true, total, cells in PLAINFIELD_TYPE_FIGURES:
        row = by_type.get(type_key(published_type))
        if not row or row["predictions_matched"] is None:
            continue
        least, most = row["predictions_matched_at_least"], row["predictions_matched"]
        if least == most:
            continue
        verdict = ("is the top of what the published reports allow" if came_true == most else
                   "cannot be recomputed from the published reports")
        notes[row["key"]] = (
            f"The Markup's {came_true} of {total:,} {words} predictions {verdict}: {row['reports_in_mixed_boxes']} "
            f"of the reports that came true for this type fell in boxes of other types as well "
            f"({row['predictions_in_mixed_boxes']} predictions in all), and the reports file says how many boxes "
            f"held each report but not the type of each box, so the published data puts the count between "
            f"{least} and {most}; The Markup counted each prediction's own type in a predictions file it did not "
            f"publish (notebook {cells}).")
    return notes


def markup_denominator(summary: dict) -> dict | None:
    """The Markup's headline denominator for an Accuracy summary of Plainfield's published window (the same
    reports and 23,760 predictions): the predictions they kept (23,631), those they left out because a patrol
    was logged in the box during the shift (129), and their rate. None for any other department or window."""
    published = {figure: value for figure, value, _ in PLAINFIELD_PUBLISHED}
    if not _plainfield_window(summary):
        return None
    kept = published["Predictions without a patrol (headline denominator)"]
    matched = published["Predictions that matched a reported crime"]
    return {"predictions_total": kept, "left_out": published["Predictions during which a patrol was logged in the box"],
            "predictions_matched": matched, "success_rate": matched / kept}
