"""Real-browser fixtures: an app server per data directory (always stopped at teardown) and one headless Chromium."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.browser import REPO, launch_browser, start_server, stop_server


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = launch_browser(playwright_instance)
    yield browser
    browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def _server(tmp_path_factory, data_dir: Path, name: str):
    from lib.data import load
    work = tmp_path_factory.mktemp(f"server-{name}")
    # Build the typed cache first, so page loads measure the app rather than the one-off import.
    load.load(data_dir, cache_dir=work / "cache")
    server = start_server(data_dir, work / "cache", work / "server.log")
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    yield from _server(tmp_path_factory, REPO / "data" / "demo", "demo")


@pytest.fixture(scope="session")
def real_server(tmp_path_factory, real_dir):
    """The Markup's data, imported from ../shared/data by tests/conftest.py's real_dir."""
    yield from _server(tmp_path_factory, real_dir, "real")


@pytest.fixture(params=["demo", "real"], scope="session")
def any_server(request):
    return request.getfixturevalue(f"{request.param}_server")
