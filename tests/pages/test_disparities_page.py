"""The Disparities page under AppTest on the tiny, demo and real data."""
from __future__ import annotations

import json

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


# The counts a publisher gave per block group (block_group_counts.csv), by hand: alpha A1 1, A2 20, A3 0 (A4
# absent, so 0); beta B1 5, B2 0. Ranked on them, alpha's most-targeted window (w = round(0.2) = 0: rank 4 alone)
# is A2 (20 Black of 200 = 10%) and beta's (w = 0) is B1 (30 of 300 = 10%): 10% on average, 26 predictions.
PUBLISHED_COUNTS = """department,geoid,count
alpha,010010000011,1
alpha,010010000012,20
alpha,010010000013,0
beta,060010000021,5
beta,060010000022,0
"""


def test_tiny_ranks_on_the_published_counts_when_the_reader_chooses_them(tiny_dir):
    (tiny_dir / "block_group_counts.csv").write_text(PUBLISHED_COUNTS)
    at = run_app(tiny_dir, page=PAGE)
    assert_no_exception(at)
    choice = at.radio(key="counts")
    assert choice.value == "points" and choice.label == "Rank block groups on:"
    assert metrics(at)["Predictions in them"] == "33" and metrics(at)["Black share, most-targeted"] == "35%"
    text = _text(at)
    assert "**Predictions the app places**" in text and "**The count published with each block group**" in text
    choice.set_value("published").run()
    assert_no_exception(at)
    m = metrics(at)
    assert (m["Departments"], m["Block groups ranked"], m["Predictions in them"]) == ("2", "6", "26")
    assert m["Black share, most-targeted"] == "10%"
    assert "ranked on the count published with each block group (26 here)" in _text(at)
    # a link carries the choice by its label; a value it does not know falls back to the app's own counts
    linked = run_app(tiny_dir, page=PAGE, query={"counts": "Published per block group"})
    assert linked.session_state["counts"] == "published"
    assert metrics(linked)["Predictions in them"] == "26"
    wrong = run_app(tiny_dir, page=PAGE, query={"counts": "published in 2021"})
    assert_no_exception(wrong)
    assert metrics(wrong)["Predictions in them"] == "33"


def test_without_published_counts_there_is_no_choice(tiny_dir):
    at = run_app(tiny_dir, page=PAGE)
    assert not [r for r in at.radio if r.key == "counts"]


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


def _income_chart_groups(at) -> list[str]:
    at.session_state["chart_composition_income_open"] = True
    at.run()
    assert_no_exception(at)
    chart = next(c for c in at.get("plotly_chart") if "chart_composition_income" in c.proto.id)
    return sorted({x for trace in json.loads(chart.proto.spec)["data"] for x in trace["x"]})


def test_demo_income_chart_averages_the_brackets_every_department_has(demo):
    at = run_app(demo.data_dir, page=PAGE)
    assert _income_chart_groups(at) == sorted(["Low-income", "Income under $45k", "Income $45k–75k",
                                               "Income $75k–100k", "Income $100k–200k", "Income over $200k"])
    assert not [c for c in at.caption if "left out of this average" in c.value]


def test_real_income_chart_shows_plainfields_brackets_only_for_plainfield(real_dir):
    at = run_app(real_dir, page=PAGE)
    assert _income_chart_groups(at) == ["Low-income"]  # the 38-department average
    assert ("The household-income brackets (under $45k, $45k–75k or $100k–200k, $75k–100k, over $200k) are given "
            "for Plainfield, N.J. only, so they are left out of this average of 38 departments; choose Plainfield, "
            "N.J. in the Department list above to see them.") in [c.value for c in at.caption]
    at.selectbox(key="dd").set_value("plainfieldpdnj").run()
    assert _income_chart_groups(at) == sorted(["Low-income", "Income under $45k", "Income $45k–75k or $100k–200k",
                                               "Income $75k–100k", "Income over $200k"])
    assert not [c for c in at.caption if "left out of this average" in c.value]


def test_real_data_ranks_on_either_count(real_dir):
    """Point in polygon by default; the GeoJSON `count` on request, over the same 38 departments (Indianapolis,
    which The Markup did not analyse, has counts in its GeoJSON and is left out)."""
    import json
    at = run_app(real_dir, page=PAGE)
    assert_no_exception(at)
    assert at.radio(key="counts").value == "points"
    points = int(metrics(at)["Predictions in them"].replace(",", ""))
    published = run_app(real_dir, page=PAGE, query={"counts": "Published per block group"})
    assert_no_exception(published)
    m = metrics(published)
    geojson = {path.name: sum(f["properties"]["count"] or 0 for f in json.loads(path.read_text())["features"])
               for path in (SHARED_DATA / "markup-prediction-bias" / "block_groups").glob("*.json")}
    expected = sum(geojson.values()) - geojson["indianapolis-geojson-with-data.json"]
    assert (m["Departments"], m["Block groups ranked"]) == ("38", "5,463")
    assert int(m["Predictions in them"].replace(",", "")) == expected != points
    text = _text(published)
    assert f"ranked on the `count` published with each block group in The Markup's GeoJSON — {expected:,} here" \
        in text
    assert "those per-block-group counts are not published" in text


def test_real_plainfield_offers_every_income_bracket_its_file_has(real_dir):
    """Plainfield's 2023 file lists households under $45k, at $75k-100k and over $200k, and their total: the
    rest ($45k-75k and $100k-200k, given only together) is a bracket too, and the largest in most block groups."""
    import json
    features = json.loads((SHARED_DATA / "markup-plainfield" / "plainfieldpdnj-geojson-with-data.json")
                          .read_text())["features"]
    rest_largest = 0
    for f in features:
        p = {k: float(v) for k, v in f["properties"].items() if k.endswith("_lb") and "race" not in k
             and k in ("total_income_lb", "lt_45k_lb", "bw_75_100l_lb", "gt_200k_lb")}
        listed = [p["lt_45k_lb"], p["bw_75_100l_lb"], p["gt_200k_lb"]]
        rest_largest += p["total_income_lb"] - sum(listed) > max(listed)
    at = run_app(real_dir, page=PAGE, query={"dept": "plainfieldpdnj", "bracket": "hh_45k_75k_or_100k_200k"})
    assert_no_exception(at)
    brackets = at.multiselect(key="flt_brackets")
    assert [brackets.format_func(o) for o in brackets.options] == [
        "under $45k", "$45k–75k or $100k–200k", "$75k–100k", "over $200k"]
    assert brackets.value == ["hh_45k_75k_or_100k_200k"]
    assert rest_largest > 30 and metrics(at)["Block groups ranked"] == str(rest_largest)


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
