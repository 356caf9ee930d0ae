"""Real-browser fixtures: an app server per data directory (always stopped at teardown).
The one headless Chromium is tests/conftest.py's `browser`."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.browser import REPO, start_server, stop_server


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
