"""The Audit page under AppTest: the tiny fixture (no sites, few dates), the demo (every planted error) and the
real data (no dates; the outside-jurisdiction explanation)."""
from __future__ import annotations

from tests.apptest import assert_no_exception, metrics, run_app
from tests.conftest import DEMO_DIR

PAGE = "pages/audit.py"


HOTSPOTS, PLACES, GEOCODING, OVER_TIME = ("Hotspots that are not crime", "Places targeted day after day",
                                         "Geocoding and 'abroad'", "Over time")


def _text(at) -> str:
    return "\n".join(e.value for e in [*at.markdown, *at.info, *at.success, *at.caption, *at.error]
                     if isinstance(e.value, str))


def open_tab(at, label: str):
    """Open a tab of the page, as a reader's click does (the page draws only the open one)."""
    at.session_state["tab"] = label
    at.run()
    assert_no_exception(at)
    return at


def test_only_the_open_tab_is_computed():
    at = run_app(DEMO_DIR, page=PAGE)
    assert_no_exception(at)
    assert "Sites that drew predictions" in metrics(at)
    assert "Prediction locations checked" not in metrics(at) and "Manama, Bahrain (BH)" not in _text(at)
    open_tab(at, GEOCODING)
    assert "Prediction locations checked" in metrics(at) and "Sites that drew predictions" not in metrics(at)


def test_tiny_without_sites_says_how_to_add_one(tiny_dir):
    at = run_app(tiny_dir, page=PAGE)
    assert_no_exception(at)
    assert "lists no police stations, jails, courts or hospitals" in _text(at)
    open_tab(at, GEOCODING)
    assert "No point lies outside the United States." in _text(at)
    m = metrics(at)
    assert m["Prediction locations checked"] == "6" and m["Outside the block groups"] == "1"


def test_demo_shows_every_planted_error():
    at = run_app(DEMO_DIR, page=PAGE)
    assert_no_exception(at)
    assert metrics(at)["Sites that drew predictions"] == "9 of 9"
    assert "have no dates" not in _text(at)
    # where an address was found, as a table's label: "Crime reports", not the data's "crime reports"
    found = next(d.value for d in at.dataframe if "word" in d.value.columns)
    assert set(found["source"]) <= {"Predictions", "Crime reports", "Excluded addresses"} and len(found)
    open_tab(at, PLACES)
    assert int(metrics(at)["Block groups over 90% of days"]) >= 3
    assert "Context — not a finding of this data." in _text(at)
    m = metrics(open_tab(at, GEOCODING))
    assert m["Outside the United States"] == "1" and m["At 0,0"] == "1" and m["Lat/lon swapped"] == "1"
    assert m["Outside the block groups"] == "9"
    per_department = next(d.value for d in at.dataframe if "Table" in d.value.columns)
    assert {"Predictions", "Crime reports"} <= set(per_department["Table"])
    text = _text(at)
    assert "Manama, Bahrain (BH)" in text and "Most likely a geocoding error" in text
    open_tab(at, OVER_TIME)
    assert "Average share kept from one quarter to the next" in metrics(at)


def test_adding_a_site_validates_and_joins_the_analysis():
    at = run_app(DEMO_DIR, page=PAGE)
    at.text_input(key="site_name").input("")
    at.text_input(key="site_lat").input("95")
    at.text_input(key="site_lon").input("east")
    at.button[0].click().run()  # the form's only submit button comes first
    assert_no_exception(at)
    errors = [e.value for e in at.error]
    assert "Give the site a name." in errors
    assert any("Latitude must be between -90 and 90" in e for e in errors)
    assert any("Longitude must be a number" in e for e in errors)
    # Riverton's most-predicted location, which holds no site in the data
    at.text_input(key="site_name").input("Test Annex")
    at.selectbox(key="site_kind").set_value("court")
    at.text_input(key="site_lat").input("40.565398")
    at.text_input(key="site_lon").input("-74.468665")
    at.button[0].click().run()
    assert_no_exception(at)
    assert not at.error
    assert at.session_state["audit_added_sites"] == [("Test Annex", "court", 40.565398, -74.468665)]
    assert metrics(at)["Sites that drew predictions"] == "10 of 10"


def test_real_data_explains_partial_coverage_and_missing_dates(real_dir):
    at = run_app(real_dir, page=PAGE)
    assert_no_exception(at)
    assert "These predictions have no dates." in _text(at)
    text = _text(open_tab(at, GEOCODING))
    assert ("Calcasieu Parish, La.: the analysed block groups cover only part of the jurisdiction.** "
            "1,985 of 3,626 prediction locations (55,107 predictions)") in text
    assert "Orange County, Fla.: the analysed block groups cover only part of the jurisdiction.** 4,238 of" in text
    assert "258,609 predictions" in text
    assert "Kara-Kulja, Kyrgyzstan (KG)" in text and "minus sign restored to the longitude" in text
