"""Compare mode and exclusions under AppTest: a link with A, B and exclusions shows both side by side, and the
link survives every rerun and every change of B."""
from __future__ import annotations

import json

from tests.apptest import assert_no_exception, metrics, run_app

LINK = {"dept": "alpha", "cmp": "1", "b_dept": "beta", "excl": "outside"}


def _values(at, key) -> list[str]:
    value = at.query_params[key]
    return value if isinstance(value, list) else [value]


def test_a_compare_link_opens_both_selections_and_round_trips(tiny_dir):
    at = run_app(tiny_dir, "pages/overview.py", LINK)
    assert_no_exception(at)
    shown = metrics(at)
    # alpha without its 2 predictions outside every block group: 24; beta: 9 (none outside).
    assert shown["Predictions"] == "24"
    assert shown["A · Predictions"] == "24" and shown["B · Predictions"] == "9"
    assert shown["A · Per 1,000 residents"] == "60.0" and shown["B · Per 1,000 residents"] == "22.5"
    # A1 and A3: 21 predictions over 200 residents; B1: 8 over 300.
    assert shown["A · Per 1,000, Black/Latino areas"] == "105.0"
    assert shown["B · Per 1,000, Black/Latino areas"] == "26.7"
    words = [m.value for m in at.markdown]
    assert any("B had 0.38× (62% less) the predictions of A (9 against 24)." in w for w in words)
    assert at.session_state["excl_kinds"] == ["outside"] and at.session_state["cmp_on"]
    for key, value in LINK.items():
        assert _values(at, key) == [value], key
    # With and without: alpha's 26 predictions lose the 2 outside.
    with_without = next(d for d in at.dataframe if "With all predictions" in d.value.columns).value
    row = with_without.set_index("Figure").loc["Predictions"]
    assert row["With all predictions"] == "26" and row["Without points outside the jurisdiction"] == "26 → 24 (-7.7%)"


def test_changing_b_or_leaving_compare_mode_rewrites_the_link(tiny_dir):
    at = run_app(tiny_dir, "pages/overview.py", LINK)
    at.session_state["b_flt_majority"] = ["latino"]
    at.run()
    assert_no_exception(at)
    assert _values(at, "b_majority") == ["latino"] and _values(at, "b_dept") == ["beta"]
    # beta's majority-Latino block group B1: 8 predictions.
    assert metrics(at)["B · Predictions"] == "8"
    at.button(key="b_copy_a").click().run()
    assert_no_exception(at)
    assert _values(at, "b_dept") == ["alpha"] and "b_majority" not in at.query_params
    assert metrics(at)["B · Predictions"] == metrics(at)["A · Predictions"] == "24"
    at.session_state["cmp_on"] = False
    at.session_state["excl_kinds"] = []
    at.run()
    assert_no_exception(at)
    assert not any(k.startswith("b_") or k in ("cmp", "excl") for k in at.query_params)
    assert _values(at, "dept") == ["alpha"]
    assert metrics(at)["Predictions"] == "26" and "A · Predictions" not in metrics(at)


def test_map_and_disparities_show_both_selections(tiny_dir):
    at = run_app(tiny_dir, "pages/map.py", LINK)
    assert_no_exception(at)
    charts = {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart") if "cmp_map" in c.proto.id}
    assert len(charts) == 2
    tops = {next(t["zmax"] for t in spec["data"] if t["type"] == "choroplethmap") for spec in charts.values()}
    assert len(tops) == 1  # one colour scale for both
    # each map's text alternative: without the 2 outside, alpha's 24 predictions; beta's 9; the busiest block
    # group named in words with its code
    captions = [c.value for c in at.caption]
    assert any(c.startswith("A: Map of Alpha City, Ala.: 24 predictions") for c in captions), captions
    assert any(c.startswith("B: Map of Beta") and ": 9 predictions" in c for c in captions), captions
    assert any("Most predictions: block group 1, tract 0.01" in c and "(010010000011), 15 " in c for c in captions)
    at = run_app(tiny_dir, "pages/disparities.py", {**LINK, "excl": "artefacts"})
    assert_no_exception(at)
    table = next(d for d in at.dataframe if "Group" in d.value.columns).value.set_index("Group")
    # beta's most-targeted window: B1, 170 of 300 Latino; alpha's: A1, 10 of 100 (the station's box taken out
    # of nothing here: the tiny data has no sites).
    assert table.loc["Latino residents", "B: most- against least-targeted"].startswith("57% against")
    assert table.loc["Latino residents", "A: most- against least-targeted"].startswith("10% against")
    assert any("Does the finding survive" in h.value for h in at.subheader)
    # The tiny data has no artefact site: every correlation keeps its sign.
    per_department = next(d for d in at.dataframe if "sign_kept" in d.value.columns).value
    assert len(per_department) == 5 and per_department["sign_kept"].isna().sum() + \
        per_department["sign_kept"].eq(True).sum() == 5


def test_an_unknown_value_for_b_is_named_and_dropped(tiny_dir):
    at = run_app(tiny_dir, "pages/overview.py", {**LINK, "b_dept": "nowhere"})
    assert_no_exception(at)
    assert any("selection B: 'nowhere'" in i.value for i in at.info)
    assert "b_dept" not in at.query_params


def test_data_and_methods_shows_the_data_as_loaded_and_says_so(tiny_dir):
    at = run_app(tiny_dir, "pages/data_methods.py", LINK)
    assert_no_exception(at)
    assert any("this page shows the data as loaded" in c.value for c in at.sidebar.caption)
    assert _values(at, "excl") == ["outside"]


def test_leaving_out_artefact_sites_of_data_without_any_says_so(tiny_dir):
    at = run_app(tiny_dir, None, {"dept": "alpha", "excl": "artefacts"})
    assert_no_exception(at)
    assert any("takes out nothing" in w.value for w in at.sidebar.warning)
    assert metrics(at)["Predictions"] == "26"
    assert any("Add a site on the Audit page" in str(link.proto) for link in at.sidebar.get("page_link"))


def _with_and_without(at):
    """The Audit's or the Accuracy page's with/without table, by figure."""
    return next(d for d in at.dataframe if "Without the left-out ones" in d.value.columns).value.set_index("Figure")


# A police station added in the session (the link's site=), 100 ft east of beta's B2 prediction (1).
STATION = "36.005000,-119.984670,police_station,Added HQ"


def test_a_site_added_in_the_link_counts_for_the_artefacts_exclusion(tiny_dir):
    at = run_app(tiny_dir, "pages/overview.py", {"excl": "artefacts", "site": STATION})
    assert_no_exception(at)
    assert not any("takes out nothing" in w.value for w in at.sidebar.warning)
    assert metrics(at)["Predictions"] == "34"
    assert _values(at, "site") == [STATION] and _values(at, "excl") == ["artefacts"]


def test_audit_and_accuracy_pages_show_with_and_without(tiny_dir):
    at = run_app(tiny_dir, "pages/audit.py", {"excl": "artefacts", "site": STATION})
    assert_no_exception(at)
    table = _with_and_without(at)
    row = table.loc["Predictions in the selection"]
    assert (row["With every prediction"], row["Without the left-out ones"]) == ("35", "34")
    assert row["Change"] == "35 → 34 (-2.9%)"
    assert table.loc["Such sites that drew predictions", "Change"] == "1 → 0 (-100.0%)"
    at = run_app(tiny_dir, "pages/audit.py", {"excl": "outside"})
    assert_no_exception(at)
    table = _with_and_without(at)
    assert table.loc["Predictions outside the block groups", "Change"] == "2 → 0 (-100.0%)"


def _accuracy_without_a_station(data_dir, point: str):
    """alpha's Accuracy page leaving out artefact sites, with a police station added at `point` (lat,lon)."""
    at = run_app(data_dir, "pages/accuracy.py", {"dept": "alpha", "excl": "artefacts",
                                                  "site": f"{point},police_station,HQ"})
    assert_no_exception(at)
    return at


def test_accuracy_page_without_an_added_station(tmp_path):
    from tests.analysis.test_accuracy import write_joined
    d = write_joined(tmp_path / "joined")
    # At P2: its box and P3's hold the station (tests/analysis/test_exclusions_effects.py computes it by hand).
    at = _accuracy_without_a_station(d, "33.005000,-86.985000")
    assert any("2 of 5 predictions (40.00%) came true" in m.value for m in at.markdown)
    table = _with_and_without(at)
    assert table.loc["Predictions that came true", "Change"] == "5 → 2 (-60.0%)"
    assert table.loc["Success rate", "With every prediction"] == "62.50%"


def test_accuracy_page_on_a_published_match_says_what_it_cannot_leave_out(tmp_path):
    from tests.analysis.test_accuracy import write_carried
    d = write_carried(tmp_path / "carried")
    at = _accuracy_without_a_station(d, "33.005000,-86.995000")
    # tests/analysis/test_exclusions_effects.py: all 100 predictions there; C1, C2, C3 matched in its box (3+1+2).
    assert any("100 of Alpha City, Ala.'s predictions (all dates) stand at left-out locations; 3 matched reports "
               "of the window lie in one of their boxes, with 6 predictions counted by their match" in i.value
               for i in at.info)
    table = _with_and_without(at)
    assert table.loc["Predictions that came true", "Change"] == "unchanged"
