"""Real-browser fixtures: an app server per data directory (always stopped at teardown).
The one headless Chromium is tests/conftest.py's `browser`."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA
from tests.e2e.browser import REPO, start_server, stop_server


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def _server(tmp_path_factory, data_dirs: list[Path], name: str, env: dict[str, str] | None = None):
    from lib.data import load
    work = tmp_path_factory.mktemp(f"server-{name}")
    # One typed cache for both servers, built before they start, so page loads (and a switch to the real data)
    # measure the app rather than the one-off import.
    cache = tmp_path_factory.getbasetemp() / "e2e-cache"
    for data_dir in data_dirs:
        load.load(data_dir, cache_dir=cache)
    server = start_server(data_dirs[0], cache, work / "server.log", env=env)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory, request):
    """The shipped demo. Its real data (PP_REAL_DIR: what the sidebar switches to and a `data=real` link opens)
    is The Markup's, imported from ../shared/data, where present."""
    dirs, env = [REPO / "data" / "demo"], {}
    if (SHARED_DATA / "markup-prediction-bias").is_dir():
        real = request.getfixturevalue("real_dir")
        dirs.append(real)
        env["PP_REAL_DIR"] = str(real)
    yield from _server(tmp_path_factory, dirs, "demo", env)


@pytest.fixture(scope="session")
def real_server(tmp_path_factory, real_dir):
    """The Markup's data, imported from ../shared/data by tests/conftest.py's real_dir."""
    yield from _server(tmp_path_factory, [real_dir], "real")


@pytest.fixture(params=["demo", "real"], scope="session")
def any_server(request):
    return request.getfixturevalue(f"{request.param}_server")
