"""The app shell under AppTest: headline numbers follow each filter, URLs reproduce views, bad data is reported."""
from __future__ import annotations

import pytest

from tests.apptest import assert_no_exception, metrics, run_app
from tests.conftest import DEMO_DIR

PAGES = ["pages/overview.py", "pages/map.py", "pages/disparities.py", "pages/accuracy.py", "pages/audit.py",
         "pages/sql.py", "pages/data_methods.py"]


def test_overview_headline_on_the_tiny_fixture(tiny_dir):
    at = run_app(tiny_dir)
    assert_no_exception(at)
    m = metrics(at)
    assert m["Departments"] == "2" and m["Predictions"] == "35" and m["Block groups"] == "6"
    assert m["Residents covered"] == "800" and m["Prediction locations"] == "6"
    # 29 of the 33 predictions inside block groups fall in majority Black or Latino ones (A1, A3, B1)
    assert m["Predictions in majority Black or Latino block groups"] == "88%"


@pytest.mark.parametrize("key, value, predictions, block_groups", [
    ("flt_departments", ["alpha"], "26", "4"),           # includes the 2 outside every block group
    ("flt_majority", ["black"], "15", "1"),              # A1 only
    ("flt_majority", ["latino"], "14", "2"),             # A3 (6) + B1 (8)
    ("flt_low_income", ["ge75"], "15", "1"),             # A1: 32 of 40 households
    ("flt_low_income", ["lt25"], "4", "2"),              # A2 (3) + B2 (1)
    ("flt_types", ["Burglary"], "23", "6"),              # 10 + 3 + 2 outside + 8
])
def test_each_filter_changes_the_headline_by_the_hand_computed_amount(tiny_dir, key, value, predictions,
                                                                    block_groups):
    at = run_app(tiny_dir)
    at.multiselect(key=key).set_value(value).run()
    assert_no_exception(at)
    m = metrics(at)
    assert (m["Predictions"], m["Block groups"]) == (predictions, block_groups)


def test_minimum_share_slider(tiny_dir):
    at = run_app(tiny_dir)
    at.selectbox(key="flt_group").set_value("latino").run()
    at.slider(key="flt_min_share").set_value(55).run()
    m = metrics(at)
    assert (m["Predictions"], m["Block groups"]) == ("14", "2")  # A3 60%, B1 56.7%


def test_filters_go_into_the_url_and_a_url_reproduces_them(tiny_dir):
    at = run_app(tiny_dir)
    at.multiselect(key="flt_majority").set_value(["latino"]).run()
    assert at.query_params["majority"] in ("latino", ["latino"])
    again = run_app(tiny_dir, query={"majority": "latino", "dept": "beta"})
    assert_no_exception(again)
    assert metrics(again)["Predictions"] == "8"
    assert again.multiselect(key="flt_departments").value == ["beta"]


def test_invalid_url_values_are_ignored_with_a_notice(tiny_dir):
    at = run_app(tiny_dir, query={"dept": "nowhere", "min_share": "abc", "start": "2020-13-40"})
    assert_no_exception(at)
    notices = " ".join(i.value for i in at.sidebar.info)
    assert "nowhere" in notices and "min_share" in notices and "start" in notices
    assert metrics(at)["Predictions"] == "35"


def test_empty_selection_says_which_filter_emptied_it(tiny_dir):
    at = run_app(tiny_dir, query={"dept": "alpha", "majority": "asian"})
    assert_no_exception(at)
    text = " ".join(m.value for m in at.markdown)
    assert "race" in text and "no predictions" in text


def test_reset_clears_filters(tiny_dir):
    at = run_app(tiny_dir, query={"majority": "black"})
    assert metrics(at)["Predictions"] == "15"
    at.button(key="reset_filters").click().run()
    assert metrics(at)["Predictions"] == "35"
    assert not at.query_params.get("majority")


def test_bad_data_directory_shows_the_validator_report(tiny_dir):
    (tiny_dir / "census-block_group-race_ethnicity.csv").unlink()
    path = tiny_dir / "pp_report_locations_geocoded.csv"
    path.write_text(path.read_text().replace("alpha,33.005,-86.985,3", "alpha,95.5,-86.985,3"))
    at = run_app(tiny_dir)
    assert_no_exception(at)
    errors = " ".join(e.value for e in at.error)
    assert "census-block_group-race_ethnicity.csv" in errors and "required file is missing" in errors
    assert "line 4, column lat" in errors


def test_missing_data_directory_is_reported(tmp_path):
    at = run_app(tmp_path / "not-there")
    assert_no_exception(at)
    assert "does not exist" in " ".join(e.value for e in at.error)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("source", ["tiny", "demo", "real"])
def test_every_page_runs_on_every_data_source(request, source, page):
    directory = {"tiny": lambda: request.getfixturevalue("tiny_dir"), "demo": lambda: DEMO_DIR,
                 "real": lambda: request.getfixturevalue("real_dir")}[source]()
    at = run_app(directory, page=page)
    assert_no_exception(at)
    assert at.title
    assert not at.error, [e.value for e in at.error]


def test_overview_on_the_real_data_shows_the_published_totals(real_dir):
    at = run_app(real_dir)
    m = metrics(at)
    assert m["Predictions"] == "6,280,691" and m["Prediction locations"] == "103,648"
    # The Markup's 6,060 less Indianapolis's 597 (no predictions), each GEOID listed under two departments once
    assert m["Block groups"] == "5,159" and m["Departments"] == "38"
    assert any("Real data" in s.value for s in at.success)


def test_overview_on_the_demo_says_it_is_synthetic(tmp_path):
    at = run_app(DEMO_DIR)
    assert any("Synthetic demo data" in w.value for w in at.warning)


def test_download_real_data_offline_says_so_and_writes_nothing(tiny_dir, tmp_path, monkeypatch):
    import functools

    import lib.data.fetch as fetch_module
    import lib.ui as ui

    target = tmp_path / "real"
    monkeypatch.setattr(ui, "REAL_DIR", target)
    # a closed local port stands in for having no internet
    monkeypatch.setattr(fetch_module, "fetch", functools.partial(fetch_module.fetch, base_url="http://127.0.0.1:9"))
    at = run_app(tiny_dir)
    [button] = [b for b in at.sidebar.button if b.label == "Download the real data"]
    button.click().run()
    assert_no_exception(at)
    assert "Could not reach" in " ".join(e.value for e in at.error)
    assert not target.exists()


def test_a_figure_is_built_once_per_distinct_input():
    import pandas as pd

    from lib import ui
    calls = []

    def bars(frame, title):
        calls.append(title)
        return {"data": [{"type": "bar", "y": list(frame["n"])}], "layout": {"title": title}}

    first = ui.figure(bars, pd.DataFrame({"n": [1, 2]}), "a")
    again = ui.figure(bars, pd.DataFrame({"n": [1, 2]}), "a")  # an equal frame, rebuilt by the page's rerun
    assert again is first and calls == ["a"]
    ui.figure(bars, pd.DataFrame({"n": [1, 3]}), "a")
    ui.figure(bars, pd.DataFrame({"n": [1, 2]}), "b")
    assert calls == ["a", "a", "b"]
