import streamlit as st

from lib import compare_ui, ui, urlstate
from lib.analysis import maps
from lib.analysis import sites as site_analysis
from lib.charts import maps as charts
from lib.charts import svg_map
from lib.places import panel as sites_panel

ctx = ui.context()
ui.page_intro("Map",
              "Where did the software send police, who lives there, and where were crimes actually reported?")

KEY = str(ctx.dataset.store)
LAYERS = {"locations": "Prediction locations", "block_groups": "Block groups", "reported": "Predicted vs reported",
          "sites": "Sites"}


@st.cache_data(show_spinner="Finding the prediction locations…", max_entries=32)
def cached_locations(_con, key: str, f):
    return maps.locations(_con, f)


@st.cache_data(show_spinner="Drawing the block groups…", max_entries=32)
def cached_block_groups(_con, key: str, f):
    return maps.block_groups(_con, f)


# A resource, read and never changed: as data, unpickling the GeoJSON took 36 ms of every run for Los Angeles and
# 69 ms for all departments.
@st.cache_resource(show_spinner="Drawing the block groups…", max_entries=32)
def cached_outlines(_con, key: str, f, tolerance: float, national: bool):
    """The block groups' and the departments' outlines, simplified for the zoom shown (a few hundred KB at
    most, where the stored shapes are megabytes). A national view draws no block group (they would be specks), so
    their outlines are not made for it: 0.25-0.36 s of a cold server's first view of all departments."""
    frame = cached_block_groups(_con, key, f)
    blocks = {"type": "FeatureCollection", "features": []} if national else maps.geojson(frame, tolerance)
    return blocks, maps.jurisdictions(frame, tolerance, maps.stored_outlines(_con))


@st.cache_data(show_spinner="Matching reported crimes with prediction boxes…", max_entries=32)
def cached_comparison(_con, key: str, f):
    return maps.comparison(_con, f)


@st.cache_data(show_spinner=False, max_entries=32)
def cached_hexagons(_con, key: str, f, resolution: int):
    return maps.hexagons(cached_locations(_con, key, f), cached_block_groups(_con, key, f), resolution)


# Everything below is one result per view shared by every session: each run of the page read the block groups'
# shapes back from the cache only to drop them, thinned the locations and built the Plotly figure (validating every
# property in Python), which with fifty readers opening the Map queued them behind each other (RESULTS.md).
@st.cache_data(show_spinner=False, max_entries=32)
def cached_view(_con, key: str, f):
    return maps.view(_con, f)


@st.cache_data(show_spinner=False, max_entries=32)
def cached_block_group_figures(_con, key: str, f):
    return cached_block_groups(_con, key, f).drop(columns="geometry_json")


@st.cache_data(show_spinner=False, max_entries=32)
def cached_points(_con, key: str, f):
    return maps.thin(cached_locations(_con, key, f))


@st.cache_data(show_spinner=False, max_entries=32)
def cached_sites(_con, key: str, f):
    return maps.sites(_con, f)


@st.cache_data(show_spinner=False, max_entries=32)
def cached_department_markers(_con, key: str, f):
    return maps.department_markers(_con, f)


@st.cache_resource(show_spinner=False, max_entries=32)
def cached_map_figure(key: str, f, added_sites: tuple, layers: tuple, variable: str, colour: str,
                      per_department: bool, phone: bool, _drawn: dict):
    """The map for a view, its added sites and the reader's choices, on a phone or not; `_drawn` holds what it is
    drawn from, all given by the arguments before it."""
    return charts.view_map(layers, variable, colour, per_department, phone=phone, **_drawn)


@st.cache_resource(show_spinner=False, max_entries=32)
def cached_map_svg(key: str, f, added_sites: tuple, layers: tuple, variable: str, colour: str,
                   per_department: bool, phone: bool, _fig, _label: str):
    """The Map tab's SVG of that figure (`_fig`, given by the arguments before it, as is `_label`, the map in a
    sentence): 24-210 ms to draw on the real data, once per view."""
    return svg_map.figure_svg(_fig, svg_map.PHONE_PX if phone else svg_map.DESKTOP_PX, _label)


view = cached_view(ctx.con, KEY, ctx.filters)
locations = cached_locations(ctx.con, KEY, ctx.filters)
bg_frame = cached_block_group_figures(ctx.con, KEY, ctx.filters)
if view is None or (locations.empty and bg_frame.empty):
    ui.empty_state(ui.narrowing(ctx))
    st.stop()

compare_ui.map_section(ctx)

collection, jurisdictions = cached_outlines(ctx.con, KEY, ctx.filters, maps.simplify_tolerance(view), view.national)
sites = sites_panel.with_added_sites(cached_sites(ctx.con, KEY, ctx.filters), ctx.con, ctx.filters)
offered = ["locations", "block_groups"] + (["reported"] if ctx.dataset.has("crime_reports") else []) \
    + (["sites"] if len(sites) else [])


# Bound widgets write their displayed label to the URL (Streamlit matches a link's value against the formatted
# options): `layer=Block groups`, `color=Low-income households (share)`, `hex=350 m`, `map_tab=Hexagons in 3-D`.
# A fragment: a map control reruns this function alone, not the page, and Streamlit sends only what changed.
@st.fragment
def map_and_hexagons():
    layers = st.pills("Layers", offered, selection_mode="multi", key=urlstate.MAP_LAYER, bind="query-params",
                      default=["locations", "block_groups"] + (["sites"] if len(sites) else []),
                      format_func=LAYERS.get,
                      help="Switch each layer on or off. Every layer follows the sidebar filters.")
    c = st.columns(2)
    variable = c[0].selectbox("Colour block groups by", list(maps.CHOROPLETH_VARIABLES), key=urlstate.MAP_COLOR,
                              bind="query-params", format_func=maps.CHOROPLETH_VARIABLES.get,
                              help="Targeting rank: block groups ranked by predictions within their department; "
                                   "'most' is the top 5%, 'least' the bottom 5%, 'median' the 5% around the "
                                   "middle, as on the Disparities page.")
    colour = c[1].selectbox("Colour prediction locations by", list(maps.POINT_COLOURS), key="map_point_colour",
                            format_func=maps.POINT_COLOURS.get)
    if urlstate.MAP_TAB not in st.session_state and (opens_on := urlstate.map_tab_for_link(urlstate.params())):
        st.session_state[urlstate.MAP_TAB] = opens_on
    map_tab, street_tab, hex_tab = st.tabs(list(urlstate.MAP_TABS), key=urlstate.MAP_TAB, bind="query-params")
    if map_tab.open:
        with map_tab:
            draw_map(layers, variable, colour, street=False)
    if street_tab.open:
        with street_tab:
            draw_map(layers, variable, colour, street=True)
    if hex_tab.open:
        with hex_tab:
            draw_hexagons()


def draw_map(layers: list[str], variable: str, colour: str, street: bool) -> None:
    """The map of the view with its notes and downloads: as an SVG drawn on the server, or (`street`) in Plotly
    over the base map, with zoom and pan."""
    per_department = False
    if view.national:
        per_department = st.radio(
            "Prediction markers", ["One per department", "Every prediction location"], horizontal=True,
            key="map_national_markers",
            help="The selection spans several cities. Choose a department in the sidebar to zoom in on it."
        ) == "One per department"
    points = cached_points(ctx.con, KEY, ctx.filters)
    comparison = cached_comparison(ctx.con, KEY, ctx.filters) if "reported" in layers else None
    departments = cached_department_markers(ctx.con, KEY, ctx.filters) if per_department else None
    choices = (KEY, ctx.filters, sites_panel.current(), tuple(layers), variable, colour, per_department, ui.on_phone())
    fig = cached_map_figure(*choices, _drawn=dict(view=view, bg_frame=bg_frame, collection=collection,
                                                  jurisdictions=jurisdictions, sites=sites, points=points,
                                                  comparison=comparison, departments=departments))
    summary = maps.map_summary(bg_frame, points, view)
    if street:
        st.plotly_chart(fig, width="stretch", key="main_map", config={"scrollZoom": True})
    else:
        ui.svg(cached_map_svg(*choices, _fig=fig, _label=summary), key="map_svg")

    st.caption(summary)
    notes = []
    if "locations" in layers:
        notes.append(f"{len(departments):,} departments, one marker each at the middle of its block groups; "
                     "a name that would overlap another is left off (hover its marker)."
                     if per_department else points.note())
    if "block_groups" in layers and view.national:
        notes.append(f"At this zoom the {len(bg_frame):,} block groups are drawn as their departments' areas, "
                     f"each coloured by its department as a whole; choose a department in the sidebar to see its "
                     "block groups.")
    elif "block_groups" in layers:
        notes.append(f"{len(bg_frame):,} block groups, outlines simplified to within "
                     f"{maps.simplify_tolerance(view) * 111_000:,.0f} m for the zoom shown.")
    notes.append("Dark lines: each department's area (its block groups)"
                 + ("; grey lines: state borders." if view.national else ".")
                 + (" Outlines are drawn even when the background map cannot load." if street else
                    " Hover an area or a marker for its figures (on a phone, tap it on the Street map); the Street map "
                    "tab shows the same map over streets, with zoom."))
    if "sites" in layers and len(sites):
        # Wherever sites are shown, where they came from (OpenStreetMap's licence asks for its credit).
        notes.append("Sites: " + " ".join(site_analysis.provenance(sites)))
    st.caption(" ".join(notes))
    if comparison is not None:
        if comparison.mode == "matched":
            k = st.columns(3)
            k[0].metric("Hits (reports in a box during its shift)", f"{comparison.hits:,}")
            k[1].metric("Misses (reports outside every box)", f"{comparison.misses:,}")
            k[2].metric("False alarms (predictions with no report)", f"{comparison.false_alarms:,}",
                        f"of {comparison.predictions:,} predictions", delta_color="off")
        elif comparison.mode == "carried":
            k = st.columns(2)
            k[0].metric("Hits (reports in a box during its shift)", f"{comparison.hits:,}")
            k[1].metric("Misses (reports outside every box)", f"{comparison.misses:,}")
        st.info(comparison.note() + (" " + comparison.thinning() if comparison.thinning() else ""),
                icon=":material/compare_arrows:")

    with st.expander("Download the data behind this map", icon=":material/download:"):
        if "locations" in layers and per_department:
            ui.download(departments, "map-departments", "Departments")
        ui.download(locations, "map-prediction-locations", "Every prediction location")
        ui.download(bg_frame, "map-block-groups", "Block groups")
        if comparison is not None and comparison.mode != "none":
            ui.download(comparison.reports, "map-reported-crimes", "Reported crimes (as drawn)")
            ui.download(comparison.boxes, "map-prediction-boxes", "Prediction boxes (as drawn)")
        if len(sites):
            ui.download(sites, "map-sites", "Sites")


def draw_hexagons() -> None:
    following = maps.hex_resolution_for(view)
    chosen = st.segmented_control(
        "Hexagon size", sorted(maps.HEX_RESOLUTIONS), key=urlstate.MAP_HEX, bind="query-params",
        format_func=lambda r: maps.HEX_RESOLUTIONS[r].removeprefix("about "),  # also the value in the URL
        help="Uber's H3 hexagon grid, summed on the server. Until you pick a size it follows the view "
             f"({maps.HEX_RESOLUTIONS[following]} across here); click your pick again to let it follow.")
    resolution = chosen if chosen is not None else following
    hexes = cached_hexagons(ctx.con, KEY, ctx.filters, resolution)
    if hexes.frame.empty:
        st.info("No predictions to draw for this selection.", icon=":material/hexagon:")
        return
    top = charts.rate_top(hexes.frame)
    st.html(charts.hex_legend_html(top))
    st.pydeck_chart(charts.hex_deck(hexes.frame, view, jurisdictions, maps.HEX_METRES[hexes.resolution]),
                    height=charts.HEIGHT, key="hex_map")
    st.caption(maps.hex_summary(hexes) + " " + hexes.note() + " Height: predictions in the hexagon. Colour: "
               "predictions per 1,000 residents of the block group holding most of the hexagon's predictions, "
               f"from pale yellow (none) to dark red ({top:,.0f} or more); grey: nobody lives there or the points "
               "lie outside every block group. Dark lines: each department's area. Drag with the right mouse "
               "button (or two fingers) to tilt.")
    ui.download(hexes.frame, "map-hexagons", "Hexagons")


map_and_hexagons()

ui.page_notes([
    "Each prediction location is the centre of a 600 ft square box. Marker area is proportional to the number of "
    "predictions there. Block-group residents and households come from the Census American Community Survey; "
    "low-income households are those eligible for free or reduced-price school lunch.",
    "The Map tab is drawn on the server and needs no network. The Street map's background needs an internet "
    "connection; state borders (US Census, via us-atlas), department areas and block-group outlines are part of "
    "the figure and always show. Hits, misses and false alarms count any "
    "reported crime, whatever its type; the Accuracy page applies The Markup's full method (types, duplicates, "
    "excluded addresses).",
])
