"""Disparities: who lives where PredPol sent police most often.

The Markup's 2021 method, step by step (each step one function, testable on a hand-made frame):
1. every block group of a department with its prediction count (0 when none)   -> block_group_frame
2. ordered by predictions, highest first, ties in GEOID order; ranks n … 1   -> rank_block_groups
3. the most-targeted, median and least-targeted windows of w = round(5% of n)  -> window_bounds, label_windows
4. each group's share of residents (or households) in each window and overall -> window_composition
5. Spearman correlation of rank and share over block groups with residents    -> spearman_by_department
6. the same composition in ten buckets cut at the prediction-count deciles     -> decile, decile_composition
Beyond the method: exposure ratios, summaries across departments, one-sentence readings.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from lib.db import query, scalar
from lib.filters import Filters, join_words
from lib.schema import INCOME_BRACKET_PATTERN, bracket_label

# group -> (numerator column, denominator column) in block_group_stats
GROUPS: dict[str, tuple[str, str]] = {
    "black": ("black", "total"),
    "latino": ("latino", "total"),
    "white": ("white", "total"),
    "asian": ("asian", "total"),
    "low_income": ("low_income_households", "households"),
}
GROUP_LABELS = {"black": "Black", "latino": "Latino", "white": "White", "asian": "Asian", "low_income": "Low-income"}
RACE = ("black", "latino", "white", "asian")
WINDOWS = ("most", "median", "least")
WINDOW_LABELS = {"most": "Most targeted", "median": "Median", "least": "Least targeted",
                 "total": "Whole jurisdiction"}
WINDOW_SHARE = 0.05
TABLE_COLUMNS = ["department", "group", "share_most_targeted", "share_median", "share_least_targeted", "share_total",
                 "spearman", "exposure_ratio", "block_groups", "window"]


# -- groups and words ---------------------------------------------------------------------------

def group_specs(frame: pd.DataFrame, brackets: bool = False) -> dict[str, tuple[str, str]]:
    """The groups to analyse: race, low income and, when asked and present, household-income brackets
    (measured against the households the brackets were counted on)."""
    specs = dict(GROUPS)
    if brackets:
        for column in frame.columns:
            if re.fullmatch(INCOME_BRACKET_PATTERN, column):
                specs[column] = (column, "bracket_households")
    return specs


def group_label(group: str) -> str:
    return GROUP_LABELS.get(group) or f"Income {bracket_label(group)}"


def is_household_group(group: str) -> bool:
    return group not in RACE


def noun(group: str) -> str:
    """'Black residents', 'low-income households', 'households earning under $45k'."""
    if group in RACE:
        return f"{GROUP_LABELS[group]} residents"
    if group == "low_income":
        return "low-income households"
    return f"households earning {bracket_label(group)}"


# -- step 1: the block groups -------------------------------------------------------------------

# The prediction counts block groups can be ranked on: the app's own (each prediction placed by point in
# polygon, following the sidebar) or, where the data has them, the publisher's per block group
# (block_group_counts.csv; for The Markup's data the GeoJSON `count`: their window, their geocoding).
POINTS, PUBLISHED = "points", "published"
COUNTS = (POINTS, PUBLISHED)


def has_published_counts(con) -> bool:
    return bool(scalar(con, "SELECT EXISTS (SELECT 1 FROM block_group_counts)"))


def block_group_frame(con, f: Filters, counts: str = POINTS) -> pd.DataFrame:
    """Every block group of the selection with its prediction count and census counts; only departments
    with at least one prediction inside a selected block group (a ranking of zeros says nothing).
    counts=PUBLISHED takes each block group's count from block_group_counts (0 where it has none); those
    counts carry no dates or types, so only the sidebar's departments and block-group filters apply."""
    fragments, params = f.fragments()
    name = "disparities_block_groups_published" if counts == PUBLISHED else "disparities_block_groups"
    frame = query(con, name, params, **fragments)
    numbers = [c for c in frame.columns if c in ("total", "households", "bracket_households")
               or c in {num for num, _ in GROUPS.values()} or re.fullmatch(INCOME_BRACKET_PATTERN, c)]
    # A block group missing from a census file counts no residents rather than unknown ones.
    frame[numbers] = frame[numbers].fillna(0).astype("float64")
    frame["predictions"] = frame["predictions"].astype("int64")
    return frame


# -- steps 2 and 3: ranks and windows -----------------------------------------------------------

def window_size(n: int) -> int:
    """w = round(5% of n). Python's round, like R's which The Markup used, takes halves to the even
    neighbour: 50 block groups give 2, 90 give 4, 10 give 0 (n × 0.05 is an exact half for these)."""
    return int(round(n * WINDOW_SHARE))


def window_bounds(n: int, at_minimum: int) -> dict[str, tuple[int, int]]:
    """Inclusive rank ranges (rank n = most predictions) of the three windows.

    `at_minimum` (c) is the number of block groups sharing the lowest prediction count. When more than w
    share it, the least-targeted window is ranks c − w … c (the most populous of them) instead of 1 … 1 + w.
    """
    w = window_size(n)
    middle, offset = n // 2, w // 2
    least = (at_minimum - w, at_minimum) if at_minimum > w else (1, 1 + w)
    return {"most": (n - w, n), "median": (middle - offset, middle + offset), "least": least}


def rank_block_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """Rank n (most predictions) … 1 per department; ties keep GEOID order.

    The Markup sorts `arrange(desc(pred_count), desc(glue("total_{demo_type}_est")))`
    (R/preprocessing/rank-and-label.R in the-markup/investigation-prediction-bias): the second key is a
    constant string, not a column, so ties keep the order of the census input, which is GEOID order as far as
    their code shows. Breaking ties by population instead moved 7 of 152 race correlations past 0.05."""
    ordered = frame.sort_values(["department", "predictions", "geoid"],
                                ascending=[True, False, True], kind="mergesort").reset_index(drop=True)
    by_department = ordered.groupby("department", sort=False)
    ordered["n"] = by_department["geoid"].transform("size").astype("int64")
    ordered["rank"] = ordered["n"] - by_department.cumcount()
    return ordered


def decile(predictions: pd.Series, departments: pd.Series) -> pd.Series:
    """1 (fewest predictions) … 10 (most), or <NA>, per department, as The Markup bucketed block groups
    (R/preprocessing/rank-and-label.R): cut at the 10th, 20th … 90th percentiles of the prediction counts (R's
    default quantile, numpy's linear), strictly between two cuts (the first: below the 10th; the last: above
    the 90th up to the maximum). A count equal to a cut is in no bucket, so where many block groups share a
    count (often 0) some buckets are empty and those block groups belong to none."""
    buckets = pd.Series(0, index=predictions.index, dtype="int64")
    for _, counts in predictions.groupby(departments, sort=False):
        values = counts.to_numpy(dtype="float64")
        cuts = np.quantile(values, np.linspace(0, 1, 11))
        bucket = np.where(values < cuts[1], 1, 0)
        for k in range(1, 9):
            bucket[(values > cuts[k]) & (values < cuts[k + 1])] = k + 1
        bucket[values > cuts[9]] = 10
        buckets.loc[counts.index] = bucket
    return buckets.where(buckets > 0).astype("Int64")


def label_windows(ranked: pd.DataFrame) -> pd.DataFrame:
    """Adds window_size, in_most / in_median / in_least, window (the first of most, median, least that
    holds the block group; windows overlap only in departments of a handful of block groups) and decile
    (<NA> for a block group in none of The Markup's buckets)."""
    out = ranked.copy()
    minimum = out.groupby("department")["predictions"].transform("min")
    at_minimum = (out["predictions"] == minimum).groupby(out["department"]).transform("sum")
    out["window_size"] = out["n"].map(window_size).astype("int64")
    for name in WINDOWS:
        lo_hi = [window_bounds(n, c)[name] for n, c in zip(out["n"], at_minimum)]
        lo = np.array([b[0] for b in lo_hi], dtype="int64")
        hi = np.array([b[1] for b in lo_hi], dtype="int64")
        out[f"in_{name}"] = (out["rank"] >= lo) & (out["rank"] <= hi)
    out["window"] = pd.Series([
        "most" if most else "median" if median else "least" if least else None
        for most, median, least in zip(out["in_most"], out["in_median"], out["in_least"])], index=out.index,
        dtype="object")
    out["decile"] = decile(out["predictions"], out["department"])
    return out


def ranked_block_groups(con, f: Filters, counts: str = POINTS) -> pd.DataFrame:
    """Steps 1–3 for the selection: block groups with census counts, rank, windows and decile, ranked on
    `counts` (COUNTS)."""
    ranked = label_windows(rank_block_groups(block_group_frame(con, f, counts)))
    ranked["predictions_per_1000"] = np.where(ranked["total"] > 0,
                                              1000 * ranked["predictions"] / ranked["total"].where(
                                                  ranked["total"] > 0), np.nan)
    return ranked


RANK_COLUMNS = ["department", "geoid", "predictions", "total", "rank", "n", "window", "decile", "in_most",
                "in_median", "in_least"]


def block_group_ranks(con, f: Filters) -> pd.DataFrame:
    """department, geoid, predictions, total, rank (n = most predictions … 1), n, window ('most' |
    'median' | 'least' | None), decile (1..10), plus the in_most / in_median / in_least flags."""
    return ranked_block_groups(con, f)[RANK_COLUMNS]


def ranks_of(frame: pd.DataFrame) -> pd.DataFrame:
    """block_group_ranks() from a frame the caller already has: every selected block group with its
    predictions and residents (`total`), as block_group_frame() gives them."""
    predicted = frame.groupby("department")["predictions"].transform("sum") > 0
    ranked = frame.loc[predicted, ["department", "geoid", "predictions", "total"]].astype(
        {"predictions": "int64", "total": "float64"}).fillna({"total": 0.0})
    return label_windows(rank_block_groups(ranked))[RANK_COLUMNS]


# -- step 4: composition ------------------------------------------------------------------------

def share(frame: pd.DataFrame, numerator: str, denominator: str) -> float:
    """Σ group ÷ Σ everyone over the rows (not a mean of percentages); NaN when nobody lives there."""
    below = frame[denominator].sum()
    return float(frame[numerator].sum() / below) if below > 0 else math.nan


def window_composition(ranked: pd.DataFrame, specs: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """department, group, window ('most', 'median', 'least', 'total'), share, block_groups, people."""
    specs = specs or GROUPS
    rows = []
    for department, dept in ranked.groupby("department", sort=True):
        parts = {name: dept[dept[f"in_{name}"]] for name in WINDOWS}
        parts["total"] = dept
        for group, (num, den) in specs.items():
            for window, part in parts.items():
                rows.append({"department": department, "group": group, "window": window,
                             "share": share(part, num, den), "block_groups": len(part),
                             "people": float(part[den].sum())})
    return pd.DataFrame(rows, columns=["department", "group", "window", "share", "block_groups", "people"])


# -- step 5: correlation ------------------------------------------------------------------------

def spearman(rank: pd.Series, shares: pd.Series) -> float:
    """Spearman's rho (ties in shares get average ranks, as in R's cor); NaN for fewer than three block
    groups or a share that never varies."""
    if len(rank) < 3 or shares.nunique() < 2 or rank.nunique() < 2:
        return math.nan
    return float(spearmanr(rank, shares).statistic)


def spearman_by_department(ranked: pd.DataFrame,
                           specs: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """department, group, spearman, block_groups (those with residents or households, which enter)."""
    specs = specs or GROUPS
    rows = []
    for department, dept in ranked.groupby("department", sort=True):
        for group, (num, den) in specs.items():
            lived = dept[dept[den] > 0]
            rows.append({"department": department, "group": group,
                         "spearman": spearman(lived["rank"], lived[num] / lived[den]), "block_groups": len(lived)})
    return pd.DataFrame(rows, columns=["department", "group", "spearman", "block_groups"])


# -- step 6: deciles ----------------------------------------------------------------------------

def decile_composition(ranked: pd.DataFrame, specs: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """department, decile, group, share, block_groups: the composition of each of The Markup's ten buckets,
    all ten per department (an empty bucket has no block groups and a NaN share)."""
    specs = specs or GROUPS
    rows = []
    for department, dept in ranked.groupby("department", sort=True):
        for tenth in range(1, 11):
            part = dept[dept["decile"] == tenth]
            for group, (num, den) in specs.items():
                rows.append({"department": department, "decile": tenth, "group": group,
                             "share": share(part, num, den), "block_groups": len(part)})
    return pd.DataFrame(rows, columns=["department", "decile", "group", "share", "block_groups"])


# -- beyond the method: exposure ----------------------------------------------------------------

def exposure_ratio(frame: pd.DataFrame, numerator: str, denominator: str) -> float:
    """Predictions per resident where the average member of the group lives, ÷ the same for the average
    resident: Σ g·(p/t) / Σ g  ÷  Σ p / Σ t over block groups with residents (1.0 = parity)."""
    lived = frame[frame[denominator] > 0]
    members = lived[numerator].sum()
    everyone = lived[denominator].sum()
    overall = lived["predictions"].sum() / everyone if everyone > 0 else 0.0
    if members <= 0 or overall <= 0:
        return math.nan
    rate = lived["predictions"] / lived[denominator]
    return float((lived[numerator] * rate).sum() / members / overall)


def exposure_by_department(ranked: pd.DataFrame,
                           specs: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    specs = specs or GROUPS
    rows = [{"department": department, "group": group, "exposure_ratio": exposure_ratio(dept, num, den)}
            for department, dept in ranked.groupby("department", sort=True) for group, (num, den) in specs.items()]
    return pd.DataFrame(rows, columns=["department", "group", "exposure_ratio"])


# -- the table ----------------------------------------------------------------------------------

def table_from_ranked(ranked: pd.DataFrame, specs: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """One row per department × group with the columns of TABLE_COLUMNS."""
    specs = specs or GROUPS
    if ranked.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    comp = window_composition(ranked, specs).pivot_table(index=["department", "group"], columns="window",
                                                         values="share", dropna=False).reset_index()
    comp = comp.rename(columns={"most": "share_most_targeted", "median": "share_median",
                                "least": "share_least_targeted", "total": "share_total"})
    rho = spearman_by_department(ranked, specs)[["department", "group", "spearman"]]
    exposure = exposure_by_department(ranked, specs)
    sizes = ranked.groupby("department").agg(block_groups=("n", "first"), window=("window_size", "first"))
    table = comp.merge(rho, on=["department", "group"]).merge(exposure, on=["department", "group"]) \
        .merge(sizes.reset_index(), on="department")
    order = {g: i for i, g in enumerate(specs)}
    table = table.sort_values(["department", "group"], key=lambda s: s.map(order) if s.name == "group" else s)
    return table[TABLE_COLUMNS].reset_index(drop=True)


def disparity_table(con, filters: Filters, brackets: bool = False, counts: str = POINTS) -> pd.DataFrame:
    """department, group, share_most_targeted, share_median, share_least_targeted, share_total, spearman,
    exposure_ratio, block_groups (n), window (w): one row per department × group (black, latino, white,
    asian, low_income; plus income brackets when `brackets` and the data has them), ranked on `counts`."""
    ranked = ranked_block_groups(con, filters, counts)
    return table_from_ranked(ranked, group_specs(ranked, brackets))


# -- across departments -------------------------------------------------------------------------

def mean_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per group with each column of the table averaged over departments (The Markup's "mean
    composition"); departments with nobody in a window are left out of that window's mean."""
    columns = ["share_most_targeted", "share_median", "share_least_targeted", "share_total", "spearman",
               "exposure_ratio"]
    out = table.groupby("group", sort=False)[columns].mean().reset_index()
    # a department counts for a group when it has the group's figures (income brackets: Plainfield's file only)
    having = table.dropna(subset=["share_total"]).groupby("group")["department"].nunique()
    out.insert(1, "departments", out["group"].map(having).fillna(0).astype("int64").to_numpy())
    return out


def every_department_mean(table: pd.DataFrame, names: dict[str, str] | None = None) -> tuple[pd.DataFrame, str | None]:
    """mean_table over the groups every department of `table` has figures for, and a sentence naming the groups
    left out and the departments that have them (None when none is): an average "of 38 departments" that put
    Plainfield's income brackets beside the 38-department low-income share would mix the two in one chart."""
    wide = mean_table(table)
    n = table["department"].nunique()
    partial = wide[wide["departments"] < n]
    if partial.empty:
        return wide, None
    having = table.dropna(subset=["share_total"]).groupby("group")["department"].unique()
    sentences = []
    for holders, groups in partial.groupby(partial["group"].map(lambda g: tuple(sorted(having.get(g, ())))),
                                           sort=False):
        brackets = not groups["group"].isin(GROUPS).any()
        labels = (f"The household-income brackets ({', '.join(bracket_label(g) for g in groups['group'])})"
                  if brackets else join_words([group_label(g) for g in groups["group"]]))
        if not holders:
            sentences.append(f"No department has figures for {labels[0].lower() + labels[1:]}.")
            continue
        plural = brackets or len(groups) > 1
        places = join_words([(names or {}).get(d, d) for d in holders])
        sentences.append(f"{labels} {'are' if plural else 'is'} given for {places} only, so "
                         f"{'they are' if plural else 'it is'} left out of this average of {n} departments; choose "
                         f"{'one of them' if len(holders) > 1 else places} in the Department list above to see "
                         f"{'them' if plural else 'it'}.")
    return wide[wide["departments"] == n].reset_index(drop=True), " ".join(sentences)


def composition_long(wide: pd.DataFrame) -> pd.DataFrame:
    """group, window ('most', 'median', 'least', 'total'), share from a table or mean_table."""
    columns = {"share_most_targeted": "most", "share_median": "median", "share_least_targeted": "least",
               "share_total": "total"}
    long = wide.melt(id_vars=["group"], value_vars=list(columns), var_name="window", value_name="share")
    long["window"] = long["window"].map(columns)
    return long


def mean_deciles(deciles: pd.DataFrame) -> pd.DataFrame:
    """decile, group, share averaged over departments."""
    out = deciles.groupby(["decile", "group"], sort=False)["share"].agg(["mean", "count"]).reset_index()
    return out.rename(columns={"mean": "share", "count": "departments"}).sort_values(["group", "decile"]) \
        .reset_index(drop=True)


def across_departments(table: pd.DataFrame) -> pd.DataFrame:
    """Per group: departments compared, in how many the most-targeted share is above the median share and
    above the jurisdiction share, mean shares per window, and how the correlations are spread."""
    rows = []
    for group, part in table.groupby("group", sort=False):
        compared = part.dropna(subset=["share_most_targeted", "share_median", "share_total"])
        rho = part["spearman"].dropna()
        rows.append({
            "group": group,
            "departments": len(compared),
            "most_above_median": int((compared["share_most_targeted"] > compared["share_median"]).sum()),
            "most_above_total": int((compared["share_most_targeted"] > compared["share_total"]).sum()),
            "mean_most_targeted": part["share_most_targeted"].mean(),
            "mean_median": part["share_median"].mean(),
            "mean_least_targeted": part["share_least_targeted"].mean(),
            "mean_total": part["share_total"].mean(),
            "positive_correlations": int((rho > 0).sum()),
            "correlations": len(rho),
            "median_spearman": float(rho.median()) if len(rho) else math.nan,
            "exposure_above_parity": int((part["exposure_ratio"].dropna() > 1).sum()),
        })
    return pd.DataFrame(rows)


# -- the scatter --------------------------------------------------------------------------------

def scatter_points(ranked: pd.DataFrame, group: str) -> pd.DataFrame:
    """One row per block group with residents: the group's share, predictions per 1,000 residents,
    residents and the low-income share (for colour)."""
    num, den = group_specs(ranked, brackets=True)[group]
    lived = ranked[(ranked["total"] > 0) & (ranked[den] > 0)]
    return pd.DataFrame({
        "department": lived["department"], "geoid": lived["geoid"], "share": lived[num] / lived[den],
        "predictions": lived["predictions"], "residents": lived["total"].astype("int64"),
        "predictions_per_1000": lived["predictions_per_1000"], "share_low_income": lived["share_low_income"],
        "rank": lived["rank"], "window": lived["window"],
    }).reset_index(drop=True)


# -- readings: one sentence each, from the numbers -----------------------------------------------

def _pct(value: float) -> str:
    return f"{value:.0%}"


def composition_reading(table: pd.DataFrame, place: str) -> str:
    """The group most over-represented in the most-targeted block groups, against the whole area and the
    least-targeted ones; `table` holds one row per group (one department, or means)."""
    rows = table.dropna(subset=["share_most_targeted", "share_total"])
    rows = rows[rows["group"].isin(GROUPS)]
    if rows.empty:
        return f"In {place}, nobody lives in the block groups compared, so there is no composition to read."
    gap = rows["share_most_targeted"] - rows["share_total"]
    top = rows.loc[gap.idxmax()]
    if gap.max() <= 0:
        return (f"In {place}, no group is a larger share of the most-targeted block groups than of the whole "
                "jurisdiction.")
    text = (f"In {place}, {noun(top['group'])} make up {_pct(top['share_most_targeted'])} of the most-targeted "
            f"block groups, against {_pct(top['share_total'])} of the whole jurisdiction")
    if not pd.isna(top["share_least_targeted"]):
        text += f" and {_pct(top['share_least_targeted'])} of the least-targeted"
    white = rows[rows["group"] == "white"]
    if top["group"] != "white" and len(white):
        w = white.iloc[0]
        text += f"; White residents, {_pct(w['share_most_targeted'])} against {_pct(w['share_total'])}"
    return text + "."


def decile_reading(deciles: pd.DataFrame, place: str) -> str:
    """The group whose share changes most from the least- to the most-predicted tenth."""
    wide = deciles[deciles["group"].isin(GROUPS)].pivot_table(index="group", columns="decile", values="share")
    if wide.empty or 1 not in wide.columns or 10 not in wide.columns:
        return f"{place[0].upper() + place[1:]} has too few block groups to split into tenths."
    change = (wide[10] - wide[1]).dropna()
    if change.empty:
        return f"In {place}, nobody lives in the first or last tenth of block groups."
    group = change.abs().idxmax()
    first, last = wide.loc[group, 1], wide.loc[group, 10]
    verb = "rises" if last > first else "falls"
    what = "share of households that are low-income" if group == "low_income" else f"{GROUP_LABELS[group]} share"
    return (f"In {place}, the {what} {verb} from {_pct(first)} in the tenth of block groups with the fewest "
            f"predictions to {_pct(last)} in the tenth with the most.")


def scatter_reading(points: pd.DataFrame, group: str) -> str:
    """How predictions per resident move with the group's share, in words and a rank correlation."""
    lived = points.dropna(subset=["share", "predictions_per_1000"])
    rho = spearman(lived["share"], lived["predictions_per_1000"])
    if math.isnan(rho):
        return "Too few block groups with residents to see a pattern."
    who = "households that are low-income" if group == "low_income" else (
        "residents who are " + GROUP_LABELS[group] if group in RACE else noun(group))
    if abs(rho) < 0.1:
        trend = "shows no clear pattern in predictions per resident"
        return (f"Across {len(lived):,} block groups with residents, the share of {who} {trend} "
                f"(Spearman correlation {rho:+.2f}).")
    direction = "more" if rho > 0 else "fewer"
    return (f"Across {len(lived):,} block groups with residents, the larger the share of {who}, the {direction} "
            f"predictions per resident PredPol tended to make (Spearman correlation {rho:+.2f}).")


def exposure_reading(exposure: pd.DataFrame, place: str) -> str:
    """One department: the most and least exposed groups. Several: in how many each group is above parity."""
    rows = exposure.dropna(subset=["exposure_ratio"])
    rows = rows[rows["group"].isin(GROUPS)]
    if rows.empty:
        return "There are no predictions among residents to compare."
    if rows["department"].nunique() == 1:
        high = rows.loc[rows["exposure_ratio"].idxmax()]
        low = rows.loc[rows["exposure_ratio"].idxmin()]
        return (f"In {place}, the average {_member(high['group'])} lived where PredPol made "
                f"{high['exposure_ratio']:.1f} times as many predictions per resident as the average resident's "
                f"block group got; the average {_member(low['group'])}, {low['exposure_ratio']:.1f} times.")
    counts = rows.assign(above=rows["exposure_ratio"] > 1).groupby("group")["above"].agg(["sum", "count"])
    parts = [f"{GROUP_LABELS[g]} {int(counts.loc[g, 'sum'])} of {int(counts.loc[g, 'count'])}"
             for g in GROUPS if g in counts.index]
    return ("Departments where the average member of each group lived with more predictions per resident than "
            "the average resident: " + ", ".join(parts) + ".")


def _member(group: str) -> str:
    return "low-income household" if group == "low_income" else f"{GROUP_LABELS[group]} resident"


def across_reading(summary: pd.DataFrame) -> str:
    rows = summary.set_index("group")
    parts = [f"{GROUP_LABELS[g]} residents in {int(rows.loc[g, 'most_above_total'])}"
             for g in ("black", "latino", "white") if g in rows.index]
    if not parts:
        return "There are no departments to compare."
    n = int(rows["departments"].max())
    return (f"Of {n} department{'s' if n != 1 else ''}, the most-targeted block groups held a larger share than "
            f"the jurisdiction as a whole of: " + ", ".join(parts) + ".")


def correlation_reading(summary: pd.DataFrame) -> str:
    rows = summary[summary["group"].isin(GROUPS) & (summary["correlations"] > 0)].set_index("group")
    if rows.empty:
        return "No department has enough block groups with residents for a correlation."
    parts = [f"{GROUP_LABELS[g]} {int(rows.loc[g, 'positive_correlations'])} of {int(rows.loc[g, 'correlations'])}"
             f" (median {rows.loc[g, 'median_spearman']:+.2f})" for g in GROUPS if g in rows.index]
    return ("Departments where a block group's prediction rank rose with the group's share (a positive "
            "correlation): " + "; ".join(parts) + ".")


# -- the what-if: all block groups against those of the filter -----------------------------------

SCOPE_LABELS = {"filtered": "Only the filtered block groups", "all": "All block groups"}


def scope_comparison(first: pd.DataFrame, second: pd.DataFrame, department: str | None,
                     first_scope: str = "filtered", second_scope: str = "all") -> pd.DataFrame:
    """The same figures ranked two ways (tables from table_from_ranked), for one department or averaged."""
    parts = []
    for scope, table in ((first_scope, first), (second_scope, second)):
        table = table[table["group"].isin(GROUPS)]
        if department is not None:
            table = table[table["department"] == department]
        wide = mean_table(table) if len(table) else pd.DataFrame(columns=["group"])
        parts.append(wide.assign(scope=SCOPE_LABELS[scope]))
    out = pd.concat(parts, ignore_index=True)
    columns = ["scope", "group", "share_most_targeted", "share_median", "share_least_targeted", "share_total",
               "spearman", "exposure_ratio"]
    return out.reindex(columns=columns)


def scope_reading(comparison: pd.DataFrame, place: str) -> str:
    """How the most-targeted share of the most over-represented group moves between the two rankings."""
    lines = comparison.dropna(subset=["share_most_targeted", "share_total"])
    if lines["scope"].nunique() < 2:
        return f"In {place}, only one of the two rankings has residents to compare."
    gap = lines["share_most_targeted"] - lines["share_total"]
    group = lines.loc[gap.idxmax(), "group"]
    said = []
    for scope, row in lines[lines["group"] == group].set_index("scope").iterrows():
        said.append(f"{scope.lower()}: {_pct(row['share_most_targeted'])} against {_pct(row['share_total'])}")
    return (f"In {place}, the share of {noun(group)} in the most-targeted block groups against the whole set "
            f"ranked — " + "; ".join(said) + ".")
