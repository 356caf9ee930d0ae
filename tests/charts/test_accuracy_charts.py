"""The Accuracy charts read on a phone and on a wide screen: offences named above their bars (no name squeezed beside
them), the two success-rate panels stacked, each as wide as the chart; every chart keeps its download button's
corner clear."""
from __future__ import annotations

from unittest import mock

import pandas as pd
import plotly.graph_objects as go
import pytest

from lib import ui
from lib.charts import TOOL_COLUMN_PX
from lib.charts import accuracy as charts

KINDS = pd.DataFrame({
    "description": ["OFFENSES NOT COVERED BY OTHER CLASSES", "STOLEN AUTOMOBILE",
                    "LARCENY OVER $200 - FROM AUTO/NOT PARTS AND MORE WORDS", "FRAUD"],
    "reports": [984, 62, 60, 41], "share": [0.32, 0.02, 0.019, 0.013], "predicted_kind": [False, True, False, False]})

BY_TYPE = [
    {"type": "Robbery / Aggravated Assault", "success_rate": 0.006, "success_rate_ci95": (0.004, 0.019),
     "predictions_matched": 35, "predictions_matched_at_least": 25, "predictions_total": 5_766,
     "share_of_reports_predicted": 0.14, "share_of_reports_predicted_ci95": (0.1, 0.19), "reports_correct_type": 17,
     "reports_of_type": 121},
    {"type": "Gun Crimes", "success_rate": 0.0003, "success_rate_ci95": (0.0001, 0.002), "predictions_matched": 1,
     "predictions_matched_at_least": 1, "predictions_total": 3_000, "share_of_reports_predicted": 0.03,
     "share_of_reports_predicted_ci95": (0.005, 0.15), "reports_correct_type": 1, "reports_of_type": 33}]
OVERALL = {"success_rate": 0.0027, "success_rate_ci95": (0.002, 0.0035), "predictions_matched": 36,
           "predictions_total": 8_766, "share_of_reports_predicted": 0.1, "share_of_reports_predicted_ci95": (0.07, 0.13),
           "reports_correct_type": 18, "reports_predictable": 154}


def test_reports_by_kind_names_each_offence_above_its_bar_in_order():
    fig = charts.reports_by_kind(KINDS)
    # no names beside the bars: they took half a phone's width and overlapped each other over three lines
    assert fig.layout.yaxis.visible is False
    labels = [a.text for a in fig.layout.annotations]
    assert [label.replace("<br>", " ") for label in labels] == list(KINDS["description"])
    assert labels[0] == "OFFENSES NOT COVERED BY OTHER CLASSES"  # 37 characters: one line
    assert labels[2] == "LARCENY OVER $200 - FROM<br>AUTO/NOT PARTS AND MORE WORDS"
    bars = {round(y, 6): x for trace in fig.data for y, x in zip(trace.y, trace.x)}
    assert sorted(bars.values(), reverse=True) == [984, 62, 60, 41]
    assert [bars[y] for y in sorted(bars)] == [984, 62, 60, 41]  # the axis runs downwards: most reports on top
    assert fig.layout.yaxis.range == (len(KINDS) - 0.5, -0.5)
    for annotation, (row, bar_y) in zip(fig.layout.annotations, enumerate(sorted(bars))):
        half = fig.data[0].width / 2
        # each name sits on its own bar's top edge, inside its own row, at the plot's left edge
        assert annotation.y == pytest.approx(bar_y - half, abs=1e-6) and row - 0.5 < annotation.y < row + 0.5
        assert (annotation.xref, annotation.x, annotation.xanchor, annotation.yanchor) == ("paper", 0, "left", "bottom")
    assert [t.name for t in fig.data] == ["A kind PredPol predicts", "A kind it never predicts"]
    assert list(fig.data[0].x) == [62] and list(fig.data[0].customdata[0]) == ["STOLEN AUTOMOBILE", 0.02]


def test_reports_by_kind_rows_grow_with_the_lines_of_the_longest_name():
    one_line = charts.reports_by_kind(KINDS.iloc[[0, 1, 3]])
    two_lines = charts.reports_by_kind(KINDS)
    row = charts.KIND_LINE_PX + charts.KIND_BAR_PX + charts.KIND_GAP_PX
    assert one_line.layout.height == 110 + 3 * row
    assert two_lines.layout.height == 110 + 4 * (row + charts.KIND_LINE_PX)
    # the bar keeps its height in pixels: fewer rows' worth when a row is taller
    assert one_line.data[0].width * row == charts.KIND_BAR_PX == two_lines.data[0].width * (row + charts.KIND_LINE_PX)


def test_success_rates_stack_their_panels_each_as_wide_as_the_chart():
    fig = charts.success_rates(BY_TYPE, OVERALL)
    assert fig.layout.xaxis.domain == fig.layout.xaxis2.domain == (0.0, 1.0)
    upper, lower = fig.layout.yaxis.domain, fig.layout.yaxis2.domain
    assert lower[1] < upper[0]
    # the gap between the panels is PANEL_GAP_PX of the plot's height
    plot_px = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    assert round((upper[0] - lower[1]) * plot_px) == charts.PANEL_GAP_PX
    titles = [a.text for a in fig.layout.annotations]
    assert titles == list(charts.PANEL_TITLES)
    # each title centred over its panel, which spans the plot: it stays left of the button's margin
    assert [a.x for a in fig.layout.annotations] == [0.5, 0.5]
    came_true, quoted = fig.data
    assert (came_true.xaxis, came_true.yaxis, quoted.xaxis, quoted.yaxis) == ("x", "y", "x2", "y2")
    assert list(came_true.x) == [0.006, 0.0003, 0.0027] and list(quoted.x) == [0.14, 0.03, 0.1]
    assert list(came_true.y)[-1] == "<b>All types</b>" and list(came_true.y) == list(quoted.y)
    assert fig.layout.xaxis2.tickvals == (0, 0.5, 1) and fig.layout.xaxis.range == pytest.approx((0, 0.019 * 1.1))


def _every_accuracy_chart() -> list[go.Figure]:
    daily = pd.DataFrame({"date": pd.date_range("2018-03-01", periods=14), "reports": [3.0] * 14,
                          "predictable_reports": [1.0] * 14, "predictions": [None] * 14})
    return [charts.funnel([{"step": "Reports in the file", "reports": 3_225}, {"step": "Analysed", "reports": 3_066}]),
            charts.success_rates(BY_TYPE, OVERALL), charts.reports_by_kind(KINDS), charts.over_time(daily, 80.0)]


def test_every_accuracy_chart_keeps_the_download_buttons_corner_clear():
    margins = [fig.layout.margin.r for fig in _every_accuracy_chart()]
    assert all(r >= TOOL_COLUMN_PX for r in margins), margins


def test_plotly_chart_leaves_a_shared_figure_unchanged():
    fig = go.Figure(go.Bar(x=[1], y=[2])).update_layout(margin_r=5)
    before = fig.to_plotly_json()
    box = mock.Mock()
    ui.plotly_chart(fig, "bars", box, key="chart_bars")
    assert fig.to_plotly_json() == before
    (drawn,), options = box.plotly_chart.call_args
    assert drawn is fig and options["key"] == "chart_bars"
    assert options["config"]["modeBarButtons"] == [["toImage"]]
    assert options["config"]["toImageButtonOptions"]["filename"] == "bars"
