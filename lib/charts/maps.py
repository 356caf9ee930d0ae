"""Map figures: Plotly MapLibre maps and a pydeck hexagon view, from the frames of lib.analysis.maps.

Every builder is pure (frames in, figure out). Block-group outlines are always drawn as a map layer of
their own, so the geography reads even when the base-map tiles cannot load.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk

from lib import schema
from lib.analysis.maps import CHOROPLETH_VARIABLES, Comparison, View, department_areas, fit_view, rings

STATE_BORDERS = Path(__file__).resolve().parents[2] / "data" / "us_states" / "states.geojson"

# The style is built in ("white-bg"), and the CARTO tiles (no token) are a raster layer beneath the traces: when
# the tiles cannot load, the map stays white and every trace still draws. With a style fetched from the
# network instead ("carto-positron"), nothing at all is drawn when the network is unreachable.
MAP_STYLE = "white-bg"
TILES = dict(below="traces", sourcetype="raster", sourceattribution="© OpenStreetMap contributors © CARTO",
             source=[f"https://{s}.basemaps.cartocdn.com/light_all/{{z}}/{{x}}/{{y}}.png" for s in "abcd"])
HEIGHT = 660
# The share of the figure's height under the map for its keys (colour bars, marker sizes) side by side: below
# the map rather than beside it, so they neither squeeze the map nor overlap it on a 390 px phone.
LEGEND_STRIP = 0.17
# The map a 390 px phone shows: the column's width, and the height above the legend strip.
PHONE_MAP_PX = (358, round(HEIGHT * (1 - LEGEND_STRIP)))
# 40% of the width: a title centred over a shorter bar ran past the left edge on a phone.
COLOURBAR = dict(orientation="h", xanchor="left", y=LEGEND_STRIP - 0.035, yanchor="top", len=0.4, lenmode="fraction",
                 thickness=10, title=dict(side="top"), nticks=4)
MAX_MARKER_PX = 30.0
# Above this many markers they shrink and thin out, so the block groups beneath stay readable.
DENSE_POINTS = 600
DENSE_MARKER_PX = 14.0
MIN_MARKER_PX = 2.0  # plotly's floor for display; the sizes handed over stay area-proportional
OUTLINE = "rgba(60, 60, 60, 0.55)"
JURISDICTION = "#3f3f46"
STATE_BORDER = "#a1a1aa"
# Predictions are purple (locations and boxes), reported crimes orange, block groups blue.
BOX_COLOUR = "#54278f"
FALSE_ALARM_COLOUR = "#9e9ac8"
HIT_COLOUR = "#d94801"
MISS_COLOUR = "#fdae6b"
REPORT_COLOUR = "#e6550d"
# ColorBrewer sequential ramps (one hue, light to dark), which read by lightness alone: colour-blind safe.
POINT_SCALE = [[0, "#fbb4b9"], [0.35, "#f768a1"], [0.7, "#ae017e"], [1, "#49006a"]]
SHARE_SCALE = "Blues"
WINDOW_COLOURS = {"most": "#b2182b", "median": "#bdbdbd", "least": "#4393c3"}
WINDOW_LABELS = {"most": "Most targeted", "median": "Median", "least": "Least targeted"}
# Sites in greys and greens: clear of the purple predictions, orange reports and blue block groups.
SITE_COLOURS = {"police_station": "#111111", "jail": "#4d4d4d", "court": "#737373", "hospital": "#1b7837",
                "school": "#5aae61", "public_housing": "#01665e", "other": "#969696"}


# -- sizes ---------------------------------------------------------------------------------

def marker_sizes(values, vmax: float, max_px: float = MAX_MARKER_PX) -> np.ndarray:
    """Marker diameters whose areas are proportional to the values (the largest gets max_px)."""
    values = np.asarray(values, dtype=float)
    if vmax <= 0:
        return np.zeros_like(values)
    return max_px * np.sqrt(np.clip(values, 0, None) / vmax)


def legend_values(vmax: float) -> list[int]:
    """Up to three round reference values (1-2-5 steps) at or below vmax, for the size legend."""
    if not math.isfinite(vmax) or vmax < 1:  # NaN: the selection holds no predictions
        return []
    out = []
    for target in (vmax, vmax / 5, vmax / 25):
        if target < 1:
            break
        power = 10 ** math.floor(math.log10(target))
        value = max(step * power for step in (1, 2, 5) if step * power <= target)
        if int(value) not in out:
            out.append(int(value))
    return out


def add_size_legend(fig: go.Figure, vmax: float, unit: str = "predictions", max_px: float = MAX_MARKER_PX) -> None:
    """Reference circles drawn at true marker size, smallest first, in the strip under the map (right third)."""
    values = legend_values(vmax)[::-1]
    if not values:
        return
    sizes = marker_sizes(values, vmax, max_px)
    fig.add_trace(go.Scatter(
        x=list(range(len(values))), y=[0] * len(values), mode="markers+text", xaxis="x", yaxis="y",
        showlegend=False, hoverinfo="skip",
        marker=dict(size=sizes, sizemin=MIN_MARKER_PX, color="rgba(174,1,126,0.3)",
                    line=dict(color="#49006a", width=1)),
        text=[f"{v:,}" for v in values], textposition="bottom center", textfont=dict(size=11),
        name="size legend"))
    fig.update_layout(
        xaxis=dict(domain=[0.68, 1.0], range=[-0.6, len(values) - 0.4], visible=False, fixedrange=True),
        yaxis=dict(domain=[0, LEGEND_STRIP - 0.05], range=[-1.2, 0.8], visible=False, fixedrange=True),
        # right-aligned on two lines: on a phone the strip's right third is about 120 px wide
        annotations=[dict(text=f"Marker area ∝<br>{unit}", x=1.0, y=LEGEND_STRIP - 0.035, xref="paper",
                          yref="paper", xanchor="right", yanchor="top", align="right", showarrow=False,
                          font=dict(size=11))])


# -- layers --------------------------------------------------------------------------------

def outline_trace(collection: dict, name: str = "Block-group outlines") -> go.Scattermap:
    lats, lons = rings(collection)
    return go.Scattermap(lat=lats, lon=lons, mode="lines", line=dict(width=1, color=OUTLINE), name=name,
                         hoverinfo="skip", showlegend=False)


def line_layer(geojson: dict, colour: str, width: float) -> dict:
    """Outlines as a MapLibre layer beneath the traces: drawn with or without tiles, never hovered."""
    return dict(sourcetype="geojson", source=geojson, type="line", color=colour, line=dict(width=width),
                below="traces")


@lru_cache(maxsize=1)
def state_borders() -> dict:
    """US state borders (data/us_states, from us-atlas), shipped with the app: nothing is fetched."""
    return json.loads(STATE_BORDERS.read_text())


def _share(value) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.0%}"


def _number(value) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:,.0f}"


# Numbers behind the hover labels travel as one float32 array (Plotly sends it as binary) and are formatted in
# the browser by the template: no per-feature text strings.
HOVER_COLUMNS = ["residents", "predictions", "per_1000", "share_black", "share_latino", "share_white",
                 "share_asian", "share_low_income"]
HOVER_TEMPLATE = ("<b>%{text}</b><br>%{customdata[0]:,.0f} residents · %{customdata[1]:,.0f} predictions "
                  "(%{customdata[2]:,.0f} per 1,000)<br>Black %{customdata[3]:.0%} · Latino %{customdata[4]:.0%} · "
                  "White %{customdata[5]:.0%} · Asian %{customdata[6]:.0%}<br>Low-income households "
                  "%{customdata[7]:.0%}<extra></extra>")


def block_group_labels(frame: pd.DataFrame) -> list[str]:
    """Each block group's hover title: its GEOID, its department when several are shown, its targeting rank."""
    several = frame["department"].nunique() > 1
    return [(f"{name} · " if several else "") + f"block group {geoid}"
            + (f"<br>Targeting: {WINDOW_LABELS[win]} (rank {rank:.0f} of {n:.0f})" if isinstance(win, str) else "")
            for name, geoid, win, rank, n in zip(frame["name"], frame["geoid"], frame["window"], frame["rank"],
                                                 frame["n"])]


def choropleth_trace(frame: pd.DataFrame, collection: dict, variable: str,
                     labels: list[str] | None = None) -> go.Choroplethmap:
    """Areas coloured by `variable`, one row of `frame` per feature of `collection` in the same order
    (lib.analysis.maps.geojson numbers features by row); the marker line draws every outline. `labels` title
    the hover boxes (block_group_labels by default)."""
    ids = [f["id"] for f in collection["features"]]
    labels = block_group_labels(frame) if labels is None else labels
    hover = frame[HOVER_COLUMNS].astype("float32").to_numpy()
    common = dict(geojson=collection, locations=ids, featureidkey="id", text=labels, customdata=hover,
                  hovertemplate=HOVER_TEMPLATE, marker=dict(line=dict(width=0.8, color=OUTLINE), opacity=0.6),
                  name=CHOROPLETH_VARIABLES[variable], showlegend=False)
    if variable == "window":
        codes = frame["window"].map({"least": 0, "median": 1, "most": 2}).fillna(-1).to_numpy()
        scale = [[0, "#eeeeee"], [0.25, "#eeeeee"], [0.25, WINDOW_COLOURS["least"]], [0.5, WINDOW_COLOURS["least"]],
                 [0.5, WINDOW_COLOURS["median"]], [0.75, WINDOW_COLOURS["median"]], [0.75, WINDOW_COLOURS["most"]],
                 [1, WINDOW_COLOURS["most"]]]
        return go.Choroplethmap(z=codes, zmin=-1.5, zmax=2.5, colorscale=scale, **common, colorbar=dict(
            COLOURBAR, title=dict(text="Targeting", side="top"), tickvals=[-1, 0, 1, 2],
            ticktext=["Other", "Least", "Median", "Most"], x=0.0))
    values = frame[variable].astype(float).to_numpy()
    share = variable.startswith("share")
    return go.Choroplethmap(z=values.astype("float32"), zmin=0, zmax=colour_top(values, share),
                            colorscale=SHARE_SCALE, **common, colorbar=dict(
        COLOURBAR, title=dict(text=_short(variable), side="top"), tickformat=".0%" if share else ",.0f", x=0.0))


def colour_top(values, share: bool) -> float:
    """Where a colour scale reaches its darkest: 100% for shares, else the 95th percentile (one outlier must
    not wash out the rest)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    return 1.0 if share else (float(np.nanpercentile(finite, 95)) if len(finite) else 1.0) or 1.0


def _short(variable: str) -> str:
    return {"per_1000": "Predictions per 1,000", "share_black_latino": "Black + Latino",
            "share_low_income": "Low-income", "predictions": "Predictions"}.get(
        variable, variable.replace("share_", "").capitalize())


def point_max_px(n_markers: int) -> float:
    """The largest marker's diameter: smaller when markers are many, so the block groups show between them."""
    return MAX_MARKER_PX if n_markers <= DENSE_POINTS else DENSE_MARKER_PX


def point_trace(frame: pd.DataFrame, colour: str = "predictions", vmax: float | None = None) -> go.Scattermap:
    """Prediction locations (and merged grid cells), area proportional to predictions. Hover: the address (or
    the merge) as text, the counts as binary numbers; the block group's figures are on the choropleth."""
    vmax = float(vmax if vmax is not None else (frame["predictions"].max() if len(frame) else 1))
    hover = [f"{n:,} smaller locations merged ({name})" if kind == "cell"
             else (address if isinstance(address, str) and address else f"{lat:.5f}, {lon:.5f}")
             for kind, n, name, address, lat, lon in zip(frame["kind"], frame["locations"], frame["name"],
                                                          frame["address"], frame["lat"], frame["lon"])]
    days = frame["days"].astype(float) if "days" in frame else pd.Series(np.nan, index=frame.index)
    counts = np.column_stack([frame["predictions"].astype(float), days]).astype("float32")
    values = frame[colour].astype(float).to_numpy()
    share = colour.startswith("share")
    dense = len(frame) > DENSE_POINTS
    return go.Scattermap(
        lat=frame["lat"].astype(float).round(5), lon=frame["lon"].astype(float).round(5), mode="markers",
        name="Prediction locations", text=hover, customdata=counts,
        hovertemplate="<b>%{text}</b><br>%{customdata[0]:,.0f} predictions<extra></extra>", showlegend=False,
        marker=dict(size=marker_sizes(frame["predictions"], vmax, point_max_px(len(frame))).astype("float32"),
                    sizemin=MIN_MARKER_PX, color=values.astype("float32"), cmin=0,
                    cmax=1.0 if share else colour_top(values, False), colorscale=POINT_SCALE,
                    opacity=0.6 if dense else 0.85,
                    colorbar=dict(COLOURBAR, title=dict(text=_short(colour), side="top"),
                                  tickformat=".0%" if share else ",.0f", x=0.34)))


LABEL_GAP_PX = 6  # between a department marker and its name
LABEL_FONT_PX = 13
LABEL_CHAR_PX = 7.4  # the average advance of a 13 px sans-serif character, generous
LABEL_HEIGHT_PX = 16
LABEL_WRAP_PX = 10 * LABEL_FONT_PX  # MapLibre wraps a label wider than 10 ems onto more lines


def mercator_pixels(lat, lon, zoom: float) -> tuple[np.ndarray, np.ndarray]:
    """Web-Mercator pixel coordinates (512 px tiles) at `zoom`; y grows southwards."""
    scale = 512 * 2 ** zoom
    lat = np.radians(np.clip(np.asarray(lat, dtype=float), -85, 85))
    x = (np.asarray(lon, dtype=float) + 180) / 360 * scale
    y = (1 - np.log(np.tan(lat) + 1 / np.cos(lat)) / math.pi) / 2 * scale
    return x, y


def _lat_lon(x: float, y: float, zoom: float) -> tuple[float, float]:
    scale = 512 * 2 ** zoom
    lon = x / scale * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / scale))))
    return lat, lon


def _overlaps(box, boxes) -> bool:
    return any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes)


def place_labels(names, lats, lons, sizes_px, zoom: float,
                 inside: tuple | None = None) -> list[tuple[float, float, tuple] | None]:
    """Where each name goes, in the given order (most important first): above its marker, else below, right,
    left or at a corner; the first spot clear of every placed name and every marker, else the first clear of
    every placed name and its own marker (markers of neighbouring departments overlap each other, and a name
    over a see-through marker still reads); None when no spot is clear (hovering the marker still names it).
    With `inside` (a pixel box at `zoom`, as map_frame gives), only spots above or below the marker, wholly within
    the box and clear of every marker count: a phone's map is too narrow for the names at the country's edges,
    and too crowded for a name beside a marker or over a neighbour's. Each placed label is (lat, lon of its centre, its pixel
    box)."""
    xs, ys = mercator_pixels(lats, lons, zoom)
    radii = np.asarray(sizes_px, dtype=float) / 2
    markers = [(x - r, y - r, x + r, y + r) for x, y, r in zip(xs, ys, radii)]
    placed, out = [], []
    for name, x, y, r, own in zip(names, xs, ys, radii, markers):
        lines = math.ceil(len(name) * LABEL_CHAR_PX / LABEL_WRAP_PX)
        w, h = min(len(name) * LABEL_CHAR_PX, LABEL_WRAP_PX), LABEL_HEIGHT_PX * lines
        d = r + LABEL_GAP_PX
        spots = [(x - w / 2, y - d - h), (x - w / 2, y + d), (x + d, y - h / 2), (x - d - w, y - h / 2),
                 (x + d, y - d - h), (x + d, y + d), (x - d - w, y - d - h), (x - d - w, y + d)]
        boxes = [(left, top, left + w, top + h) for left, top in spots]
        if inside is not None:  # centred above or below only: beside a marker, a name reads as its neighbour's
            boxes = [b for b in boxes[:2] if inside[0] <= b[0] and b[2] <= inside[2] and inside[1] <= b[1]
                     and b[3] <= inside[3]]
        free = [b for b in boxes if not _overlaps(b, placed) and not _overlaps(b, [own])]
        # On a map as small as a phone's, a name over another department's marker reads as that one's.
        fallback = free[0] if free and inside is None else None
        box = next((b for b in free if not _overlaps(b, markers)), fallback)
        if box is None:
            out.append(None)
            continue
        placed.append(box)
        out.append((*_lat_lon((box[0] + box[2]) / 2, (box[1] + box[3]) / 2, zoom), box))
    return out


def map_frame(view: View, width: float, height: float) -> tuple[float, float, float, float]:
    """The pixel box (left, top, right, bottom, at the view's zoom) a width x height map centred on the view
    shows."""
    x, y = mercator_pixels(view.lat, view.lon, view.zoom)
    return float(x) - width / 2, float(y) - height / 2, float(x) + width / 2, float(y) + height / 2


def department_traces(frame: pd.DataFrame, zoom: float, inside: tuple | None = None) -> list[go.Scattermap]:
    """The national view: one marker per department, area proportional to predictions, and its name placed
    where it overlaps no other name or marker (place_labels; within `inside` when given), largest departments
    first."""
    vmax = float(frame["predictions"].max()) if len(frame) else 1.0
    sizes = marker_sizes(frame["predictions"], vmax, 40).clip(min=4)
    hover = [f"<b>{name}</b><br>{pred:,} predictions at {loc:,} locations<br>{bgs:,} block groups, "
             f"{_number(res)} residents, {_share(bl)} Black or Latino"
             for name, pred, loc, bgs, res, bl in zip(frame["name"], frame["predictions"], frame["locations"],
                                                      frame["block_groups"], frame["residents"],
                                                      frame["share_black_latino"])]
    markers = go.Scattermap(
        lat=frame["lat"], lon=frame["lon"], mode="markers", hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        name="Departments", showlegend=False, marker=dict(size=sizes, sizemin=4, color="#ae017e", opacity=0.7))
    spots = place_labels(frame["name"], frame["lat"], frame["lon"], sizes, zoom, inside)
    shown = [(name, spot) for name, spot in zip(frame["name"], spots) if spot is not None]
    labels = go.Scattermap(
        lat=[s[0] for _, s in shown], lon=[s[1] for _, s in shown], mode="text", text=[n for n, _ in shown],
        textposition="middle center", hoverinfo="skip", textfont=dict(size=LABEL_FONT_PX, color="#3f3f46"),
        name="Department names", showlegend=False)
    return [markers, labels]


def box_rings(frame: pd.DataFrame, feet: float = schema.BOX_FEET) -> tuple[list, list]:
    """The outline of each prediction box (a `feet`-wide square on its centre), None between boxes."""
    from lib.geo_math import FEET_PER_DEGREE_LAT, feet_per_degree_lon
    lats, lons = [], []
    half_lat = feet / 2 / FEET_PER_DEGREE_LAT
    for lat, lon in zip(frame["lat"], frame["lon"]):
        half_lon = feet / 2 / float(feet_per_degree_lon(lat))
        lats += [lat - half_lat, lat - half_lat, lat + half_lat, lat + half_lat, lat - half_lat, None]
        lons += [lon - half_lon, lon + half_lon, lon + half_lon, lon - half_lon, lon - half_lon, None]
    return lats, lons


def comparison_traces(c: Comparison) -> list[go.Scattermap]:
    """Prediction boxes (blue) and reported crimes (orange): hits, misses and false alarms in the legend."""
    traces = []
    if c.mode == "matched":
        with_hit = c.boxes[c.boxes["hit_predictions"] > 0]
        all_false = c.boxes[c.boxes["hit_predictions"] == 0]
        groups = [(all_false, FALSE_ALARM_COLOUR, f"Prediction boxes, every prediction a false alarm "
                   f"({int(all_false['predictions'].sum()):,} predictions)"),
                  (with_hit, BOX_COLOUR, f"Prediction boxes with at least one hit "
                   f"({int(with_hit['predictions'].sum()):,} predictions, "
                   f"{int(with_hit['false_alarms'].sum()):,} of them false alarms)")]
    else:
        groups = [(c.boxes, BOX_COLOUR, f"Prediction boxes ({int(c.boxes['predictions'].sum()):,} predictions)")]
    for boxes, colour, label in groups:
        if boxes.empty:
            continue
        lats, lons = box_rings(boxes)
        traces.append(go.Scattermap(lat=lats, lon=lons, mode="lines", fill="toself",
                                    fillcolor=_alpha(colour, 0.25), line=dict(color=colour, width=1.5),
                                    name=label, hoverinfo="skip"))
        hover = [f"Prediction box: {p:,} predictions"
                 + (f", {fa:,} with no reported crime in the box during the shift" if pd.notna(fa) else "")
                 for p, fa in zip(boxes["predictions"], boxes["false_alarms"])]
        traces.append(go.Scattermap(lat=boxes["lat"], lon=boxes["lon"], mode="markers", text=hover,
                                    hovertemplate="%{text}<extra></extra>", showlegend=False,
                                    marker=dict(size=4, color=colour), name=label))
    reports = c.reports
    kinds = [("hit", HIT_COLOUR, 9, f"Reported crimes inside a box during its shift (hits): {c.hits:,}"),
             ("miss", MISS_COLOUR, 6, f"Reported crimes outside every box (misses): {c.misses:,}")] \
        if c.mode != "unclassified" else [(None, REPORT_COLOUR, 6, f"Reported crimes: {len(reports):,}")]
    for outcome, colour, size, label in kinds:
        rows = reports if outcome is None else reports[reports["outcome"] == outcome]
        hover = [f"<b>{d if isinstance(d, str) else 'Reported crime'}</b><br>{a if isinstance(a, str) else ''}"
                 f"<br>{t}" for d, a, t in zip(rows["description"], rows["address"], rows["datetime"])]
        traces.append(go.Scattermap(lat=rows["lat"], lon=rows["lon"], mode="markers", name=label, text=hover,
                                    hovertemplate="%{text}<extra></extra>",
                                    marker=dict(size=size, color=colour, opacity=0.9)))
    return traces


def _alpha(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def site_traces(frame: pd.DataFrame, labels: bool = True) -> list[go.Scattermap]:
    """One trace per kind of site, named on the map when `labels` (off at national zoom, where the names of
    sites in one city pile up and hide the department names; hovering still names each site)."""
    traces = []
    for kind, rows in frame.groupby("kind", sort=True):
        traces.append(go.Scattermap(
            lat=rows["lat"], lon=rows["lon"], mode="markers+text" if labels else "markers", text=rows["name"],
            textposition="top right",
            textfont=dict(size=11, color=SITE_COLOURS.get(kind, "#525252")),
            hovertext=[f"<b>{n}</b><br>{rows['label'].iloc[0]}<br>{a if isinstance(a, str) else ''}"
                       for n, a in zip(rows["name"], rows["address"])],
            hovertemplate="%{hovertext}<extra></extra>", name=f"{rows['label'].iloc[0]} ({len(rows)})",
            marker=dict(size=13, color=SITE_COLOURS.get(kind, "#525252"), opacity=0.95)))
    return traces


def map_figure(view: View, traces: list, height: int = HEIGHT, legend: bool = True,
               outlines: list[dict] = ()) -> go.Figure:
    """The map: tiles (when they load), then `outlines` (line_layer), then the traces."""
    fig = go.Figure(traces)
    fig.update_layout(
        map=dict(style=MAP_STYLE, layers=[TILES, *outlines], center=dict(lat=view.lat, lon=view.lon),
                 zoom=view.zoom, domain=dict(x=[0, 1], y=[LEGEND_STRIP, 1])),
        height=height, margin=dict(l=0, r=0, t=0, b=0), showlegend=legend,
        legend=dict(x=0.01, y=0.99, xanchor="left", yanchor="top", bgcolor="rgba(255,255,255,0.85)",
                    font=dict(size=11)),
        paper_bgcolor="white")
    return fig


# -- hexagons (pydeck) ---------------------------------------------------------------------

# ColorBrewer YlOrRd: lightness rises with the rate, so it reads without telling hues apart.
RATE_RAMP = np.array([[255, 237, 160], [254, 178, 76], [240, 59, 32], [128, 0, 38]], dtype=float)
NO_RATE = [150, 150, 150, 180]


def view_map(layers: tuple, variable: str, colour: str, per_department: bool, view: View, bg_frame: pd.DataFrame,
             collection: dict, jurisdictions: dict, sites: pd.DataFrame, points, comparison: Comparison | None,
             departments: pd.DataFrame | None, phone: bool = False) -> go.Figure:
    """The Map page's map of a view: the `layers` shown ("locations", "block_groups", "reported", "sites"), block
    groups coloured by `variable` (at a national zoom, each department's area as a whole), locations coloured by
    `colour` or one marker per department, state borders and departments' outlines, and a key for marker sizes.
    On a `phone` the national view is zoomed out to fit its narrow map, with names kept within it."""
    inside = None
    if phone and view.national:
        view = fit_view(*view.bounds, *PHONE_MAP_PX)
        inside = map_frame(view, *PHONE_MAP_PX)
    areas = department_areas(bg_frame) if view.national else None
    traces = []
    outlines = [line_layer(jurisdictions, JURISDICTION, 1.5)]
    if view.national:
        outlines.insert(0, line_layer(state_borders(), STATE_BORDER, 1))
    if "block_groups" in layers and len(bg_frame):
        if view.national:  # block groups are specks at this zoom: colour each department's area as a whole
            traces.append(choropleth_trace(areas, jurisdictions, variable, labels=list(areas["name"])))
        else:
            traces.append(choropleth_trace(bg_frame, collection, variable))
    elif collection["features"] and not view.national:
        traces.append(outline_trace(collection))
    size_max, size_unit, size_px = None, "predictions", MAX_MARKER_PX
    if "locations" in layers:
        if per_department:
            traces.extend(department_traces(departments, view.zoom, inside))
            size_max, size_unit, size_px = departments["predictions"].max(), "department's predictions", 40
        elif len(points.frame):
            traces.append(point_trace(points.frame, colour))
            size_max, size_px = points.frame["predictions"].max(), point_max_px(len(points.frame))
    if comparison is not None and comparison.mode != "none":
        traces.extend(comparison_traces(comparison))
    if "sites" in layers:
        traces.extend(site_traces(sites, labels=not view.national))
    fig = map_figure(view, traces, outlines=outlines)
    if size_max:
        add_size_legend(fig, float(size_max), size_unit, size_px)
    return fig


def rate_colours(rates, rmax: float) -> list[list[int]]:
    """RGBA per hexagon from predictions per 1,000 residents (grey when unknown)."""
    out = []
    for rate in np.asarray(rates, dtype=float):
        if not np.isfinite(rate) or rmax <= 0:
            out.append(NO_RATE)
            continue
        t = min(rate / rmax, 1.0) * (len(RATE_RAMP) - 1)
        i = min(int(t), len(RATE_RAMP) - 2)
        rgb = RATE_RAMP[i] + (RATE_RAMP[i + 1] - RATE_RAMP[i]) * (t - i)
        out.append([int(v) for v in rgb] + [210])
    return out


def rate_top(hexes: pd.DataFrame) -> float:
    """The rate at which the colour ramp reaches its darkest (95th percentile, so one outlier does not wash
    out the rest)."""
    rates = hexes["per_1000"].astype(float)
    return float(np.nanpercentile(rates, 95)) if rates.notna().any() else 0.0


def hex_legend_html(rmax: float) -> str:
    """The hexagon colours' key (pydeck draws none): the ramp from none to `rmax` predictions per 1,000
    residents, and the grey for hexagons with no residents."""
    stops = ", ".join(f"rgb({r:.0f},{g:.0f},{b:.0f})" for r, g, b in RATE_RAMP)
    grey = "rgb({},{},{})".format(*NO_RATE[:3])
    return (f'<div role="img" aria-label="Colour key: predictions per 1,000 residents, pale yellow for none to '
            f'dark red for {rmax:,.0f} or more; grey where nobody lives" style="font-size:0.8rem;'
            f'display:flex;flex-wrap:wrap;align-items:center;gap:0.4rem 0.6rem;margin:0.2rem 0 0.4rem">'
            f'<span>Predictions per 1,000 residents:</span><span>0</span>'
            f'<span style="display:inline-block;width:9rem;height:0.7rem;background:linear-gradient(to right, '
            f'{stops})"></span><span>{rmax:,.0f} or more</span>'
            f'<span style="display:inline-block;width:0.9rem;height:0.7rem;background:{grey}"></span>'
            f'<span>nobody lives there</span></div>')


def hex_deck(hexes: pd.DataFrame, view: View, outlines: dict | None, hex_metres: float) -> pdk.Deck:
    """Extruded H3 hexagons: height by predictions, colour by the dominant block group's predictions per
    1,000 residents; `outlines` (the departments' jurisdictions) below so the view reads without tiles."""
    rates = hexes["per_1000"].astype(float)
    # pydeck sends records, each key repeated in every one: short keys, and the tooltip's text as one field.
    data = pd.DataFrame({
        "h": hexes["hex"], "n": hexes["predictions"], "c": rate_colours(rates, rate_top(hexes)),
        "t": [f"<b>{p:,} predictions</b> at {loc:,} location{'s' if loc != 1 else ''}<br>Dominant block group: "
              + (f"{name} · {geoid}<br>{_number(res)} residents · Black or Latino {_share(bl)} · low-income "
                 f"households {_share(li)}<br>{_number(rate)} predictions per 1,000 residents there"
                 if isinstance(geoid, str) else "none (outside every block group)")
              for p, loc, name, geoid, res, bl, li, rate in zip(
                  hexes["predictions"], hexes["locations"], hexes["name"], hexes["geoid"], hexes["residents"],
                  hexes["share_black_latino"], hexes["share_low_income"], rates)]})
    top = float(data["n"].max()) if len(data) else 1.0
    # The tallest column: a few hexagon edges, or a tenth of the view's height when that is more (national view).
    tallest = max(hex_metres * 5, (view.bounds[3] - view.bounds[1]) * 111_000 * 0.1)
    layers = []
    if outlines is not None:
        layers.append(pdk.Layer("GeoJsonLayer", data=outlines, stroked=True, filled=False,
                                get_line_color=[70, 70, 70, 200], line_width_min_pixels=1.5, pickable=False))
    layers.append(pdk.Layer(
        "H3HexagonLayer", data=data, get_hexagon="h", get_fill_color="c", get_elevation="n", extruded=True,
        elevation_scale=tallest / top, pickable=True, auto_highlight=True, coverage=0.9, opacity=0.85))
    tooltip = {"html": "{t}", "style": {"fontSize": "12px"}}
    state = pdk.ViewState(latitude=view.lat, longitude=view.lon, zoom=view.zoom - 0.3, pitch=40, bearing=0)
    return pdk.Deck(layers=layers, initial_view_state=state, tooltip=tooltip, map_provider="carto",
                    map_style=pdk.map_styles.CARTO_LIGHT)
