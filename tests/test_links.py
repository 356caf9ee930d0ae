"""Links: the URL names the data source, keeps each writer's keys apart, and a link to the real data opened where it
is absent offers the download, then shows the linked view."""
from __future__ import annotations

import lib.ui
from lib import urlstate
from tests.apptest import assert_no_exception, metrics, run_app
from tests.conftest import DEMO_DIR, SHARED_DATA


def test_every_agreed_key_is_declared_once_with_what_an_invalid_value_becomes():
    agreed = {"dept", "low_income", "bracket", "majority", "group", "min_share", "start", "end", "type", "data",
              "tab", "dd", "layer", "color", "hex", "show", "site", "cmp", "excl"}
    assert agreed <= set(urlstate.KEYS)
    assert {"b_dept", "b_majority", "b_end"} <= set(urlstate.KEYS)
    assert all(k.invalid and k.meaning for k in urlstate.KEYS.values())
    assert urlstate.KEYS["dept"].repeatable and not urlstate.KEYS["data"].repeatable


def test_one_writer_leaves_the_other_keys_alone():
    current = {"dept": ["a"], "tab": ["Over time"], "data": ["real"], "majority": ["black"]}
    assert urlstate.merged(current, urlstate.FILTERS, {"dept": ["b"]}) == {
        "dept": ["b"], "tab": ["Over time"], "data": ["real"]}
    assert urlstate.merged(current, urlstate.FILTERS, {}) == {"tab": ["Over time"], "data": ["real"]}


def test_data_source_reads_only_demo_or_real():
    assert urlstate.data_source({"data": "real"}) == "real"
    assert urlstate.data_source({"data": ["demo"]}) == "demo"
    assert urlstate.data_source({"data": "upload"}) is None and urlstate.data_source({}) is None


def test_a_real_data_link_opens_the_real_data_with_its_filters(real_dir, monkeypatch):
    monkeypatch.setattr(lib.ui, "REAL_DIR", real_dir)
    at = run_app(DEMO_DIR, page="pages/accuracy.py", query={"data": "real", "dept": "plainfieldpdnj"})
    assert_no_exception(at)
    assert not at.sidebar.info  # no "Ignored unknown department"
    assert at.multiselect(key="flt_departments").value == ["plainfieldpdnj"]
    assert metrics(at)["Reports analysed"] == "3,066"  # Plainfield's, not the demo's
    assert at.query_params["data"] in ("real", ["real"])


def test_a_demo_session_writes_no_data_key_and_filters_keep_a_bound_tab(tiny_dir, monkeypatch):
    at = run_app(DEMO_DIR, page="pages/audit.py", query={"tab": "Over time"})
    assert_no_exception(at)
    at.multiselect(key="flt_majority").set_value(["black"]).run()
    assert_no_exception(at)
    assert "data" not in at.query_params
    assert at.query_params["tab"] in ("Over time", ["Over time"])
    assert at.query_params["majority"] in ("black", ["black"])
    at.button(key="reset_filters").click().run()
    assert_no_exception(at)
    assert "majority" not in at.query_params


def test_a_real_data_link_where_it_is_absent_offers_the_download_then_shows_the_view(tmp_path, monkeypatch):
    from lib.data import fetch as fetch_module
    monkeypatch.setattr(lib.ui, "REAL_DIR", tmp_path / "real")
    real_fetch = fetch_module.fetch
    # No test touches the internet: the "download" takes The Markup's files from ../shared/data.
    monkeypatch.setattr(fetch_module, "fetch", lambda dest, **kw: real_fetch(
        dest, source=SHARED_DATA, progress=kw.get("progress"), echo=kw.get("echo", print)))
    at = run_app(DEMO_DIR, query={"data": "real", "dept": "plainfieldpdnj"})
    assert_no_exception(at)
    assert at.title[0].value == "This link shows The Markup's real data"
    assert not at.metric  # nothing of the demo shows meanwhile
    at.button(key="link_fetch_real").click().run()
    assert_no_exception(at)
    assert at.multiselect(key="flt_departments").value == ["plainfieldpdnj"]
    assert metrics(at)["Departments"] == "1"
    assert at.query_params["dept"] in ("plainfieldpdnj", ["plainfieldpdnj"])
    assert at.query_params["data"] in ("real", ["real"])
