"""lib.charts.svg_map, the Map tab's SVG drawn from the Street map's Plotly figure: where things land (web
Mercator at the figure's zoom, worked by hand), their colours on the trace's scale, the hover titles, and that
names from the data are escaped."""
from __future__ import annotations

import base64
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from lib.charts import maps as charts
from lib.charts import svg_map
from tests.charts.test_view_map import ALPHA_VIEW, BLOCK_GROUPS, NATIONAL_VIEW, SITES, _map

WIDTH = 1000


def _figure(*traces, zoom: float = 1.0) -> go.Figure:
    return charts.map_figure(_view(0.0, 0.0, zoom), list(traces))


def _view(lat: float, lon: float, zoom: float):
    from lib.analysis.maps import View
    return View(lat, lon, zoom, False, (lon - 1, lat - 1, lon + 1, lat + 1))


def _circles(svg: str) -> list[tuple[float, float, float]]:
    return [tuple(float(v) for v in m) for m in
            re.findall(r'<circle data-hover cx="([-\d.]+)" cy="([-\d.]+)" r="([-\d.]+)"', svg)]


def test_markers_land_where_web_mercator_puts_them():
    # At zoom 1 the world is 512 * 2 = 1,024 px wide: 100 px is 100 * 360 / 1024 = 35.15625 degrees of longitude.
    # The map is 660 px * (1 - 0.17) = 547.8 px tall under no top margin, so its middle is at y = 273.9.
    trace = go.Scattermap(lat=[0.0, 0.0], lon=[0.0, 35.15625], mode="markers", marker=dict(size=[10, 20]))
    svg = svg_map.figure_svg(_figure(trace), WIDTH)
    assert _circles(svg) == [(500.0, 273.9, 5.0), (600.0, 273.9, 10.0)]
    assert f'viewBox="0 0 {WIDTH} 660"' in svg


def test_colours_follow_the_scale_as_plotly_interpolates_it():
    scale = [[0, "#000000"], [0.5, "rgb(0, 0, 255)"], [1, "#ffffff"]]
    assert svg_map.colours([0, 5, 10, 2.5, 20, -3, np.nan], scale, 0, 10) == [
        "#000000", "#0000ff", "#ffffff", "#000080", "#ffffff", "#000000", None]


def test_hover_titles_fill_the_template():
    data = [1000, 30, 30.0, 0.5, 0.1, 0.3, np.nan, 0.25]
    assert svg_map.hover_text(charts.HOVER_TEMPLATE, "Alpha · block group 1<br>Targeting: Most", data) == (
        "Alpha · block group 1\nTargeting: Most\n1,000 residents · 30 predictions (30 per 1,000)\n"
        "Black 50% · Latino 10% · White 30% · Asian n/a\nLow-income households 25%")
    assert svg_map.hover_text("%{hovertext}<extra></extra>", "<b>Jail</b><br>1 Main St") == "Jail\n1 Main St"


def test_typed_arrays_are_read_back():
    spec = {"dtype": "f4", "bdata": base64.b64encode(np.array([1.5, 2, 3, 4], "f4").tobytes()).decode(),
            "shape": "2, 2"}
    assert svg_map.array(spec).tolist() == [[1.5, 2.0], [3.0, 4.0]]


def test_nice_ticks():
    assert svg_map.nice_ticks(0, 886) == [0, 500]
    assert svg_map.nice_ticks(0, 1) == [0, 0.5, 1.0]
    assert svg_map.nice_ticks(0, 2312) == [0, 1000, 2000]


def test_a_departments_map_draws_each_block_group_location_and_key():
    fig = _map(["locations", "block_groups"], ALPHA_VIEW)
    svg = svg_map.figure_svg(fig, WIDTH)
    areas = re.findall(r'<path data-hover d="[^"]+" fill="(#[0-9a-f]{6}|none)"><title>([^<]*)</title>', svg)
    assert len(areas) == len(BLOCK_GROUPS) == 3
    # per 1,000 residents: 30, 3.3 and 40 on Blues from 0 to the 95th percentile (39)
    expected = svg_map.colours([30.0, 10 / 3, 40.0], fig.data[0].colorscale, 0, fig.data[0].zmax)
    assert [fill for fill, _ in areas] == expected
    assert areas[0][1].startswith("Alpha, Ala. · block group 010730001001\nTargeting: Most targeted (rank 1 of 2)\n"
                                  "1,000 residents · 30 predictions (30 per 1,000)")
    locations = _circles(svg)
    assert len(locations) == 3 and max(r for _, _, r in locations) == charts.MAX_MARKER_PX / 2
    assert "<title>1 First St\n25 predictions</title>" in svg
    assert ">Predictions per 1,000</text>" in svg  # the colour bar's title
    assert svg.count('<tspan') >= 3 + 2  # the size key's three values and its two-line note
    assert "Marker area ∝" in svg


def test_markers_coloured_by_value_get_their_own_colour_bar_short_of_the_size_key():
    svg = svg_map.figure_svg(_map(["locations", "block_groups"], ALPHA_VIEW), WIDTH)
    bars = re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="10" fill="url\(#(pp-map-scale-\d)\)"', svg)
    # block groups' bar at x = 0 (+12 px), 40% of 1,000 px; the markers' at 0.34 (+12 px), cut to end 16 px before
    # the size key, which starts at 68% of the width: 680 - 16 - 352 = 312 px
    assert bars == [("12.0", "400.0", "pp-map-scale-0"), ("352.0", "312.0", "pp-map-scale-1")]
    assert ">Predictions</text>" in svg
    assert svg_map.figure_svg(_map(["block_groups"], ALPHA_VIEW), WIDTH).count("<linearGradient") == 1


def test_the_national_map_draws_state_borders_department_names_and_no_block_group():
    fig = _map(["locations", "block_groups"], NATIONAL_VIEW, per_department=True)
    svg = svg_map.figure_svg(fig, WIDTH)
    assert f'stroke="{charts.STATE_BORDER}"' in svg and f'stroke="{charts.JURISDICTION}"' in svg
    assert ">Alpha, Ala.</tspan>" in svg and ">Beta, N.J.</tspan>" in svg
    assert "block group 0107" not in svg  # each department's area instead, titled with its name
    assert "<title>Alpha, Ala.\n4,000 residents" in svg


def test_names_from_the_data_are_escaped_and_the_legend_names_the_sites():
    sites = SITES.assign(name=["<script>alert(1)</script>", "North School", "East School"])
    fig = charts.view_map(("sites",), "per_1000", "predictions", False, ALPHA_VIEW, BLOCK_GROUPS,
                          {"type": "FeatureCollection", "features": []},
                          {"type": "FeatureCollection", "features": []}, sites, None, None, None)
    page = svg_map.figure_svg(fig, WIDTH)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    key = re.search(r'<div class="pp-map-key">(.*)</div>', page).group(1)
    assert re.findall(r"</span>([^<]+)</span>", key) == ["Jail (1)", "School (2)"]


def test_a_screen_reader_hears_the_map_in_a_sentence():
    fig = _map(["locations"], ALPHA_VIEW)
    assert 'role="img" aria-label="Map of &lt;Alpha&gt;: 40 predictions"' in svg_map.figure_svg(
        fig, WIDTH, "Map of <Alpha>: 40 predictions")
    assert "aria-label" not in svg_map.figure_svg(fig, WIDTH)


def test_a_phone_map_is_as_wide_as_its_column():
    fig = _map(["locations", "block_groups"], NATIONAL_VIEW, per_department=True)
    assert f'viewBox="0 0 {svg_map.PHONE_PX} 660"' in svg_map.figure_svg(fig, svg_map.PHONE_PX)


@pytest.mark.parametrize("layers, areas, markers", [((), 0, 0), (("locations",), 0, 3), (("block_groups",), 3, 0)])
def test_each_layer_choice_draws_its_own(layers, areas, markers):
    svg = svg_map.figure_svg(_map(layers, ALPHA_VIEW), WIDTH)
    assert svg.count("<svg") == 1 and svg.count("</svg>") == 1
    assert svg.count("<path data-hover") == areas and len(_circles(svg)) == markers
