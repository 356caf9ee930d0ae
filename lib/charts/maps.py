"""Map figures: Plotly MapLibre maps and a pydeck hexagon view, from the frames of lib.analysis.maps.

Every builder is pure (frames in, figure out). Block-group outlines are always drawn as a map layer of
their own, so the geography reads even when the base-map tiles cannot load.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk

from lib import schema
from lib.analysis.maps import CHOROPLETH_VARIABLES, POINT_COLOURS, Comparison, View, rings

# The style is built in ("white-bg"), and the CARTO tiles (no token) are a raster layer beneath the traces: when
# the tiles cannot load, the map stays white and every trace still draws. With a style fetched from the
# network instead ("carto-positron"), nothing at all is drawn when the network is unreachable.
MAP_STYLE = "white-bg"
TILES = dict(below="traces", sourcetype="raster", sourceattribution="© OpenStreetMap contributors © CARTO",
             source=[f"https://{s}.basemaps.cartocdn.com/light_all/{{z}}/{{x}}/{{y}}.png" for s in "abcd"])
HEIGHT = 660
MAX_MARKER_PX = 30.0
MIN_MARKER_PX = 2.0  # plotly's floor for display; the sizes handed over stay area-proportional
OUTLINE = "rgba(60, 60, 60, 0.55)"
# Predictions are purple (locations and boxes), reported crimes orange, block groups blue.
BOX_COLOUR = "#54278f"
FALSE_ALARM_COLOUR = "#9e9ac8"
HIT_COLOUR = "#d94801"
MISS_COLOUR = "#fdae6b"
REPORT_COLOUR = "#e6550d"
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
    """Reference circles drawn at true marker size in a strip to the right of the map."""
    values = legend_values(vmax)
    if not values:
        return
    sizes = marker_sizes(values, vmax, max_px)
    ys = list(range(len(values)))
    fig.add_trace(go.Scatter(
        x=[0] * len(values), y=ys, mode="markers+text", xaxis="x", yaxis="y", showlegend=False, hoverinfo="skip",
        marker=dict(size=sizes, sizemin=MIN_MARKER_PX, color="rgba(174,1,126,0.3)",
                    line=dict(color="#49006a", width=1)),
        text=[f"{v:,}" for v in values], textposition="middle right", textfont=dict(size=11),
        name="size legend"))
    fig.update_layout(
        xaxis=dict(domain=[0.87, 1.0], range=[-0.6, 2.2], visible=False, fixedrange=True),
        yaxis=dict(domain=[0.02, 0.26], range=[-0.8, len(values) - 0.2], visible=False, fixedrange=True),
        annotations=[dict(text=f"Marker area ∝ {unit}", x=0.87, y=0.28, xref="paper", yref="paper",
                          xanchor="left", yanchor="bottom", showarrow=False, font=dict(size=11))])


# -- layers --------------------------------------------------------------------------------

def outline_trace(collection: dict, name: str = "Block-group outlines") -> go.Scattermap:
    lats, lons = rings(collection)
    return go.Scattermap(lat=lats, lon=lons, mode="lines", line=dict(width=1, color=OUTLINE), name=name,
                         hoverinfo="skip", showlegend=False)


def _share(value) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.0%}"


def _number(value) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:,.0f}"


def choropleth_trace(frame: pd.DataFrame, collection: dict, variable: str) -> go.Choroplethmap:
    """Block groups coloured by `variable`; the marker line draws every outline."""
    ids = [f["id"] for f in collection["features"]]
    frame = frame.set_index(frame["department"] + "|" + frame["geoid"]).loc[ids]
    hover = [f"<b>{name}</b> · block group {geoid}<br>{_number(res)} residents · {_number(pred)} predictions "
             f"({_number(rate)} per 1,000)<br>Black {_share(b)} · Latino {_share(la)} · White {_share(w)} · "
             f"Asian {_share(a)}<br>Low-income households {_share(li)}"
             + (f"<br>Targeting: {WINDOW_LABELS[win]} (rank {rank:.0f} of {n:.0f})" if isinstance(win, str) else "")
             for name, geoid, res, pred, rate, b, la, w, a, li, win, rank, n in zip(
                 frame["name"], frame["geoid"], frame["residents"], frame["predictions"], frame["per_1000"],
                 frame["share_black"], frame["share_latino"], frame["share_white"], frame["share_asian"],
                 frame["share_low_income"], frame["window"], frame["rank"], frame["n"])]
    common = dict(geojson=collection, locations=ids, featureidkey="id", text=hover, hovertemplate="%{text}<extra></extra>",
                  marker=dict(line=dict(width=0.8, color=OUTLINE), opacity=0.6), name=CHOROPLETH_VARIABLES[variable],
                  showlegend=False)
    if variable == "window":
        codes = frame["window"].map({"least": 0, "median": 1, "most": 2}).fillna(-1).to_numpy()
        scale = [[0, "#eeeeee"], [0.25, "#eeeeee"], [0.25, WINDOW_COLOURS["least"]], [0.5, WINDOW_COLOURS["least"]],
                 [0.5, WINDOW_COLOURS["median"]], [0.75, WINDOW_COLOURS["median"]], [0.75, WINDOW_COLOURS["most"]],
                 [1, WINDOW_COLOURS["most"]]]
        return go.Choroplethmap(z=codes, zmin=-1.5, zmax=2.5, colorscale=scale, **common, colorbar=dict(
            title=dict(text="Targeting"), tickvals=[-1, 0, 1, 2], ticktext=["Other", "Least", "Median", "Most"],
            x=1.0, xanchor="right", y=1.0, yanchor="top", len=0.34, thickness=14))
    values = frame[variable].astype(float).to_numpy()
    share = variable.startswith("share")
    finite = values[np.isfinite(values)]
    zmax = 1.0 if share else (float(np.nanpercentile(finite, 95)) if len(finite) else 1.0) or 1.0
    return go.Choroplethmap(z=values, zmin=0, zmax=zmax, colorscale=SHARE_SCALE, **common, colorbar=dict(
        title=dict(text=_short(variable)), tickformat=".0%" if share else ",.0f", x=1.0, xanchor="right",
        y=1.0, yanchor="top", len=0.34, thickness=14))


def _short(variable: str) -> str:
    return {"per_1000": "Predictions<br>per 1,000", "share_black_latino": "Black +<br>Latino",
            "share_low_income": "Low-income", "predictions": "Predictions"}.get(
        variable, variable.replace("share_", "").capitalize())


def point_trace(frame: pd.DataFrame, colour: str = "predictions", vmax: float | None = None) -> go.Scattermap:
    """Prediction locations (and merged grid cells), area proportional to predictions."""
    vmax = float(vmax if vmax is not None else (frame["predictions"].max() if len(frame) else 1))
    hover = []
    for row in frame.itertuples(index=False):
        if row.kind == "cell":
            hover.append(f"<b>{row.locations:,} smaller locations merged</b> ({row.name})<br>"
                         f"{row.predictions:,} predictions in all")
            continue
        where = row.address if isinstance(row.address, str) and row.address else f"{row.lat:.5f}, {row.lon:.5f}"
        days = f" on {row.days:,.0f} days" if pd.notna(row.days) else ""
        bg = (f"<br>Block group {row.geoid}: {_number(row.residents)} residents<br>Black {_share(row.share_black)} · "
              f"Latino {_share(row.share_latino)} · White {_share(row.share_white)} · Asian {_share(row.share_asian)}"
              f"<br>Low-income households {_share(row.share_low_income)}") if isinstance(row.geoid, str) \
            else "<br>Outside every block group of the department"
        hover.append(f"<b>{where}</b> ({row.name})<br>{row.predictions:,} predictions{days}{bg}")
    values = frame[colour].astype(float).to_numpy()
    share = colour.startswith("share")
    finite = values[np.isfinite(values)]
    cmax = 1.0 if share else (float(np.percentile(finite, 98)) if len(finite) else 1.0) or 1.0
    return go.Scattermap(
        lat=frame["lat"], lon=frame["lon"], mode="markers", name="Prediction locations", text=hover,
        hovertemplate="%{text}<extra></extra>", showlegend=False,
        marker=dict(size=marker_sizes(frame["predictions"], vmax), sizemin=MIN_MARKER_PX, color=values,
                    cmin=0, cmax=cmax, colorscale=POINT_SCALE, opacity=0.85,
                    colorbar=dict(title=dict(text=_short(colour)), tickformat=".0%" if share else ",.0f",
                                  x=1.0, xanchor="right", y=0.62, yanchor="top", len=0.26, thickness=14)))


LABEL_GAP_PX = 8  # between a department marker and its name


def department_traces(frame: pd.DataFrame, zoom: float) -> list[go.Scattermap]:
    """The national view: one marker per department, area proportional to predictions, and its name just
    above the marker (a label at the marker's centre would sit under the marker and the sites drawn on it)."""
    vmax = float(frame["predictions"].max()) if len(frame) else 1.0
    sizes = marker_sizes(frame["predictions"], vmax, 40)
    hover = [f"<b>{name}</b><br>{pred:,} predictions at {loc:,} locations<br>{bgs:,} block groups, "
             f"{_number(res)} residents, {_share(bl)} Black or Latino"
             for name, pred, loc, bgs, res, bl in zip(frame["name"], frame["predictions"], frame["locations"],
                                                      frame["block_groups"], frame["residents"],
                                                      frame["share_black_latino"])]
    markers = go.Scattermap(
        lat=frame["lat"], lon=frame["lon"], mode="markers", hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        name="Departments", showlegend=False, marker=dict(size=sizes, sizemin=4, color="#ae017e", opacity=0.7))
    # Web Mercator with 512 px tiles (as lib.analysis.maps.fit_view): degrees of latitude per pixel.
    per_px = 360 / (512 * 2 ** zoom) * np.cos(np.radians(frame["lat"].to_numpy(dtype=float)))
    labels = go.Scattermap(
        lat=frame["lat"].to_numpy(dtype=float) + (np.asarray(sizes, dtype=float) / 2 + LABEL_GAP_PX) * per_px,
        lon=frame["lon"], mode="markers+text", text=frame["name"], textposition="top center", hoverinfo="skip",
        marker=dict(size=1, opacity=0), textfont=dict(size=13, color="#3f3f46"), name="Department names",
        showlegend=False)
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


def map_figure(view: View, traces: list, height: int = HEIGHT, legend: bool = True) -> go.Figure:
    fig = go.Figure(traces)
    fig.update_layout(
        map=dict(style=MAP_STYLE, layers=[TILES], center=dict(lat=view.lat, lon=view.lon), zoom=view.zoom,
                 domain=dict(x=[0, 0.86], y=[0, 1])),
        height=height, margin=dict(l=0, r=0, t=0, b=0), showlegend=legend,
        legend=dict(x=0.01, y=0.99, xanchor="left", yanchor="top", bgcolor="rgba(255,255,255,0.85)",
                    font=dict(size=11)),
        paper_bgcolor="white")
    return fig


# -- hexagons (pydeck) ---------------------------------------------------------------------

RATE_RAMP = np.array([[255, 237, 160], [254, 178, 76], [240, 59, 32], [128, 0, 38]], dtype=float)


def rate_colours(rates, rmax: float) -> list[list[int]]:
    """RGBA per hexagon from predictions per 1,000 residents (grey when unknown)."""
    out = []
    for rate in np.asarray(rates, dtype=float):
        if not np.isfinite(rate) or rmax <= 0:
            out.append([150, 150, 150, 180])
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


def hex_deck(hexes: pd.DataFrame, view: View, collection: dict | None, hex_metres: float) -> pdk.Deck:
    """Extruded H3 hexagons: height by predictions, colour by the dominant block group's predictions per
    1,000 residents; block-group outlines below so the view reads without base-map tiles."""
    data = hexes.copy()
    rates = data["per_1000"].astype(float)
    data["colour"] = rate_colours(rates, rate_top(hexes))
    data["predictions_text"] = data["predictions"].map("{:,}".format)
    data["rate_text"] = rates.map(_number)
    data["residents_text"] = data["residents"].map(_number)
    data["black_latino_text"] = data["share_black_latino"].map(_share)
    data["low_income_text"] = data["share_low_income"].map(_share)
    data["place"] = data["name"].fillna("") + " · block group " + data["geoid"].fillna("none")
    top = float(data["predictions"].max()) if len(data) else 1.0
    # The tallest column: a few hexagon edges, or a tenth of the view's height when that is more (national view).
    tallest = max(hex_metres * 5, (view.bounds[3] - view.bounds[1]) * 111_000 * 0.1)
    layers = []
    if collection is not None:
        layers.append(pdk.Layer("GeoJsonLayer", data=collection, stroked=True, filled=False,
                                get_line_color=[70, 70, 70, 160], line_width_min_pixels=1, pickable=False))
    layers.append(pdk.Layer(
        "H3HexagonLayer", data=data[["hex", "predictions", "colour", "predictions_text", "rate_text", "locations",
                                     "residents_text", "black_latino_text", "low_income_text", "place"]],
        get_hexagon="hex", get_fill_color="colour", get_elevation="predictions", extruded=True,
        elevation_scale=tallest / top, pickable=True, auto_highlight=True, coverage=0.9,
        opacity=0.85))
    tooltip = {"html": "<b>{predictions_text} predictions</b> at {locations} locations<br>"
                       "Dominant block group: {place}<br>{residents_text} residents · Black or Latino "
                       "{black_latino_text} · low-income households {low_income_text}<br>"
                       "{rate_text} predictions per 1,000 residents in that block group",
               "style": {"fontSize": "12px"}}
    state = pdk.ViewState(latitude=view.lat, longitude=view.lon, zoom=view.zoom - 0.3, pitch=40, bearing=0)
    return pdk.Deck(layers=layers, initial_view_state=state, tooltip=tooltip, map_provider="carto",
                    map_style=pdk.map_styles.CARTO_LIGHT)
