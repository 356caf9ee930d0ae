"""Audit figures: frames from lib.analysis.audit in, Plotly figures out (pure, no Streamlit)."""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import shapely

from lib.analysis.audit import EVERYDAY_SHARE, STATUS_LABELS
from lib.charts import clear_of_tools
from lib.geoid import block_group_name

SITE_COLOURS = {"police_station": "#08306b", "jail": "#54278f", "court": "#6a51a3", "hospital": "#e7298a",
                "school": "#238b45", "public_housing": "#8c510a", "other": "#525252"}
STATUS_COLOURS = {"nearby": "#6baed6", "far": "#fd8d3c", "abroad": "#d7301f", "zero_zero": "#7f0000",
                  "swapped": "#88419d", "no_outline": "#969696"}
OUTLINE = "rgba(60, 60, 60, 0.6)"
SITE_LABEL_CHARS = 26  # a bar's label per line: the axis keeps about 40% of a phone's width


def _label(frame: pd.DataFrame, names: dict[str, str]) -> pd.Series:
    """'Block group 2, tract 390' over the department's name (two short lines fit a phone's axis); the GEOID
    where two block groups of a chart would read the same."""
    words = frame["geoid"].map(lambda g: (block_group_name(g) or str(g)).split(", ")[:2]).map(", ".join)
    departments = frame["department"].map(lambda d: names.get(d, d))
    pairs = frame[["geoid", "department"]].drop_duplicates()
    ambiguous = set(words[pairs.index][words[pairs.index].duplicated(keep=False)]) if len(pairs) else set()
    words = words.where(~words.isin(ambiguous), frame["geoid"].astype(str))
    return words + "<br>" + departments


def _kind_words(kind) -> str:
    return kind.replace("_", " ").capitalize() if isinstance(kind, str) else "Other"


def _site_label(site: str, department: str) -> str:
    return "<br>".join(textwrap.wrap(f"{site} ({department})", SITE_LABEL_CHARS, max_lines=3, placeholder=" …"))


def site_bar(frame: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Predictions whose box held each site, coloured by kind."""
    data = frame.sort_values("predictions").copy()
    data["label"] = [_site_label(site, names.get(d, d) if d else "?")
                     for site, d in zip(data["site"], data["department"])]
    data["kind"] = data["kind"].map(_kind_words)
    fig = px.bar(data, x="predictions", y="label", color="kind", orientation="h",
                 color_discrete_map={_kind_words(k): c for k, c in SITE_COLOURS.items()},
                 hover_data={"days": True, "share_of_department": ":.1%", "label": False},
                 labels={"predictions": "Predictions whose 600 ft box held the site", "label": "", "kind": "Kind"})
    fig.update_yaxes(categoryorder="array", categoryarray=data["label"].tolist())
    # a row per label line (up to three), the legend above: beside the bars it took a phone's width
    lines = sum(label.count("<br>") + 1 for label in data["label"])
    fig.update_layout(height=max(260, 16 * lines + 12 * len(data) + 140), margin=dict(l=10, r=10, t=30, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, title_text=""))
    return clear_of_tools(fig)


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
    fig.update_yaxes(categoryorder="array", categoryarray=data["label"].tolist())
    fig.add_vline(x=EVERYDAY_SHARE, line_dash="dash", line_color="#444",
                  annotation_text="90%", annotation_position="top")
    fig.update_xaxes(tickformat=".0%", range=[0, 1.02])
    fig.update_layout(height=max(260, 24 * len(data) + 120), margin=dict(l=10, r=10, t=30, b=10))
    return clear_of_tools(fig)


def outline_trace(shapes: pd.DataFrame) -> go.Scatter:
    """Block-group outlines as one line trace."""
    lons, lats = [], []
    for geometry in shapes["geometry"]:
        for ring in shapely.get_parts(shapely.boundary(geometry)):
            xy = np.asarray(ring.coords)
            lons += xy[:, 0].tolist() + [None]
            lats += xy[:, 1].tolist() + [None]
    return go.Scatter(x=lons, y=lats, mode="lines", line=dict(width=1, color=OUTLINE),
                      name="Analysed block groups", hoverinfo="skip")


def outside_map(points: pd.DataFrame, shapes: pd.DataFrame) -> go.Figure:
    """Points outside the analysed block groups, over the block-group outlines.

    Drawn on plain longitude/latitude axes (scaled for the latitude) rather than on map tiles, so it
    reads the same with or without an internet connection."""
    fig = go.Figure(outline_trace(shapes))
    for status, part in points.groupby("status"):
        weight = part["predictions"].astype("Float64").fillna(part["records"]).astype(float)
        fig.add_trace(go.Scatter(
            x=part["lon"], y=part["lat"], mode="markers", name=STATUS_LABELS.get(status, status),
            marker=dict(size=np.clip(4 + 3 * np.sqrt(weight), 5, 28), color=STATUS_COLOURS.get(status, "#444"),
                        opacity=0.7, line=dict(width=0.5, color="white")),
            text=[f"{s}: {w:,.0f} · {d:.1f} km outside" + (f"<br>{a}" if isinstance(a, str) else "")
                  for s, w, d, a in zip(part["source"], weight, part["distance_km"], part["address"])],
            hoverinfo="text"))
    lat = float(np.nanmean(points["lat"])) if len(points) else 0.0
    fig.update_yaxes(scaleanchor="x", scaleratio=1 / max(np.cos(np.radians(lat)), 0.1), title="Latitude",
                     showgrid=False)
    fig.update_xaxes(title="Longitude", showgrid=False)
    fig.update_layout(height=560, margin=dict(l=10, r=10, t=10, b=10), plot_bgcolor="#f7f7f7",
                      legend=dict(yanchor="top", y=0.99, x=0.01, bgcolor="rgba(255,255,255,0.8)"))
    return clear_of_tools(fig)


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
    return clear_of_tools(fig)


def top_lines(monthly: pd.DataFrame, names: dict[str, str], top: int = 5) -> go.Figure:
    """Monthly predictions of the most-predicted block groups."""
    data = monthly.copy()
    data["label"] = _label(data, names)
    keep = data.drop_duplicates("label").sort_values("total", ascending=False)["label"].head(top)
    data = data[data["label"].isin(keep)]
    fig = px.line(data, x="month", y="predictions", color="label", markers=True,
                  labels={"month": "Month", "predictions": "Predictions", "label": "Block group"})
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=30, b=10))
    return clear_of_tools(fig)


def overlap_bar(overlap: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Share of each quarter's top 10% block groups that were also in the previous quarter's top 10%."""
    data = overlap.dropna(subset=["overlap_share"]).copy()
    data["department"] = data["department"].map(lambda d: names.get(d, d))
    data = data.sort_values("quarter")
    data["quarter"] = pd.to_datetime(data["quarter"]).dt.to_period("Q").astype(str)
    fig = px.bar(data, x="quarter", y="overlap_share", color="department", barmode="group",
                 hover_data={"kept_from_previous": True, "top_n": True},
                 labels={"quarter": "Quarter", "overlap_share": "Top 10% kept from the previous quarter",
                         "department": "Department", "kept_from_previous": "Kept", "top_n": "Top 10% size"})
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_xaxes(categoryorder="category ascending")
    fig.update_layout(height=360, margin=dict(l=10, r=10, t=30, b=10))
    return clear_of_tools(fig)


def daily_brush(daily: pd.DataFrame) -> go.Figure:
    """Predictions per day; drag across it to choose a date range."""
    fig = px.bar(daily, x="date", y="predictions", labels={"date": "", "predictions": "Predictions per day"})
    fig.update_traces(marker_color="#54278f")
    fig.update_layout(height=220, margin=dict(l=10, r=10, t=10, b=10), dragmode="select", selectdirection="h",
                      bargap=0)
    return clear_of_tools(fig)


# -- text alternatives: each chart's key figures in a sentence, for readers who cannot see it --------------

def _plain(label: str) -> str:
    return label.replace("<br>", ", ")


def site_bar_text(frame: pd.DataFrame, names: dict[str, str]) -> str:
    if frame.empty:
        return "No site drew a prediction."
    top = frame.sort_values(["predictions", "site"], ascending=[False, True]).iloc[0]
    where = names.get(top["department"], top["department"]) if isinstance(top["department"], str) else "no department"
    text = (f"{len(frame):,} site{'s' if len(frame) != 1 else ''} drew predictions, "
            f"{int(frame['predictions'].sum()):,} in all. The most: {top['site']} ({where}), "
            f"{int(top['predictions']):,} predictions")
    if "days" in frame.columns and pd.notna(top["days"]):
        text += f" on {int(top['days']):,} days"
    return text + "."


def days_bar_text(frame: pd.DataFrame, names: dict[str, str], top: int = 30) -> str:
    if frame.empty:
        return "No block group has dated predictions."
    over = int((frame["share_of_days"] > EVERYDAY_SHARE).sum())
    first = frame.sort_values("share_of_days", ascending=False).iloc[0]
    label = _plain(_label(first.to_frame().T, names).iloc[0])
    return (f"The {min(top, len(frame)):,} block groups targeted on the largest share of days, of {len(frame):,}; "
            f"{over:,} were targeted on more than {EVERYDAY_SHARE:.0%} of the days in use. The most: {label}, "
            f"{int(first['days_targeted']):,} of {int(first['days_in_use']):,} days ({first['share_of_days']:.0%}).")


def outside_map_text(points: pd.DataFrame, department: str) -> str:
    if points.empty:
        return f"No point of {department} lies outside its block groups."
    counts = points["status"].value_counts()
    parts = [f"{int(counts[s]):,} {STATUS_LABELS.get(s, s).lower()}" for s in STATUS_COLOURS if s in counts]
    farthest = points.sort_values("distance_km", ascending=False).iloc[0]
    text = (f"{len(points):,} points of {department} outside its analysed block groups ({'; '.join(parts)}), "
            f"drawn over the block groups' outlines")
    if pd.notna(farthest["distance_km"]):
        text += f"; the farthest lies {farthest['distance_km']:,.1f} km outside"
    return text + "."


def daily_text(daily: pd.DataFrame) -> str:
    if daily.empty:
        return "No dated predictions."
    busiest = daily.sort_values(["predictions", "date"], ascending=[False, True]).iloc[0]
    return (f"{int(daily['predictions'].sum()):,} predictions over {len(daily):,} days, from "
            f"{pd.Timestamp(daily['date'].min()):%b %-d, %Y} to {pd.Timestamp(daily['date'].max()):%b %-d, %Y}; "
            f"at most {int(busiest['predictions']):,} on {pd.Timestamp(busiest['date']):%b %-d, %Y}.")


def month_heatmap_text(monthly: pd.DataFrame, names: dict[str, str]) -> str:
    if monthly.empty:
        return "No dated predictions."
    peak = monthly.sort_values(["predictions", "month"], ascending=[False, True]).iloc[0]
    label = _plain(_label(peak.to_frame().T, names).iloc[0])
    return (f"{monthly[['department', 'geoid']].drop_duplicates().shape[0]:,} block groups over "
            f"{monthly['month'].nunique():,} months. The most in one month: {label}, "
            f"{int(peak['predictions']):,} predictions in {pd.Timestamp(peak['month']):%B %Y}.")


def top_lines_text(monthly: pd.DataFrame, names: dict[str, str], top: int = 5) -> str:
    if monthly.empty:
        return "No dated predictions."
    totals = monthly.drop_duplicates(["department", "geoid"]).sort_values("total", ascending=False)
    first = totals.iloc[0]
    label = _plain(_label(first.to_frame().T, names).iloc[0])
    return (f"Monthly predictions of the {min(top, len(totals)):,} most-predicted block groups, led by {label} "
            f"with {int(first['total']):,} predictions in all.")


def overlap_text(overlap: pd.DataFrame, names: dict[str, str]) -> str:
    kept = overlap.dropna(subset=["overlap_share"])
    if kept.empty:
        return "No quarter follows another."
    low, high = kept.loc[kept["overlap_share"].idxmin()], kept.loc[kept["overlap_share"].idxmax()]
    quarter = lambda q: pd.Period(pd.Timestamp(q), "Q").strftime("%Y Q%q")  # noqa: E731
    name = lambda d: names.get(d, d)  # noqa: E731
    return (f"On average {kept['overlap_share'].mean():.0%} of a quarter's top 10% block groups were also in the "
            f"previous quarter's, over {len(kept):,} quarters; the least {low['overlap_share']:.0%} "
            f"({name(low['department'])}, {quarter(low['quarter'])}), the most {high['overlap_share']:.0%} "
            f"({name(high['department'])}, {quarter(high['quarter'])}).")
