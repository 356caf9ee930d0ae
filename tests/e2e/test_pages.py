"""Every page in a real browser, on the demo data and on The Markup's data: it renders, shows its title and its
key element, shows no exception box, and leaves a full-page screenshot in artifacts/e2e/."""
from __future__ import annotations

import re

import pytest

from tests.e2e.browser import exceptions, open_page, screenshot

pytestmark = pytest.mark.e2e

# url path -> (the page's title as a pattern, CSS of its key element). Paths are st.Page's defaults (file stems).
PAGES = {
    "/": (r"Where did PredPol send police\?", '[data-testid="stMetric"]'),
    "/map": (r"Map", '[data-testid="stMain"]'),
    "/disparities": (r"Disparities", '[data-testid="stMain"]'),
    "/accuracy": (r"Accuracy", '[data-testid="stMain"]'),
    "/audit": (r"Audit", '[data-testid="stMain"]'),
    "/sql": (r"SQL", '[data-testid="stMain"]'),
    "/data_methods": (r"Data & methods", '[data-testid="stMain"]'),
}


@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders(any_server, page, path, request):
    title, key = PAGES[path]
    open_page(page, any_server, path)
    data = request.node.callspec.id.split("-")[0]
    shot = screenshot(page, f"{data}-{path.strip('/') or 'overview'}")
    assert exceptions(page) == [], f"exception box on {path} (see {shot})"
    heading = page.locator('[data-testid="stMain"] h1').first
    assert heading.is_visible()
    assert re.fullmatch(title, heading.inner_text().strip()), heading.inner_text()
    assert page.locator(key).first.is_visible(), f"{key} not visible on {path} (see {shot})"
    # The sidebar navigation lists every page under its own URL path: the table above covers them all.
    links = page.locator('[data-testid="stSidebarNav"] a').evaluate_all("as => as.map(a => new URL(a.href).pathname)")
    assert sorted(links) == sorted(PAGES)


def test_unknown_path_falls_back_to_the_overview(demo_server, page):
    open_page(page, demo_server, "/no_such_page")
    assert exceptions(page) == []
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "Where did PredPol send police?"
