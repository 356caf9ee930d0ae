"""Every page in a real browser, on the demo data and on The Markup's data, at 1,400 px and at 390 px (a phone): it
renders, shows its title and its key element, shows no exception box, neither scrolls sideways nor clips text in
its main column, and leaves a full-page screenshot in artifacts/e2e/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import RENDER_MS, exceptions, layout_problems, open_page, rerun_and_wait, screenshot

pytestmark = pytest.mark.e2e

# url path -> (the page's title, CSS of its key element). Paths are st.Page's defaults (the file stems).
PAGES = {
    "/": ("Where did PredPol send police?", '[data-testid="stMetric"]'),
    "/map": ("Map", '.st-key-map_svg svg.pp-svg-map'),  # its Street map tab: test_map_page.py
    "/disparities": ("Disparities", '[data-testid="stMetric"]'),  # charts open on demand
    "/accuracy": ("Did the predictions come true?", '[data-testid="stMetric"]'),  # charts open on demand
    "/audit": ("Audit: hotspots that are not crime, places targeted every day, points in the wrong place",
               '[data-testid="stDataFrame"]'),
    "/sql": ("SQL", '[data-testid="stTextArea"] textarea'),
    "/data_methods": ("Data & methods", '[data-testid="stDataFrame"]'),
}


def _main(page):
    return page.locator('[data-testid="stMain"]')


WIDTHS = {"wide": (1400, 1000), "phone": (390, 844)}
# A phone's browser says so in its user agent ("Mobile"), and a server can choose a layout by it.
PHONE_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
               "Version/17.0 Mobile/15E148 Safari/604.1")


@pytest.mark.parametrize("path", list(PAGES))
@pytest.mark.parametrize("width", list(WIDTHS))
def test_page_renders(any_server, browser, width, path, request):
    title, key = PAGES[path]
    data = request.node.callspec.params["any_server"]
    w, h = WIDTHS[width]
    phone = width == "phone"
    context = browser.new_context(viewport={"width": w, "height": h}, is_mobile=phone, has_touch=phone,
                                  **({"user_agent": PHONE_AGENT} if phone else {}))
    page = context.new_page()
    try:
        open_page(page, any_server, path)
        # expect() retries: a chart's first layout can redraw the page once more after the run has ended.
        expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(title, timeout=RENDER_MS)
        expect(page.locator(key).filter(visible=True).first).to_be_visible(timeout=RENDER_MS)
        assert exceptions(page) == [], f"exception box on {path}"
        layout = layout_problems(page)
        assert layout["overflow"] <= 1, f"{path} at {w} px scrolls sideways by {layout['overflow']} px"
        assert layout["clipped"] == [], f"{path} at {w} px clips text: {layout['clipped']}"
        assert layout["under_tools"] == [], f"{path} at {w} px hides text under a chart's or a table's tools: " \
                                            f"{layout['under_tools']}"
        # Charts drawn on demand (ui.chart_on_demand: an expander labelled "Chart: …") are checked opened
        charts = _main(page).locator('[data-testid="stExpander"] summary').filter(has_text="Chart:")
        for i in range(charts.count()):
            rerun_and_wait(page, charts.nth(i).click)
        if charts.count():
            expect(_main(page).locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible(timeout=RENDER_MS)
            opened = layout_problems(page)
            assert (opened["clipped"], opened["under_tools"]) == ([], []), f"{path} at {w} px, charts open: {opened}"
        if width == "wide":
            # The sidebar navigation lists every page under its own URL path: the table above covers them all.
            links = page.locator('[data-testid="stSidebarNav"] a').evaluate_all(
                "as => as.map(a => new URL(a.href).pathname)")
            assert sorted(links) == sorted(PAGES)
    finally:
        screenshot(page, f"{data}-{w}-{path.strip('/') or 'overview'}")
        context.close()


def test_unknown_path_falls_back_to_the_overview(demo_server, page):
    open_page(page, demo_server, "/no_such_page")
    assert exceptions(page) == []
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "Where did PredPol send police?"
