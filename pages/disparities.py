import math

import streamlit as st

from lib import compare_ui, methods, ui, urlstate
from lib.analysis import disparities as dsp
from lib.analysis import reproduce as rp
from lib.charts import disparities as charts

ALL = "__all__"
SHARES = {"share_most_targeted": "Most targeted", "share_median": "Median", "share_least_targeted": "Least targeted",
          "share_total": "Whole area"}

ctx = ui.context()
caption = ui.page_intro("Disparities",
              "Did PredPol's predictions fall hardest on Black, Latino and low-income neighbourhoods?")
st.markdown(
    "Following The Markup's method, each department's block groups are ranked by how many predictions fell in "
    "them. The **most-targeted** 5%, the **median** 5% and the **least-targeted** 5% are compared with each "
    "other and with the whole jurisdiction.")


@st.cache_data(show_spinner="Ranking block groups…", max_entries=16)
def _ranked(_con, dataset_key: str, filters, counts: str = dsp.POINTS):
    return dsp.ranked_block_groups(_con, filters, counts)


# The tables below take seconds over the 38 real departments; every rerun with the same filters
# (a chart option, another user with the same view) reuses them.
@st.cache_data(show_spinner="Comparing the most- and least-targeted block groups…", max_entries=16)
def _table(_con, dataset_key: str, filters, counts: str):
    ranked = _ranked(_con, dataset_key, filters, counts)
    specs = dsp.group_specs(ranked, brackets=True)
    return specs, dsp.table_from_ranked(ranked, specs)


@st.cache_data(show_spinner=False, max_entries=32)
def _deciles(_con, dataset_key: str, filters, counts: str, department: str):
    ranked = _ranked(_con, dataset_key, filters, counts)
    if department == ALL:
        return dsp.mean_deciles(dsp.decile_composition(ranked, dsp.GROUPS))
    return dsp.decile_composition(ranked[ranked["department"] == department], dsp.GROUPS)


@st.cache_data(show_spinner=False, max_entries=32)
def _decile_reading(_con, dataset_key: str, filters, counts: str, department: str, place: str) -> str:
    return dsp.decile_reading(_deciles(_con, dataset_key, filters, counts, department), place)


@st.cache_data(show_spinner=False, max_entries=16)
def _across(_con, dataset_key: str, filters, counts: str):
    """The departments' rows for the five groups, and their summary across departments."""
    core = _table(_con, dataset_key, filters, counts)[1]
    core = core[core["group"].isin(dsp.GROUPS)]
    return core, dsp.across_departments(core)


@st.cache_data(show_spinner="Ranking the other way…", max_entries=16)
def _what_if(_con, dataset_key: str, filters, counts: str, filtered_first: bool, department: str | None):
    """The ranking of only the filtered block groups against that of all (`filtered_first`: the page shows the
    filtered one), for one department or averaged over all. Computed on every run it was most of the page's
    Python time with a block-group filter set."""
    everything = filters.places_and_time_only()
    analysed, other = (filters, everything) if filtered_first else (everything, filters)
    table = _table(_con, dataset_key, analysed, counts)[1]
    other_table = dsp.table_from_ranked(_ranked(_con, dataset_key, other, counts))
    return dsp.scope_comparison(table, other_table, department,
                                first_scope="filtered" if filtered_first else "all",
                                second_scope="all" if filtered_first else "filtered")


@st.cache_resource(show_spinner=False, max_entries=8)
def _has_published_counts(_con, dataset_key: str) -> bool:
    return dsp.has_published_counts(_con)


def _pct(value) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0%}"


f = ctx.filters
key = str(ctx.dataset.store)
analysed = f
if f.selects_block_groups:
    scope = st.radio(
        "Block groups to rank", ["filter", "all"], horizontal=True, key="dsp_scope",
        format_func={"filter": "Only those matching the sidebar filters",
                     "all": "All block groups of the department"}.get,
        help="The sidebar's income and race filters select block groups. Ranking only those shows whether a "
             "disparity survives inside that subset; ranking all shows the department as a whole.")
    if scope == "all":
        analysed = f.places_and_time_only()

counts = dsp.POINTS
if _has_published_counts(ctx.con, key):
    kind = ctx.dataset.source.get("kind")
    counts = st.radio("Rank block groups on:", list(dsp.COUNTS), key=urlstate.DISPARITIES_COUNTS,
                      bind="query-params", horizontal=True, format_func=methods.COUNT_CHOICES.get,
                      help="The ranking, and every figure below, follows the counts chosen here.")
    st.markdown("\n".join(f"- {methods.count_sentences(kind)[c]}" for c in dsp.COUNTS))

compare_ui.disparities_section(ctx, counts)

ranked = _ranked(ctx.con, key, analysed, counts)
if ranked.empty:
    st.info("No department has predictions in the block groups of this selection, so there is nothing to rank.",
            icon=":material/filter_alt_off:")
    ui.empty_state(ui.narrowing(ctx, f))
    st.stop()

st.markdown(methods.disparity_counts_note(ctx.dataset.source.get("kind"), int(ranked["predictions"].sum()),
                                          counts))

specs, table = _table(ctx.con, key, analysed, counts)
departments = list(dict.fromkeys(table["department"]))
name = ctx.names.get

if len(departments) == 1:
    chosen = departments[0]
else:
    chosen = st.selectbox("Department", [ALL, *departments], key=urlstate.DISPARITIES_DEPARTMENT,
                          bind="query-params",
                          format_func=lambda d: f"All {len(departments)} departments (averaged)" if d == ALL
                          else name(d, d),
                          help="Narrow the list with the sidebar's department filter.")

if chosen == ALL:
    place = f"the average of {len(departments)} departments"
    rows = ranked
    shown = table
    wide, partial_note = dsp.every_department_mean(table, ctx.names)
    deciles = _deciles(ctx.con, key, analysed, counts, ALL)
else:
    ui.view_caption(caption, chosen)
    place = name(chosen, chosen)
    rows = ranked[ranked["department"] == chosen]
    shown = table[table["department"] == chosen]
    wide, partial_note = shown, None
    deciles = _deciles(ctx.con, key, analysed, counts, chosen)

# -- key numbers ---------------------------------------------------------------------------------
c = st.columns(4)
c[0].metric("Departments", f"{len(departments) if chosen == ALL else 1:,}",
            "with predictions" if chosen == ALL else None, delta_color="off", delta_arrow="off",
            help="Departments with predictions in their block groups. The Overview counts every department in "
                 "the data, with or without predictions.")
c[1].metric("Block groups ranked", f"{len(rows):,}")
c[2].metric("Predictions in them", f"{int(rows['predictions'].sum()):,}")
if chosen != ALL:
    in_most = int(rows["in_most"].sum())
    c[3].metric("Most-targeted window", f"{in_most} block group{'s' if in_most != 1 else ''}",
                help="w = round(5% of the block groups), rounding halves to even as The Markup's R code did; the "
                     "most- and least-targeted windows span ranks n − w … n and 1 … 1 + w.")
by_group = wide.set_index("group")
c = st.columns(4)
for column, group in zip(c, ("black", "latino", "white", "low_income")):
    if group in by_group.index:
        most, total = by_group.loc[group, "share_most_targeted"], by_group.loc[group, "share_total"]
        delta = None if math.isnan(most) or math.isnan(total) else f"{(most - total) * 100:+.0f} points vs whole area"
        column.metric(f"{dsp.group_label(group)} share, most-targeted", _pct(most), delta, delta_color="off",
                      help="Share of residents (of households, for low income) in the most-targeted block groups.")

# -- composition ---------------------------------------------------------------------------------
st.subheader("Who lives in the most-, median- and least-targeted block groups")
st.markdown(dsp.composition_reading(wide, place))
long = dsp.composition_long(wide)
race = long[long["group"].isin(dsp.RACE)]
income = long[~long["group"].isin(dsp.RACE)]
# One chart a row: the income chart's two dozen bars need the full width for readable value labels.
# Every chart of the page waits in an expander: with none shown, the page opens without starting Plotly.
ui.chart_on_demand("Chart: race and ethnicity, share of residents in each window", "chart_composition_race",
                   charts.composition_bars, race)
ui.chart_on_demand("Chart: household income, share of households in each window", "chart_composition_income",
                   charts.composition_bars, income)
if partial_note:
    st.caption(partial_note)
ui.download(shown, "disparities-composition", "Download the numbers")
published = rp.find_published(ctx.dataset.data_dir) if chosen == rp.PLAINFIELD else None
bounds = rp.plainfield_bounds(published) if published else None
if bounds is not None:
    st.markdown("**With The Markup's bounds.** For its window means The Markup took the smallest of the estimate, "
                "lower and upper bound; Plainfield's lower bounds are published (not its upper bounds, nor a "
                "Latino lower bound), so here is each share both ways and the smaller, as they would have used it.")
    st.dataframe(rp.bounded_window_shares(rows, bounds).assign(
        group=lambda t: t["group"].map(dsp.group_label), window=lambda t: t["window"].map(dsp.WINDOW_LABELS)),
        hide_index=True, column_config={
            "group": "Group", "window": "Window",
            "estimate": st.column_config.NumberColumn("Estimate", format="percent"),
            "lower": st.column_config.NumberColumn("Lower bound", format="percent"),
            "share": st.column_config.NumberColumn("The Markup's (smaller)", format="percent")})

# -- deciles -------------------------------------------------------------------------------------
st.subheader("Tenth by tenth, from the fewest to the most predictions")
st.markdown(_decile_reading(ctx.con, key, analysed, counts, chosen, place))
ui.chart_on_demand("Chart: each group's share, tenth by tenth", "chart_deciles", charts.deciles_line, deciles)
st.caption("The tenths are The Markup's buckets: block groups strictly between two of the 10th, 20th … 90th "
           "percentiles of the prediction counts. Block groups whose count equals a cut — often the many with no "
           "predictions — fall in no bucket, so some buckets are empty and have no point. Averaged over departments, "
           "a bucket's share is the mean over the departments with block groups in it; The Markup's published "
           "means count an empty bucket as 0% (Data & methods compares both).")
ui.download(deciles, "disparities-deciles", "Download the numbers")

# -- scatter -------------------------------------------------------------------------------------
st.subheader("Block group by block group")
c1, c2 = st.columns([2, 1])
group = c1.selectbox("Group", list(specs), key="dsp_group", format_func=dsp.group_label)
log_scale = c2.toggle("Logarithmic scale", value=True, key="dsp_log",
                      help="Spreads out the many block groups with few predictions. Block groups with no "
                           "predictions cannot be drawn on a logarithmic scale.")
points = dsp.scatter_points(rows, group)
st.markdown(dsp.scatter_reading(points, group))
ui.chart_on_demand(f"Chart: the {len(points):,} block groups with residents, one point each", "chart_scatter",
                   charts.share_scatter, points, group, log_scale, ctx.names)
hidden = int((points["predictions_per_1000"] <= 0).sum())
st.caption("One point per block group with residents, sized by residents and coloured by the share of "
           "low-income households." + (f" {hidden:,} block groups with no predictions are not drawn on the "
                                       "logarithmic scale." if log_scale and hidden else ""))
ui.download(points, "disparities-block-groups", "Download the numbers")

# -- exposure ------------------------------------------------------------------------------------
st.subheader("Beyond The Markup's method: exposure")
st.caption("A figure of this app's own, not in The Markup's analysis: predictions per resident where each group "
           "lives.")
exposure = shown[shown["group"].isin(dsp.GROUPS)][["department", "group", "exposure_ratio"]]
st.markdown(dsp.exposure_reading(exposure, place))
ui.chart_on_demand("Chart: the exposure ratio of each group", "chart_exposure", charts.exposure_dots, exposure,
                   ctx.names)
st.caption("1.0 means the average member of the group lives where PredPol made as many predictions per resident "
           "as where the average resident lives; 2.0 means twice as many. Low income compares households.")
ui.download(exposure, "disparities-exposure", "Download the numbers")

# -- across departments --------------------------------------------------------------------------
st.subheader("Across departments")
core, summary = _across(ctx.con, key, analysed, counts)
if len(departments) < 2:
    st.info("Only one department is in this selection; clear the department filter to compare departments.")
else:
    st.markdown(dsp.across_reading(summary))
    left, right = st.columns(2)
    with left:
        ui.chart_on_demand("Chart: departments where the most-targeted share is higher", "chart_above",
                           charts.above_counts_bars, summary)
    with right:
        st.markdown(dsp.correlation_reading(summary))
        ui.chart_on_demand("Chart: each department's correlation, by group", "chart_correlations",
                           charts.correlation_strip, core, ctx.names)
    ui.table(
        ui.as_percent(summary.assign(group=summary["group"].map(dsp.group_label)),
                      ["mean_most_targeted", "mean_median", "mean_least_targeted", "mean_total"]),
        column_config={
            "group": "Group", "departments": "Departments",
            "most_above_median": "Most-targeted above median",
            "most_above_total": "Most-targeted above whole area",
            "mean_most_targeted": ui.percent_column("Mean share, most targeted"),
            "mean_median": ui.percent_column("Mean share, median"),
            "mean_least_targeted": ui.percent_column("Mean share, least targeted"),
            "mean_total": ui.percent_column("Mean share, whole area"),
            "positive_correlations": "Positive correlations",
            "correlations": "Correlations computed",
            "median_spearman": st.column_config.NumberColumn("Median correlation", format="%.2f"),
            "exposure_above_parity": "Exposure above 1.0",
        })
    ui.download(summary, "disparities-across-departments", "Download the summary")
every_department = ui.on_demand("Every department × group", "dsp_every_open")
if every_department:
    with every_department:
        ui.table(ui.as_percent(core.assign(group=core["group"].map(dsp.group_label)), SHARES), ctx.names,
                 column_config={c: ui.percent_column(column_label) for c, column_label in SHARES.items()})
        ui.download(core, "disparities-table", "Download the table")

# -- the what-if ---------------------------------------------------------------------------------
if f.selects_block_groups:
    st.subheader("What if only the filtered block groups are ranked?")
    compare = _what_if(ctx.con, key, f, counts, analysed is f, chosen if chosen != ALL else None)
    st.markdown(dsp.scope_reading(compare, place))
    ui.table(ui.as_percent(compare, SHARES), ctx.names,
             column_config={c: ui.percent_column(column_label) for c, column_label in SHARES.items()})
    ui.download(compare, "disparities-what-if", "Download the comparison")

st.subheader("What to keep in mind")
st.markdown(
    "- **Census numbers are estimates.** Residents and households come from the American Community Survey, "
    "whose block-group figures carry wide margins of error; small differences between windows may not be real.\n"
    "- **This uses point estimates.** For its window means The Markup took, per department, the smallest of the "
    "estimate, lower and upper bound; the bounds are not published (except Plainfield's lower bounds), so on the "
    "real data the averaged shares here run 3 to 11 points above the published ones. Data & methods compares "
    "them figure by figure.\n"
    "- **Block groups straddle boundaries.** A block group partly outside a department's area counts all its "
    "residents, and predictions outside every block group are left out of the ranking.\n"
    "- **The windows are small.** 5% of a department with 20 block groups is one block group (two ranks); in "
    "small departments one place can move a share a lot.\n"
    "- **Ties** in prediction counts keep GEOID order: The Markup's R code sorts by a constant as its second key, "
    "so ties stay in the order of the census input.")

ui.page_notes([
    "Method: The Markup, 'How We Determined Crime Prediction Software Disproportionately Targeted Low-Income, "
    f"Black, and Latino Neighborhoods' ({ui.MARKUP_METHOD_2021}). Prediction counts are the predictions whose "
    "point lies inside the block group, following the sidebar's dates and incident types, or, when chosen at the "
    "top of the page, the count published with each block group. A window's share of a "
    "group adds up the group's residents over the window's block groups and divides by all their residents "
    "(Σ group ÷ Σ residents); low income is households eligible for free or reduced-price school lunch ÷ "
    "households. The correlation says whether block groups with more predictions tend to have a larger share of "
    "the group: +1 always, 0 no relation, −1 always less (Spearman's rho between the prediction rank and the "
    "group's share, over block groups with residents). The exposure ratio compares the predictions per resident "
    "where the average member of a group lives with those where the average resident lives (Σ group × "
    "(predictions ÷ residents) ÷ Σ group, divided by all predictions ÷ all residents; block groups with "
    "residents only). 'All departments' "
    "averages each department's figure, as The Markup did.",
])
