"""Hand-edited links that used to stop a page with a traceback: each now draws the page, with a notice where the
link asked for something the data does not have."""
from __future__ import annotations

from datetime import date

from lib.filters import FilterOptions, Filters
from tests.apptest import assert_no_exception, run_app
from tests.conftest import DEMO_DIR

DATED = FilterOptions(first_date=date(2018, 2, 1), last_date=date(2020, 5, 30))


def test_dates_outside_the_data_are_moved_inside_with_a_notice():
    f, notices = Filters.from_query_params({"start": ["1900-01-01"], "end": ["2100-01-01"]}, DATED)
    assert (f.start, f.end) == (date(2018, 2, 1), date(2020, 5, 30))
    assert notices == ["Moved start=1900-01-01 in the link to 2018-02-01: the data covers 2018-02-01 to 2020-05-30.",
                       "Moved end=2100-01-01 in the link to 2020-05-30: the data covers 2018-02-01 to 2020-05-30."]


def test_dates_inside_the_data_are_kept_without_a_notice():
    f, notices = Filters.from_query_params({"start": ["2019-01-01"]}, DATED)
    assert f.start == date(2019, 1, 1) and notices == []


def test_a_start_after_the_data_lands_on_its_last_day():
    f, _ = Filters.from_query_params({"start": ["2030-01-01"]}, DATED)
    assert f.start == date(2020, 5, 30)


def sidebar_texts(at) -> list[str]:
    return [i.value for i in at.sidebar.info]


def test_a_start_before_the_data_draws_every_page_part_and_the_reset_button():
    at = run_app(DEMO_DIR, query={"start": "1900-01-01"})
    assert_no_exception(at)
    first, last = at.session_state["flt_dates"]
    assert any(t.startswith(f"Moved start=1900-01-01 in the link to {first.isoformat()}") for t in sidebar_texts(at))
    assert at.button(key="reset_filters")


def test_an_end_after_the_data_draws_the_page():
    at = run_app(DEMO_DIR, query={"end": "2100-01-01"})
    assert_no_exception(at)
    first, last = at.session_state["flt_dates"]
    assert any(t.startswith(f"Moved end=2100-01-01 in the link to {last.isoformat()}") for t in sidebar_texts(at))


def test_audit_with_majority_none_on_the_demo_draws():
    at = run_app(DEMO_DIR, page="pages/audit.py", query={"majority": "none"})
    assert_no_exception(at)
    assert at.session_state["flt_majority"] == ["none"]


def test_map_of_an_empty_selection_draws():
    at = run_app(DEMO_DIR, page="pages/map.py",
                 query={"start": "2020-05-30", "end": "2020-05-30", "type": "Burglary", "majority": "asian"})
    assert_no_exception(at)
    assert at.session_state["flt_majority"] == ["asian"]


def test_the_size_legend_of_no_predictions_is_empty():
    from lib.charts.maps import legend_values
    assert legend_values(float("nan")) == [] and legend_values(50.0) == [50, 10, 2]
