"""Map figure builders: pure, tested without Streamlit."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from lib.analysis import maps
from lib.charts import maps as charts
from lib.filters import Filters
from tests.analysis.test_maps import reported_con  # noqa: F401  (pytest fixture)


def test_marker_areas_are_proportional_to_predictions():
    values = np.array([1, 4, 25, 100])
    sizes = charts.marker_sizes(values, 100)
    assert sizes[-1] == charts.MAX_MARKER_PX
    np.testing.assert_allclose(sizes ** 2 / values, sizes[-1] ** 2 / 100)


def test_size_legend_uses_round_values_at_true_size():
    assert charts.legend_values(1234) == [1000, 200, 20]
    assert charts.legend_values(3) == [2]
    fig = charts.map_figure(maps.fit_view(-1, -1, 1, 1), [])
    charts.add_size_legend(fig, 1234)
    legend = fig.data[-1]
    assert isinstance(legend, go.Scatter) and list(legend.text) == ["1,000", "200", "20"]
    np.testing.assert_allclose(legend.marker.size, charts.marker_sizes([1000, 200, 20], 1234))


def test_point_trace_hover_and_cap_on_real_data(real_con):
    points = maps.prediction_points(real_con, Filters())
    trace = charts.point_trace(points.frame)
    assert isinstance(trace, go.Scattermap)
    assert len(trace.lat) == len(points.frame) <= maps.MAX_POINTS
    assert any("smaller locations merged" in t for t in trace.text)
    located = next(t for t in trace.text if "Block group" in t)
    assert "predictions" in located and "residents" in located and "Low-income" in located


def test_point_trace_hover_fields_by_hand(tiny_con):
    points = maps.prediction_points(tiny_con, Filters(departments=("alpha",)))
    trace = charts.point_trace(points.frame, "share_black_latino")
    first = trace.text[0]
    assert first.startswith("<b>1 First St</b>") and "15 predictions on 2 days" in first
    assert "Block group 010010000011: 100 residents" in first and "Black 60%" in first
    assert "Low-income households 80%" in first
    assert "Outside every block group" in trace.text[-1]
    assert trace.marker.cmax == 1.0 and trace.marker.color[0] == pytest.approx(0.7)


def test_choropleth_draws_outlines_and_keys_by_department_and_geoid(tiny_con):
    frame = maps.block_groups(tiny_con, Filters())
    collection = maps.geojson(frame)
    trace = charts.choropleth_trace(frame, collection, "per_1000")
    assert isinstance(trace, go.Choroplethmap)
    assert list(trace.locations) == [f["id"] for f in collection["features"]]
    assert trace.marker.line.width > 0
    a1 = list(trace.locations).index("alpha|010010000011")
    assert trace.z[a1] == pytest.approx(150.0) and "100 residents" in trace.text[a1]
    window = charts.choropleth_trace(frame, collection, "window")
    assert set(window.z) <= {-1, 0, 1, 2}


def test_outline_trace_closes_every_ring(tiny_con):
    collection = maps.geojson(maps.block_groups(tiny_con, Filters()))
    trace = charts.outline_trace(collection)
    assert trace.mode == "lines" and list(trace.lat).count(None) == 6


def test_comparison_traces_colour_and_count(reported_con):  # noqa: F811
    c = maps.comparison(reported_con, Filters())
    traces = charts.comparison_traces(c)
    names = [t.name for t in traces if t.showlegend is not False]
    assert "Reported crimes inside a box during its shift (hits): 3" in names
    assert "Reported crimes outside every box (misses): 3" in names
    assert any(n.startswith("Prediction boxes, every prediction a false alarm") for n in names)
    hits = next(t for t in traces if t.name.endswith("(hits): 3"))
    misses = next(t for t in traces if t.name.endswith("(misses): 3"))
    assert len(hits.lat) == 3 and len(misses.lat) == 3
    box_colours = {t.line.color for t in traces if t.mode == "lines"}
    assert box_colours <= {charts.BOX_COLOUR, charts.FALSE_ALARM_COLOUR}
    assert {hits.marker.color, misses.marker.color}.isdisjoint(box_colours)


def test_box_rings_are_600_ft_squares():
    import pandas as pd
    from lib.geo_math import distance_feet
    lats, lons = charts.box_rings(pd.DataFrame({"lat": [40.0], "lon": [-74.0]}))
    assert distance_feet(lats[0], lons[0], lats[1], lons[1]) == pytest.approx(600, rel=0.01)
    assert distance_feet(lats[1], lons[1], lats[2], lons[2]) == pytest.approx(600, rel=0.01)


def test_site_traces_one_per_kind(demo_con):
    frame = maps.sites(demo_con, Filters())
    traces = charts.site_traces(frame)
    assert len(traces) == frame["kind"].nunique()
    assert all(t.mode == "markers+text" for t in traces)
    assert sum(len(t.lat) for t in traces) == len(frame)
    national = charts.site_traces(frame, labels=False)
    assert [t.mode for t in national] == ["markers"] * len(traces)


def test_map_figure_works_without_tiles():
    v = maps.fit_view(-74.5, 40.5, -74.4, 40.6)
    fig = charts.map_figure(v, [])
    # A built-in style: the traces draw even when the tile server is unreachable.
    assert fig.layout.map.style == "white-bg"
    assert fig.layout.map.layers[0].sourcetype == "raster"
    assert fig.layout.map.center.lat == pytest.approx(v.lat) and fig.layout.map.zoom == v.zoom


def test_department_traces_sizes_and_labels_above_the_markers(demo_con):
    frame = maps.department_markers(demo_con, Filters())
    trace, labels = charts.department_traces(frame, zoom=4.0)
    assert len(trace.lat) == 3 and list(labels.text) == list(frame["name"])
    np.testing.assert_allclose(np.array(trace.marker.size) ** 2 / frame["predictions"],
                               40 ** 2 / frame["predictions"].max())
    # Each name sits half a marker plus 8 px above its marker: at zoom 4 a pixel is 360 / (512 * 16)
    # degrees of longitude, times cos(latitude) in latitude.
    px = 360 / (512 * 2 ** 4) * np.cos(np.radians(frame["lat"]))
    np.testing.assert_allclose(np.array(labels.lat) - frame["lat"], (np.array(trace.marker.size) / 2 + 8) * px)


def test_hex_deck_layers_and_cap(real_con):
    f = Filters()
    hexes = maps.hexagons(maps.locations(real_con, f), maps.block_groups(real_con, f), 9)
    v = maps.view(real_con, f)
    deck = charts.hex_deck(hexes.frame, v, None, maps.HEX_METRES[hexes.resolution])
    layer = deck.layers[-1]
    assert layer.type == "H3HexagonLayer" and len(layer.data) <= maps.MAX_HEX_CELLS
    assert "{predictions_text} predictions" in deck._tooltip["html"]


def test_hex_deck_draws_outlines(tiny_con):
    f = Filters(departments=("alpha",))
    bg = maps.block_groups(tiny_con, f)
    hexes = maps.hexagons(maps.locations(tiny_con, f), bg, 8)
    deck = charts.hex_deck(hexes.frame, maps.view(tiny_con, f), maps.geojson(bg), maps.HEX_METRES[8])
    assert [layer.type for layer in deck.layers] == ["GeoJsonLayer", "H3HexagonLayer"]
    colours = hexes.frame.assign(c=charts.rate_colours(hexes.frame["per_1000"], charts.rate_top(hexes.frame)))
    darkest = colours.sort_values("per_1000", ascending=False).iloc[0]["c"]
    assert darkest[:3] != [150, 150, 150]
