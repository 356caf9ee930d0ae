"""Two selections' maps drawn on one colour scale and one marker scale (lib/charts/maps pieces)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.charts import maps as charts


def shared_top(frames: list[pd.DataFrame], variable: str, percentile: float = 95) -> float:
    """The top of one colour scale for every frame: 100% for a share, else the `percentile` of all values."""
    if variable.startswith("share"):
        return 1.0
    values = np.concatenate([f[variable].astype(float).to_numpy() for f in frames if len(f)] or [np.array([])])
    values = values[np.isfinite(values)]
    return float(np.percentile(values, percentile)) if len(values) and np.percentile(values, percentile) > 0 else 1.0


def side_by_side(parts: list[tuple], variable: str) -> list:
    """A figure per (view, block-group frame, geojson, prediction points) of maps.view / block_groups / thin, on
    the same colour scale (block groups coloured by `variable`) and marker sizes; None where nothing to draw."""
    block_groups = [frame for _, frame, _, _ in parts]
    points = [p for _, _, _, p in parts]
    zmax = shared_top(block_groups, variable)
    vmax = max([float(p["predictions"].max()) for p in points if len(p)] or [1.0])
    cmax = shared_top(points, "predictions", 98)
    figures = []
    for view, frame, collection, located in parts:
        if view is None or (frame.empty and located.empty):
            figures.append(None)
            continue
        traces = []
        if len(frame):
            trace = charts.choropleth_trace(frame, collection, variable)
            trace.zmax = zmax
            traces.append(trace)
        if len(located):
            trace = charts.point_trace(located, "predictions", vmax=vmax)
            trace.marker.cmax = cmax
            traces.append(trace)
        figure = charts.map_figure(view, traces, height=420, legend=False)
        charts.add_size_legend(figure, vmax)
        figures.append(figure)
    return figures
