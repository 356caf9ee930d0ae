"""What a reporter does, in a real browser: filter, share the link, query, download, upload."""
from __future__ import annotations

import pytest

from lib.analysis import overview
from lib.filters import Filters
from tests.e2e.browser import (exceptions, metric_value, multiselect_tags, open_page, pick_option,
                                screenshot)

pytestmark = pytest.mark.e2e


def _biggest_department(con) -> tuple[str, str, int]:
    table = overview.department_summary(con, Filters())
    row = table.iloc[0]
    return row["department"], row["name"], int(row["predictions"])


def test_picking_a_department_changes_the_headline_and_the_link_reproduces_it(demo_server, demo_con, page,
                                                                              browser):
    slug, name, predictions = _biggest_department(demo_con)
    everything = overview.headline(demo_con, Filters())["predictions"]
    assert predictions < everything  # else the change below could not show
    open_page(page, demo_server)
    assert metric_value(page, "Predictions") == f"{everything:,}"

    pick_option(page, "Department", name)
    assert metric_value(page, "Predictions") == f"{predictions:,}"
    assert multiselect_tags(page, "Department") == [name]
    assert exceptions(page) == []
    screenshot(page, "journey-department")

    link = page.url
    assert f"dept={slug}" in link
    other = page.context.new_page()
    open_page(other, demo_server, link.removeprefix(demo_server.url))
    assert metric_value(other, "Predictions") == f"{predictions:,}"
    assert multiselect_tags(other, "Department") == [name]
    assert exceptions(other) == []


def test_a_link_with_two_filters_opens_the_same_view_in_a_fresh_browser(demo_server, demo_con, browser):
    slug, name, _ = _biggest_department(demo_con)
    expected = overview.headline(demo_con, Filters(departments=(slug,), majority=("latino",)))["predictions"]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        open_page(page, demo_server, f"/?dept={slug}&majority=latino")
        assert metric_value(page, "Predictions") == f"{expected:,}"
        assert multiselect_tags(page, "Department") == [name]
        assert multiselect_tags(page, "Majority group of residents") == ["Latino"]
    finally:
        context.close()
