"""Accuracy charts: the figures of lib.analysis.accuracy in, Plotly figures out."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lib.analysis.accuracy import type_label
from lib.charts import clear_of_tools, wrapped

TYPE_CHARS = 22
CAME_TRUE = "#b2182b"
NAIVE = "#7f7f7f"
PREDICTED_KIND = "#b2182b"
OTHER_KIND = "#bdbdbd"
PREDICTIONS = "#2166ac"


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=50, b=10), legend_title_text="",
                      legend=dict(orientation="h", yanchor="bottom", y=1.04, x=0))
    return fig


def funnel(steps: list[dict]) -> go.Figure:
    """Reports left at each step of the method."""
    fig = go.Figure(go.Funnel(
        y=[s["step"] for s in steps], x=[s["reports"] for s in steps], textposition="outside",
        texttemplate="%{value:,}", marker=dict(color=[OTHER_KIND] * (len(steps) - 1) + [CAME_TRUE]), cliponaxis=False,
        connector=dict(line=dict(color="#dddddd")),
        hovertemplate="%{y}: %{value:,} reports<extra></extra>"))
    # room either side of the widest bar, so the counts printed beside it are not cut off
    widest = max((s["reports"] for s in steps), default=1) or 1
    fig.update_xaxes(range=[-0.68 * widest, 0.68 * widest])
    fig.update_yaxes(automargin=True)
    # on a phone the step names take most of the width: the counts may reach past the axis, into a margin
    return clear_of_tools(_layout(fig, 320).update_layout(margin_r=45))


def rate_rows(by_type: list[dict], overall: dict) -> pd.DataFrame:
    """One row per type and one for all types: the success rate and the share of reports predicted,
    each with its interval; predictions_matched is at most, predictions_matched_at_least at least, the count of
    the type's predictions that came true (equal unless a carried match mixes types in one box)."""
    rows = [{"label": type_label(t["type"]), **{k: t.get(k) for k in (
        "success_rate", "success_rate_ci95", "predictions_matched", "predictions_matched_at_least",
        "predictions_total", "share_of_reports_predicted", "share_of_reports_predicted_ci95",
        "reports_correct_type", "reports_of_type")}} for t in by_type]
    rows.append({"label": "<b>All types</b>", **{k: overall[k] for k in (
        "success_rate", "success_rate_ci95", "predictions_matched", "predictions_total",
        "share_of_reports_predicted", "share_of_reports_predicted_ci95", "reports_correct_type")},
        "predictions_matched_at_least": overall["predictions_matched"],
        "reports_of_type": overall["reports_predictable"]})
    return pd.DataFrame(rows)


def _dot_whisker(fig, frame, value: str, interval: str, colour: str, name: str, row: int, hover: list[str],
                 digits: int) -> None:
    part = frame.dropna(subset=[value])
    lo = [v - ci[0] for v, ci in zip(part[value], part[interval])]
    hi = [ci[1] - v for v, ci in zip(part[value], part[interval])]
    fig.add_trace(go.Scatter(
        x=part[value], y=part["label"], mode="markers+text", name=name, marker=dict(color=colour, size=11),
        text=[f"{v:.{digits}%}" for v in part[value]], textposition="top center", textfont=dict(color=colour),
        error_x=dict(type="data", symmetric=False, array=hi, arrayminus=lo, color=colour, thickness=2, width=6),
        cliponaxis=False, customdata=part[hover], hovertemplate="%{y}: %{x:.2%} (%{customdata[0]:,} of %{customdata[1]:,})"
                                              "<extra></extra>"), row=row, col=1)


PANEL_TITLES = ("Predictions that came true", "Reported crimes that fell in a predicted box")
RATE_ROW_PX = 50
PANEL_GAP_PX = 90  # the upper panel's ticks, then the lower panel's title over two lines


def success_rates(by_type: list[dict], overall: dict) -> go.Figure:
    """Above: share of predictions that came true, per type, with 95% intervals. Below: the number a reader (or a
    vendor) might quote instead — the share of reported crimes of the type that fell in a box of that type."""
    # The panels are stacked, each as wide as the chart: side by side, each was 80 px wide on a phone, and its title
    # over three lines reached under the download button. Type names over two lines, for the same phone.
    frame = rate_rows(by_type, overall).assign(label=lambda f: f["label"].map(lambda t: wrapped(t, TYPE_CHARS)))
    panel = RATE_ROW_PX * len(frame)
    top, bottom = 50, 40
    height = top + bottom + 2 * panel + PANEL_GAP_PX
    fig = make_subplots(rows=2, cols=1, vertical_spacing=PANEL_GAP_PX / (height - top - bottom),
                        subplot_titles=PANEL_TITLES)
    _dot_whisker(fig, frame, "success_rate", "success_rate_ci95", CAME_TRUE, PANEL_TITLES[0], 1,
                 ["predictions_matched", "predictions_total"], 2)
    _dot_whisker(fig, frame, "share_of_reports_predicted", "share_of_reports_predicted_ci95", NAIVE,
                 "Reported crimes inside a box of their type", 2, ["reports_correct_type", "reports_of_type"], 0)
    highest = max([ci[1] for ci in frame["success_rate_ci95"].dropna()] + [0.01])
    # few, level ticks: at 390 px a panel is about 170 px wide beside the type names
    fig.update_xaxes(tickformat=".1%", rangemode="tozero", row=1, col=1, range=[0, highest * 1.1], nticks=3)
    fig.update_xaxes(tickformat=".0%", row=2, col=1, range=[0, 1], tickvals=[0, 0.5, 1])
    fig.update_xaxes(tickangle=0)
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_annotations(font_size=13)
    fig.update_layout(showlegend=False)
    _layout(fig, height).update_layout(margin_b=bottom)
    return clear_of_tools(fig)


KIND_LABEL_CHARS = 44  # an offence's name on one line across a phone's chart (about 250 px in capitals at 11 px)
KIND_LINE_PX = 14
KIND_BAR_PX = 16
KIND_GAP_PX = 10


def reports_by_kind(kinds: pd.DataFrame, top: int = 15) -> go.Figure:
    """The most common recorded offences, coloured by whether the software predicts that kind; each offence named
    above its bar."""
    # Named above the bars rather than beside them: beside, long names took half a phone's width, wrapped over
    # three lines and overlapped their neighbours' at any width.
    frame = kinds.head(top).reset_index(drop=True)
    labels = [wrapped(d, KIND_LABEL_CHARS) if isinstance(d, str) else "(no description)" for d in frame["description"]]
    lines = max((label.count("<br>") + 1 for label in labels), default=1)
    row_px = lines * KIND_LINE_PX + KIND_BAR_PX + KIND_GAP_PX
    bar = KIND_BAR_PX / row_px  # in rows: row i spans i - 0.5 to i + 0.5, its name above its bar
    centre = 0.5 - KIND_GAP_PX / 2 / row_px - bar / 2
    fig = go.Figure()
    for predicted, colour, name in ((True, PREDICTED_KIND, "A kind PredPol predicts"),
                                    (False, OTHER_KIND, "A kind it never predicts")):
        part = frame[frame["predicted_kind"] == predicted]
        fig.add_trace(go.Bar(x=part["reports"], y=part.index + centre, width=bar, orientation="h", name=name,
                             marker_color=colour, customdata=part[["description", "share"]],
                             texttemplate="%{x:,}", textposition="outside", cliponaxis=False,
                             hovertemplate="%{customdata[0]}: %{x:,} reports (%{customdata[1]:.1%})<extra></extra>"))
    for row, label in enumerate(labels):
        fig.add_annotation(x=0, y=row + centre - bar / 2, xref="paper", yref="y", text=label, showarrow=False,
                           xanchor="left", yanchor="bottom", align="left", yshift=2, font=dict(size=11, color="#444"))
    fig.update_layout(barmode="overlay", xaxis_title="Reports analysed")
    fig.update_yaxes(visible=False, range=[len(frame) - 0.5, -0.5], fixedrange=True)
    # room for the counts beside the bars
    _layout(fig, 110 + row_px * len(frame)).update_layout(margin_r=45)
    return clear_of_tools(fig)


def over_time(daily: pd.DataFrame, predictions_per_day: float | None = None) -> go.Figure:
    """Reports per day (top) against predictions per day (bottom), as weekly averages. Without dated
    predictions, the bottom panel shows their average over the window."""
    frame = daily.assign(date=pd.to_datetime(daily["date"])).set_index("date")
    weekly = frame.resample("W-MON", label="left", closed="left").mean(numeric_only=True).reset_index()
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1, subplot_titles=(
        "Crimes reported per day (weekly average)", "Predictions per day (weekly average)"))
    fig.add_trace(go.Scatter(x=weekly["date"], y=weekly["reports"], name="All reports analysed",
                             line=dict(color=OTHER_KIND, width=2), hovertemplate="%{y:.1f} a day<extra></extra>"),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=weekly["date"], y=weekly["predictable_reports"], name="Of a kind PredPol predicts",
                             line=dict(color=PREDICTED_KIND, width=2), hovertemplate="%{y:.1f} a day<extra></extra>"),
                  row=1, col=1)
    if daily["predictions"].notna().any():
        fig.add_trace(go.Scatter(x=weekly["date"], y=weekly["predictions"], name="Predictions",
                                 line=dict(color=PREDICTIONS, width=2),
                                 hovertemplate="%{y:,.0f} a day<extra></extra>"), row=2, col=1)
    elif predictions_per_day:
        fig.add_trace(go.Scatter(x=[weekly["date"].min(), weekly["date"].max()], y=[predictions_per_day] * 2,
                                 name="Predictions (average: only totals are published)", mode="lines",
                                 line=dict(color=PREDICTIONS, width=2, dash="dash"),
                                 hovertemplate="%{y:,.0f} a day on average<extra></extra>"), row=2, col=1)
    fig.update_yaxes(rangemode="tozero")
    _layout(fig, 480)
    fig.update_layout(margin=dict(t=80), legend=dict(y=1.1))
    return clear_of_tools(fig)
