from datetime import date

import streamlit as st

from lib import compare_ui, ui, urlstate
from lib.analysis import accuracy as acc
from lib.analysis import overview
from lib.analysis import reproduce as rp
from lib.charts import accuracy as charts
from lib.filters import Filters

ctx = ui.context()
ui.page_intro("Did the predictions come true?",
              "When the software drew a box on the map for a shift, how often was a crime of the predicted type "
              "reported inside it during that shift?")
DATA_KEY = str(ctx.dataset.store)
# ctx.con honours the sidebar's exclusions: every cached figure is keyed by them too.
EXCLUDED = (ctx.filters.exclude, ctx.filters.exclude_sites)


# What the page shows before a long table is opened (an open one fetches its first rows, a download all of them).
@st.cache_data(show_spinner="Counting the crime reports inside prediction boxes…", max_entries=32)
def _view(_con, data_key: str, department: str, window: tuple[date, date] | None, excluded) -> acc.AccuracyView:
    return acc.page_view(_con, department, window)


@st.cache_data(show_spinner="Fetching the rows…", max_entries=32)
def _first_rows(_con, _result: acc.Accuracy, data_key: str, table: str, department: str, window: tuple[date, date],
                shown: int, excluded):
    return LONG_TABLES[table](_con, _result, shown)


LONG_TABLES = {"matched": acc.matched_table, "came_true": acc.came_true_table}


@st.cache_data(show_spinner=False, max_entries=8)
def _departments(_con, data_key: str):
    return acc.departments_with_reports(_con)


@st.cache_data(show_spinner=False, max_entries=64)
def _window(_con, data_key: str, department: str, excluded) -> tuple[date, date] | None:
    return acc.analysis_window(_con, department)


@st.cache_data(show_spinner=False, max_entries=64)
def _all_time_predictions(_con, data_key: str, department: str, excluded) -> int:
    return int(overview.headline(_con, Filters(departments=(department,), exclude=excluded[0],
                                               exclude_sites=excluded[1]))["predictions"])


def _full(table, result: acc.Accuracy):
    """A download's rows, fetched when clicked."""
    return lambda: table(ctx.con, result)


def _switch_buttons(frame, key: str) -> None:
    cols = st.columns(min(len(frame), 4) or 1)
    for i, row in enumerate(frame.itertuples()):
        cols[i % len(cols)].button(f"Show {row.name}", key=f"{key}_{row.department}", on_click=ui.set_departments,
                                   args=([row.department],), icon=":material/filter_alt:")


available = _departments(ctx.con, DATA_KEY)
selected = ctx.filters.departments
candidates = available[available["department"].isin(selected)] if selected else available
if candidates.empty:
    chosen = ", ".join(ctx.names.get(d, d) for d in selected) or "this data"
    st.info(f"**No crime reports for {chosen}.** Measuring accuracy needs the crimes reported to the police "
            "(crime_reports.csv), which only a few departments have released.", icon=":material/info:")
    if available.empty:
        st.markdown("This data directory has no crime reports for any department. The Markup's real data has "
                    "them for Plainfield, N.J.; the demo data has them for its three fictional departments.")
    else:
        st.markdown("Crime reports are available for: " + "; ".join(
            f"**{r.name}** ({r.reports:,} reports)" for r in available.itertuples()) + ".")
        _switch_buttons(available, "switch")
    ui.page_notes(["The method is The Markup's 2023 accuracy assessment: "
                   f"[How We Assessed the Accuracy of Predictive Policing Software]({ui.MARKUP_METHOD_2023})."])
    st.stop()

department = candidates.iloc[0]["department"]
name = ctx.names.get(department, department)
if len(candidates) > 1 or not selected or len(selected) > 1:
    st.info(f"Accuracy is measured one department at a time. Showing **{name}**"
            + (f", one of {len(candidates)} departments with crime reports in this selection."
               if len(candidates) > 1 else ", the only department with crime reports in this selection."),
            icon=":material/info:")
    if len(candidates) > 1:  # a button for each department not shown (none for the one already shown)
        _switch_buttons(candidates.iloc[1:], "pick")

default_window = _window(ctx.con, DATA_KEY, department, EXCLUDED)
window = default_window
if default_window and (ctx.filters.start or ctx.filters.end):
    window = (max(default_window[0], ctx.filters.start or default_window[0]),
              min(default_window[1], ctx.filters.end or default_window[1]))
    if window[0] > window[1]:
        st.warning(f"The chosen dates fall outside {name}'s prediction window "
                   f"({default_window[0]:%b %-d, %Y} to {default_window[1]:%b %-d, %Y}). Widen the dates in the "
                   "sidebar.", icon=":material/date_range:")
        st.stop()

view = _view(ctx.con, DATA_KEY, department, window, EXCLUDED)
s = view.summary
start, end = (date.fromisoformat(d) for d in s["window"])
if ctx.filters.selects_block_groups or ctx.filters.incident_types:
    st.caption("The income, race and incident-type filters do not apply on this page: the method covers every "
               "report and every prediction of the department.")

# -- the headline -------------------------------------------------------------------------------
if s["success_rate"] is not None:
    lo, hi = s["success_rate_ci95"]
    if s["types_exact"]:
        st.markdown(f"### {s['predictions_matched']:,} of {s['predictions_total']:,} predictions "
                    f"({s['success_rate']:.2%}) came true")
        st.markdown(f"In {name}, from {start:%b %-d, %Y} to {end:%b %-d, %Y}, a crime of the predicted type was "
                    f"reported inside the box during the shift for {s['success_rate']:.2%} of predictions "
                    f"(95% interval {lo:.2%} to {hi:.2%}). For the other {1 - s['success_rate']:.2%}, no such "
                    "crime was reported there.")
    else:
        st.markdown(f"### {s['predictions_matched']:,} of {s['predictions_total']:,} predictions "
                    f"({s['success_rate']:.2%}) matched a reported crime")
        st.markdown(f"In {name}, from {start:%b %-d, %Y} to {end:%b %-d, %Y}, {s['predictions_matched']:,} "
                    f"predictions had inside their box, during their shift, one of the "
                    f"{s['reports_correct_type']:,} reported crimes whose type was predicted there — in The "
                    f"Markup's words, predictions that “correctly matched with {s['reports_correct_type']:,} "
                    f"reported crimes in type”. Some of those predictions were of another type than the crime "
                    f"(a Gun Crimes box beside a Robbery one): the published reports list the types of the boxes "
                    f"together, not one by one. That is {s['success_rate']:.2%} of all "
                    f"{s['predictions_total']:,} predictions in the window (95% interval {lo:.2%} to {hi:.2%}).")
    markup = rp.markup_denominator(s)
    if markup:
        st.markdown(f"**Two denominators.** The Markup divided by **{markup['predictions_total']:,}** "
                    f"({markup['predictions_matched']} ÷ {markup['predictions_total']:,} = "
                    f"{markup['success_rate']:.3%}), leaving out the {markup['left_out']} predictions during which "
                    f"a patrol was logged in the box; the figure above divides by all "
                    f"**{s['predictions_total']:,}** ({s['success_rate']:.3%}). The published predictions carry "
                    "no dates, so the app cannot tell which 129 had a patrol and shows their count as published.")
    all_time = _all_time_predictions(ctx.con, DATA_KEY, department, EXCLUDED)
    if all_time and all_time != s["predictions_total"]:
        st.caption(f"{s['predictions_total']:,} is the number of predictions in the analysis window, "
                   f"{start:%b %-d, %Y} to {end:%b %-d, %Y}. Over all its dates the data holds {all_time:,} "
                   f"predictions for {name}: the figure the Overview and the Map show.")
        st.page_link("pages/overview.py", label="All-time figures on the Overview", icon=":material/dashboard:")
elif s["match_method"] is None:
    st.warning("These crime reports carry no match with the predictions, and the predictions have no dates and "
               "shifts to match them with, so the share of predictions that came true cannot be measured. The "
               "reports themselves are described below.", icon=":material/help:")
else:
    st.warning(f"Prediction totals are only published for {name}'s whole prediction window "
               f"({s['default_window'][0]} to {s['default_window'][1]}), so no success rate can be given for "
               "the dates chosen in the sidebar. The reports in those dates are shown below.",
               icon=":material/date_range:")

compare_ui.accuracy_section(ctx, department, view.result.scope.window, s["match_method"], name)

c = st.columns(4)
c[0].metric("Reports analysed", f"{s['reports_analysed']:,}", f"of {s['reports_total']:,} in the file",
            delta_color="off", delta_arrow="off")
c[1].metric("Of a kind it predicts", f"{s['reports_predictable']:,}")
if s["reports_with_prediction"] is not None:
    c[2].metric("… in a box during its shift", f"{s['reports_with_prediction']:,}",
                help="Reports of a kind the software predicts that fell inside a prediction box during the box's "
                     "shift. The Map's “hits” count reported crimes of any kind, so they are more.")
    c[3].metric("… of the predicted type", f"{s['reports_correct_type']:,}")
    st.caption("These count only reports of a kind the software predicts, after the method's exclusions. The Map's "
               "“hits” count every reported crime inside a box during its shift, whatever its kind, so they are "
               "more.")
    st.page_link("pages/map.py", label="Hits, misses and false alarms on the Map", icon=":material/map:")

# -- the funnel ------------------------------------------------------------------------------------
st.subheader("From reported crimes to predictions that came true")
left, right = st.columns([3, 2])
with left:
    ui.chart_on_demand("Chart: reports left at each step", "chart_funnel", charts.funnel, s["funnel"])
with right:
    st.markdown("**Why reports left at each step**")
    for step in s["funnel"][1:]:
        if step["left"]:
            st.markdown(f"- {step['step']}: **{step['left']:,}** left — {step['why']}.")
    if s["predictable_without_time"]:
        st.markdown(f"- {s['predictable_without_time']:,} predictable reports have no time of day and cannot be "
                    "placed in a shift.")
    st.caption(f"Matched by {s['match_method_words']}. Prediction totals from {s['predictions_total_source']}."
               if s["predictions_total_source"] else f"Matched by {s['match_method_words']}.")

# -- rates per type ----------------------------------------------------------------------------------
if s["success_rate"] is not None and s["by_type"]:
    st.subheader("Success rate by type of prediction")
    st.markdown("A reader might expect a crime “prediction” to come true most of the time — and the figure often "
                "quoted is the one in the lower panel: the share of reported crimes that fell inside a box predicting "
                "their type. The upper panel shows what the predictions themselves achieved. Whiskers are 95% "
                "intervals.")
    ui.chart_on_demand("Chart: came true, and reports inside a box, by type", "chart_rates", charts.success_rates,
                       s["by_type"], s)
    if not s["types_exact"]:
        st.caption("Per type, the dots count at most the type's predictions that came true: where a report's "
                   "boxes were of several types, the published data does not say how many were of each, so one "
                   "prediction per other type is set aside (the table gives the least it can be too). The "
                   "“All types” row counts every prediction in those boxes, as The Markup's 64 does.")
        for note in rp.type_count_notes(s).values():
            st.caption(note)
    rows = charts.rate_rows(s["by_type"], s).assign(label=lambda f: f["label"].str.replace("<b>", "").str.replace(
        "</b>", ""))
    overall = rows[rows["label"] == "All types"]
    if len(overall) and overall["share_of_reports_predicted"].notna().all():
        st.caption(f"Chart: over all types, {overall.iloc[0]['success_rate']:.2%} of predictions came true, while "
                   f"{overall.iloc[0]['share_of_reports_predicted']:.0%} of reported crimes of a predicted type fell "
                   "inside a box predicting that type.")
    with st.expander("The numbers behind the chart"):
        ui.table(rows, column_config={
            "label": "Type", "success_rate": st.column_config.NumberColumn("Came true", format="percent"),
            "success_rate_ci95": "95% interval",
            "predictions_matched": "Predictions that came true" + ("" if s["types_exact"] else " (at most)"),
            "predictions_matched_at_least": None if s["types_exact"] else "(at least)",
            "predictions_total": "Predictions",
            "share_of_reports_predicted": st.column_config.NumberColumn("Reports inside a box of their type",
                                                                        format="percent"),
            "share_of_reports_predicted_ci95": "95% interval", "reports_correct_type": "Reports caught",
            "reports_of_type": "Reports of the type"})
        ui.download(rows, f"success-rates-{department}", "Download rates")

# -- what gets reported ------------------------------------------------------------------------------
st.subheader("What crimes were reported")
kinds = view.kinds
if s["share_unpredictable"] is not None:
    st.markdown(f"**{s['share_unpredictable']:.0%}** of the {s['reports_analysed']:,} reports analysed are of kinds "
                "the software never predicts (theft, simple assault, drug offences…): no prediction could ever "
                "match them.")
    ui.chart_on_demand("Chart: reports by kind, predicted or not", "chart_kinds", charts.reports_by_kind, kinds)

# -- over time ---------------------------------------------------------------------------------------
st.subheader("Reports and predictions over time")
daily = view.daily
per_day = s["predictions_total"] / len(daily) if s["predictions_total"] and len(daily) else None
ui.chart_on_demand("Chart: reports and predictions day by day", "chart_over_time", charts.over_time, daily,
                   per_day)
if len(daily) and daily["reports"].notna().any():
    busiest = daily.loc[daily["reports"].idxmax()]
    st.caption(f"Chart: {int(daily['reports'].sum()):,} reports over {len(daily):,} days, at most "
               f"{int(busiest['reports']):,} on one day ({busiest['date']:%b %-d, %Y}).")
if daily["predictions"].isna().all() and per_day:
    st.caption(f"The individual predictions for {name} are published without dates, so the lower panel shows "
               f"their average: {s['predictions_total']:,} predictions over {len(daily):,} days, about "
               f"{per_day:,.0f} a day.")

# -- the matches -------------------------------------------------------------------------------------
LONG_LABELS = {"matched": "Matched reports", "came_true": "Predictions that came true"}
long_rows = {"matched": view.matched_rows if s["match_method"] is not None else None,
             "came_true": view.came_true_rows if view.result.true_by_type is not None else None}
offered = [t for t, rows in long_rows.items() if rows is not None]
# The page's figures never need these rows: a table is fetched (its first rows) only when chosen here, and
# the choice is in the link (`show`).
opened = st.pills("Show the long tables", offered, selection_mode="multi", key=urlstate.ACCURACY_SHOW,
                  bind="query-params", format_func=lambda t: f"{LONG_LABELS[t]} ({long_rows[t]:,})",
                  help="Each table is fetched when shown; the downloads have every row.") if offered else []


def _long_table(table: str, label: str, columns: dict) -> None:
    if table in opened:
        frame = _first_rows(ctx.con, view.result, DATA_KEY, table, department, view.result.scope.window,
                            ui.SHOWN_ROWS, EXCLUDED)
        ui.table(ui.shown_rows(frame, label, total=long_rows[table]), column_config=columns)
    else:
        st.caption(f"{long_rows[table]:,} {label}: choose *{LONG_LABELS[table]}* above to show them.")


if s["match_method"] is not None:
    st.subheader("The matched reports")
    st.caption("Predictable reports that fell inside at least one prediction box during its shift; "
               "“Counts for” is the prediction type a correctly predicted report counts toward (blank: the boxes "
               "were predicting other crimes).")
    _long_table("matched", "matched reports", {
        "ts": st.column_config.DatetimeColumn("Reported at", format="YYYY-MM-DD HH:mm"),
        "description": "Offence", "address": "Address", "lat": "Latitude", "lon": "Longitude",
        "geoid": "GEOID", "predictable_type": "Report type", "num_predictions": "Predictions there",
        "prediction_type": "Their types", "counts_for": "Counts for"})
    ui.download(_full(acc.matched_table, view.result), f"matched-reports-{department}",
                "Download matched reports")
if view.result.true_by_type is not None:
    st.subheader("The predictions that came true")
    _long_table("came_true", "predictions that came true", {
        "date": st.column_config.DateColumn("Date"), "shift": "Shift", "incident_type": "Predicted",
        "count": "Predictions", "reports": "Reports inside", "address": "Address",
        "prediction_lat": "Latitude", "prediction_lon": "Longitude", "geoid": "GEOID"})
    ui.download(_full(acc.came_true_table, view.result), f"predictions-came-true-{department}",
                "Download predictions that came true")

# -- patrols -----------------------------------------------------------------------------------------
dosage, minutes = view.dosage, view.minutes
if dosage or not minutes.empty:
    st.subheader("Patrols sent to the boxes")
if dosage:
    p, n = dosage["patrolled"], dosage["not_patrolled"]
    c = st.columns(3)
    c[0].metric("Predictions patrolled during their shift", f"{p['predictions']:,}",
                f"of {p['predictions'] + n['predictions']:,}", delta_color="off", delta_arrow="off")
    for col, part, label in ((c[1], p, "Came true, with a patrol"), (c[2], n, "Came true, without one")):
        col.metric(label, f"{part['success_rate']:.2%}" if part["success_rate"] is not None else "—",
                   f"{part['came_true']:,} of {part['predictions']:,}", delta_color="off", delta_arrow="off")
    st.caption("A patrol can deter a crime, or find one that would otherwise go unreported: the two rates are "
               "compared, not explained.")
elif not minutes.empty:
    st.caption(f"The predictions for {name} have no dates, so patrols cannot be matched to a box and shift; "
               "patrol minutes by block group are shown instead.")
if not minutes.empty:
    with st.expander(f"Patrol minutes by block group ({len(minutes):,} block groups)"):
        ui.table(ui.as_percent(minutes, ["share_black_latino", "share_low_income"]), column_config={
            "patrols": "Patrols", "patrol_minutes": st.column_config.NumberColumn("Patrol minutes",
                                                                                  format="localized"),
            "predictions": "Predictions", "share_black_latino": ui.percent_column("Black + Latino share"),
            "share_low_income": ui.percent_column("Low-income share")})
        ui.download(minutes, f"patrol-minutes-{department}", "Download patrol minutes")

ui.page_notes([
    "Method: The Markup's 2023 assessment "
    f"([How We Assessed the Accuracy of Predictive Policing Software]({ui.MARKUP_METHOD_2023})). Reports analysed: "
    "exact duplicate rows merged, within the department's prediction window, with coordinates, inside its block "
    "groups and not at an address listed as too vague. A report is predictable when its type is one the software "
    "predicts (burglary, robbery or aggravated assault, motor vehicle theft, gun crimes). Boxes are 600 ft "
    "squares centred on the prediction point (feet converted to degrees on a sphere, east-west at the "
    "prediction's latitude); shifts start at 06:15, 09:15, 16:45 and 19:45 and last 11 h 15 min, some past "
    "midnight. Success rate = predictions whose box and shift held a report of their type ÷ all predictions in "
    "the window; the interval is the 95% credible interval of a binomial rate with a flat prior, "
    "Beta(k+1, n−k+1). With a published match (Plainfield), the headline counts, as The Markup did, every "
    "prediction whose box held a report of a type predicted there. Per type, only predictions of that type "
    "count: a report carries how many boxes held it and the union of their types, so where other types are "
    "listed the app gives at most (its count less one prediction per other type) and at least (one) — The "
    "Markup, with each prediction's type, counted 32 of 5,766 for robbery and aggravated assault and 11 of "
    "10,178 for burglary. With dated predictions, each prediction that came true counts once and only for its "
    "own type.",
])
