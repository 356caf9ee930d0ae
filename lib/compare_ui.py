"""Compare mode and what-if exclusions in the app: the sidebar controls, and one section per page.

The sidebar's filters are selection A; `sidebar()` adds the exclusions (they apply to every figure of every
page) and, when compare mode is on, selection B set with the same filters. Both live in the link (keys excl,
cmp and b_…), so a comparison is shared by its URL. Pages call one function each (overview, map_section,
disparities_section) where the side-by-side view belongs.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from lib import compare_sheet, ui
from lib.analysis import accuracy, compare, disparities, exclusions, exclusions_effects, maps
from lib.charts import compare as charts
from lib.filters import B_PREFIX, COMPARE_KEY, EXCLUDE_KEY, EXCLUSION_SHORT, EXCLUSIONS, FilterOptions, Filters
from lib.places import panel

B_STATE = "_compare_b"
# The figures shown as metrics on the Overview, with labels short enough for a metric.
METRICS = {"predictions": "Predictions", "per_1000": "Per 1,000 residents",
           "per_1000_black_latino": "Per 1,000, Black/Latino areas",
           "share_black_latino": "Share in Black/Latino areas"}
SEEDED = "_compare_seeded"
B_WIDGETS = "b_flt_"  # B's widgets: the sidebar filters' keys, prefixed


# -- the sidebar ------------------------------------------------------------------------------------

def _copy_a(a: Filters, options: FilterOptions) -> None:
    ui.seed_widgets(a, options, B_WIDGETS)


# The pages (url paths) whose figures an exclusion reaches (it rewrites the prediction tables and those stored at
# load from them); Data & methods describes the data as loaded, and the SQL page's tables are the files'.
EXCLUDING_PAGES = ("", "overview", "map", "disparities", "audit", "accuracy")


def sidebar(a: Filters, con, options: FilterOptions, dataset_key: str, page: str = ""):
    """Exclusions and selection B under the sidebar filters. On the EXCLUDING_PAGES (`page`: the url path)
    returns A with its exclusions and `con` honouring them, elsewhere A and `con` as they were; selection B (or
    None) is kept for the pages (selection_b())."""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    if st.session_state.get(SEEDED) != dataset_key:
        linked, _ = Filters.from_query_params(params, options)
        b, b_notices = compare.selection_b(params, options)
        st.session_state["excl_kinds"] = list(linked.exclude)
        st.session_state["cmp_on"] = params.get(COMPARE_KEY, [""])[0] == "1"
        ui.seed_widgets(b, options, B_WIDGETS)
        st.session_state[SEEDED] = dataset_key
        st.session_state["_compare_notices"] = b_notices  # the sidebar filters say A's
    sb = st.sidebar
    for notice in st.session_state.get("_compare_notices", []):
        sb.info(notice, icon=":material/link_off:")
    sb.header("What if")
    reasons = sb.multiselect(
        "Leave out predictions", list(EXCLUSIONS), key="excl_kinds", format_func=EXCLUSION_SHORT.get,
        placeholder="None left out",
        help="Take these predictions out of every figure on Overview, Map, Disparities, Audit and Accuracy: " +
             "; ".join(f"{EXCLUSION_SHORT[k].lower()}: {words}" for k, words in EXCLUSIONS.items()) + ".")
    on = sb.toggle("Compare with a second selection (B)", key="cmp_on",
                   help="Keep the filters above as selection A and set selection B below; Overview, Map and "
                        "Disparities show both side by side.")
    excluding = page in EXCLUDING_PAGES
    reasons = exclusions.normalise(reasons)
    # Police stations, jails, courts and hospitals added in the session (the link's site=) count as artefacts.
    sites = exclusions.added_artefacts(panel.current()) if "artefacts" in reasons else ()
    sites, busy = exclusions.admit(con, reasons, sites)
    for notice in busy:
        sb.warning(notice, icon=":material/hourglass_top:")
    for notice in exclusions.notices(con, reasons, sites):
        sb.warning(notice, icon=":material/info:")
        sb.page_link("pages/audit.py", label="Add a site on the Audit page", icon=":material/add_location_alt:")
    if sites:
        sb.caption(f"{len(sites)} site{'s' if len(sites) != 1 else ''} added in this session count as artefact "
                   "sites.")
    if reasons and not excluding:
        sb.caption("Every page but this one leaves these out; this page shows the data as loaded.")
    a = replace(a, exclude=reasons, exclude_sites=sites)
    b = _b_form(a, options) if on else None
    st.session_state[B_STATE] = b
    _write_link(a, b)
    if not excluding:
        return replace(a, exclude=(), exclude_sites=()), con
    return a, exclusions.honour(con, a.exclude, a.exclude_sites)


def _b_form(a: Filters, options: FilterOptions) -> Filters:
    with st.sidebar.expander("Selection B", expanded=True, icon=":material/compare_arrows:"):
        st.button("Start from A", on_click=_copy_a, args=(a, options), key="b_copy_a", width="stretch",
                  help="Set B's filters to A's, then change the one you want to compare.")
        b = ui.filter_widgets(st, options, B_WIDGETS)
    return replace(b, exclude=a.exclude, exclude_sites=a.exclude_sites)


def _write_link(a: Filters, b: Filters | None) -> None:
    wanted = {EXCLUDE_KEY: list(a.exclude)} if a.exclude else {}
    if b is not None:
        wanted.update({COMPARE_KEY: ["1"], **compare.b_query_params(b)})
    for key in [k for k in st.query_params if k in (EXCLUDE_KEY, COMPARE_KEY) or k.startswith(B_PREFIX)]:
        if key not in wanted:
            del st.query_params[key]
    for key, values in wanted.items():
        if st.query_params.get_all(key) != values:
            st.query_params[key] = values


def selection_b() -> Filters | None:
    return st.session_state.get(B_STATE)


# -- cached figures (shared by every session showing the same selections) ---------------------------

@st.cache_data(show_spinner="Comparing A and B…", max_entries=32)
def _headline_pair(_con, key: str, a: Filters, b: Filters) -> pd.DataFrame:
    return compare.headline_pair(_con, a, b)


@st.cache_data(show_spinner="Ranking both selections…", max_entries=16)
def _finding_pair(_con, key: str, a: Filters, b: Filters, counts: str) -> pd.DataFrame:
    return compare.finding_pair(_con, a, b, counts)


@st.cache_data(show_spinner="Counting what the exclusions take out…", max_entries=16)
def _effects(_con, key: str, f: Filters) -> pd.DataFrame:
    return compare.exclusion_effects(_con, f, f.exclude)


@st.cache_data(show_spinner="Ranking again without the left-out predictions…", max_entries=16)
def _survival(_con, key: str, f: Filters) -> compare.Survival:
    return compare.finding_survival(_con, f, f.exclude)


@st.cache_data(show_spinner="Drawing both maps…", max_entries=16)
def _map_parts(_con, key: str, f: Filters):
    """view, block groups (no geometry), their GeoJSON, prediction markers and the map in one sentence."""
    view = maps.view(_con, f)
    shapes = maps.block_groups(_con, f)
    points = maps.thin(maps.locations(_con, f))
    frame = shapes.drop(columns="geometry_json")
    summary = maps.map_summary(frame, points, view) if view is not None else None
    return view, frame, maps.geojson(shapes), points.frame, summary


# -- page sections ----------------------------------------------------------------------------------

def _a_against_b(ctx, b: Filters) -> None:
    """The section's heading and what A and B each select."""
    st.subheader("A against B")
    c = st.columns(2)
    for column, name, f in ((c[0], "A", ctx.filters), (c[1], "B", b)):
        column.markdown(f"**{name}** — " + replace(f, exclude=()).describe(ctx.names, subject="block groups"))
    if b.exclude:
        st.caption("Both leave out " + " and ".join(EXCLUSIONS[e] for e in b.exclude) + ".")


def _pair_table(pair: pd.DataFrame) -> None:
    shown = pd.DataFrame({
        "Figure": pair["label"],
        "A": [compare.formatted(f, v) for f, v in zip(pair["figure"], pair["a"])],
        "B": [compare.formatted(f, v) for f, v in zip(pair["figure"], pair["b"])],
        "B against A": pair["words"]})
    st.dataframe(shown, hide_index=True, width="stretch")


def overview(ctx) -> None:
    """Overview: A and B's headline figures side by side with the difference in words; what the exclusions
    change."""
    b = selection_b()
    key = str(ctx.dataset.store)
    if b is not None:
        _a_against_b(ctx, b)
        pair = _headline_pair(ctx.con, key, ctx.filters, b)
        rows = pair.set_index("figure")
        for figure, label in METRICS.items():
            c = st.columns([3, 3, 6])
            for column, side in zip(c, "ab"):
                column.metric(f"{side.upper()} · {label}", compare.formatted(figure, rows.loc[figure, side]),
                              help=rows.loc[figure, "label"])
            c[2].markdown(f"<br>{rows.loc[figure, 'words']}", unsafe_allow_html=True)
        with st.expander("Every figure, A and B", expanded=False, icon=":material/table:"):
            _pair_table(pair)
            ui.download(pair, "compare-a-b", "Download the comparison")
        _sheet_button(ctx, b)
    exclusion_effects(ctx)


def _sheet_button(ctx, b: Filters) -> None:
    con, a, names, is_demo = ctx.con, ctx.filters, ctx.names, ctx.dataset.is_demo

    def build() -> bytes:
        # Built only on click, on its own thread beside the page's reruns: it gets its own cursor.
        cursor = exclusions.cursor(con, a.exclude, a.exclude_sites)
        try:
            return compare_sheet.comparison_html(cursor, a, b, names, is_demo).encode()
        finally:
            cursor.close()

    st.download_button("Download the comparison sheet (HTML)", build, "comparison.html", "text/html",
                       key="dl_comparison", icon=":material/description:", on_click="ignore")


def exclusion_effects(ctx) -> None:
    """With and without each exclusion, for the headline figures of A."""
    if not ctx.filters.exclude:
        return
    st.subheader("With and without the left-out predictions")
    effects = _effects(ctx.con, str(ctx.dataset.store), ctx.filters)
    st.caption("Every figure on this page already leaves these predictions out. Here is each figure with all "
               "predictions, and without each kind in turn.")
    wide = effects.pivot_table(index=["figure", "label"], columns="exclusion", values="words", aggfunc="first",
                               sort=False).reset_index()
    wide = wide.merge(effects.drop_duplicates("figure")[["figure", "with"]], on="figure")
    wide["With all predictions"] = [compare.formatted(f, v) for f, v in zip(wide["figure"], wide["with"])]
    columns = ["label", "With all predictions"] + [c for c in dict.fromkeys(effects["exclusion"])]
    st.dataframe(wide[columns].rename(columns={"label": "Figure", **{c: f"Without {c}" for c in columns[2:]}}),
                 hide_index=True, width="stretch")
    ui.download(effects, "exclusion-effects", "Download with and without")


def map_section(ctx) -> None:
    """Map: A's and B's block groups side by side, coloured on one scale."""
    b = selection_b()
    if b is None:
        return
    _a_against_b(ctx, b)
    key = str(ctx.dataset.store)
    variable = st.selectbox("Colour both maps by", [v for v in maps.CHOROPLETH_VARIABLES if v != "window"],
                            key="cmp_map_variable", format_func=maps.CHOROPLETH_VARIABLES.get)
    parts = [_map_parts(ctx.con, key, f) for f in (ctx.filters, b)]
    figures = charts.side_by_side([p[:4] for p in parts], variable)
    c = st.columns(2)
    for column, name, figure, part in zip(c, "AB", figures, parts):
        if figure is None:
            column.info(f"Nothing to draw for {name}.", icon=":material/filter_alt_off:")
        else:
            column.plotly_chart(figure, width="stretch", key=f"cmp_map_{name}", config={"scrollZoom": True})
            column.caption(f"{name}: {part[4]}")
    st.caption("Both maps use one colour scale and one marker size for the same number of predictions, so a "
               "colour or a circle means the same on both. Each map zooms on its own selection: zooming one cannot "
               "move the other, since Plotly 7's maps share no view and Streamlit 1.67 sends no zoom back to the app "
               "(its deck.gl maps could share one view but not show different layers in each).")


def _finding_table(pair: pd.DataFrame) -> pd.DataFrame:
    def shares(row, side: str) -> str:
        most, least = row[f"mean_most_targeted_{side}"], row[f"mean_least_targeted_{side}"]
        return f"{compare.formatted('share_low_income', most)} against {compare.formatted('share_low_income', least)}"

    def rho(row, side: str) -> str:
        value, positive, all_ = (row[f"{c}_{side}"] for c in ("median_spearman", "positive_correlations",
                                                               "correlations"))
        return "–" if pd.isna(value) else f"{value:+.2f} ({positive:.0f} of {all_:.0f} positive)"

    rows = pair.to_dict("records")
    return pd.DataFrame({
        "Group": [disparities.noun(r["group"]).capitalize() for r in rows],
        "A: most- against least-targeted": [shares(r, "a") for r in rows],
        "B: most- against least-targeted": [shares(r, "b") for r in rows],
        "A: median correlation": [rho(r, "a") for r in rows],
        "B: median correlation": [rho(r, "b") for r in rows]})


def disparities_section(ctx, counts: str) -> None:
    """Disparities: A's and B's finding side by side, both ranked on `counts` (disparities.COUNTS), and whether it
    survives each exclusion."""
    b = selection_b()
    key = str(ctx.dataset.store)
    if b is not None:
        _a_against_b(ctx, b)
        pair = _finding_pair(ctx.con, key, ctx.filters, b, counts)
        st.caption("Averaged over each selection's departments, as under *Across departments* below.")
        st.dataframe(_finding_table(pair), hide_index=True, width="stretch")
        ui.download(pair, "compare-disparities", "Download the comparison")
    if ctx.filters.exclude:
        st.subheader("Does the finding survive the exclusions?")
        if counts != disparities.POINTS:
            st.caption("This check ranks on the predictions the app places: an exclusion takes out prediction "
                       "locations, and the count published with each block group cannot be split by location.")
        survival = _survival(ctx.con, key, ctx.filters)
        summary = survival.summary
        st.markdown(compare.survival_verdict(summary))
        for words in compare.survival_lines(summary):
            st.markdown(f"- {words}")
        ui.download(summary, "finding-survival", "Download with and without")
        with st.expander("Each department's correlations and shares, with and without",
                         icon=":material/table:"):
            ui.table(survival.departments, ctx.names, column_config={
                "sign_kept": st.column_config.CheckboxColumn("Sign kept"),
                **{c: st.column_config.NumberColumn(ui.column_label(c), format="%.2f")
                   for c in ("spearman_with", "spearman_without")},
                **{c: st.column_config.NumberColumn(ui.column_label(c), format="percent")
                   for c in survival.departments.columns if c.startswith("share_")}})
            ui.download(survival.departments, "finding-survival-departments", "Download each department")


# -- Audit and Accuracy: with and without ----------------------------------------------------------

def _with_and_without(frame: pd.DataFrame, caption: str, download: str) -> None:
    st.subheader("With and without the left-out predictions")
    st.caption(caption)
    st.dataframe(pd.DataFrame({
        "Figure": frame["label"],
        "With every prediction": [compare.formatted_kind(k, v) for k, v in zip(frame["kind"], frame["with"])],
        "Without the left-out ones": [compare.formatted_kind(k, v) for k, v in zip(frame["kind"], frame["without"])],
        "Change": frame["words"]}), hide_index=True, width="stretch")
    ui.download(frame, download, "Download with and without")


@st.cache_data(show_spinner="Counting what the exclusions take out of the audit…", max_entries=16)
def _audit_effects(_con, key: str, f: Filters, added_sites: tuple) -> pd.DataFrame:
    from lib.places import added
    return exclusions_effects.audit_effects(_con, f, added.frame(added_sites))


def audit_section(ctx, added_sites: tuple) -> None:
    """Audit: its tabs' metrics with every prediction and without the left-out ones."""
    f = ctx.filters
    if not f.exclude:
        return
    frame = _audit_effects(ctx.con, str(ctx.dataset.store), f, added_sites)
    _with_and_without(frame, "Every table and chart on this page already leaves out " +
                      " and ".join(EXCLUSIONS[e] for e in f.exclude) + ". Here are the tabs' figures with every "
                      "prediction and without those.", "audit-exclusion-effects")


@st.cache_data(show_spinner="Counting what the exclusions take out of the accuracy figures…", max_entries=16)
def _accuracy_effects(_con, key: str, department: str, window, exclude: tuple, sites: tuple):
    return (exclusions_effects.accuracy_effects(_con, department, window, exclude, sites),
            exclusions_effects.carried_match_limits(_con, department, window, exclude, sites))


def accuracy_section(ctx, department: str, window, method: str | None, name: str) -> None:
    """Accuracy: the headline with every prediction and without the left-out ones; where the reports carry a
    published match (it names no prediction location), what that leaves in doubt."""
    f = ctx.filters
    if not f.exclude:
        return
    frame, carried = _accuracy_effects(ctx.con, str(ctx.dataset.store), department, window, f.exclude,
                                       f.exclude_sites)
    left_out = " and ".join(EXCLUSIONS[e] for e in f.exclude)
    _with_and_without(frame, f"The figures above already leave out {left_out}." if method != accuracy.CARRIED else
                      f"Left out: {left_out}. These figures rest on the published match and totals (below).",
                      f"accuracy-exclusion-effects-{department}")
    if method == accuracy.CARRIED:
        reports = carried["reports"]
        lie = "report of the window lies" if reports == 1 else "reports of the window lie"
        doubt = (f"{reports:,} matched {lie} in one of their boxes, with {carried['report_predictions']:,} "
                 "predictions counted by their match: at most that many of the predictions that came true could be "
                 "left-out ones." if reports else
                 "no matched report of the window lies in one of their boxes, so the predictions that came true are "
                 "the same without them.")
        st.info(f"**The published match and totals cannot leave these predictions out.** {name}'s crime reports "
                "carry the match published with them (how many predictions' boxes held each report, not which), "
                "and the prediction totals are published by type for the whole window, not by location. "
                f"{carried['left_out_predictions']:,} of {name}'s predictions (all dates) stand at left-out "
                f"locations; {doubt}", icon=":material/help:")
