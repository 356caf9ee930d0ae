"""lib.charts.maps.view_map, the Map page's figure of a view, on frames made by hand: which traces each layer adds,
which variable colours them, and what the national view draws instead of a department's."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from lib.analysis import maps
from lib.charts import maps as charts


def _square(lon: float, lat: float, side: float = 0.01) -> dict:
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _collection(corners: list[tuple[float, float]], side: float = 0.01) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": str(i), "properties": {}, "geometry": _square(lon, lat, side)}
        for i, (lon, lat) in enumerate(corners)]}


# Two block groups in Alpha (Alabama), one in Beta (New Jersey).
BLOCK_GROUPS = pd.DataFrame({
    "department": ["alpha", "alpha", "beta"], "name": ["Alpha, Ala.", "Alpha, Ala.", "Beta, N.J."],
    "geoid": ["010730001001", "010730001002", "340390001001"],
    "predictions": [30, 10, 20], "residents": [1_000, 3_000, 500], "households": [400, 1_000, 200],
    "per_1000": [30.0, 10 / 3, 40.0],
    "share_black": [0.5, 0.1, 0.2], "share_latino": [0.1, 0.1, 0.4], "share_black_latino": [0.6, 0.2, 0.6],
    "share_white": [0.3, 0.7, 0.3], "share_asian": [0.1, 0.1, 0.1], "share_low_income": [0.5, 0.25, 0.75],
    "window": ["most", "least", None], "rank": [1.0, 2.0, None], "n": [2.0, 2.0, None]})
BLOCK_GROUP_SHAPES = _collection([(-86.80, 33.50), (-86.79, 33.50), (-74.40, 40.60)])
JURISDICTIONS = _collection([(-86.80, 33.50), (-74.40, 40.60)], side=0.02)  # one per department, in name order
SITES = pd.DataFrame({"kind": ["jail", "school", "school"], "lat": [33.505, 33.501, 40.601],
                      "lon": [-86.795, -86.789, -74.399], "name": ["County Jail", "North School", "East School"],
                      "label": ["Jail", "School", "School"], "address": ["1 Main St", None, "2 Elm St"]})
POINT_FRAME = pd.DataFrame({
    "kind": ["location", "location", "cell"], "locations": [1, 1, 4], "name": ["", "", "Alpha, Ala."],
    "address": ["1 First St", None, None], "lat": [33.503, 33.504, 33.502], "lon": [-86.797, -86.788, -86.794],
    "predictions": [25, 5, 10], "days": [10, 2, 4], "share_black_latino": [0.6, 0.2, 0.6]})
POINTS = maps.Points(POINT_FRAME, locations=6, predictions=40, kept=2, merged=4, cells=1, cell_degrees=0.001)
DEPARTMENTS = pd.DataFrame({"department": ["alpha", "beta"], "name": ["Alpha, Ala.", "Beta, N.J."],
                            "lat": [33.505, 40.61], "lon": [-86.79, -74.39], "predictions": [40, 20],
                            "locations": [6, 3], "block_groups": [2, 1], "residents": [4_000, 500],
                            "share_black_latino": [0.3, 0.6]})
ALPHA_VIEW = maps.fit_view(-86.80, 33.50, -86.78, 33.51)
NATIONAL_VIEW = maps.fit_view(-86.80, 33.50, -74.38, 40.62)


def _map(layers, view, variable="per_1000", colour="predictions", per_department=False, comparison=None,
         frame=BLOCK_GROUPS):
    national = view.national
    return charts.view_map(
        tuple(layers), variable, colour, per_department, view, frame, BLOCK_GROUP_SHAPES, JURISDICTIONS, SITES,
        POINTS, comparison, DEPARTMENTS if national and per_department else None)


def _kinds(fig: go.Figure) -> list[tuple[str, str]]:
    return [(type(t).__name__, t.name) for t in fig.data]


def test_a_departments_map_colours_its_block_groups_and_sizes_its_locations():
    fig = _map(["locations", "block_groups"], ALPHA_VIEW)
    assert not ALPHA_VIEW.national
    assert _kinds(fig) == [("Choroplethmap", "Predictions per 1,000 residents"),
                           ("Scattermap", "Prediction locations"), ("Scatter", "size legend")]
    areas, locations, legend = fig.data
    assert list(areas.locations) == ["0", "1", "2"] and list(areas.z) == pytest.approx([30.0, 10 / 3, 40.0])
    assert areas.text[0] == "Alpha, Ala. · block group 010730001001<br>Targeting: Most targeted (rank 1 of 2)"
    # locations coloured by their predictions, the largest marker at the full size
    assert list(locations.marker.color) == [25, 5, 10] and max(locations.marker.size) == charts.MAX_MARKER_PX
    assert list(legend.text) == ["1", "5", "20"]  # 25, 25 / 5 and 25 / 25 down to a 1-2-5 step
    assert fig.layout.annotations[0].text == "Marker area ∝<br>predictions"
    # the department's outline beneath the traces; no state borders at a city's zoom
    outlines = fig.layout.map.layers[1:]
    assert [layer.color for layer in outlines] == [charts.JURISDICTION]
    assert (fig.layout.map.center.lat, fig.layout.map.center.lon, fig.layout.map.zoom) == (
        ALPHA_VIEW.lat, ALPHA_VIEW.lon, ALPHA_VIEW.zoom)


@pytest.mark.parametrize("variable", ["share_black", "share_low_income"])
def test_the_chosen_variable_colours_the_block_groups_and_the_chosen_colour_the_locations(variable):
    fig = _map(["locations", "block_groups"], ALPHA_VIEW, variable=variable, colour="share_black_latino")
    areas, locations = fig.data[0], fig.data[1]
    assert list(areas.z) == pytest.approx(list(BLOCK_GROUPS[variable]))
    assert areas.name == maps.CHOROPLETH_VARIABLES[variable] and areas.zmax == 1.0
    assert list(locations.marker.color) == pytest.approx([0.6, 0.2, 0.6]) and locations.marker.cmax == 1.0


def test_without_the_block_group_layer_their_outlines_still_draw():
    fig = _map(["locations"], ALPHA_VIEW)
    assert _kinds(fig) == [("Scattermap", "Block-group outlines"), ("Scattermap", "Prediction locations"),
                           ("Scatter", "size legend")]
    outline = fig.data[0]
    assert outline.mode == "lines" and list(outline.lat).count(None) == 3  # one closed ring per block group


def test_without_locations_no_marker_key():
    fig = _map(["block_groups"], ALPHA_VIEW)
    assert _kinds(fig) == [("Choroplethmap", "Predictions per 1,000 residents")]
    assert not fig.layout.annotations


def test_sites_one_trace_per_kind_named_on_a_departments_map():
    fig = _map(["sites"], ALPHA_VIEW)
    assert _kinds(fig) == [("Scattermap", "Block-group outlines"), ("Scattermap", "Jail (1)"),
                           ("Scattermap", "School (2)")]
    assert [t.mode for t in fig.data[1:]] == ["markers+text", "markers+text"]


def test_reported_crimes_are_drawn_only_with_a_comparison():
    reports = pd.DataFrame({"lat": [33.503, 33.509], "lon": [-86.797, -86.781], "outcome": ["hit", "miss"],
                            "description": ["Robbery", None], "address": ["1 First St", None],
                            "datetime": ["2018-05-01 10:00", "2018-05-02 23:00"]})
    boxes = pd.DataFrame({"lat": [33.503, 33.504], "lon": [-86.797, -86.788], "predictions": [25, 5],
                          "hit_predictions": [1, 0], "false_alarms": [24, 5]})
    matched = maps.Comparison("matched", reports, boxes, hits=1, misses=1, false_alarms=29, predictions=30)
    fig = _map(["locations", "reported"], ALPHA_VIEW, comparison=matched)
    names = [t.name for t in fig.data]
    # two groups of boxes (outline and centre each), then hits and misses
    assert names[2:8] == [
        "Prediction boxes, every prediction a false alarm (5 predictions)",
        "Prediction boxes, every prediction a false alarm (5 predictions)",
        "Prediction boxes with at least one hit (25 predictions, 24 of them false alarms)",
        "Prediction boxes with at least one hit (25 predictions, 24 of them false alarms)",
        "Reported crimes inside a box during its shift (hits): 1",
        "Reported crimes outside every box (misses): 1"]
    assert len(fig.data) == 9  # outlines, locations, the six above, the size legend
    none = maps.Comparison("none", reports.iloc[0:0], boxes.iloc[0:0])
    assert len(_map(["locations", "reported"], ALPHA_VIEW, comparison=none).data) == 3


def test_the_national_view_colours_whole_departments_and_marks_each_one():
    assert NATIONAL_VIEW.national
    fig = _map(["locations", "block_groups", "sites"], NATIONAL_VIEW, per_department=True)
    assert _kinds(fig) == [("Choroplethmap", "Predictions per 1,000 residents"), ("Scattermap", "Departments"),
                           ("Scattermap", "Department names"), ("Scattermap", "Jail (1)"),
                           ("Scattermap", "School (2)"), ("Scatter", "size legend")]
    areas, markers, names = fig.data[:3]
    # each department's area as a whole: Alpha 40 predictions for 4,000 residents, Beta 20 for 500
    assert list(areas.locations) == ["0", "1"] and list(areas.text) == ["Alpha, Ala.", "Beta, N.J."]
    assert list(areas.z) == pytest.approx([10.0, 40.0])
    assert list(markers.lat) == [33.505, 40.61] and max(markers.marker.size) == 40
    assert sorted(names.text) == ["Alpha, Ala.", "Beta, N.J."]
    # sites unnamed at this zoom (their names would pile up over the departments')
    assert [t.mode for t in fig.data[3:5]] == ["markers", "markers"]
    assert fig.layout.annotations[0].text == "Marker area ∝<br>department's predictions"
    # state borders first, then the departments' outlines
    assert [layer.color for layer in fig.layout.map.layers[1:]] == [charts.STATE_BORDER, charts.JURISDICTION]


def test_the_national_view_without_block_groups_draws_no_block_group_outlines():
    """Block groups are specks at a national zoom: without their layer nothing stands for them but the
    departments' outlines beneath."""
    fig = _map(["locations"], NATIONAL_VIEW, per_department=True)
    assert _kinds(fig) == [("Scattermap", "Departments"), ("Scattermap", "Department names"),
                           ("Scatter", "size legend")]


def test_on_a_phone_the_national_view_zooms_out_to_fit_and_keeps_names_on_the_map():
    # A third department between the two: at the phone's zoom the outer two sit at the map's edges, where a name
    # centred on them would be cut off; the middle one's name fits.
    departments = pd.concat([DEPARTMENTS, pd.DataFrame({
        "department": ["gamma"], "name": ["Gamma, Va."], "lat": [37.0], "lon": [-80.6], "predictions": [10],
        "locations": [2], "block_groups": [1], "residents": [100], "share_black_latino": [0.5]})], ignore_index=True)
    args = (("locations",), "per_1000", "predictions", True, NATIONAL_VIEW, BLOCK_GROUPS, BLOCK_GROUP_SHAPES,
            JURISDICTIONS, SITES, POINTS, None, departments)
    desktop, phone = charts.view_map(*args), charts.view_map(*args, phone=True)
    fitted = maps.fit_view(*NATIONAL_VIEW.bounds, *charts.PHONE_MAP_PX)
    assert desktop.layout.map.zoom == NATIONAL_VIEW.zoom and phone.layout.map.zoom == fitted.zoom < NATIONAL_VIEW.zoom
    on_desktop, on_phone = (next(t for t in fig.data if t.name == "Department names") for fig in (desktop, phone))
    assert sorted(on_desktop.text) == ["Alpha, Ala.", "Beta, N.J.", "Gamma, Va."]
    assert list(on_phone.text) == ["Gamma, Va."]
    x, y = charts.mercator_pixels(on_phone.lat, on_phone.lon, fitted.zoom)
    marker_x, marker_y = charts.mercator_pixels([37.0], [-80.6], fitted.zoom)
    assert x[0] == pytest.approx(marker_x[0]) and y[0] < marker_y[0]  # centred above its marker


def test_on_a_phone_a_departments_view_is_unchanged():
    fig = charts.view_map(("locations", "block_groups"), "per_1000", "predictions", False, ALPHA_VIEW, BLOCK_GROUPS,
                          BLOCK_GROUP_SHAPES, JURISDICTIONS, SITES, POINTS, None, None, phone=True)
    assert fig.layout.map.zoom == ALPHA_VIEW.zoom and fig.layout.map.center.lat == ALPHA_VIEW.lat
