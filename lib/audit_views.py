"""Sections of the Audit page that are more than layout (Streamlit): the geocoding tab's figures and evidence
cards, the over-time tab with its date brush, and the context box on sustained patrols. Every number comes
from lib.analysis.audit; these functions only lay it out, so pages/audit.py stays a readable page."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import ui
from lib.analysis import audit
from lib.charts import audit as charts

DATES = {c: st.column_config.DateColumn(c.replace("_", " ").capitalize())
         for c in ("first_date", "last_date", "quarter", "first_targeted", "last_targeted")}


def _name(names: dict[str, str], department) -> str:
    return names.get(department, department) if isinstance(department, str) else "—"


def geocoding_tab(geo: audit.Geocoding, names: dict[str, str], block_group_filters: bool, shapes) -> None:
    """The geocoding tab: every point checked against its department's block groups. `shapes(department)`
    gives a department's block-group outlines for the map of points outside."""
    st.markdown("Every point — predictions, crime reports, patrols and sites — is checked against its "
                f"department's block groups: inside; outside but within {audit.NEARBY_KM:g} km; farther; outside "
                "the United States (country of the nearest place in the offline GeoNames list); at 0,0; or with "
                "latitude and longitude swapped (swapping puts it inside). Income and race filters do not apply "
                "here.")
    if block_group_filters:
        st.caption("The income and race filters are ignored on this tab: points outside every block group have "
                   "no income or race to filter on.")
    summary, outside = geo.summary, geo.points
    pred = summary[summary["source"] == "predictions"]
    away = pred["status"] != "inside"
    c = st.columns(5)
    c[0].metric("Prediction locations checked", f"{int(pred['locations'].sum()):,}")
    c[1].metric("Outside the block groups", f"{int(pred.loc[away, 'locations'].sum()):,}",
                f"{int(pred.loc[away, 'predictions'].sum()):,} predictions", delta_color="off", delta_arrow="off")
    for column, (status, label, note) in zip(c[2:], (("abroad", "Outside the United States", "points, all tables"),
                                                     ("zero_zero", "At 0,0", "points"),
                                                     ("swapped", "Lat/lon swapped", "points"))):
        column.metric(label, f"{int((outside['status'] == status).sum()):,}", note, delta_color="off",
                      delta_arrow="off")

    for row in audit.partial_coverage(geo).itertuples(index=False):
        st.info(f"**{_name(names, row.department)}: the analysed block groups cover only part of the jurisdiction.** "
                f"{int(row.locations_nearby):,} of {int(row.locations):,} prediction locations "
                f"({int(row.predictions_nearby):,} predictions) lie outside them, all within {row.max_km:.1f} km. "
                "These are most likely real places the department patrols (the rest of the parish or county), not "
                "geocoding errors; they count toward the department's totals but not toward any block group's "
                "residents, race or income.", icon=":material/map:")

    st.subheader("Per department")
    table = summary.pivot_table(index=["department", "source"], columns="status", values="locations",
                                aggfunc="sum", fill_value=0).reset_index()
    table.insert(1, "name", table["department"].map(lambda d: _name(names, d)))
    table["source"] = ui.sentence_case(table["source"])
    table = table[["department", "name", "source", *[k for k in audit.STATUS_LABELS if k in table.columns]]]
    st.dataframe(table.rename(columns={"department": "Department", "name": "Name", "source": "Table",
                                       **audit.STATUS_LABELS}), hide_index=True)
    st.caption("Locations (distinct points) per status. 'No coordinates' counts records instead.")
    ui.download(summary, "geocoding-summary", "Download")

    st.subheader("Per country")
    if geo.countries.empty:
        st.caption("No points outside the block groups (other than at 0,0 or swapped).")
    else:
        ui.table(geo.countries, column_config={"country_code": "Code", "departments": "Departments"})

    st.subheader("Points outside the United States: the evidence")
    if geo.abroad.empty:
        st.success("No point lies outside the United States.", icon=":material/check_circle:")
    for row in geo.abroad.itertuples(index=False):
        _evidence_card(row, names)
    if not geo.abroad.empty:
        ui.download(geo.abroad, "points-abroad", "Download the evidence")

    errors = outside[outside["status"].isin(["zero_zero", "swapped"])]
    if len(errors):
        st.subheader("At 0,0 or with latitude and longitude swapped")
        ui.table(errors.assign(status=errors["status"].map(audit.STATUS_LABELS),
                               source=ui.sentence_case(errors["source"])), names, column_order=[
            "source", "department", "lat", "lon", "status", "corrected_geoid", "predictions", "records", "address",
            "first_date"], column_config={**DATES, "source": "Table", "corrected_geoid": "Block group once corrected"})

    st.subheader("Points outside, on the map")
    near = outside[outside["status"].isin(["nearby", "far", "no_outline"])]
    if near.empty:
        st.caption("No point lies outside the block groups within the United States.")
    else:
        counts = near.groupby("department").size().sort_values(ascending=False)
        department = st.selectbox("Department", list(counts.index), format_func=lambda d: f"{_name(names, d)} "
                                  f"({counts[d]:,} points outside)", key="audit_map_department")
        shown = near[near["department"] == department]
        ui.plotly_chart(charts.outside_map(shown, shapes(department)), f"points-outside-{department}")
        ui.chart_text(charts.outside_map_text(shown, _name(names, department)))
        st.caption("Grey lines: the analysed block groups, on plain longitude/latitude axes (no base map needed). "
                   "Marker size grows with predictions (or records).")
    ui.download(outside, "points-outside-block-groups", "Download every point outside")


def _evidence_card(row, names: dict[str, str]) -> None:
    with st.container(border=True):
        st.markdown(f"**{row.place}, {row.country} ({row.country_code})** — {row.source} of "
                    f"**{_name(names, row.department)}**")
        c = st.columns(4)
        c[0].markdown(f"Address as recorded  \n`{row.address if isinstance(row.address, str) else '(none)'}`")
        c[1].markdown(f"Point  \n{row.lat:.5f}, {row.lon:.5f}")
        c[2].markdown("Dates  \n" + (f"{pd.Timestamp(row.first_date):%Y-%m-%d} to {pd.Timestamp(row.last_date):%Y-%m-%d}"
                                     if pd.notna(row.first_date) else "none recorded"))
        weight = row.predictions if pd.notna(row.predictions) else row.records
        c[3].markdown(f"{'Predictions' if pd.notna(row.predictions) else 'Records'}  \n{int(weight):,}")
        if row.same_street_records:
            st.markdown(f"Same street inside the department: `{row.same_street_address}` at "
                        f"{row.same_street_lat:.5f}, {row.same_street_lon:.5f} "
                        f"({int(row.same_street_records):,} records on that street).")
        st.markdown(f"**Most likely explanation.** {row.explanation}")


def _brush_dates(first_date, last_date) -> None:
    """Set the sidebar date filter from the range dragged across the daily chart."""
    selection = st.session_state["audit_brush"].selection
    boxes = selection.get("box") or []
    xs = [x for box in boxes for x in box.get("x", [])] or [p.get("x") for p in selection.get("points", [])]
    days = sorted(pd.Timestamp(x).date() for x in xs if x)
    if not days or not first_date:
        return
    start, end = max(days[0], first_date), min(days[-1], last_date)
    if start <= end:
        st.session_state["flt_dates"] = (start, end)


def over_time_tab(daily, monthly, overlap, f, options, names: dict[str, str]) -> None:
    st.markdown("**Predictions per day.** Drag across the chart to set the date filter for every page.")
    ui.plotly_chart(ui.figure(charts.daily_brush, daily), "predictions-per-day", key="audit_brush",
                    on_select=lambda: _brush_dates(options.first_date, options.last_date), selection_mode="box")
    ui.chart_text(charts.daily_text(daily))
    if f.start or f.end:
        st.caption(f"Date filter: {f.start or options.first_date} to {f.end or options.last_date}. "
                   "Reset it in the sidebar.")
    st.subheader("Block group × month")
    ui.plotly_chart(ui.figure(charts.month_heatmap, monthly, names), "block-group-months")
    ui.chart_text(charts.month_heatmap_text(monthly, names))
    st.subheader("The most-predicted block groups over time")
    ui.plotly_chart(ui.figure(charts.top_lines, monthly, names), "most-predicted-block-groups")
    ui.chart_text(charts.top_lines_text(monthly, names))
    ui.download(monthly, "block-group-months", "Download")
    st.subheader("Did the most-targeted areas stay the same?")
    st.caption("Each quarter, the top 10% of a department's block groups by predictions; the bar is the share "
               "of them that were also in the previous quarter's top 10%. Partial quarters at the start "
               "and end of use are included.")
    kept = overlap["overlap_share"].dropna()
    if len(kept):
        st.metric("Average share kept from one quarter to the next", f"{kept.mean():.0%}")
        ui.plotly_chart(ui.figure(charts.overlap_bar, overlap, names), "top-block-groups-kept")
        ui.chart_text(charts.overlap_text(overlap, names))
    ui.table(overlap, names, column_config={**DATES,
             "overlap_share": st.column_config.NumberColumn("Share kept", format="percent")})
    ui.download(overlap, "top-block-groups-by-quarter", "Download")


def patrol_context() -> None:
    with st.container(border=True):
        st.markdown("**Context — not a finding of this data.** What sustained patrols at a public-housing site "
                    "can mean for the people who live there, from reporting and research on predictive policing:")
        st.markdown(
            "- **Surveillance and stops.** A patrol sent to a prediction box is told to be visible and to look for "
            "trouble; residents of a box chosen every day meet officers every day, and stops, searches and "
            "citations follow presence, not crime.\n"
            "- **Eviction.** Many cities have nuisance-property and 'crime-free housing' rules under which police "
            "calls, arrests or citations at an address can lead a landlord or housing authority to evict — "
            "including victims who called for help. More police presence means more of the records these rules "
            "count.\n"
            "- **A loop.** Contacts produce reports, and reports feed the next predictions.\n\n"
            "This data shows where predictions fell. It does not show patrols, stops or evictions at these sites.")
