"""Disparities charts: frames from lib.analysis.disparities in, Plotly figures out."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from lib.charts import clear_of_tools, wrapped

from lib.analysis.disparities import WINDOW_LABELS, group_label

WINDOW_COLOURS = {"Most targeted": "#b2182b", "Median": "#ef8a62", "Least targeted": "#67a9cf",
                  "Whole jurisdiction": "#7f7f7f"}
# Okabe & Ito's palette: told apart with every common colour-vision deficiency (Dark2's two greens were not).
GROUP_COLOURS = {"Black": "#0072B2", "Latino": "#E69F00", "White": "#009E73", "Asian": "#CC79A7",
                 "Low-income": "#D55E00"}
SCATTER_SIZE_MAX_PX = 22


def _layout(fig: go.Figure, height: int = 420) -> go.Figure:
    # Labels that do not fit at a readable size are hidden (their values are in the hover and the download)
    # rather than shrunk to a few pixels; the margin leaves room for the y-axis title.
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), legend_title_text="",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
                      uniformtext=dict(minsize=11, mode="hide"))
    fig.update_yaxes(automargin=True, title_standoff=6)
    return clear_of_tools(fig)


def composition_bars(composition: pd.DataFrame) -> go.Figure:
    """Grouped bars: for each group, its share in the most-, median- and least-targeted block groups and
    in the whole jurisdiction. `composition`: group, window, share."""
    frame = composition.dropna(subset=["share"]).assign(
        Group=lambda d: d["group"].map(group_label), Window=lambda d: d["window"].map(WINDOW_LABELS))
    fig = px.bar(frame, x="Group", y="share", color="Window", barmode="group", text_auto=".0%",
                 color_discrete_map=WINDOW_COLOURS, category_orders={"Window": list(WINDOW_COLOURS)},
                 labels={"share": "Share (%)"})
    fig.update_yaxes(tickformat=".0%")
    fig.update_traces(textposition="outside", cliponaxis=False, textfont_size=12)
    return _layout(fig)


def deciles_line(deciles: pd.DataFrame) -> go.Figure:
    """One line per group across the ten tenths of the ranking. `deciles`: decile, group, share."""
    frame = deciles.dropna(subset=["share"]).assign(Group=lambda d: d["group"].map(group_label))
    fig = px.line(frame.sort_values("decile"), x="decile", y="share", color="Group", markers=True,
                  color_discrete_map=GROUP_COLOURS,
                  labels={"decile": "Prediction-count decile bucket, from fewest (1) to most (10) predictions",
                          "share": "Share of residents or households (%)"})
    fig.update_xaxes(dtick=1, range=[0.5, 10.5])
    fig.update_yaxes(tickformat=".0%")
    return _layout(fig)


def share_scatter(points: pd.DataFrame, group: str, log_scale: bool = True,
                  names: dict[str, str] | None = None) -> go.Figure:
    """One point per block group: the group's share against predictions per 1,000 residents, sized by
    residents, coloured by the share of low-income households. One WebGL trace per department (its name is the
    hover's title), numbers as 32-bit arrays and the hover's own fields only where no axis, size or colour holds
    them: the real data's 5,000 points went from 470 KB of figure to about half."""
    frame = points[points["predictions_per_1000"] > 0] if log_scale else points
    sizeref = 2.0 * max(float(frame["residents"].max()) if len(frame) else 1.0, 1.0) / SCATTER_SIZE_MAX_PX ** 2
    share_label = f"{group_label(group)} share"
    fig = go.Figure()
    for department, part in frame.groupby("department", sort=True):
        fig.add_trace(go.Scattergl(
            x=part["share"].to_numpy("float32"), y=part["predictions_per_1000"].to_numpy("float32"),
            mode="markers", name=(names or {}).get(department, department), showlegend=False,
            marker=dict(size=part["residents"].to_numpy("float32"), sizemode="area", sizeref=sizeref, sizemin=1,
                        color=part["share_low_income"].to_numpy("float32"), coloraxis="coloraxis",
                        line=dict(width=0.5, color="DarkSlateGrey")),
            # 12-digit GEOIDs fit a double exactly; shown zero-padded back to 12 digits
            customdata=np.column_stack([pd.to_numeric(part["geoid"], errors="coerce").to_numpy("float64"),
                                        part["predictions"].to_numpy("float64")]),
            hovertemplate=(f"<b>%{{fullData.name}}</b><br>Block group %{{customdata[0]:012.0f}}<br>"
                           f"{share_label}: %{{x:.0%}}<br>Predictions: %{{customdata[1]:,.0f}}<br>"
                           "Predictions per 1,000 residents: %{y:,.0f}<br>Residents: %{marker.size:,.0f}<br>"
                           "Low-income households: %{marker.color:.0%}<extra></extra>")))
    fig.update_layout(coloraxis=dict(colorscale="Viridis_r", cmin=0, cmax=1,
                                     colorbar=dict(title=dict(text="Low-income<br>households"), tickformat=".0%")))
    fig.update_xaxes(title=f"{share_label} (%)", tickformat=".0%", range=[-0.03, 1.03])
    fig.update_yaxes(title="Predictions per 1,000 residents", type="log" if log_scale else "linear")
    if log_scale:  # powers of ten only: the 2s and 5s between them crowded the axis
        fig.update_yaxes(dtick=1, tickformat=",.0f")  # 100,000: thousands separated
    return _layout(fig, 480)


def exposure_dots(exposure: pd.DataFrame, names: dict[str, str] | None = None) -> go.Figure:
    """Exposure ratios as dots with a parity line at 1.0: one row per group for one department, one row
    per department (dots coloured by group) for several."""
    frame = exposure.dropna(subset=["exposure_ratio"]).assign(Group=lambda d: d["group"].map(group_label))
    several = frame["department"].nunique() > 1
    if several:
        frame = frame.assign(Department=frame["department"].map(lambda d: (names or {}).get(d, d)))
        order = frame[frame["group"] == "black"].sort_values("exposure_ratio")["Department"].tolist()
        fig = px.scatter(frame, x="exposure_ratio", y="Department", color="Group", color_discrete_map=GROUP_COLOURS,
                         category_orders={"Department": order[::-1]}, labels={"exposure_ratio": "Exposure ratio"})
        height = max(420, 22 * frame["Department"].nunique())
    else:
        fig = px.scatter(frame, x="exposure_ratio", y="Group", color="Group", color_discrete_map=GROUP_COLOURS,
                         labels={"exposure_ratio": "Exposure ratio"}, text=frame["exposure_ratio"].map("{:.2f}".format))
        fig.update_traces(textposition="middle right", showlegend=False)
        height = 320
    fig.update_traces(marker=dict(size=12, line=dict(width=1, color="white")))
    fig.add_vline(x=1.0, line_dash="dash", line_color="#444",
                  annotation_text="parity (1.0)", annotation_position="top")
    fig.update_xaxes(type="log", tickvals=[0.125, 0.25, 0.5, 1, 2, 4, 8], ticktext=["⅛", "¼", "½", "1", "2", "4", "8"],
                     # beside a column of department names the plot is about 150 px wide on a phone
                     title=wrapped("Predictions per resident where the average member lives ÷ the average "
                                   "resident's (log scale)", 18))
    return _layout(fig, height)


def correlation_strip(table: pd.DataFrame, names: dict[str, str] | None = None) -> go.Figure:
    """Box plot with every department as a point: the Spearman correlation of prediction rank and each
    group's share."""
    frame = table.dropna(subset=["spearman"]).assign(
        Group=lambda d: d["group"].map(group_label),
        Department=lambda d: d["department"].map(lambda x: (names or {}).get(x, x)))
    fig = px.box(frame, x="Group", y="spearman", color="Group", points="all", color_discrete_map=GROUP_COLOURS,
                 hover_data={"Department": True, "spearman": ":.2f", "Group": False},
                 labels={"spearman": "Rank correlation (−1 to 1)"})
    fig.add_hline(y=0, line_dash="dash", line_color="#444")
    fig.update_yaxes(range=[-1.05, 1.05])
    fig.update_layout(showlegend=False)
    return _layout(fig)


def above_counts_bars(summary: pd.DataFrame) -> go.Figure:
    """In how many departments the most-targeted share is above the median one and above the whole area."""
    frame = summary.assign(Group=summary["group"].map(group_label)).melt(
        id_vars=["Group", "departments"], value_vars=["most_above_median", "most_above_total"],
        var_name="comparison", value_name="count")
    frame["comparison"] = frame["comparison"].map({"most_above_median": "above the median block groups",
                                                   "most_above_total": "above the whole jurisdiction"})
    fig = px.bar(frame, x="Group", y="count", color="comparison", barmode="group", text="count",
                 color_discrete_sequence=["#ef8a62", "#b2182b"],
                 labels={"count": "Departments (count)"})
    if len(summary):
        fig.update_yaxes(dtick=max(1, int(summary["departments"].max()) // 5))  # whole departments
        fig.add_hline(y=int(summary["departments"].max()), line_dash="dot", line_color="#444",
                      annotation_text="all departments", annotation_position="top left")
    return _layout(fig, 380)
