"""A copied link reopens the same view: each page-level choice is made in one browser context, the address bar's
URL is opened in a fresh context (a new session, as a colleague's browser would be), and the same view comes back.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from playwright.sync_api import expect

from lib import urlstate
from tests.conftest import SHARED_DATA
from tests.e2e.browser import (RENDER_MS, exceptions, metric_value, open_page, pick_option, rerun_and_wait,
                                screenshot)

pytestmark = pytest.mark.e2e


@pytest.fixture
def fresh(browser):
    """Open a link in a context of its own (no cookies, no session): what someone the link was sent to sees."""
    contexts = []

    def open_link(server, link: str):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        open_page(page, server, link.removeprefix(server.url))
        assert exceptions(page) == []
        return page

    yield open_link
    for context in contexts:
        context.close()


def _main(page):
    return page.locator('[data-testid="stMain"]')


def _pills(page):
    return _main(page).locator('[data-testid="stButtonGroup"]')


def test_a_link_to_the_real_data_reopens_on_the_real_data_not_the_demo(demo_server, page, fresh):
    if not (SHARED_DATA / "markup-prediction-bias").is_dir():
        pytest.skip(f"the real data is absent: expected The Markup's files in {SHARED_DATA}")
    open_page(page, demo_server, "/accuracy")
    page.get_by_text("Data source", exact=True).click()  # an expander: opening it runs nothing
    rerun_and_wait(page, lambda: page.get_by_role("button", name="Use the real data").click())

    def choose():
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_role("combobox", name="Department", exact=True).click()
        page.keyboard.type("Plainfield")  # the list shows a few of its 39 options at a time
        page.get_by_role("option", name="Plainfield, N.J.", exact=True).click()
        page.keyboard.press("Escape")

    rerun_and_wait(page, choose)
    expect(page.locator('[data-testid="stSidebar"] [data-tag] [title]').filter(has_text="Plainfield, N.J.")
           ).to_be_visible(timeout=RENDER_MS)
    link = page.url
    assert f"{urlstate.DATA}=real" in link and "dept=plainfieldpdnj" in link
    other = fresh(demo_server, link)
    assert metric_value(other, "Reports analysed") == "3,066"  # Plainfield's, not the demo's
    assert other.locator('[data-testid="stSidebar"] [data-testid="stAlert"]').filter(
        has_text="Ignored unknown").count() == 0
    screenshot(other, "link-real-accuracy")


def test_a_link_keeps_the_disparities_department(real_server, page, fresh):
    open_page(page, real_server, "/disparities")

    def choose():
        _main(page).get_by_role("combobox", name="Department").click()
        page.keyboard.type("Plainfield")  # the list shows a few of its 39 options at a time
        page.get_by_role("option", name="Plainfield, N.J.", exact=True).click()

    rerun_and_wait(page, choose)
    expect(_main(page).get_by_text("Showing data in Plainfield, N.J.", exact=True)).to_be_visible(timeout=RENDER_MS)
    link = page.url
    assert f"{urlstate.DISPARITIES_DEPARTMENT}=" in link
    other = fresh(real_server, link)
    assert metric_value(other, "Block groups ranked") == "35"
    expect(_main(other).get_by_text("Showing data in Plainfield, N.J.", exact=True)).to_be_visible()
    screenshot(other, "link-disparities-department")


def test_a_link_keeps_the_audit_tab_and_the_filters(demo_server, page, fresh):
    open_page(page, demo_server, "/audit")
    pick_option(page, "Majority group of residents", "Latino")
    rerun_and_wait(page, lambda: page.get_by_role("tab", name="Over time").click())
    expect(page.get_by_role("tab", name="Over time")).to_have_attribute("aria-selected", "true", timeout=RENDER_MS)
    link = page.url
    # the sidebar's own URL writing leaves the bound tab alone, and the tab's leaves the filters
    assert f"{urlstate.AUDIT_TAB}=Over+time" in link and "majority=latino" in link
    other = fresh(demo_server, link)
    expect(other.get_by_role("tab", name="Over time")).to_have_attribute("aria-selected", "true",
                                                                        timeout=RENDER_MS)
    assert other.url == link
    screenshot(other, "link-audit-tab")


def test_a_link_keeps_the_accuracy_tables_shown(demo_server, page, fresh):
    open_page(page, demo_server, "/accuracy")
    tables = _main(page).locator('[data-testid="stDataFrame"]').count()
    rerun_and_wait(page, lambda: _pills(page).get_by_role("button", name="Matched reports").click())
    link = page.url
    assert f"{urlstate.ACCURACY_SHOW}=" in link
    other = fresh(demo_server, link)
    expect(_main(other).locator('[data-testid="stDataFrame"]')).to_have_count(tables + 1, timeout=RENDER_MS)
    assert _main(other).get_by_text("choose Matched reports above", exact=False).count() == 0


def test_a_link_keeps_the_map_layers(demo_server, page, fresh):
    open_page(page, demo_server, "/map")
    first = _pills(page).first.locator("button[aria-pressed]").first
    pressed = first.get_attribute("aria-pressed")
    rerun_and_wait(page, first.click)
    link = page.url
    if f"{urlstate.MAP_LAYER}=" not in link:
        pytest.skip("the Map's layers are not bound to the URL on this branch (the map helper binds them)")
    other = fresh(demo_server, link)
    again = _pills(other).first.locator("button[aria-pressed]").first
    assert again.get_attribute("aria-pressed") != pressed
    screenshot(other, "link-map-layers")


def test_a_link_keeps_the_map_colour_and_the_hexagon_size(demo_server, page, fresh):
    """The two Map choices the other tests do not follow: what colours the block groups, and a hexagon size the
    reader chose (absent, the size follows the view: on the demo's three departments, 7 km)."""
    open_page(page, demo_server, "/map")

    def colour_by_income():
        _main(page).get_by_role("combobox", name="Colour block groups by").click()
        page.get_by_role("option", name="Low-income households (share)", exact=True).click()

    rerun_and_wait(page, colour_by_income)
    rerun_and_wait(page, lambda: _main(page).get_by_role("tab", name="Hexagons in 3-D").click())
    expect(_main(page).get_by_text("H3 resolution 6,", exact=False)).to_be_visible(timeout=RENDER_MS)
    rerun_and_wait(page, lambda: _main(page).get_by_role("radio", name="1 km", exact=True).click())
    expect(_main(page).get_by_text("H3 resolution 8,", exact=False)).to_be_visible(timeout=RENDER_MS)
    link = page.url
    assert f"{urlstate.MAP_HEX}=1+km" in link and f"{urlstate.MAP_COLOR}=" in link
    assert f"{urlstate.MAP_TAB}=Hexagons+in+3-D" in link

    other = fresh(demo_server, link)
    expect(_main(other).get_by_role("combobox", name="Colour block groups by")).to_have_value(
        "Low-income households (share)", timeout=RENDER_MS)
    _expect_hexagons(other, "1 km", 8)
    screenshot(other, "link-map-hexagons")
    # and on the Map and Street map tabs the block groups are coloured by the linked variable: their colour bars' title
    rerun_and_wait(other, lambda: _main(other).get_by_role("tab", name="Map", exact=True).click())
    expect(_main(other).locator(".st-key-map_svg svg.pp-svg-map").get_by_text("Low-income", exact=True)).to_be_visible(
        timeout=RENDER_MS)
    rerun_and_wait(other, lambda: _main(other).get_by_role("tab", name="Street map", exact=True).click())
    expect(_main(other).locator('[data-testid="stPlotlyChart"] .colorbar .cbtitle')).to_have_text(
        "Low-income", timeout=RENDER_MS)
    assert f"{urlstate.MAP_TAB}=Street+map" in other.url
    # A size without a tab (a link copied before the tab was in the URL) opens on the hexagons it sized too
    parts = urlsplit(link)
    older = parts._replace(query=urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != urlstate.MAP_TAB])
                           ).geturl()
    assert f"{urlstate.MAP_TAB}=" not in older and f"{urlstate.MAP_HEX}=1+km" in older
    _expect_hexagons(fresh(demo_server, older), "1 km", 8)


def _expect_hexagons(page, size: str, resolution: int) -> None:
    """The Map page shows its Hexagons tab, with `size` chosen, and the hexagons drawn at `resolution`."""
    expect(_main(page).get_by_role("tab", name="Hexagons in 3-D")).to_have_attribute("aria-selected", "true",
                                                                                   timeout=RENDER_MS)
    expect(_main(page).get_by_role("radio", name=size, exact=True)).to_have_attribute(
        "aria-checked", "true", timeout=RENDER_MS)
    expect(_main(page).get_by_text(f"H3 resolution {resolution},", exact=False)).to_be_visible(timeout=RENDER_MS)
    assert f"{urlstate.MAP_HEX}={size.replace(' ', '+')}" in page.url
