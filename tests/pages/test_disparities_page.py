"""The Disparities page under AppTest on the tiny, demo and real data."""
from __future__ import annotations

import pandas as pd

from tests.apptest import assert_no_exception, metrics, run_app
from tests.conftest import SHARED_DATA

PAGE = "pages/disparities.py"


def _text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_tiny_all_departments_then_one(tiny_dir):
    at = run_app(tiny_dir, page=PAGE)
    assert_no_exception(at)
    m = metrics(at)
    assert (m["Departments"], m["Block groups ranked"], m["Predictions in them"]) == ("2", "6", "33")
    # mean over alpha (A1: 60% Black) and beta (B1: 10% Black)
    assert m["Black share, most-targeted"] == "35%"
    at.selectbox(key="dd").set_value("alpha").run()
    assert_no_exception(at)
    m = metrics(at)
    assert (m["Block groups ranked"], m["Predictions in them"]) == ("4", "24")
    assert m["Black share, most-targeted"] == "60%" and m["Most-targeted window"] == "1 block group"
    assert "Black residents make up 60% of the most-targeted block groups, against 22%" in _text(at)


def test_tiny_what_if_toggle_compares_the_two_rankings(tiny_dir):
    at = run_app(tiny_dir, page=PAGE, query={"dept": "alpha", "low_income": "ge75"})
    assert_no_exception(at)
    assert metrics(at)["Block groups ranked"] == "1"  # A1 alone
    assert "What if only the filtered block groups are ranked?" in [s.value for s in at.subheader]
    at.radio(key="dsp_scope").set_value("all").run()
    assert_no_exception(at)
    assert metrics(at)["Block groups ranked"] == "4"


def test_tiny_selection_without_predictions_says_so(tiny_dir):
    at = run_app(tiny_dir, page=PAGE, query={"majority": "asian", "dept": "alpha"})
    assert_no_exception(at)
    assert any("nothing to rank" in i.value for i in at.info)


def test_demo(demo):
    at = run_app(demo.data_dir, page=PAGE)
    assert_no_exception(at)
    m = metrics(at)
    assert m["Departments"] == "3"
    assert int(m["Block groups ranked"].replace(",", "")) > 100


def test_real_data_shows_the_published_pattern(real_dir):
    at = run_app(real_dir, page=PAGE)
    assert_no_exception(at)
    m = metrics(at)
    assert (m["Departments"], m["Block groups ranked"]) == ("38", "5,463")
    # positive correlations, as in The Markup's box plot, less the one department whose sign differs: Calcasieu
    # (cpso), thousands of whose predictions fall outside its block groups (the reproduction gives the reason)
    published = pd.read_csv(SHARED_DATA / "markup-prediction-bias" / "published" / "race_corr_pred_count.csv")
    black = published[published["demo"] == "African American"].set_index("department")["value"]
    assert black["cpso"] < 0
    assert f"Black {int((black > 0).sum()) + 1} of 38" in _text(at)
    assert "5,970,024" in _text(at) and "6,280,691" in _text(at)  # which counts the ranking uses
    assert "Showing data in all departments" in [c.value for c in at.caption]
    at.selectbox(key="dd").set_value("plainfieldpdnj").run()
    assert_no_exception(at)
    m = metrics(at)
    assert m["Block groups ranked"] == "35" and m["Most-targeted window"] == "3 block groups"
    assert "In Plainfield, N.J., Latino residents make up" in _text(at)
    # the window shares with Plainfield's published lower bounds, The Markup's smaller of the two
    bounded = next(d.value for d in at.dataframe if "lower" in d.value.columns)
    assert (bounded["share"] <= bounded["estimate"] + 1e-12).all()
    assert bounded["lower"].notna().sum() == 4 * 4  # Black, White, Asian, low income; no Latino bound
    # the sentence under the title says which department the picker shows
    captions = [c.value for c in at.caption]
    assert "Showing data in Plainfield, N.J." in captions and "Showing data in all departments" not in captions


def test_charts_below_the_headline_are_sent_only_once_opened(tiny_dir):
    """Every chart waits in an expander that says what it holds (the block-group scatter was 470 KB on the real
    data; a page's first chart starts Plotly in the browser); the key numbers and findings in words show at once."""
    at = run_app(tiny_dir, page=PAGE)
    assert_no_exception(at)
    assert len(at.get("plotly_chart")) == 0
    assert metrics(at)["Black share, most-targeted"] == "35%"
    labels = [e.label for e in at.expander]
    assert "Chart: the 5 block groups with residents, one point each" in labels
    assert "Chart: each group's share, tenth by tenth" in labels
    assert "Across 5 block groups with residents" in _text(at)  # the scatter's finding, in words
    at.session_state["chart_scatter_open"] = True
    at.run()
    assert_no_exception(at)
    scatter = next(e for e in at.expander if e.label.startswith("Chart: the 5 block groups"))
    assert len(scatter.get("plotly_chart")) == 1 and len(at.get("plotly_chart")) == 1
