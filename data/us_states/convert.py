"""Rebuild states.geojson (US state borders as simplified lines) from us-atlas's states-10m.json.

    npm pack us-atlas@3.0.1 && tar xzf us-atlas-3.0.1.tgz
    python data/us_states/convert.py package/states-10m.json data/us_states/states.geojson

Every TopoJSON arc is decoded once, so a border shared by two states is one line (a mesh), not two rings.
"""
from __future__ import annotations

import json
import sys

import shapely

TOLERANCE_DEGREES = 0.04  # about 4 km: under a pixel at the national zoom (about 0.06° a pixel) they are drawn at
DECIMALS = 2


def arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The topology's arcs in longitude/latitude (quantized and delta-encoded in the file)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def borders(topology: dict) -> dict:
    lines = []
    for points in arcs(topology):
        line = shapely.simplify(shapely.LineString(points), TOLERANCE_DEGREES)
        lines.append([[round(x, DECIMALS), round(y, DECIMALS)] for x, y in line.coords])
    return {"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": "us-state-borders", "properties": {"source": "us-atlas 3.0.1 states-10m.json"},
        "geometry": {"type": "MultiLineString", "coordinates": lines}}]}


if __name__ == "__main__":
    source, dest = sys.argv[1:3]
    with open(source) as f:
        result = borders(json.load(f))
    with open(dest, "w") as f:
        json.dump(result, f, separators=(",", ":"))
