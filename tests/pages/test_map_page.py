"""The Map page under AppTest with every layer, on tiny, demo and real data; and in a real browser, where the
map must draw without base-map tiles (this machine has no internet)."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest

from lib import preload
from lib.analysis import maps
from tests.apptest import assert_no_exception, metrics, run_app
from tests.fixtures import write_tiny

REPO = Path(__file__).resolve().parents[2]
PAGE = "pages/map.py"
ALL_LAYERS = ["locations", "block_groups", "reported", "sites"]
HEXAGONS = "Hexagons in 3-D"
STREET = "Street map"


def _figure(at, key="main_map") -> dict:
    """The Street map's Plotly figure, opening its tab when the page shows another (the Map tab's SVG is drawn from
    this figure: tests/charts/test_svg_map.py)."""
    if not any(c.proto.id and key in c.proto.id for c in at.get("plotly_chart")):
        at.session_state["map_tab"] = STREET
        at.run()
        assert_no_exception(at)
    chart = next(c for c in at.get("plotly_chart") if c.proto.id and key in c.proto.id)
    return json.loads(chart.proto.spec)


def _svg(at) -> str:
    """The Map tab's SVG map (the data of its component, lib.ui.svg), '' when the page shows none."""
    return next((json.loads(e.proto.json) for e in at.get("bidi_component") if e.proto.component_name == "pp_svg"),
                "")


def _charts(at) -> list:
    """The page's Plotly charts, without the hidden one the shell sends first to start Plotly's code (lib.preload)."""
    return [c for c in at.get("plotly_chart") if preload.KEY not in (c.proto.id or "")]


def _with_layers(at, layers):
    at.session_state["layer"] = layers
    at.run()
    assert_no_exception(at)
    return at


def _length(values) -> int:
    """Plotly sends numeric arrays as base64 typed arrays."""
    if isinstance(values, dict):
        return len(base64.b64decode(values["bdata"])) // np.dtype(values["dtype"]).itemsize
    return len(values)


def _trace_types(figure) -> list[str]:
    return [t["type"] for t in figure["data"]]


def test_tiny_draws_points_over_the_choropleth_and_the_hexagons(tiny_dir):
    at = run_app(tiny_dir, PAGE, {"dept": "alpha"})
    assert_no_exception(at)
    # The Map tab: an SVG with tiny's four block groups and four locations, and no Plotly on the page at all.
    svg = _svg(at)
    assert svg.count("<path data-hover") == 4 and svg.count("<circle data-hover") == 4 and not _charts(at)
    assert any(c.value.startswith("Map of Alpha City, Ala.: 26 predictions at 4 locations") for c in at.caption)
    figure = _figure(at)
    types = _trace_types(figure)
    assert types[0] == "choroplethmap" and "scattermap" in types
    points = next(t for t in figure["data"] if t.get("name") == "Prediction locations")
    assert _length(points["lat"]) == 4
    assert any("Every one of the 4 prediction locations is drawn" in c.value for c in at.caption)
    assert any(c.value.startswith("Map of Alpha City, Ala.: 26 predictions at 4 locations") for c in at.caption)
    # The department's area is drawn beneath, as a line layer (one feature: its four block groups' union).
    layers = _figure(at)["layout"]["map"]["layers"]
    assert [len(layer["source"]["features"]) for layer in layers[1:]] == [1]
    # The hexagon tab runs only when opened: its deck is not sent with the map.
    assert len(at.get("deck_gl_json_chart")) == 0
    at.session_state["map_tab"] = HEXAGONS
    at.run()
    assert_no_exception(at)
    assert len(at.get("deck_gl_json_chart")) == 1 and len(_charts(at)) == 0 and not _svg(at)
    at.session_state["map_tab"] = STREET
    at.run()
    # Switching the choropleth off leaves the outlines as a line trace.
    _with_layers(at, ["locations"])
    assert _trace_types(_figure(at))[0] == "scattermap" and _figure(at)["data"][0]["mode"] == "lines"


def test_demo_every_layer(demo):
    at = run_app(demo.data_dir, PAGE, {"dept": "rivertonpdnj"})
    assert_no_exception(at)
    _with_layers(at, ALL_LAYERS)
    m = metrics(at)
    comparison = maps.comparison(demo.connect(), at.session_state["_context"].filters)
    assert m["Hits (reports in a box during its shift)"] == f"{comparison.hits:,}"
    assert m["Misses (reports outside every box)"] == f"{comparison.misses:,}"
    assert m["False alarms (predictions with no report)"] == f"{comparison.false_alarms:,}"
    names = [t.get("name", "") for t in _figure(at)["data"]]
    assert any(n.startswith("Reported crimes inside a box") for n in names)
    assert any(n.startswith("Police station") for n in names)
    for variable in maps.CHOROPLETH_VARIABLES:
        at.selectbox(key="color").set_value(variable).run()
        assert_no_exception(at)
    labels = {b.label for b in at.get("download_button")}
    assert {"Every prediction location CSV", "Block groups CSV", "Reported crimes (as drawn) CSV",
            "Prediction boxes (as drawn) CSV", "Sites CSV"} <= labels
    at.session_state["map_tab"] = HEXAGONS
    at.run()
    assert "Hexagons CSV" in {b.label for b in at.get("download_button")}


def test_demo_all_departments_opens_on_the_country(demo):
    at = run_app(demo.data_dir, PAGE)
    assert_no_exception(at)
    figure = _figure(at)
    departments = next(t for t in figure["data"] if t.get("name") == "Departments")
    assert _length(departments["lat"]) == 3
    assert figure["layout"]["map"]["zoom"] < 5
    # State borders, then the three departments' areas, beneath the traces; the choropleth colours the areas.
    borders, areas = figure["layout"]["map"]["layers"][1:]
    assert borders["source"]["features"][0]["id"] == "us-state-borders"
    assert len(areas["source"]["features"]) == 3
    choropleth = next(t for t in figure["data"] if t["type"] == "choroplethmap")
    assert len(choropleth["locations"]) == 3
    at.radio(key="map_national_markers").set_value("Every prediction location").run()
    assert_no_exception(at)
    assert any(t.get("name") == "Prediction locations" for t in _figure(at)["data"])


def test_real_plainfield_every_layer(real_dir):
    at = run_app(real_dir, PAGE, {"dept": "plainfieldpdnj"})
    assert_no_exception(at)
    _with_layers(at, ALL_LAYERS[:3])
    m = metrics(at)
    assert m["Hits (reports in a box during its shift)"] == "608"
    assert m["Misses (reports outside every box)"] == "2,548"
    assert "False alarms (predictions with no report)" not in m
    assert any("cannot be classified one by one" in i.value for i in at.info)


def test_real_everything_stays_under_the_caps(real_dir):
    at = run_app(real_dir, PAGE)
    assert_no_exception(at)
    at.radio(key="map_national_markers").set_value("Every prediction location").run()
    assert_no_exception(at)
    points = next(t for t in _figure(at)["data"] if t.get("name") == "Prediction locations")
    assert _length(points["lat"]) <= maps.MAX_POINTS
    assert any("103,648 prediction locations are too many" in c.value for c in at.caption)
    # the national view draws all 6,060 block groups as the 39 departments' areas (not 6,060 per department)
    assert any("At this zoom the 6,060 block groups are drawn as their departments' areas" in c.value
               for c in at.caption)


def test_a_selection_with_nothing_shows_the_empty_state(tmp_path):
    directory = write_tiny(tmp_path / "tiny")
    at = run_app(directory, PAGE, {"dept": "beta", "majority": "black"})
    assert_no_exception(at)
    assert any("Nothing matches these filters" in i.value for i in at.info)


def test_layers_colour_and_hexagon_size_round_trip_through_the_url(tiny_dir):
    link = {"dept": "alpha", "layer": ["Block groups", "Sites"], "color": "Low-income households (share)",
            "hex": "1 km"}
    at = run_app(tiny_dir, PAGE, link)
    assert_no_exception(at)
    # "Sites" is not offered on tiny (it has none): Streamlit drops it and keeps the valid value.
    assert at.session_state["layer"] == ["block_groups"]
    assert at.session_state["color"] == "share_low_income"
    # The link has a size and no tab: it opens on the hexagons.
    assert at.session_state["map_tab"] == HEXAGONS
    assert at.session_state["hex"] == 8
    assert any("H3 resolution 8" in c.value for c in at.caption)
    # What the widgets hold is what the URL says, in the keys lib/urlstate.py registers.
    assert at.query_params["layer"] == ["Block groups"] or at.query_params["layer"] == "Block groups"
    assert at.query_params["color"] in ("Low-income households (share)", ["Low-income households (share)"])
    assert at.query_params["hex"] in ("1 km", ["1 km"])
    at.session_state["map_tab"] = "Map"
    at.run()
    assert _svg(at).count("<path data-hover") == 4 and "<circle data-hover" not in _svg(at)
    figure = _figure(at)
    assert _trace_types(figure) == ["choroplethmap"]
    assert figure["data"][0]["name"] == "Low-income households (share)"


def test_the_open_tab_is_in_the_url_and_a_hexagon_size_link_opens_on_hexagons(tiny_dir):
    # (The browser writes a switched tab to the URL: tests/e2e/test_shared_links.py.)
    at = run_app(tiny_dir, PAGE, {"dept": "alpha"})
    assert at.session_state["map_tab"] == "Map" and len(at.get("deck_gl_json_chart")) == 0
    at = run_app(tiny_dir, PAGE, {"dept": "alpha", "map_tab": HEXAGONS})
    assert at.session_state["map_tab"] == HEXAGONS and len(at.get("deck_gl_json_chart")) == 1
    # A link with a size and no tab (copied before the tab was in the URL) opens on the hexagons it sized.
    at = run_app(tiny_dir, PAGE, {"dept": "alpha", "hex": "1 km"})
    assert_no_exception(at)
    assert at.session_state["map_tab"] == HEXAGONS
    assert len(at.get("deck_gl_json_chart")) == 1 and len(_charts(at)) == 0
    assert any("H3 resolution 8" in c.value for c in at.caption)
    # The reader can still go back to the map, and the size link's tab does not pull them back on the next run.
    at.session_state["map_tab"] = "Map"
    at.run()
    at.run()
    assert at.session_state["map_tab"] == "Map" and _svg(at) and len(_charts(at)) == 0
    # A link that names the Street map opens on it, and only then is Plotly sent.
    at = run_app(tiny_dir, PAGE, {"dept": "alpha", "map_tab": STREET})
    assert_no_exception(at)
    assert at.session_state["map_tab"] == STREET and len(_charts(at)) == 1 and not _svg(at)
    # A link that names the Map tab opens on it, size or not.
    at = run_app(tiny_dir, PAGE, {"dept": "alpha", "hex": "1 km", "map_tab": "Map"})
    assert at.session_state["map_tab"] == "Map" and len(at.get("deck_gl_json_chart")) == 0
    # An unknown tab is dropped from the URL and the page opens on the map.
    at = run_app(tiny_dir, PAGE, {"dept": "alpha", "map_tab": "Globe"})
    assert_no_exception(at)
    assert at.session_state["map_tab"] == "Map" and "map_tab" not in at.query_params


def test_hexagon_size_follows_the_view_until_chosen(tiny_dir):
    at = run_app(tiny_dir, PAGE, {"dept": "alpha"})
    at.session_state["map_tab"] = HEXAGONS
    at.run()
    assert at.session_state["hex"] is None
    alpha = maps.hex_resolution_for(maps.fit_view(-87.0, 33.0, -86.96, 33.01))  # tiny's alpha, 4 km wide
    assert alpha == 10
    assert any(f"H3 resolution {alpha}" in c.value for c in at.caption)
    # Both departments (500 km apart): the national view and its size.
    at.multiselect(key="flt_departments").set_value([]).run()
    assert_no_exception(at)
    assert any("H3 resolution 6" in c.value for c in at.caption)
    assert at.session_state["hex"] is None and "hex" not in at.query_params
    # A chosen size stays when the view changes.
    at.session_state["hex"] = 10
    at.run()
    at.multiselect(key="flt_departments").set_value(["alpha"]).run()
    assert any("H3 resolution 10" in c.value for c in at.caption)


# -- in a real browser ------------------------------------------------------------------------

@pytest.mark.e2e
@pytest.mark.parametrize("data, query", [("demo", "?dept=rivertonpdnj"), ("real", "?dept=plainfieldpdnj")])
def test_map_draws_without_tiles(data, query, request, tmp_path_factory, browser):
    """The map's style must be built in: with a style fetched from the network, MapLibre draws nothing at
    all offline. Leaves artifacts/e2e/map-<data>.png to look at."""
    from lib.data import load
    from tests.e2e.browser import exceptions, open_page, screenshot, start_server, stop_server
    data_dir = request.getfixturevalue("real_dir") if data == "real" else REPO / "data" / "demo"
    work = tmp_path_factory.mktemp(f"map-{data}")
    load.load(data_dir, cache_dir=work / "cache")
    server = start_server(data_dir, work / "cache", work / "server.log")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            open_page(page, server, "/map" + query + "&map_tab=Street+map")
            screenshot(page, f"map-{data}")  # kept if the wait below fails
            page.wait_for_function("""() => { const gd = document.querySelector('.st-key-main_map .js-plotly-plot');
                const map = gd && gd._fullLayout.map && gd._fullLayout.map._subplot.map;
                return map && map.loaded(); }""", timeout=120_000)
            shot = screenshot(page, f"map-{data}")
            assert exceptions(page) == [], shot
            assert page.locator('[data-testid="stDeckGlJsonChart"]').count() == 0  # until its tab is opened
        finally:
            page.close()
    finally:
        stop_server(server)
