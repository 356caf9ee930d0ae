"""The Audit page's sites panel (Streamlit): the answer per site, fetching the public lists into the data
folder, adding a site by address, by coordinates or from the most-predicted places, and the added sites kept
in the URL so a shared link carries them (and the Map and the datasheet draw them)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import schema, ui, urlstate
from lib.analysis import audit, sites
from lib.analysis.maps import SITE_LABELS
from lib.places import added, sources
from lib.places.http import PlacesError

SITES_STATE = "audit_added_sites"
NOTICES_STATE = "_site_url_notices"
FETCH_STATE = "_sites_fetched"
KIND_LABELS = {k: k.replace("_", " ") for k in schema.SITE_KINDS}
PLURALS = {"police_station": "Police stations", "jail": "Jails", "court": "Courts",
           "public_housing": "Public-housing developments"}


# -- the added sites and the URL ----------------------------------------------------------------

def seed_from_url() -> None:
    """Once per session, before the sidebar rewrites the URL: the link's sites become the session's."""
    if "_sites_seeded" not in st.session_state:
        st.session_state[SITES_STATE], st.session_state[NOTICES_STATE] = added.decode(
            urlstate.read(added.URL_KEY))
        st.session_state["_sites_seeded"] = True


def keep_in_url() -> None:
    """After the sidebar has written the filters: the session's added sites back into the URL."""
    urlstate.write({added.URL_KEY}, {added.URL_KEY: added.encode(list(current()))})
    for notice in st.session_state.get(NOTICES_STATE, []):
        st.sidebar.info(notice, icon=":material/link_off:")


def current() -> tuple:
    return tuple(st.session_state.get(SITES_STATE, []))


def added_frame() -> pd.DataFrame:
    """The session's added sites as the analysis functions take them (name, kind, lat, lon)."""
    return added.frame(current())


def add(name: str, kind: str, lat: float, lon: float) -> None:
    site = (name, kind, float(lat), float(lon))
    if site not in current():
        st.session_state[SITES_STATE] = [*current(), site]


@st.cache_data(show_spinner=False, max_entries=32)
def _placed(_con, key: str, f, added_sites: tuple) -> pd.DataFrame:
    """The added sites with the department and block group their point falls in (every block group is read)."""
    extra = audit.sites(_con, f, added.frame(added_sites))
    return extra[extra["source"] == "added"].assign(label=lambda d: d["kind"].map(SITE_LABELS).fillna(d["kind"]))


def with_added_sites(frame: pd.DataFrame, con, f) -> pd.DataFrame:
    """The Map's site frame (lib.analysis.maps.sites) with the session's added sites in the selection."""
    if not current():
        return frame
    extra = _placed(con, str(ui.context().dataset.store), f, current()).assign(origin="added")
    return pd.concat([frame, extra.reindex(columns=frame.columns)], ignore_index=True)


# -- adding one site ----------------------------------------------------------------------------

def _submit() -> None:
    state = st.session_state
    address, lat, lon = state["site_address"].strip(), state["site_lat"], state["site_lon"]
    messages = []
    if address and not (str(lat).strip() or str(lon).strip()):
        try:
            found = sources.geocode(address)
        except PlacesError as exc:
            found = None
            messages.append(f"{exc} Give the latitude and longitude instead.")
        else:
            if found is None:
                messages.append(f"The Census Bureau's geocoder found no match for “{address}”; check the address "
                                "or give the latitude and longitude.")
        if found:
            lat, lon = found[0], found[1]
            state["site_found"] = f"Found {found[2]} at {lat:.6f}, {lon:.6f} (U.S. Census Bureau geocoder)."
    if not messages:
        site, messages = audit.validate_site(state["site_name"], state["site_kind"], lat, lon)
        if site:
            add(site["name"], site["kind"], site["lat"], site["lon"])
            for field in ("site_name", "site_address", "site_lat", "site_lon"):
                state[field] = ""
    state["site_errors"] = messages


def add_site_form() -> None:
    with st.form("add_site", border=False):
        c = st.columns([3, 2, 3, 1.3, 1.3])
        c[0].text_input("Name", key="site_name", placeholder="e.g. Plainfield Police Division")
        c[1].selectbox("Kind", schema.SITE_KINDS, key="site_kind", format_func=KIND_LABELS.get)
        c[2].text_input("Address (US)", key="site_address", placeholder="200 E 4th St, Plainfield, NJ",
                        help="Found with the U.S. Census Bureau's geocoder. Offline, or for a place it does not "
                             "find, give the latitude and longitude instead.")
        c[3].text_input("Latitude", key="site_lat", placeholder="40.6181")
        c[4].text_input("Longitude", key="site_lon", placeholder="-74.4194")
        st.form_submit_button("Add site", on_click=_submit, icon=":material/add:")
    for message in st.session_state.get("site_errors", []):
        st.error(message)
    if st.session_state.get("site_found") and not st.session_state.get("site_errors"):
        st.caption(st.session_state.pop("site_found"))


def hotspot_picker(hotspots: pd.DataFrame, names: dict[str, str]) -> None:
    """The most-predicted locations as a table to pick from: the chosen row becomes a site of the chosen kind."""
    shown = hotspots.assign(department=hotspots["department"].map(lambda d: names.get(d, d)))
    event = st.dataframe(shown, hide_index=True, on_select="rerun", selection_mode="single-row", key="hotspot_pick",
                         column_order=["department", "predictions", "share_of_department", "address", "lat", "lon"],
                         column_config={"department": "Department", "address": "Address",
                                        "predictions": st.column_config.NumberColumn("Predictions", format="localized"),
                                        "lat": "Latitude", "lon": "Longitude",
                                        "share_of_department": st.column_config.NumberColumn(
                                            "Share of dept. predictions", format="percent")})
    rows = event.selection.rows if event else []
    if not rows:
        st.caption("Select a row to add that place as a site: a police station, a jail, public housing…")
        return
    row = hotspots.iloc[rows[0]]
    c = st.columns([2, 3, 2])
    kind = c[0].selectbox("Kind", schema.SITE_KINDS, key="pick_kind", format_func=KIND_LABELS.get)
    default = row["address"] if isinstance(row["address"], str) else f"Location {row['lat']:.5f}, {row['lon']:.5f}"
    name = c[1].text_input("Name", value=default, key="pick_name")
    c[2].button("Add as a site", icon=":material/add_location_alt:", key="pick_add",
                on_click=add, args=(name or default, kind, row["lat"], row["lon"]))


# -- fetching the public lists -------------------------------------------------------------------

def fetch_button(dataset, departments: tuple[str, ...], names: dict[str, str]) -> None:
    """Fetch police stations, jails, courts (OpenStreetMap) and public housing (HUD) for the selected
    departments into the data folder's sites.csv; the data then reloads."""
    if dataset.is_demo:
        return
    what = (", ".join(names.get(d, d) for d in departments) if len(departments) <= 3
            else f"{len(departments)} departments") if departments else "every department"
    if st.button(f"Fetch police stations, jails, courts and public housing for {what}",
                 icon=":material/travel_explore:", key="fetch_sites", type="primary",
                 help="OpenStreetMap (Overpass API, ODbL) and HUD's Public Housing Developments (public domain), "
                      "within each department's block groups plus 1 km. Added to sites.csv in the data folder; "
                      "rows already there are kept as they are."):
        from lib.places.sitefile import fetch_sites
        bar = st.progress(0.0, text="Asking OpenStreetMap and HUD…")
        try:
            written = fetch_sites(dataset.data_dir, departments=departments,
                                  progress=lambda x, message: bar.progress(min(x, 1.0), text=message))
        except PlacesError as exc:
            bar.empty()
            st.error(str(exc), icon=":material/cloud_off:")
            return
        bar.empty()
        st.session_state[FETCH_STATE] = written.summary()
        st.rerun()
    if st.session_state.get(FETCH_STATE):
        st.success(st.session_state[FETCH_STATE], icon=":material/check_circle:")


# -- the answer ----------------------------------------------------------------------------------

def answer(table: pd.DataFrame, totals: pd.DataFrame, names: dict[str, str]) -> None:
    """Per site: the predictions in its box, its share of the department's and its rank among the
    department's places; per kind: how many sites and the predictions at them; where the list came from."""
    if table.empty:
        st.info("No sites listed for this selection yet. Fetch them, import a list "
                "(`python -m lib.cli import-sites DIR FILE`) or add one below.", icon=":material/location_off:")
        return
    st.markdown(sites.headline(table, names))
    every = totals[totals["department"].isna()].set_index("kind")
    kinds = [k for k in ("police_station", "jail", "court", "public_housing") if k in every.index]
    for column, kind in zip(st.columns(max(len(kinds), 1)), kinds):
        row = every.loc[kind]
        column.metric(f"{PLURALS[kind]}: {int(row['sites']):,}",
                      f"{int(row['predictions_at_sites']):,}", f"predictions in their boxes ({row['share_of_department']:.2%})",
                      delta_color="off", delta_arrow="off")
    ui.table(table, names, height=min(420, 38 + 35 * len(table)), column_config={
        "site": "Site", "kind": st.column_config.TextColumn("Kind"),
        "share_of_department": st.column_config.NumberColumn("Share of dept. predictions", format="percent"),
        "best_place_rank": st.column_config.NumberColumn(
            "Rank among the dept.'s places", help="1 = the prediction location with the most predictions; the "
            "best rank of any location whose 600 ft box holds the site"),
        "among_most_predicted": st.column_config.CheckboxColumn(f"In the top {sites.TOP_PLACES}"),
        "days": "Days targeted", "origin": "Source", "retrieved": st.column_config.DateColumn("Retrieved"),
        "licence": "Licence"})
    st.caption("**Where the sites come from.** " + " ".join(sites.provenance(table)) + " " + sites.INCOMPLETE)
    ui.download(table, "sites-predictions", "Download the sites and their predictions")
