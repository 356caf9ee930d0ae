"""Compare mode in a real browser: a link with two selections and an exclusion opens both side by side, and the
link the page shows afterwards still holds all of them."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from lib.analysis import compare, exclusions, overview
from lib.filters import Filters
from tests.e2e.browser import exceptions, metric_value, open_page, screenshot

pytestmark = pytest.mark.e2e


def test_a_compare_link_shows_a_and_b_and_stays_in_the_address_bar(demo_server, demo_con, page):
    table = overview.department_summary(demo_con, Filters())
    first, second = table["department"].iloc[0], table["department"].iloc[1]
    a = Filters(departments=(first,), exclude=("artefacts",))
    b = Filters(departments=(second,), exclude=("artefacts",))
    cursor = exclusions.cursor(demo_con, a.exclude)
    expected = compare.headline_pair(cursor, a, b).set_index("figure")
    link = f"/?{compare.link(a, b)}"
    open_page(page, demo_server, link)
    assert exceptions(page) == []
    assert metric_value(page, "A · Predictions") == compare.formatted("predictions", expected.loc["predictions", "a"])
    assert metric_value(page, "B · Predictions") == compare.formatted("predictions", expected.loc["predictions", "b"])
    assert page.get_by_text(expected.loc["per_1000", "words"]).count() == 1
    assert page.get_by_text("With and without the left-out predictions").count() == 1
    shown = parse_qs(urlsplit(page.url).query)
    assert shown == {"dept": [first], "excl": ["artefacts"], "cmp": ["1"], "b_dept": [second]}
    screenshot(page, "compare-overview")
    open_page(page, demo_server, "/disparities" + link[1:])
    assert exceptions(page) == []
    assert page.get_by_text("Does the finding survive the exclusions?").count() == 1
    screenshot(page, "compare-disparities")
    open_page(page, demo_server, "/map" + link[1:])
    assert exceptions(page) == []
    screenshot(page, "compare-map")
