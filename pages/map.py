import streamlit as st

from lib import compare_ui, ui
from lib.analysis import maps, overview
from lib.charts import maps as charts
from lib.places import panel as sites_panel

ctx = ui.context()
ui.page_intro("Map",
              "Where did the software send police, who lives there, and where were crimes actually reported?")

KEY = str(ctx.dataset.store)
LOCATIONS, BLOCK_GROUPS, REPORTED, SITES = ("Prediction locations", "Block groups", "Predicted vs reported",
                                            "Sites")


@st.cache_data(show_spinner="Finding the prediction locations…", max_entries=32)
def cached_locations(_con, key: str, f):
    return maps.locations(_con, f)


@st.cache_data(show_spinner="Drawing the block groups…", max_entries=32)
def cached_block_groups(_con, key: str, f):
    frame = maps.block_groups(_con, f)
    return frame.drop(columns="geometry_json"), maps.geojson(frame)


@st.cache_data(show_spinner="Matching reported crimes with prediction boxes…", max_entries=32)
def cached_comparison(_con, key: str, f):
    return maps.comparison(_con, f)


@st.cache_data(show_spinner=False, max_entries=32)
def cached_hexagons(_con, key: str, f, resolution: int):
    return maps.hexagons(cached_locations(_con, key, f), cached_block_groups(_con, key, f)[0], resolution)


view = maps.view(ctx.con, ctx.filters)
locations = cached_locations(ctx.con, KEY, ctx.filters)
bg_frame, collection = cached_block_groups(ctx.con, KEY, ctx.filters)
if view is None or (locations.empty and bg_frame.empty):
    ui.empty_state(overview.narrowing(ctx.con, ctx.filters, ctx.names))
    st.stop()

compare_ui.map_section(ctx)

sites = sites_panel.with_added_sites(maps.sites(ctx.con, ctx.filters), ctx.con, ctx.filters)
has_reports = bool(ctx.dataset.has("crime_reports"))
offered = [LOCATIONS, BLOCK_GROUPS] + ([REPORTED] if has_reports else []) + ([SITES] if len(sites) else [])

c = st.columns([4, 2, 2])
layers = c[0].pills("Layers", offered, selection_mode="multi", key="map_layers",
                    default=[LOCATIONS, BLOCK_GROUPS] + ([SITES] if len(sites) else []),
                    help="Switch each layer on or off. Every layer follows the sidebar filters.")
variable = c[1].selectbox("Colour block groups by", list(maps.CHOROPLETH_VARIABLES), key="map_bg_variable",
                          format_func=maps.CHOROPLETH_VARIABLES.get,
                          help="Targeting rank: block groups ranked by predictions within their department; "
                               "'most' is the top 5%, 'least' the bottom 5%, 'median' the 5% around the middle, "
                               "as on the Disparities page.")
colour = c[2].selectbox("Colour prediction locations by", list(maps.POINT_COLOURS), key="map_point_colour",
                        format_func=maps.POINT_COLOURS.get)
per_department = False
if view.national:
    per_department = st.radio(
        "Prediction markers", ["One per department", "Every prediction location"], horizontal=True,
        key="map_national_markers",
        help="The selection spans several cities. Choose a department in the sidebar to zoom in on it."
    ) == "One per department"

points = maps.thin(locations)
comparison = cached_comparison(ctx.con, KEY, ctx.filters) if REPORTED in layers else None
departments = maps.department_markers(ctx.con, ctx.filters) if per_department else None

map_tab, hex_tab = st.tabs(["Map", "Hexagons in 3-D"])

with map_tab:
    traces = []
    if BLOCK_GROUPS in layers and len(bg_frame):
        traces.append(charts.choropleth_trace(bg_frame, collection, variable))
    elif collection["features"]:
        traces.append(charts.outline_trace(collection))
    size_max, size_unit, size_px = None, "predictions", charts.MAX_MARKER_PX
    if LOCATIONS in layers:
        if per_department:
            traces.extend(charts.department_traces(departments, view.zoom))
            size_max, size_unit, size_px = departments["predictions"].max(), "predictions in the department", 40
        elif len(points.frame):
            traces.append(charts.point_trace(points.frame, colour))
            size_max = points.frame["predictions"].max()
    if comparison is not None and comparison.mode != "none":
        traces.extend(charts.comparison_traces(comparison))
    if SITES in layers:
        traces.extend(charts.site_traces(sites, labels=not view.national))
    fig = charts.map_figure(view, traces)
    if size_max:
        charts.add_size_legend(fig, float(size_max), size_unit, size_px)
    st.plotly_chart(fig, width="stretch", key="main_map", config={"scrollZoom": True})

    notes = []
    if LOCATIONS in layers:
        notes.append(f"{len(departments):,} departments, one marker each at the middle of its block groups."
                     if per_department else points.note())
    if BLOCK_GROUPS in layers:
        notes.append(f"{len(bg_frame):,} block groups, outlines simplified to within "
                     f"{maps.simplify_tolerance(len(bg_frame)) * 111_000:.0f} m for speed."
                     if maps.simplify_tolerance(len(bg_frame)) else f"{len(bg_frame):,} block groups.")
    st.caption(" ".join(notes) + " Outlines are drawn even when the background map cannot load.")
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
        if LOCATIONS in layers and per_department:
            ui.download(departments, "map-departments", "Departments")
        ui.download(locations, "map-prediction-locations", "Every prediction location")
        ui.download(bg_frame, "map-block-groups", "Block groups")
        if comparison is not None and comparison.mode != "none":
            ui.download(comparison.reports, "map-reported-crimes", "Reported crimes (as drawn)")
            ui.download(comparison.boxes, "map-prediction-boxes", "Prediction boxes (as drawn)")
        if len(sites):
            ui.download(sites, "map-sites", "Sites")

with hex_tab:
    resolution = st.select_slider(
        "Hexagon size", options=sorted(maps.HEX_RESOLUTIONS, reverse=True), key="map_hex_resolution",
        value=7 if view.national else maps.DEFAULT_HEX_RESOLUTION,
        format_func=lambda r: f"{maps.HEX_RESOLUTIONS[r]} across",
        help="Uber's H3 hexagon grid. Predictions are summed into hexagons on the server.")
    hexes = cached_hexagons(ctx.con, KEY, ctx.filters, resolution)
    if hexes.frame.empty:
        st.info("No predictions to draw for this selection.", icon=":material/hexagon:")
    else:
        st.pydeck_chart(charts.hex_deck(hexes.frame, view, collection, maps.HEX_METRES[hexes.resolution]),
                        height=charts.HEIGHT, key="hex_map")
        st.caption(hexes.note() + " Height: predictions in the hexagon. Colour: predictions per 1,000 residents "
                   "of the block group holding most of the hexagon's predictions, from pale yellow (none) to dark "
                   f"red ({charts.rate_top(hexes.frame):,.0f} or more); grey: nobody lives there or the points lie "
                   "outside every block group. Drag with the right mouse button (or two fingers) to tilt.")
        ui.download(hexes.frame, "map-hexagons", "Hexagons")

ui.page_notes([
    "Each prediction location is the centre of a 600 ft square box. Marker area is proportional to the number of "
    "predictions there. Block-group residents and households come from the Census American Community Survey; "
    "low-income households are those eligible for free or reduced-price school lunch.",
    "The background map needs an internet connection; block-group outlines are part of the figure and always "
    "show. Hits, misses and false alarms count any reported crime, whatever its type; the Accuracy page "
    "applies The Markup's full method (types, duplicates, excluded addresses).",
])
