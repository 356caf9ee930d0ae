"""Compare: two selections side by side, and what a figure or a finding becomes without some predictions.

Selection A is the sidebar's, B the same filters set again (URL keys prefixed b_). Every figure comes from
overview.headline and disparities.disparity_table, run once per selection; this module only lines them up and
says the difference in words. Exclusions (lib/analysis/exclusions.py) are run on cursors of their own, so one
connection answers "with" and "without" side by side.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Mapping
from urllib.parse import parse_qs

import pandas as pd

from lib.analysis import disparities, exclusions, overview
from lib.filters import B_PREFIX, COMPARE_KEY, EXCLUDE_KEY, FilterOptions, Filters

# What each exclusion leaves out, after "without".
WITHOUT = {"artefacts": "artefact sites", "outside": "points outside the jurisdiction",
           "geocoding": "points with flagged geocoding"}

# figure -> (label, kind, sentence saying how B stands to A: {ratio} or {points} filled in)
FIGURES: dict[str, tuple[str, str, str]] = {
    "predictions": ("Predictions", "count", "B had {ratio} the predictions of A"),
    "block_groups": ("Block groups", "count", "B covers {ratio} the block groups of A"),
    "residents": ("Residents", "count", "B's block groups hold {ratio} the residents of A's"),
    "per_1000": ("Predictions per 1,000 residents", "rate",
                 "B's block groups received {ratio} the predictions per resident of A's"),
    "per_1000_black_latino": ("Predictions per 1,000 residents, majority Black or Latino block groups", "rate",
                              "B's majority Black or Latino block groups received {ratio} the predictions per "
                              "resident of A's"),
    "per_1000_other": ("Predictions per 1,000 residents, other block groups", "rate",
                       "B's other block groups received {ratio} the predictions per resident of A's"),
    "share_black_latino": ("Share of predictions in majority Black or Latino block groups", "share",
                           "Majority Black or Latino block groups drew {points} of B's predictions than of A's"),
    "share_low_income": ("Share of predictions in mostly low-income block groups", "share",
                         "Mostly low-income block groups drew {points} of B's predictions than of A's"),
}


# -- one selection's figures --------------------------------------------------------------------

def _rate(predictions: float | None, people: float | None) -> float | None:
    if predictions is None or not people:
        return None
    return 1000 * predictions / people


def figures(con, f: Filters) -> dict[str, float | None]:
    """The FIGURES of one selection, from overview.headline. Rates count the predictions inside block groups
    (those outside have no residents); the majority Black or Latino rate splits them by the headline's shares."""
    h = overview.headline(con, f)
    inside = h["predictions"] - h["predictions_outside_shown"]
    residents = h["residents"]
    # A selection without majority Black or Latino block groups has a share of 0 there, not an unknown one.
    share_p = _share(h["share_predictions_black_latino_majority"], inside)
    share_r = _share(h["share_residents_black_latino_majority"], residents)
    bl_predictions = None if share_p is None else share_p * inside
    bl_residents = None if share_r is None else share_r * residents
    return {
        "predictions": h["predictions"],
        "block_groups": h["block_groups"],
        "residents": residents,
        "per_1000": _rate(inside, residents),
        "per_1000_black_latino": _rate(bl_predictions, bl_residents),
        "per_1000_other": None if bl_predictions is None or bl_residents is None else
        _rate(inside - bl_predictions, residents - bl_residents),
        "share_black_latino": share_p,
        "share_low_income": _share(h["share_predictions_low_income_majority"], inside),
    }


def _share(value: float | None, whole: float) -> float | None:
    return 0.0 if value is None and whole else value


# -- words ---------------------------------------------------------------------------------------

def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def ratio_text(ratio: float) -> str:
    """'2.3×', '0.43× (57% less)'."""
    if ratio >= 1:
        return f"{ratio:.1f}×"
    return f"{ratio:.2f}× ({1 - ratio:.0%} less)"


def difference_words(figure: str, a, b) -> str:
    """How B stands to A on one figure, in a sentence."""
    _, kind, sentence = FIGURES[figure]
    if _missing(a) or _missing(b):
        which = " and ".join(name for name, v in (("A", a), ("B", b)) if _missing(v))
        return f"Not available for {which}: no residents or no predictions there."
    if kind == "share":
        points = (b - a) * 100
        if abs(points) < 0.5:
            return f"About the same in A and B ({a:.0%} and {b:.0%})."
        amount = f"{abs(points):.0f} percentage point{'s' if round(abs(points)) != 1 else ''} " + \
                 ("more" if points > 0 else "less")
        return sentence.format(points=amount) + f" ({b:.0%} against {a:.0%})."
    if a == 0:
        return f"None in A, {_number(b, kind)} in B." if b else "None in A or B."
    ratio = b / a
    if abs(ratio - 1) < 0.005:
        return f"The same in A and B ({_number(a, kind)})."
    return sentence.format(ratio=ratio_text(ratio)) + f" ({_number(b, kind)} against {_number(a, kind)})."


def _number(value, kind: str) -> str:
    if _missing(value):
        return "–"
    if kind == "share":
        return f"{value:.0%}"
    if kind == "fine_share":
        return f"{value:.2%}"
    if kind == "rate":
        return f"{value:,.1f}"
    return f"{int(value):,}"


def formatted(figure: str, value) -> str:
    """A figure's value as a page shows it."""
    return formatted_kind(FIGURES[figure][1], value)


def formatted_kind(kind: str, value) -> str:
    """A value of `kind` (count, rate, share, fine_share) as a page shows it."""
    return _number(value, kind)


def direction(a, b) -> str:
    if _missing(a) or _missing(b) or a == b:
        return "same" if not (_missing(a) or _missing(b)) else "unknown"
    return "higher in B" if b > a else "lower in B"


# -- A against B ---------------------------------------------------------------------------------

def headline_pair(con, a: Filters, b: Filters) -> pd.DataFrame:
    """figure, label, a, b, difference (B − A), ratio (B ÷ A), direction, words: one row per FIGURES entry."""
    fa, fb = figures(con, a), figures(con, b)
    rows = []
    for figure, (label, kind, _) in FIGURES.items():
        va, vb = fa[figure], fb[figure]
        both = not (_missing(va) or _missing(vb))
        rows.append({"figure": figure, "label": label, "a": va, "b": vb,
                     "difference": vb - va if both else None,
                     "ratio": vb / va if both and va else None,
                     "direction": direction(va, vb), "words": difference_words(figure, va, vb)})
    return pd.DataFrame(rows)


FINDING_COLUMNS = ["group", "departments", "positive_correlations", "correlations", "median_spearman",
                   "mean_most_targeted", "mean_least_targeted"]


def finding(con, f: Filters, counts: str = disparities.POINTS) -> pd.DataFrame:
    """The Disparities finding of a selection, per group (race and low income): departments compared, how many
    correlations are positive, the median correlation, and the mean most- and least-targeted shares; block groups
    ranked on `counts` (disparities.COUNTS)."""
    table = disparities.disparity_table(con, f, counts=counts)
    if table.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    summary = disparities.across_departments(table[table["group"].isin(disparities.GROUPS)])
    return summary[FINDING_COLUMNS]


def finding_pair(con, a: Filters, b: Filters, counts: str = disparities.POINTS) -> pd.DataFrame:
    """group, then each FINDING_COLUMNS figure for A (_a) and B (_b), and words for the most- vs least-targeted
    gap and the correlation; both ranked on `counts`."""
    out = finding(con, a, counts).merge(finding(con, b, counts), on="group", how="outer", suffixes=("_a", "_b"))
    out["words"] = [_finding_words(row) for row in out.to_dict("records")]
    return out


def _finding_words(row: Mapping) -> str:
    noun = disparities.noun(row["group"])
    parts = []
    for side in ("a", "b"):
        most, least, rho = (row.get(f"{c}_{side}") for c in ("mean_most_targeted", "mean_least_targeted",
                                                               "median_spearman"))
        if _missing(most):
            parts.append(f"{side.upper()}: no ranking")
            continue
        against = " (nobody lives in the least-targeted)" if _missing(least) else \
            f" against {least:.0%} of the least-targeted"
        rho_text = "" if _missing(rho) else f", median correlation {rho:+.2f}"
        parts.append(f"{side.upper()}: {most:.0%} of the most-targeted{against}{rho_text}")
    return f"{noun.capitalize()} — " + "; ".join(parts) + "."


# -- with and without ---------------------------------------------------------------------------

def _variants(reasons) -> list[tuple[str, tuple[str, ...]]]:
    """(label, reasons) for each reason alone and, when there are several, all of them together."""
    reasons = exclusions.normalise(reasons)
    out = [(WITHOUT[r], (r,)) for r in reasons]
    if len(reasons) > 1:
        out.append(("all of these", reasons))
    return out


def _on_cursor(con, reasons, compute, sites=()):
    cursor = exclusions.cursor(con, reasons, sites)
    try:
        return compute(cursor)
    finally:
        cursor.close()


def exclusion_effects(con, f: Filters, reasons) -> pd.DataFrame:
    """figure, label, exclusion, reasons, with, without, change (without − with), change_share, words: every
    FIGURES entry with all predictions and without those of each reason (and of all of them together)."""
    base = replace(f, exclude=(), exclude_sites=())
    with_all = _on_cursor(con, (), lambda c: figures(c, base))
    rows = []
    for label, variant in _variants(reasons):
        without = _on_cursor(con, variant, lambda c: figures(c, replace(f, exclude=variant)), f.exclude_sites)
        for figure, (figure_label, kind, _) in FIGURES.items():
            before, after = with_all[figure], without[figure]
            both = not (_missing(before) or _missing(after))
            change = after - before if both else None
            rows.append({"figure": figure, "label": figure_label, "exclusion": label, "reasons": ",".join(variant),
                         "with": before, "without": after, "change": change,
                         "change_share": change / before if both and before else None,
                         "words": change_words(kind, before, after)})
    return pd.DataFrame(rows)


def change_words(kind: str, before, after) -> str:
    """'39 → 13 (-66.7%)', '+2.0 percentage points (40.0% → 42.0%)', 'unchanged': a figure of `kind` (count, rate,
    share) with and without some predictions."""
    if _missing(before) or _missing(after):
        return "not available"
    if kind in ("share", "fine_share"):  # fine: a rate of a few in a thousand (the accuracy method's)
        points, places = (after - before) * 100, 1 if kind == "share" else 2
        if abs(points) < 0.5 * 10 ** -places:
            return "unchanged"
        return f"{points:+.{places}f} percentage points ({before:.{places}%} → {after:.{places}%})"
    if after == before:
        return "unchanged"
    relative = f" ({_percent_change(before, after)})" if before else ""
    return f"{_number(before, kind)} → {_number(after, kind)}{relative}"


def _percent_change(before: float, after: float) -> str:
    change = (after - before) / before
    return f"{change:+.1%}" if abs(change) >= 0.001 else f"{change:+.2%}"


@dataclass(frozen=True)
class Survival:
    """What the Disparities finding becomes without each exclusion's predictions (finding_survival)."""
    summary: pd.DataFrame  # one row per exclusion and group
    departments: pd.DataFrame  # one row per exclusion, department and group


DEPARTMENT_COLUMNS = ["exclusion", "reasons", "department", "group", "spearman_with", "spearman_without",
                      "sign_kept", "share_most_targeted_with", "share_most_targeted_without",
                      "share_least_targeted_with", "share_least_targeted_without"]


def finding_survival(con, f: Filters, reasons) -> Survival:
    """Whether the Disparities finding holds without each reason's predictions (and all of them together).
    summary, per group: the FINDING_COLUMNS with (_with) and without (_without), and
      correlation_holds: the median correlation keeps its sign,
      gap_holds: the mean most-targeted share stays above (or below) the mean least-targeted one,
      sign_flips: departments whose correlation changes sign,
      largest_change: the most any department's correlation moves,
      removed, removed_inside: the predictions the exclusion takes out of the selection, and of them those inside
        a block group (the only ones the finding counts), words;
    departments, per department and group: each correlation and window share with and without, sign_kept."""
    base = replace(f, exclude=(), exclude_sites=())
    table_with = _on_cursor(con, (), lambda c: disparities.disparity_table(c, base))
    counted_with = _on_cursor(con, (), lambda c: _predictions_counted(c, base))
    table_with = table_with[table_with["group"].isin(disparities.GROUPS)]
    summary_with = _summary(table_with)
    summaries, departments = [], []
    for label, variant in _variants(reasons):
        without = replace(f, exclude=variant)

        def rank_without(cursor, without=without):
            counted = _predictions_counted(cursor, without)
            # Exclusions only take predictions away: with none gone from a block group, the ranking is unchanged.
            if counted[1] == counted_with[1]:
                return table_with, counted
            return disparities.disparity_table(cursor, without), counted

        table_without, counted = _on_cursor(con, variant, rank_without, f.exclude_sites)
        both = table_with.merge(table_without, on=["department", "group"], how="outer",
                                suffixes=("_with", "_without"))
        both["sign_kept"] = [_same_sign(a, b) for a, b in zip(both["spearman_with"], both["spearman_without"])]
        both.insert(0, "exclusion", label)
        both.insert(1, "reasons", ",".join(variant))
        departments.append(both[DEPARTMENT_COLUMNS])
        out = summary_with.merge(_summary(table_without), on="group", how="outer", suffixes=("_with", "_without"))
        flips = both[both["sign_kept"].eq(False)].groupby("group").size()
        out["sign_flips"] = out["group"].map(flips).fillna(0).astype(int)
        moved = (both["spearman_without"] - both["spearman_with"]).abs().groupby(both["group"]).max()
        out["largest_change"] = out["group"].map(moved)
        out["removed"] = counted_with[0] - counted[0]
        out["removed_inside"] = counted_with[1] - counted[1]
        out["correlation_holds"] = [_same_sign(r["median_spearman_with"], r["median_spearman_without"])
                                    for r in out.to_dict("records")]
        out["gap_holds"] = [_same_sign(r["mean_most_targeted_with"] - r["mean_least_targeted_with"],
                                       r["mean_most_targeted_without"] - r["mean_least_targeted_without"])
                            for r in out.to_dict("records")]
        out.insert(0, "exclusion", label)
        out.insert(1, "reasons", ",".join(variant))
        out["words"] = [_survival_words(r) for r in out.to_dict("records")]
        summaries.append(out)
    if not summaries:
        return Survival(pd.DataFrame(), pd.DataFrame(columns=DEPARTMENT_COLUMNS))
    return Survival(pd.concat(summaries, ignore_index=True), pd.concat(departments, ignore_index=True))


def survival_verdict(summary: pd.DataFrame) -> str:
    """The Disparities page's sentence on finding_survival()'s summary (true whatever the data)."""
    if summary.empty:
        return ""
    if not summary["removed_inside"].any():
        return ("No exclusion takes out a prediction inside a block group here, so every correlation and every "
                "most- against least-targeted share is exactly what it was.")
    held = summary[["correlation_holds", "gap_holds"]].ne(False).all(axis=1)
    verdict = "holds for every group" if held.all() else \
        f"does not hold for {int((~held).sum())} of {len(held)} group–exclusion pairs"
    flips = int(summary["sign_flips"].sum())
    return (f"Averaged over departments, the finding (the sign of the median correlation, the most- against the "
            f"least-targeted share) **{verdict}**; " +
            (f"{flips} department correlation{'s' if flips != 1 else ''} change{'' if flips != 1 else 's'} sign."
             if flips else "no department's correlation changes sign."))


def survival_lines(summary: pd.DataFrame) -> list[str]:
    """finding_survival()'s words, one line for an exclusion that changes nothing the finding counts."""
    lines = []
    for _, part in summary.groupby("exclusion", sort=False):
        first = part.iloc[0]
        if not first["removed_inside"]:
            lines.append(first["words"].split(": ", 1)[1].capitalize())
        else:
            lines.extend(part["words"])
    return lines


def _predictions_counted(con, f: Filters) -> tuple[int, int]:
    """The selection's predictions, and those inside a block group."""
    where, params = f.where("p")
    row = con.execute(f"SELECT coalesce(sum(count), 0), coalesce(sum(count) FILTER (WHERE geoid IS NOT NULL), 0) "
                      f"FROM prediction_days p WHERE {where}", params).fetchall()[0]
    return int(row[0]), int(row[1])


def _summary(table: pd.DataFrame) -> pd.DataFrame:
    table = table[table["group"].isin(disparities.GROUPS)]
    if table.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    return disparities.across_departments(table)[FINDING_COLUMNS]


def _same_sign(before, after) -> bool | None:
    if _missing(before) or _missing(after):
        return None
    return (before > 0) == (after > 0) and (before < 0) == (after < 0)


def _survival_words(row: Mapping) -> str:
    noun = disparities.noun(row["group"]).capitalize()
    if not row["removed"]:
        return f"{noun}: nothing changes without {row['exclusion']} — it takes out no prediction here."
    if not row["removed_inside"]:
        return (f"{noun}: nothing changes without {row['exclusion']} — the {row['removed']:,} predictions it takes "
                "out lie in no block group, and the correlations and shares count only predictions inside block "
                "groups.")
    said = []
    if row["correlation_holds"] is None:
        said.append("no correlation to compare")
    else:
        said.append(f"median correlation {row['median_spearman_with']:+.2f} → {row['median_spearman_without']:+.2f}"
                    f" ({int(row['positive_correlations_without'])} of {int(row['correlations_without'])} "
                    f"departments positive, were {int(row['positive_correlations_with'])} of "
                    f"{int(row['correlations_with'])})"
                    + ("" if row["correlation_holds"] else ": the sign changes"))
    if row["gap_holds"] is None:
        said.append("no most- and least-targeted windows to compare")
    else:
        said.append(f"most- vs least-targeted {row['mean_most_targeted_with']:.0%} vs "
                    f"{row['mean_least_targeted_with']:.0%} → {row['mean_most_targeted_without']:.0%} vs "
                    f"{row['mean_least_targeted_without']:.0%}" + ("" if row["gap_holds"] else ": the gap reverses"))
    holds = row["correlation_holds"] is not False and row["gap_holds"] is not False
    verdict = "holds" if holds else "does not hold"
    flips = f"; {row['sign_flips']} department(s) change sign" if row["sign_flips"] else \
        ("" if _missing(row["largest_change"]) else
         "; no department's correlation changes sign, and none moves by " +
         (f"more than {row['largest_change']:.2f}" if row["largest_change"] >= 0.005 else "as much as 0.01"))
    return f"{noun}: the finding {verdict} without {row['exclusion']} — " + "; ".join(said) + flips + "."


# -- selections from links -----------------------------------------------------------------------

def params_of(query: str) -> dict[str, list[str]]:
    """A URL query ('dept=a&majority=black', with or without a leading '?' or a whole URL) as parameters."""
    query = query.split("?", 1)[1] if "?" in query else query
    return parse_qs(query, keep_blank_values=False)


def selection_b(params: Mapping[str, list[str]], options: FilterOptions) -> tuple[Filters, list[str]]:
    """Selection B from the b_-prefixed keys of a link; it shares A's exclusions (key excl)."""
    unprefixed = {k[len(B_PREFIX):]: v for k, v in params.items() if k.startswith(B_PREFIX)}
    unprefixed[EXCLUDE_KEY] = list(params.get(EXCLUDE_KEY, []))
    f, notices = Filters.from_query_params(unprefixed, options)
    return f, [n.replace("in the link", "in the link for selection B") for n in notices]


def b_query_params(b: Filters) -> dict[str, list[str]]:
    """B's keys for a link (its exclusions travel as A's excl)."""
    return {B_PREFIX + k: v for k, v in b.to_query_params().items() if k != EXCLUDE_KEY}


def link(a: Filters, b: Filters) -> str:
    """The query of the app's link showing A against B (with A's exclusions)."""
    from urllib.parse import urlencode
    return urlencode({**a.to_query_params(), COMPARE_KEY: ["1"], **b_query_params(b)}, doseq=True)
