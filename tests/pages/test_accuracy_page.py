"""The Accuracy page under AppTest: no crime data, the demo (the join) and the real Plainfield data."""
from __future__ import annotations

import json

from tests.apptest import assert_no_exception, metrics, run_app
from tests.conftest import DEMO_DIR

PAGE = "pages/accuracy.py"


def _text(at) -> str:
    return "\n".join(e.value for e in [*at.markdown, *at.info, *at.warning, *at.caption] if isinstance(e.value, str))


def test_without_crime_reports_the_page_says_so(tiny_dir):
    at = run_app(tiny_dir, page=PAGE)
    assert_no_exception(at)
    text = _text(at)
    assert "No crime reports" in text
    assert "no crime reports for any department" in text
    assert not at.button or all(not b.label.startswith("Show ") for b in at.button)


def test_demo_shows_the_join_and_a_switch(demo):
    at = run_app(DEMO_DIR, page=PAGE, query={"dept": "rivertonpdnj"})
    assert_no_exception(at)
    m = metrics(at)
    # The figures of lib.analysis.accuracy for Riverton, checked there against brute force.
    from lib.analysis.accuracy import accuracy_summary
    s = accuracy_summary(demo.connect(), "rivertonpdnj")
    assert m["Reports analysed"] == f"{s['reports_analysed']:,}"
    assert m["… in a box during its shift"] == f"{s['reports_with_prediction']:,}"
    assert m["… of the predicted type"] == f"{s['reports_correct_type']:,}"
    headline = f"{s['predictions_matched']:,} of {s['predictions_total']:,} predictions ({s['success_rate']:.2%}) came true"
    assert any(headline in md.value for md in at.markdown)
    assert len(at.dataframe) >= 2  # matched reports and predictions that came true
    assert "Predictions patrolled during their shift" in m


def test_demo_without_a_department_shows_one_and_offers_the_others(demo):
    at = run_app(DEMO_DIR, page=PAGE)
    assert_no_exception(at)
    assert "one department at a time" in _text(at)
    labels = [b.label for b in at.button]
    assert sum(label.startswith("Show ") for label in labels) == 2


def test_real_department_without_reports_offers_plainfield(real_dir):
    at = run_app(real_dir, page=PAGE, query={"dept": "elgin"})
    assert_no_exception(at)
    assert at.multiselect(key="flt_departments").value == ["elgin"]
    assert "No crime reports for Elgin" in _text(at)
    button = next(b for b in at.button if b.label == "Show Plainfield, N.J.")
    button.click().run()
    assert_no_exception(at)
    assert at.multiselect(key="flt_departments").value == ["plainfieldpdnj"]
    assert any("64 of 23,760 predictions (0.27%) matched a reported crime" in md.value for md in at.markdown)


def test_real_plainfield_published_figures(real_dir):
    at = run_app(real_dir, page=PAGE, query={"dept": "plainfieldpdnj"})
    assert_no_exception(at)
    m = metrics(at)
    assert m["Reports analysed"] == "3,066"
    assert m["Of a kind it predicts"] == "336"
    assert m["… in a box during its shift"] == "62"
    assert m["… of the predicted type"] == "34"
    text = _text(at)
    # worded as The Markup did: not every one of the 64 was of the crime's type
    assert "64 of 23,760 predictions (0.27%) matched a reported crime" in text
    assert "correctly matched with 34 reported crimes in type" in text
    # both denominators, labelled
    assert "The Markup divided by **23,631** (64 ÷ 23,631 = 0.271%)" in text
    assert "all **23,760** (0.269%)" in text
    # the window's count says what it is beside the all-time one the Overview and Map show
    assert any("Over all its dates the data holds 56,415 predictions for Plainfield" in c.value for c in at.caption)
    assert any("89%" in md.value for md in at.markdown)  # 2,730 of 3,066 reports of kinds never predicted
    assert "published without dates" in _text(at)
    # The Markup's 32 of 5,766 and 11 of 10,178 are bounded, and the page says why in one sentence each
    [robbery] = [c.value for c in at.caption if c.value.startswith("The Markup's 32 of 5,766 robbery")]
    assert "cannot be recomputed from the published reports" in robbery and "between 25 and 35" in robbery
    [burglary] = [c.value for c in at.caption if c.value.startswith("The Markup's 11 of 10,178 burglary")]
    assert "is the top of what the published reports allow" in burglary and "between 9 and 11" in burglary


def test_long_tables_send_the_browser_only_their_first_rows(demo, monkeypatch):
    import lib.ui
    from lib.analysis import accuracy as acc
    monkeypatch.setattr(lib.ui, "SHOWN_ROWS", 5)
    con = demo.connect()
    result = acc.accuracy(con, "rivertonpdnj")
    matched, true = len(acc.matched_reports(con, result)), len(acc.came_true(con, result))
    assert matched > 5 and true > 5
    at = run_app(DEMO_DIR, page=PAGE, query={"dept": "rivertonpdnj"})
    assert_no_exception(at)
    # closed, the long tables are not fetched: the page shows their size
    closed = len(at.dataframe)
    captions = [c.value for c in at.caption]
    assert f"{matched:,} matched reports: choose *Matched reports* above to show them." in captions
    assert f"{true:,} predictions that came true: choose *Predictions that came true* above to show them." \
        in captions
    at.pills(key="show").set_value(["matched", "came_true"]).run()
    assert_no_exception(at)
    captions = [c.value for c in at.caption]
    assert f"Showing the first 5 of {matched:,} matched reports; the download below has all of them." \
        in captions
    assert f"Showing the first 5 of {true:,} predictions that came true; the download below has " \
           "all of them." in captions
    assert len(at.dataframe) == closed + 2 and sorted(len(d.value) for d in at.dataframe)[:2] == [5, 5]


def test_real_data_without_a_department_shows_plainfield_and_no_button_for_it(real_dir):
    at = run_app(real_dir, page=PAGE)
    assert_no_exception(at)
    assert any("Showing **Plainfield, N.J.**" in i.value for i in at.info)
    assert not [b for b in at.button if b.label.startswith("Show ")]


def test_charts_are_sent_only_once_opened(demo):
    """A page's first Plotly chart makes the browser start Plotly (seconds on a shared machine): the headline and
    the counts show at once, each chart once its expander is opened."""
    at = run_app(DEMO_DIR, page=PAGE, query={"dept": "rivertonpdnj"})
    assert_no_exception(at)
    assert len(at.get("plotly_chart")) == 0
    labels = [e.label for e in at.expander]
    for label in ("Chart: reports left at each step", "Chart: came true, and reports inside a box, by type",
                  "Chart: reports by kind, predicted or not", "Chart: reports and predictions day by day"):
        assert label in labels
    at.session_state["chart_rates_open"] = True
    at.run()
    assert_no_exception(at)
    rates = next(e for e in at.expander if e.label == "Chart: came true, and reports inside a box, by type")
    assert len(rates.get("plotly_chart")) == 1 and len(at.get("plotly_chart")) == 1
    chart = rates.get("plotly_chart")[0]
    layout = json.loads(chart.proto.spec)["layout"]
    # few, level x ticks (five in each panel were turned on their side and crowded at 390 px)
    assert layout["xaxis"]["nticks"] == 3 and layout["xaxis2"]["tickvals"] == [0, 0.5, 1]
    assert layout["xaxis"]["tickangle"] == 0 == layout["xaxis2"]["tickangle"]
    # one tool button, download as PNG, named after the chart
    config = json.loads(chart.proto.config)
    assert config["modeBarButtons"] == [["toImage"]] and config["toImageButtonOptions"]["filename"] == "rates"
