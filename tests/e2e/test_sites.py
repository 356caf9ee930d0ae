"""A site added on the Audit page in a real browser goes into the address bar, and the link drawn on the Map
page carries it (the legend names it)."""
from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import RENDER_MS, exceptions, open_page, rerun_and_wait, screenshot

pytestmark = pytest.mark.e2e


def test_an_added_site_travels_in_the_link_to_the_map(demo_server, page):
    try:
        open_page(page, demo_server, "/audit")
        page.get_by_text("Add a site (0 added; the link carries them)").click()
        page.get_by_label("Name", exact=True).first.fill("Test annex")
        page.get_by_label("Latitude").fill("40.565398")
        page.get_by_label("Longitude").fill("-74.468665")
        rerun_and_wait(page, lambda: page.get_by_role("button", name="Add site").click())
        expect(page.get_by_text("Add a site (1 added; the link carries them)")).to_be_visible(timeout=RENDER_MS)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
        assert query["site"] == ["40.565398,-74.468665,police_station,Test annex"]
        map_link = "/map?" + urllib.parse.urlencode({"site": query["site"][0]})
        open_page(page, demo_server, map_link)
        # the demo lists three police stations; the link adds the fourth (the Map tab's key, under its SVG)
        expect(page.locator(".pp-map-key > span", has_text="Police station (4)")).to_be_visible(timeout=RENDER_MS)
        assert "site=40.565398" in page.url
        assert exceptions(page) == []
    finally:
        screenshot(page, "demo-site-in-link")
