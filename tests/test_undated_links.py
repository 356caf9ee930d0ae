"""A link's dates on data whose predictions have none are dropped with a notice naming them."""
from __future__ import annotations

from datetime import date

from lib.filters import FilterOptions, Filters


def test_dates_in_a_link_are_dropped_with_a_notice_when_the_predictions_have_none():
    undated = FilterOptions({"alpha": "Alpha"}, (), None, None, ())
    f, notices = Filters.from_query_params({"dept": ["alpha"], "start": ["2018-03-01"], "end": ["2018-04-01"]},
                                           undated)
    assert (f.start, f.end, f.departments) == (None, None, ("alpha",))
    assert notices == ["Ignored start='2018-03-01' and end='2018-04-01' in the link: the predictions in this data "
                       "have no dates, so there is no date filter."]


def test_dates_in_a_link_apply_when_the_predictions_have_them():
    dated = FilterOptions({"alpha": "Alpha"}, (), date(2018, 1, 1), date(2018, 12, 31), ())
    f, notices = Filters.from_query_params({"start": ["2018-03-01"]}, dated)
    assert (f.start, notices) == (date(2018, 3, 1), [])
