"""Map figure builders: pure, tested without Streamlit."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
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
    assert isinstance(legend, go.Scatter) and list(legend.text) == ["20", "200", "1,000"]
    np.testing.assert_allclose(legend.marker.size, charts.marker_sizes([20, 200, 1000], 1234))
    # Under the map, beside the colour bars: nothing sits over the map itself.
    assert fig.layout.yaxis.domain[1] <= fig.layout.map.domain.y[0]


def test_point_trace_hover_and_cap_on_real_data(real_con):
    points = maps.prediction_points(real_con, Filters())
    trace = charts.point_trace(points.frame)
    assert isinstance(trace, go.Scattermap)
    assert len(trace.lat) == len(points.frame) <= maps.MAX_POINTS
    assert any("smaller locations merged" in t for t in trace.text)
    # Many markers: smaller and see-through, so the block groups beneath stay readable.
    assert trace.marker.opacity < 0.85 and max(trace.marker.size) == charts.DENSE_MARKER_PX


def test_point_trace_hover_fields_by_hand(tiny_con):
    points = maps.prediction_points(tiny_con, Filters(departments=("alpha",)))
    trace = charts.point_trace(points.frame, "share_black_latino")
    assert trace.text[0] == "1 First St"
    assert tuple(trace.customdata[0]) == (15.0, 2.0)  # predictions, days
    assert "%{customdata[0]:,.0f} predictions" in trace.hovertemplate
    assert trace.text[-1] == "99 Far Rd"
    assert trace.text[1] == "33.00500, -86.97500"  # no address: the coordinates
    assert trace.marker.cmax == 1.0 and trace.marker.color[0] == pytest.approx(0.7)
    assert max(trace.marker.size) == charts.MAX_MARKER_PX and trace.marker.opacity == 0.85


def test_choropleth_draws_outlines_and_numbers_as_binary(tiny_con):
    frame = maps.block_groups(tiny_con, Filters())
    collection = maps.geojson(frame)
    trace = charts.choropleth_trace(frame, collection, "per_1000")
    assert isinstance(trace, go.Choroplethmap)
    assert list(trace.locations) == [f["id"] for f in collection["features"]]
    assert trace.marker.line.width > 0
    a1 = list(frame["geoid"]).index("010010000011")
    assert trace.z[a1] == pytest.approx(150.0)
    assert trace.text[a1] == "Alpha City, Ala. · block group 010010000011<br>Targeting: Most targeted (rank 4 of 4)"
    assert trace.customdata.dtype == np.float32 and trace.customdata[a1][0] == 100  # residents
    assert trace.customdata[a1][3] == pytest.approx(0.6)  # share Black
    window = charts.choropleth_trace(frame, collection, "window")
    assert set(window.z) <= {-1, 0, 1, 2}
    one = frame[frame["department"] == "alpha"]
    assert charts.block_group_labels(one)[0].startswith("block group 010010000011")


def _circles(n: int, vertices: int = 200, radius: float = 0.004) -> pd.DataFrame:
    """n round block groups of `vertices` points each, on a grid 0.01 degree apart."""
    rows = []
    for i in range(n):
        x, y = -100 + (i % 20) * 0.01, 40 + (i // 20) * 0.01
        ring = [[round(x + radius * math.cos(2 * math.pi * k / vertices), 6),
                 round(y + radius * math.sin(2 * math.pi * k / vertices), 6)] for k in range(vertices)]
        rows.append({"department": "d", "name": "D", "geoid": f"{i:012d}", "residents": 100.0, "predictions": i,
                     "per_1000": float(i) * 10, "share_black": 0.1, "share_latino": 0.2, "share_white": 0.6,
                     "share_asian": 0.1, "share_low_income": 0.3, "window": None, "rank": np.nan, "n": np.nan,
                     "geometry_json": json.dumps({"type": "Polygon", "coordinates": [ring + [ring[0]]]})})
    return pd.DataFrame(rows)


def test_figure_payload_stays_under_a_bound_computed_from_the_fixture():
    frame = _circles(400)
    raw = frame["geometry_json"].str.len().sum()
    view = maps.fit_view(-100.0, 40.0, -99.8, 40.2)  # the 400 circles fill the view: each is ~15 px wide
    collection = maps.geojson(frame, maps.simplify_tolerance(view))
    assert len(collection["features"]) == 400
    # Within half a pixel a 15 px circle needs at most a few dozen vertices; each costs at most
    # 2 x ("-100.0000," = 10 characters) + 4 of brackets, each feature about 100 characters of wrapping.
    vertices = sum(len(f["geometry"]["coordinates"][0]) for f in collection["features"])
    assert vertices <= 400 * 40
    geometry_bound = 400 * 100 + vertices * 24
    assert len(json.dumps(collection, separators=(",", ":"))) <= geometry_bound
    fig = charts.map_figure(view, [charts.choropleth_trace(frame, collection, "per_1000")])
    # Per block group on top of the geometry: its hover title (about 30 characters) and 8 float32 numbers in
    # base64 (8 x 4 x 4 / 3), its colour value (4 bytes in base64) and its id in `locations` (5): 120 in all;
    # plus 5 KB for the layout.
    payload = len(fig.to_json())
    assert payload <= geometry_bound + 400 * 120 + 5_000
    assert payload < raw / 2


def test_state_borders_ship_with_the_app_and_draw_beneath_the_traces():
    borders = charts.state_borders()
    lines = borders["features"][0]["geometry"]["coordinates"]
    assert len(lines) > 100 and all(len(line) >= 2 for line in lines)
    flat = [c for line in lines for c in line]
    # Every point in the United States and its territories (American Samoa at 14° S; Alaska's islands cross
    # 180°), rounded to 0.01°.
    assert all(-180 <= lon <= 180 and -15 <= lat <= 72 for lon, lat in flat)
    assert all(round(v, 2) == v for c in flat for v in c)
    fig = charts.map_figure(maps.fit_view(-125, 25, -67, 49), [],
                            outlines=[charts.line_layer(borders, charts.STATE_BORDER, 1)])
    layer = fig.layout.map.layers[1]
    assert layer.type == "line" and layer.sourcetype == "geojson" and layer.below == "traces"


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


def test_department_traces_sizes_and_labels(demo_con):
    frame = maps.department_markers(demo_con, Filters())
    trace, labels = charts.department_traces(frame, zoom=4.0)
    assert len(trace.lat) == 3 and list(labels.text) == list(frame["name"])
    np.testing.assert_allclose(np.array(trace.marker.size) ** 2 / frame["predictions"],
                               40 ** 2 / frame["predictions"].max())
    assert labels.mode == "text" and labels.textposition == "middle center"


def _boxes_overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_labels_never_overlap_each_other_or_their_marker(real_con):
    frame = maps.department_markers(real_con, Filters())  # 38 departments, many in California and New Jersey
    view = maps.view(real_con, Filters())
    sizes = charts.marker_sizes(frame["predictions"], frame["predictions"].max(), 40).clip(min=4)
    spots = charts.place_labels(frame["name"], frame["lat"], frame["lon"], sizes, view.zoom)
    boxes = [s[2] for s in spots if s is not None]
    assert len(boxes) >= 30  # most departments are named
    assert all(s is not None for s in spots[:10])  # the largest first
    for i, a in enumerate(boxes):
        assert not any(_boxes_overlap(a, b) for b in boxes[i + 1:])
    xs, ys = charts.mercator_pixels(frame["lat"], frame["lon"], view.zoom)
    for x, y, size, spot in zip(xs, ys, sizes, spots):
        marker = (x - size / 2, y - size / 2, x + size / 2, y + size / 2)
        assert spot is None or not _boxes_overlap(marker, spot[2])


def test_a_label_goes_below_when_above_is_taken():
    # Two markers 20 px apart vertically at zoom 10: the second's name cannot sit above it (the first's name
    # and marker are there), so it goes below.
    zoom = 10.0
    x, y = charts.mercator_pixels([40.0], [-74.0], zoom)
    lat2, lon2 = charts._lat_lon(x[0], y[0] + 20, zoom)
    spots = charts.place_labels(["First", "Second"], [40.0, lat2], [-74.0, lon2], [10, 10], zoom)
    first, second = spots[0][2], spots[1][2]
    assert first[3] <= y[0] - 5  # above the first marker
    assert second[1] >= y[0] + 20 + 5  # below the second
    back_x, back_y = charts.mercator_pixels([lat2], [lon2], zoom)
    assert (back_x[0], back_y[0]) == pytest.approx((x[0], y[0] + 20))


def test_hex_deck_layers_and_cap(real_con):
    f = Filters()
    hexes = maps.hexagons(maps.locations(real_con, f), maps.block_groups(real_con, f), 9)
    v = maps.view(real_con, f)
    deck = charts.hex_deck(hexes.frame, v, None, maps.HEX_METRES[hexes.resolution])
    layer = deck.layers[-1]
    assert layer.type == "H3HexagonLayer" and len(layer.data) <= maps.MAX_HEX_CELLS
    assert deck._tooltip["html"] == "{t}"
    first = layer.data[0]
    assert first["n"] == hexes.frame["predictions"].iloc[0]
    assert first["t"].startswith(f"<b>{hexes.frame['predictions'].iloc[0]:,} predictions</b>")


def test_hex_deck_draws_the_departments_areas(tiny_con):
    f = Filters(departments=("alpha",))
    bg = maps.block_groups(tiny_con, f)
    hexes = maps.hexagons(maps.locations(tiny_con, f), bg, 8)
    deck = charts.hex_deck(hexes.frame, maps.view(tiny_con, f), maps.jurisdictions(bg), maps.HEX_METRES[8])
    assert [layer.type for layer in deck.layers] == ["GeoJsonLayer", "H3HexagonLayer"]
    assert len(deck.layers[0].data["features"]) == 1


def test_hex_legend_names_the_ends_of_the_ramp():
    html = charts.hex_legend_html(1234.4)
    assert "1,234 or more" in html and "nobody lives there" in html
    assert "rgb(255,237,160)" in html and "rgb(128,0,38)" in html  # the ramp's two ends
    assert 'aria-label="Colour key: predictions per 1,000 residents' in html


def test_a_label_that_would_leave_the_map_goes_to_a_spot_inside_it_or_nowhere():
    # A marker 10 px from the frame's top edge: its name would sit above it, out of the map, so it goes below.
    zoom = 10.0
    x, y = charts.mercator_pixels([40.0], [-74.0], zoom)
    inside = (x[0] - 200, y[0] - 10, x[0] + 200, y[0] + 200)
    above = charts.place_labels(["First"], [40.0], [-74.0], [10], zoom)[0][2]
    assert above[3] <= y[0]
    below = charts.place_labels(["First"], [40.0], [-74.0], [10], zoom, inside)[0][2]
    assert below[1] >= y[0] + 5 and inside[1] <= below[1] and below[3] <= inside[3]
    # A frame too small for any spot: the name is left off (hovering the marker names it).
    assert charts.place_labels(["First"], [40.0], [-74.0], [10], zoom, (x[0] - 5, y[0] - 5, x[0] + 5, y[0] + 5)) \
        == [None]


def test_map_frame_is_the_pixel_box_centred_on_the_view():
    view = maps.fit_view(-80.0, 35.0, -70.0, 45.0)
    x, y = charts.mercator_pixels(view.lat, view.lon, view.zoom)
    assert charts.map_frame(view, 300, 200) == pytest.approx((x - 150, y - 100, x + 150, y + 100))
