"""The block-group scatter: what its hover and axes carry, in a figure half the size of Plotly Express's."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.charts.disparities import share_scatter

POINTS = pd.DataFrame({
    "department": ["alpha", "alpha", "beta"], "geoid": ["060370001001", "060370001002", "340390001001"],
    "share": [0.6, 0.1, 0.25], "predictions": [30, 0, 7], "residents": [100, 400, 50],
    "predictions_per_1000": [300.0, 0.0, 140.0], "share_low_income": [0.5, 0.2, 0.75]})


def test_one_trace_per_department_named_for_the_hover():
    fig = share_scatter(POINTS, "black", log_scale=False, names={"alpha": "Alpha PD", "beta": "Beta PD"})
    assert [t.name for t in fig.data] == ["Alpha PD", "Beta PD"]
    alpha = fig.data[0]
    assert np.allclose(alpha.x, [0.6, 0.1]) and np.allclose(alpha.y, [300, 0])
    assert np.allclose(alpha.marker.size, [100, 400]) and np.allclose(alpha.marker.color, [0.5, 0.2])
    # the GEOID keeps its leading zero in the hover (a double holds it, the format pads it back to 12 digits)
    assert alpha.customdata[0].tolist() == [60370001001, 30] and "customdata[0]:012.0f" in alpha.hovertemplate
    assert fig.layout.coloraxis.cmin == 0 and fig.layout.coloraxis.cmax == 1


def test_the_log_scale_leaves_out_block_groups_without_predictions():
    fig = share_scatter(POINTS, "black", log_scale=True)
    assert sum(len(t.x) for t in fig.data) == 2 and fig.layout.yaxis.type == "log"


def test_the_scatter_keeps_the_download_buttons_corner_clear():
    from lib.charts import TOOL_COLUMN_PX
    assert share_scatter(POINTS, "black").layout.margin.r == TOOL_COLUMN_PX
