"""The Data & methods page's reproduction section: The Markup's published figures beside the app's.

The published tables stay where they are (never in the app's data folder); lib.analysis.reproduce.find_published
locates them, and the section says how to point the app at them when it cannot.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from lib import ui
from lib.analysis import reproduce as rp

COUNT_CHOICES = {
    "all_time": "All-time predictions placed by point in polygon (6,280,691 in the files)",
    "geojson": "The GeoJSON `count` property (5,144,541 in all)",
}


@dataclass(frozen=True)
class Reproduction:
    """The comparison and everything the section derives from it, for one store, published folder and counts."""
    table: pd.DataFrame
    headline: dict
    summary: pd.DataFrame
    decile_errors: pd.DataFrame


# A resource shared by every session, read and never changed: the per-department decile errors alone took 0.3 s of
# Python on each run of the page, and fifty readers opening it queued behind each other (benchmarks/RESULTS.md).
@st.cache_resource(show_spinner="Setting every published figure beside the app's…", max_entries=4)
def _reproduction(_con, data_key: str, root: str, counts: str) -> Reproduction:
    table = rp.reproduction(_con, Path(root), counts)
    return Reproduction(table, rp.headline(table), rp.summary(table), rp.decile_errors(table))


def render(ctx) -> None:
    st.header("Reproducing The Markup's figures")
    root = rp.find_published(ctx.dataset.data_dir)
    if root is None:
        st.info("This section sets every figure of The Markup's published tables beside the app's. It needs those "
                "tables, which are not part of the app's data: set the environment variable "
                f"`{rp.ENV}` to the folder that holds `{rp.BIAS}/published` (the folder `python -m lib.cli "
                "import-markup` read), or import the data from there. The same comparison runs offline with "
                "`python -m lib.cli reproduce DATA_DIR --published FOLDER --out reproduction.csv`.",
                icon=":material/fact_check:")
        return
    st.markdown(
        "**Which counts.** The Markup ranked block groups on the predictions inside each department's analysis "
        "window, **5,970,024** in all (the “5.9 million” of their story; `prediction_count.csv`), placed in block "
        "groups by their own geocoding of each prediction, which is not published. The files hold **6,280,691** "
        "predictions over all dates as box centres with a total each; the app places those in block groups by "
        "point in polygon and ranks on them. The GeoJSON's `count` property is a third figure (5,144,541; Clovis "
        "91,989 against 44,057 in the window), so it is not the window count either. Choose which the comparison "
        "ranks on:")
    counts = st.radio("Counts to rank on", list(COUNT_CHOICES), format_func=COUNT_CHOICES.get,
                      key="reproduce_counts", label_visibility="collapsed")
    reproduction = _reproduction(ctx.con, str(ctx.dataset.store), str(root), counts)
    table, head = reproduction.table, reproduction.headline
    # Two rows of two: four long labels side by side were cut off at 1,400 px.
    c = st.columns(2) + st.columns(2)
    c[0].metric("Race correlations within 0.05", f"{head['race_within']} of {head['race_pairs']}")
    c[1].metric("Low-income correlations within 0.05", f"{head['income_within']} of {head['income_pairs']}")
    c[2].metric("Race deciles: mean absolute difference", f"{head['race_decile_mae']:.3f}")
    c[3].metric("Low-income deciles: mean absolute difference", f"{head['income_decile_mae']:.3f}")
    st.markdown(
        "The method follows The Markup's R code: block groups ranked by predictions with ties in GEOID order "
        "(`R/preprocessing/rank-and-label.R`), windows of 5%, Spearman correlations, deciles cut at the "
        "prediction-count percentiles. What stays different, and why, is on every row: **counts** (the window "
        "and the geocoding above); **bounds** (for window means The Markup took per department the smallest of "
        "the estimate, lower and upper bound, which are unpublished except Plainfield's lower bounds, so the "
        "app's means are higher by 3 to 11 points where only estimates exist); **income brackets** other than "
        "“Less than 45k” (free-lunch eligibility) are not published. Tables built on arrests, use of force or "
        "UCR crime rates are shown as published: their inputs are not public, so they cannot be recomputed here.")
    st.dataframe(reproduction.summary, hide_index=True, width="stretch",
                 column_config={"table": "Published table", "figures": "Figures", "matches": "Match",
                                "differs": "Differ (reason given)", "not recomputable": "Not recomputable"})
    # Drawn only when opened: the rows that differ are about 600 KB, most of what the page sent on opening.
    every = ui.on_demand(f"Every figure ({len(table):,}), The Markup's beside the app's, with why they differ",
                         "reproduce_every_open")
    if every:
        with every:
            picked = st.selectbox("Show the figures of", ["every table", *dict.fromkeys(table["table"])],
                                  key="reproduce_table")
            status = st.segmented_control("Status", [rp.MATCHES, rp.DIFFERS, rp.NOT_RECOMPUTABLE],
                                          selection_mode="multi", default=[rp.DIFFERS, rp.NOT_RECOMPUTABLE],
                                          key="reproduce_status")
            shown = table if picked == "every table" else table[table["table"] == picked]
            shown = shown[shown["status"].isin(status or [])]
            st.dataframe(shown, hide_index=True, width="stretch", column_config={
                "published": st.column_config.NumberColumn("The Markup", format="%.4f"),
                "app": st.column_config.NumberColumn("This app", format="%.4f"),
                "difference": st.column_config.NumberColumn("Difference", format="%+.4f"),
                "reason": st.column_config.TextColumn("Why they differ", width="large")})
    _deciles_by_department(reproduction.decile_errors)
    ui.download(table, f"reproduction-{counts}", "Download the whole comparison")
    st.caption(f"Published tables read from `{root}` (never copied into the app's data).")


def _deciles_by_department(errors: pd.DataFrame) -> None:
    if errors.empty:
        return
    moved = int((errors["buckets_moved"] > 0).sum())
    same_method = int(errors["income_off_where_race_same"].sum()) == 0
    st.markdown(
        f"**Deciles, department by department.** In {moved} of {len(errors)} departments some of the ten "
        "prediction-count buckets hold other block groups than The Markup's, because the counts differ (the "
        "window, the geocoding, or where each prediction was placed; the reason is on each row). "
        + ("Wherever a bucket holds the same block groups (its four race shares agree exactly), its low-income "
           "share agrees exactly too: the method is The Markup's, and the remaining difference is the counts, "
           "which the published files cannot reproduce." if same_method else
           "In some buckets holding the same block groups the low-income share still differs: see the rows."))
    st.dataframe(errors, hide_index=True, width="stretch", column_config={
        "department": "Department",
        "race_mae": st.column_config.NumberColumn("Race deciles, mean absolute difference", format="%.3f"),
        "income_mae": st.column_config.NumberColumn("Low-income deciles, mean absolute difference",
                                                    format="%.3f"),
        "buckets_moved": st.column_config.NumberColumn("Buckets holding other block groups (of 10)"),
        "income_off_where_race_same": None,
        "reason": st.column_config.TextColumn("Why", width="large")})
