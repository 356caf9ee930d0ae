"""Every page in a real browser, on the demo data and on The Markup's data: it renders, shows its title and its
key element, shows no exception box, and leaves a full-page screenshot in artifacts/e2e/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import RENDER_MS, exceptions, open_page, screenshot

pytestmark = pytest.mark.e2e

# url path -> (the page's title, CSS of its key element). Paths are st.Page's defaults (the file stems).
PLOTLY = '[data-testid="stPlotlyChart"] .main-svg'
PAGES = {
    "/": ("Where did PredPol send police?", '[data-testid="stMetric"]'),
    "/map": ("Map", '[data-testid="stPlotlyChart"] canvas.maplibregl-canvas'),
    "/disparities": ("Disparities", PLOTLY),
    "/accuracy": ("Did the predictions come true?", PLOTLY),
    "/audit": ("Audit: hotspots that are not crime, places targeted every day, points in the wrong place",
               '[data-testid="stDataFrame"]'),
    "/sql": ("SQL", '[data-testid="stTextArea"] textarea'),
    "/data_methods": ("Data & methods", '[data-testid="stDataFrame"]'),
}


@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders(any_server, page, path, request):
    title, key = PAGES[path]
    data = request.node.callspec.id.split("-")[0]
    try:
        open_page(page, any_server, path)
        # expect() retries: a chart's first layout can redraw the page once more after the run has ended.
        expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(title, timeout=RENDER_MS)
        expect(page.locator(key).filter(visible=True).first).to_be_visible(timeout=RENDER_MS)
        assert exceptions(page) == [], f"exception box on {path}"
    finally:
        screenshot(page, f"{data}-{path.strip('/') or 'overview'}")
    # The sidebar navigation lists every page under its own URL path: the table above covers them all.
    links = page.locator('[data-testid="stSidebarNav"] a').evaluate_all("as => as.map(a => new URL(a.href).pathname)")
    assert sorted(links) == sorted(PAGES)


def test_unknown_path_falls_back_to_the_overview(demo_server, page):
    open_page(page, demo_server, "/no_such_page")
    assert exceptions(page) == []
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "Where did PredPol send police?"
