"""The Map page's map as an SVG drawn on the server, from the very Plotly figure the Street map tab shows.

Why: opening the Map from a link took 2.1-2.5 s until still in Chromium for a returning reader, against 1.2-1.3 s
for the same page without Plotly (benchmarks/RESULTS.md, "The Map without Plotly"). The difference is Plotly's
4.7 MB script and MapLibre's software WebGL, both on the browser's one main thread. An SVG needs neither: the
browser lays it out like any other part of the page, it prints, it reads without a network (no base map is
drawn), and every area and marker names itself on hover (an SVG <title>, also read out by screen readers).

What is drawn is read from the figure, so the two tabs cannot disagree: the line layers (state borders,
departments' areas), the choropleth (each feature of its GeoJSON coloured by z on the trace's colour scale), the
markers (size, colour scale, opacity), text labels, filled outlines (prediction boxes), the marker-size key, the
annotations and the colour bar. The projection is MapLibre's: web Mercator with 512 px tiles, centred and zoomed
as the figure's map, `width` pixels wide (the page's column at 1,400 px; a phone's at 390 px). Only the features
the figure uses are handled; anything else in a figure is left out (tests/charts/test_svg_map.py).
"""
from __future__ import annotations

import base64
import html
import math
import re

import numpy as np
import plotly.graph_objects as go

from lib.charts.maps import PHONE_MAP_PX, mercator_pixels

# The SVG's width in pixels: the main column beside the sidebar at 1,400 px, and a 390 px phone's column (the
# figure is already fitted to it). The SVG scales to the column it is in; these set its text's size against it.
DESKTOP_PX = 1000
PHONE_PX = PHONE_MAP_PX[0]


def figure_svg(fig: go.Figure, width: int, label: str = "") -> str:
    """The map of `fig` (a view_map figure) as an SVG `width` pixels wide, with its key as HTML underneath.
    `label` (the map in a sentence, maps.map_summary) is what a screen reader says of it, rather than reading
    out thousands of shapes one by one."""
    height = float(fig.layout.height or 450)
    domain = fig.layout.map.domain.y or (0, 1)
    top, map_h = height * (1 - domain[1]), height * (domain[1] - domain[0])
    project = _projection(fig.layout.map.center.lat, fig.layout.map.center.lon, fig.layout.map.zoom, width,
                          map_h, top)
    body = [f'<clipPath id="pp-map-clip"><rect x="0" y="{top:.0f}" width="{width}" height="{map_h:.0f}"/></clipPath>',
            f'<rect x="0" y="{top:.0f}" width="{width}" height="{map_h:.0f}" fill="#fafafa"/>',
            '<g clip-path="url(#pp-map-clip)">']
    for layer in fig.layout.map.layers or ():
        if layer.type == "line" and layer.sourcetype == "geojson":
            body.append(_lines(layer.source, project, layer.color, layer.line.width))
    for trace in fig.data:
        if trace.type == "choroplethmap":
            body.append(_choropleth(trace, project))
        elif trace.type == "scattermap":
            body.append(_scatter(trace, project))
    body.append("</g>")
    keys = []
    # Colour bars stop short of the marker-size key (Plotly lets the markers' bar run under it).
    right = width * (fig.layout.xaxis.domain[0] if fig.layout.xaxis.domain else 1) - 16
    for trace in fig.data:
        if trace.type == "choroplethmap" and trace.showscale is not False:
            keys.append(_colour_bar(trace.colorbar, trace.colorscale, trace.zmin, trace.zmax, width, height, right,
                                    f"pp-map-scale-{len(keys)}"))
        elif trace.type == "scattermap" and _coloured(trace.marker):
            marker = trace.marker
            keys.append(_colour_bar(marker.colorbar, marker.colorscale, marker.cmin, marker.cmax, width, height,
                                    right, f"pp-map-scale-{len(keys)}"))
        elif trace.type == "scatter":
            body.append(_cartesian(trace, fig.layout, width, height))
    for note in fig.layout.annotations or ():
        body.append(_annotation(note, width, height))
    role = f'role="img" aria-label="{_attr(label)}" ' if label else ""
    svg = (f'<svg class="pp-svg-map" viewBox="0 0 {width} {height:.0f}" width="100%" {role}'
           f'xmlns="http://www.w3.org/2000/svg">{"".join(body + keys)}</svg>')
    return f"<style>{STYLE}</style>{svg}{_legend(fig)}"


# Hovering an area or a marker outlines it; the map keeps its shape at any column width.
STYLE = (".pp-svg-map{display:block;height:auto;max-width:100%}"
         ".pp-svg-map [data-hover]:hover{stroke:#111;stroke-width:2px}"
         ".pp-map-key{display:flex;flex-wrap:wrap;gap:.25rem 1rem;font-size:.8rem;margin-top:.25rem}"
         ".pp-map-key span.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:50%;"
         "margin-right:.3rem;vertical-align:-.1rem}")


# -- projection and shapes -------------------------------------------------------------------

def _projection(lat: float, lon: float, zoom: float, width: float, height: float, top: float):
    """lon, lat arrays -> x, y arrays in the SVG's pixels: web Mercator at `zoom`, (lat, lon) in the middle."""
    cx, cy = mercator_pixels(lat, lon, zoom)

    def project(lons, lats):
        x, y = mercator_pixels(lats, lons, zoom)
        return x - float(cx) + width / 2, y - float(cy) + height / 2 + top
    return project


def _rings(geometry: dict) -> list:
    polygons = {"Polygon": lambda c: [c], "MultiPolygon": lambda c: c,
                "LineString": lambda c: [[c]], "MultiLineString": lambda c: [c]}.get(geometry["type"])
    return [ring for polygon in polygons(geometry["coordinates"]) for ring in polygon] if polygons else []


def _path(rings: list, project, close: bool) -> str:
    """An SVG path's d for the rings (lists of [lon, lat]), one decimal: a tenth of a pixel."""
    parts = []
    for ring in rings:
        if len(ring) < 2:
            continue
        xy = np.asarray(ring, dtype=float)[:, :2]
        x, y = project(xy[:, 0], xy[:, 1])
        coords = " ".join(f"{a:.1f} {b:.1f}" for a, b in zip(x, y))
        parts.append(f"M{coords}{'Z' if close else ''}")
    return "".join(parts)


def _lines(geojson: dict, project, colour: str, width: float) -> str:
    rings = [ring for feature in geojson.get("features", ()) for ring in _rings(feature["geometry"])]
    return (f'<path d="{_path(rings, project, False)}" fill="none" stroke="{_attr(colour)}" '
            f'stroke-width="{width or 1}"/>')


def _segments(lats, lons) -> list:
    """A line trace's points split at its None gaps, as [lon, lat] lists."""
    out, current = [], []
    for lat, lon in zip(lats, lons):
        if lat is None or lon is None or lat != lat or lon != lon:  # None or NaN
            if current:
                out.append(current)
            current = []
        else:
            current.append([lon, lat])
    return out + ([current] if current else [])


# -- colour --------------------------------------------------------------------------------

def _rgb(colour: str) -> tuple[float, float, float, float]:
    colour = colour.strip()
    if colour.startswith("#"):
        return (*(int(colour[i:i + 2], 16) for i in (1, 3, 5)), 1.0)
    numbers = [float(n) for n in re.findall(r"[\d.]+", colour)]
    return (*numbers[:3], numbers[3] if len(numbers) > 3 else 1.0)


def colours(values, scale, low: float, high: float) -> list[str | None]:
    """Each value's colour on a Plotly colour scale ([[position, colour], ...]) from `low` to `high`, as Plotly
    interpolates it; None for a missing value."""
    positions = np.array([float(p) for p, _ in scale])
    channels = np.array([_rgb(c)[:3] for _, c in scale])
    values = np.asarray(values, dtype=float)
    span = (high - low) or 1.0
    t = np.nan_to_num(np.clip((values - low) / span, 0, 1))
    rgb = np.column_stack([np.interp(t, positions, channels[:, i]) for i in range(3)]).round().astype(int)
    return [None if math.isnan(v) else f"#{r:02x}{g:02x}{b:02x}" for v, (r, g, b) in zip(values, rgb)]


# -- hover text ----------------------------------------------------------------------------

_FIELD = re.compile(r"%\{(text|hovertext|customdata\[(\d+)\])(?::([^}]*))?\}")


def hover_text(template: str | None, text=None, customdata=None) -> str:
    """A Plotly hover template filled in as plain text (an SVG title): fields %{text}, %{hovertext} and
    %{customdata[i]:format} (the format as Python's, which agrees with d3's for ',.0f' and '.0%'); missing
    numbers read 'n/a'; <br> becomes a line break and other tags go."""
    template = template if template else "%{text}"

    def field(match: re.Match) -> str:
        if match.group(2) is None:
            return "" if text is None else str(text)
        value = customdata[int(match.group(2))] if customdata is not None else None
        if value is None or (isinstance(value, float) and math.isnan(value)) or \
                (isinstance(value, np.floating) and np.isnan(value)):
            return "n/a"
        return format(float(value), match.group(3) or "")
    filled = _FIELD.sub(field, re.sub(r"<extra>.*?</extra>", "", template))
    return re.sub(r"<[^>]+>", "", filled.replace("<br>", "\n")).strip()


def _title(template, text=None, customdata=None) -> str:
    return f"<title>{html.escape(hover_text(template, text, customdata))}</title>"


def _attr(value) -> str:
    return html.escape(str(value), quote=True)


def array(value):
    """A trace's array property as numpy: Plotly 7 keeps numeric arrays as typed-array specs ({"dtype": "f4",
    "bdata": base64, "shape": "n, m"}), as it sends them to the browser."""
    if isinstance(value, dict) and "bdata" in value:
        out = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        return out.reshape([int(n) for n in str(shape).split(",")]) if shape else out
    return value


def _each(value, n: int) -> list:
    """A trace property as one value per point (a scalar repeated, None as None)."""
    if value is None or isinstance(value, (str, int, float)):
        return [value] * n
    return list(array(value))


# -- traces --------------------------------------------------------------------------------

def _choropleth(trace, project) -> str:
    features = {str(f.get("id")): f for f in trace.geojson.get("features", ())}
    ids = list(trace.locations or ())
    fills = colours(array(trace.z), trace.colorscale, trace.zmin, trace.zmax)
    texts, custom = _each(trace.text, len(ids)), array(trace.customdata)
    line = trace.marker.line
    out = [f'<g fill-opacity="{trace.marker.opacity if trace.marker.opacity is not None else 1}" '
           f'stroke="{_attr(line.color or "#444")}" stroke-width="{line.width if line.width is not None else 1}">']
    for i, (fid, fill) in enumerate(zip(ids, fills)):
        feature = features.get(str(fid))
        if feature is None:
            continue
        d = _path(_rings(feature["geometry"]), project, True)
        title = _title(trace.hovertemplate, texts[i], None if custom is None else custom[i])
        out.append(f'<path data-hover d="{d}" fill="{fill or "none"}">{title}</path>')
    return "".join(out) + "</g>"


def _scatter(trace, project) -> str:
    n = len(array(trace.lat)) if trace.lat is not None else 0
    if not n:
        return ""
    mode = trace.mode or "markers"
    out = []
    if "lines" in mode:
        d = _path(_segments(array(trace.lat), array(trace.lon)), project, trace.fill == "toself")
        fill = _attr(trace.fillcolor) if trace.fill == "toself" and trace.fillcolor else "none"
        out.append(f'<path d="{d}" fill="{fill}" stroke="{_attr(trace.line.color or "#444")}" '
                   f'stroke-width="{trace.line.width or 1}"/>')
        return "".join(out)
    x, y = project(np.asarray(array(trace.lon), dtype=float), np.asarray(array(trace.lat), dtype=float))
    marker = trace.marker
    if "markers" in mode:
        sizes = np.maximum(np.asarray(_each(marker.size if marker.size is not None else 6, n), dtype=float),
                           float(marker.sizemin or 0))
        if marker.color is not None and not isinstance(marker.color, str):
            scale = marker.colorscale or ((0, "#fbb4b9"), (1, "#49006a"))
            fill = colours(array(marker.color), scale, marker.cmin, marker.cmax)
        else:
            fill = [marker.color or "#1f77b4"] * n
        texts = _each(trace.hovertext if trace.hovertext is not None else trace.text, n)
        custom = array(trace.customdata)
        opacity = marker.opacity if marker.opacity is not None else 1
        out.append(f'<g fill-opacity="{opacity}">')
        for i in range(n):
            title = "" if trace.hoverinfo == "skip" else _title(
                trace.hovertemplate, texts[i], None if custom is None else custom[i])
            out.append(f'<circle data-hover cx="{x[i]:.1f}" cy="{y[i]:.1f}" r="{sizes[i] / 2:.1f}" '
                       f'fill="{_attr(fill[i] or "#bdbdbd")}">{title}</circle>')
        out.append("</g>")
    if "text" in mode:
        radii = (np.asarray(_each(marker.size, n), dtype=float) / 2) if "markers" in mode else np.zeros(n)
        font = trace.textfont
        out.append(_texts(_each(trace.text, n), x, y, radii, trace.textposition or "middle center",
                          font.size or 12, font.color or "#333"))
    return "".join(out)


def _texts(texts, x, y, radii, position: str, size: float, colour: str) -> str:
    """Labels at each point, placed as Plotly's textposition says ('middle center', 'top right',
    'bottom center'), wrapped as MapLibre wraps a map's labels (at about 10 ems)."""
    vertical, horizontal = position.split()
    anchor = {"left": "end", "center": "middle", "right": "start"}[horizontal]
    out = [f'<g font-size="{size}" fill="{_attr(colour)}" text-anchor="{anchor}" '
           'stroke="white" stroke-width="3" paint-order="stroke">']
    for text, px, py, r in zip(texts, x, y, radii):
        if not text:
            continue
        lines = _wrap(str(text), 10 * size / (0.57 * size)) if vertical == "middle" else [str(text)]
        dx = {"left": -r - 2, "center": 0, "right": r + 2}[horizontal]
        first = {"top": -r - 3 - (len(lines) - 1) * size * 1.15, "middle": -(len(lines) - 1) * size * 0.575 + size * 0.35,
                 "bottom": r + size}[vertical]
        spans = "".join(f'<tspan x="{px + dx:.1f}" dy="{0 if i == 0 else size * 1.15:.1f}">{html.escape(line)}</tspan>'
                        for i, line in enumerate(lines))
        out.append(f'<text x="{px + dx:.1f}" y="{py + first:.1f}">{spans}</text>')
    return "".join(out) + "</g>"


def _wrap(text: str, chars: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > chars:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line]


# -- keys ----------------------------------------------------------------------------------

def _cartesian(trace, layout, width: float, height: float) -> str:
    """A trace on the figure's x/y axes (the marker-size key in the strip under the map)."""
    xa, ya = layout.xaxis, layout.yaxis
    xr, yr, xd, yd = xa.range, ya.range, xa.domain or (0, 1), ya.domain or (0, 1)
    x = [width * (xd[0] + (v - xr[0]) / (xr[1] - xr[0]) * (xd[1] - xd[0])) for v in trace.x]
    y = [height * (1 - (yd[0] + (v - yr[0]) / (yr[1] - yr[0]) * (yd[1] - yd[0]))) for v in trace.y]
    marker = trace.marker
    sizes = np.maximum(np.asarray(_each(marker.size, len(x)), dtype=float), float(marker.sizemin or 0))
    line = marker.line
    out = [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="{s / 2:.1f}" fill="{_attr(marker.color)}" '
           f'stroke="{_attr(line.color or "none")}" stroke-width="{line.width or 0}"/>'
           for a, b, s in zip(x, y, sizes)]
    if "text" in (trace.mode or ""):
        out.append(_texts(_each(trace.text, len(x)), np.array(x), np.array(y), sizes / 2,
                          trace.textposition or "bottom center", trace.textfont.size or 11, "#333"))
    return "".join(out)


def _annotation(note, width: float, height: float) -> str:
    size = note.font.size or 12
    x, y = width * note.x, height * (1 - note.y)
    anchor = {"left": "start", "center": "middle", "right": "end"}.get(note.xanchor or "center", "middle")
    lines = re.sub(r"<[^>]+>", "\n", str(note.text).replace("<br>", "\n")).split("\n")
    lines = [line for line in lines if line]
    spans = "".join(f'<tspan x="{x:.1f}" dy="{size if i == 0 else size * 1.2:.1f}">{html.escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="#333" text-anchor="{anchor}">{spans}</text>'


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) from `low` to `high`, about `count` of them."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low]
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 5, 10) if s * power >= raw)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step + 1e-9) + 1)]


def _coloured(marker) -> bool:
    """Whether Plotly shows a colour bar for these markers: coloured by value, with a titled colorbar."""
    return (marker.showscale is not False and marker.color is not None and not isinstance(marker.color, str)
            and bool(marker.colorbar.title.text))


def _colour_bar(bar, scale, low: float, high: float, width: float, height: float, right: float, uid: str) -> str:
    """A horizontal colour bar as the figure's colorbar places it (paper x, y; len a fraction of the width), ending
    before `right`."""
    left, top = width * (bar.x or 0) + 12, height * (1 - bar.y) + 18
    length, thick = min(width * (bar.len or 0.4), right - left), bar.thickness or 10
    stops = "".join(f'<stop offset="{float(p):.3f}" stop-color="{_attr(c)}"/>' for p, c in scale)
    if bar.tickvals is not None:
        ticks = list(zip(bar.tickvals, bar.ticktext or [str(v) for v in bar.tickvals]))
    else:
        ticks = [(v, format(v, bar.tickformat or ",.0f")) for v in nice_ticks(low, high, bar.nticks or 4)]
    marks = []
    for value, label in ticks:
        x = left + (value - low) / ((high - low) or 1) * length
        marks.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + thick:.1f}" y2="{top + thick + 4:.1f}" '
                     f'stroke="#444"/><text x="{x:.1f}" y="{top + thick + 15:.1f}" text-anchor="middle">'
                     f'{html.escape(str(label))}</text>')
    title = bar.title.text or ""
    return (f'<g font-size="11" fill="#333"><linearGradient id="{uid}">{stops}</linearGradient>'
            f'<text x="{left:.1f}" y="{top - 5:.1f}">{html.escape(title)}</text>'
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{length:.1f}" height="{thick}" fill="url(#{uid})" '
            f'stroke="#999" stroke-width="0.5"/>{"".join(marks)}</g>')


def _legend(fig: go.Figure) -> str:
    """The figure's legend (the traces it names) as a line of HTML under the map, which wraps on a phone."""
    if fig.layout.showlegend is False:
        return ""
    items = []
    for trace in fig.data:
        if trace.showlegend is False or not trace.name or trace.type == "scatter":
            continue
        colour = trace.marker.color if isinstance(getattr(trace.marker, "color", None), str) else \
            (trace.line.color if trace.type == "scattermap" and trace.line.color else "#888")
        items.append(f'<span><span class="swatch" style="background:{_attr(colour)}"></span>'
                     f"{html.escape(trace.name)}</span>")
    return f'<div class="pp-map-key">{"".join(items)}</div>' if items else ""
