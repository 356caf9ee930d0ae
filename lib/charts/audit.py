"""Audit figures: frames from lib.analysis.audit in, Plotly figures out (pure, no Streamlit)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import shapely

from lib.analysis.audit import EVERYDAY_SHARE, STATUS_LABELS

SITE_COLOURS = {"police_station": "#08306b", "jail": "#54278f", "court": "#6a51a3", "hospital": "#e7298a",
                "school": "#238b45", "public_housing": "#8c510a", "other": "#525252"}
STATUS_COLOURS = {"nearby": "#6baed6", "far": "#fd8d3c", "abroad": "#d7301f", "zero_zero": "#7f0000",
                  "swapped": "#88419d", "no_outline": "#969696"}
OUTLINE = "rgba(60, 60, 60, 0.6)"
MAP_STYLE = "carto-positron"


def _label(frame: pd.DataFrame, names: dict[str, str]) -> pd.Series:
    return frame["geoid"].astype(str) + " · " + frame["department"].map(lambda d: names.get(d, d))


def site_bar(frame: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Predictions whose box held each site, coloured by kind."""
    data = frame.sort_values("predictions").copy()
    data["label"] = data["site"] + " (" + data["department"].map(lambda d: names.get(d, d) if d else "?") + ")"
    fig = px.bar(data, x="predictions", y="label", color="kind", orientation="h", color_discrete_map=SITE_COLOURS,
                 hover_data={"days": True, "share_of_department": ":.1%", "label": False},
                 labels={"predictions": "Predictions whose 600 ft box held the site", "label": "", "kind": "Kind"})
    fig.update_layout(height=max(260, 28 * len(data) + 120), margin=dict(l=10, r=10, t=30, b=10))
    return fig


def days_bar(frame: pd.DataFrame, names: dict[str, str], top: int = 30) -> go.Figure:
    """Share of days in use with a prediction, per block group, with the 90% line."""
    data = frame.head(top).iloc[::-1].copy()
    data["label"] = _label(data, names)
    data["over"] = np.where(data["share_of_days"] > EVERYDAY_SHARE, "More than 90% of days", "90% or less")
    fig = px.bar(data, x="share_of_days", y="label", orientation="h", color="over",
                 color_discrete_map={"More than 90% of days": "#b2182b", "90% or less": "#bdbdbd"},
                 hover_data={"days_targeted": True, "days_in_use": True, "residents": True,
                             "share_black": ":.0%", "share_latino": ":.0%", "share_low_income": ":.0%",
                             "label": False, "over": False},
                 labels={"share_of_days": "Share of the days the software was in use", "label": "", "over": ""})
    fig.add_vline(x=EVERYDAY_SHARE, line_dash="dash", line_color="#444",
                  annotation_text="90%", annotation_position="top")
    fig.update_xaxes(tickformat=".0%", range=[0, 1.02])
    fig.update_layout(height=max(260, 24 * len(data) + 120), margin=dict(l=10, r=10, t=30, b=10))
    return fig


def outline_trace(shapes: pd.DataFrame) -> go.Scattermap:
    """Block-group outlines as one line layer, so the map reads without base-map tiles."""
    lons, lats = [], []
    for geometry in shapes["geometry"]:
        for line in shapely.get_parts(shapely.boundary(geometry)):
            for ring in shapely.get_parts(line):
                xy = np.asarray(ring.coords)
                lons += xy[:, 0].tolist() + [None]
                lats += xy[:, 1].tolist() + [None]
    return go.Scattermap(lon=lons, lat=lats, mode="lines", line=dict(width=1, color=OUTLINE),
                         name="Analysed block groups", hoverinfo="skip")


def outside_map(points: pd.DataFrame, shapes: pd.DataFrame) -> go.Figure:
    """Points outside the analysed block groups (near them), over the block-group outlines."""
    fig = go.Figure(outline_trace(shapes))
    for status, part in points.groupby("status"):
        weight = part["predictions"].fillna(part["records"]).astype(float)
        fig.add_trace(go.Scattermap(
            lon=part["lon"], lat=part["lat"], mode="markers", name=STATUS_LABELS.get(status, status),
            marker=dict(size=np.clip(4 + 3 * np.sqrt(weight), 5, 28), color=STATUS_COLOURS.get(status, "#444"),
                        opacity=0.7),
            text=[f"{s}: {w:,.0f} · {d:.1f} km outside" for s, w, d in
                  zip(part["source"], weight, part["distance_km"])],
            hoverinfo="text"))
    bounds = shapely.total_bounds(np.concatenate([shapes["geometry"].to_numpy(),
                                                  shapely.points(points["lon"], points["lat"])]))
    centre = dict(lon=(bounds[0] + bounds[2]) / 2, lat=(bounds[1] + bounds[3]) / 2)
    span = max(bounds[2] - bounds[0], bounds[3] - bounds[1], 0.01)
    fig.update_layout(map=dict(style=MAP_STYLE, center=centre, zoom=float(np.clip(np.log2(360 / span) - 0.6, 1, 15))),
                      height=520, margin=dict(l=0, r=0, t=0, b=0), legend=dict(yanchor="top", y=0.98, x=0.01))
    return fig


def month_heatmap(monthly: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Block group x month heatmap of predictions (most-predicted block groups on top)."""
    data = monthly.copy()
    data["label"] = _label(data, names)
    order = data.drop_duplicates("label").sort_values("total")["label"]
    grid = data.pivot_table(index="label", columns="month", values="predictions", aggfunc="sum", fill_value=0)
    grid = grid.reindex(order)
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=[pd.Timestamp(m).strftime("%Y-%m") for m in grid.columns],
                               y=grid.index, colorscale="Reds", colorbar=dict(title="Predictions"),
                               hovertemplate="%{y}<br>%{x}: %{z:,} predictions<extra></extra>"))
    fig.update_layout(height=max(300, 26 * len(grid) + 120), margin=dict(l=10, r=10, t=30, b=10),
                      xaxis_title="Month", yaxis_title="")
    return fig


def top_lines(monthly: pd.DataFrame, names: dict[str, str], top: int = 5) -> go.Figure:
    """Monthly predictions of the most-predicted block groups."""
    data = monthly.copy()
    data["label"] = _label(data, names)
    keep = data.drop_duplicates("label").sort_values("total", ascending=False)["label"].head(top)
    data = data[data["label"].isin(keep)]
    fig = px.line(data, x="month", y="predictions", color="label", markers=True,
                  labels={"month": "Month", "predictions": "Predictions", "label": "Block group"})
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=30, b=10))
    return fig


def overlap_bar(overlap: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Share of each quarter's top 10% block groups that were also in the previous quarter's top 10%."""
    data = overlap.dropna(subset=["overlap_share"]).copy()
    data["department"] = data["department"].map(lambda d: names.get(d, d))
    data["quarter"] = pd.to_datetime(data["quarter"]).dt.to_period("Q").astype(str)
    fig = px.bar(data, x="quarter", y="overlap_share", color="department", barmode="group",
                 hover_data={"kept_from_previous": True, "top_n": True},
                 labels={"quarter": "Quarter", "overlap_share": "Top 10% kept from the previous quarter",
                         "department": "Department", "kept_from_previous": "Kept", "top_n": "Top 10% size"})
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_layout(height=360, margin=dict(l=10, r=10, t=30, b=10))
    return fig


def daily_brush(daily: pd.DataFrame) -> go.Figure:
    """Predictions per day; drag across it to choose a date range."""
    fig = px.bar(daily, x="date", y="predictions", labels={"date": "", "predictions": "Predictions per day"})
    fig.update_traces(marker_color="#54278f")
    fig.update_layout(height=220, margin=dict(l=10, r=10, t=10, b=10), dragmode="select", selectdirection="h",
                      bargap=0)
    return fig
