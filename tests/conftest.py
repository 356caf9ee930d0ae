from __future__ import annotations

import os
from pathlib import Path

import pytest

from lib.data import load
from tests.fixtures import write_tiny

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
DEMO_DIR = REPO / "data" / "demo"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Tests never touch the user's cache."""
    os.environ["PP_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def tiny_dir(tmp_path) -> Path:
    return write_tiny(tmp_path / "tiny")


@pytest.fixture
def tiny(tiny_dir):
    return load.load(tiny_dir)


@pytest.fixture
def tiny_con(tiny):
    con = tiny.connect()
    yield con
    con.close()


@pytest.fixture(autouse=True, scope="session")
def _apptest_uses_st_navigation():
    """AppTest resets PagesManager.uses_pages_directory before every run and, finding a pages/
    folder, runs the page file alone on reruns (the old pages/ mode), skipping streamlit_app.py.
    The real server keeps the flag st.navigation sets; make AppTest do the same."""
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.pages_manager import PagesManager

    class NavigationPagesManager(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    app_test.PagesManager = NavigationPagesManager
    yield
    app_test.PagesManager = PagesManager


def _require_shared() -> None:
    if not (SHARED_DATA / "markup-prediction-bias").is_dir():
        pytest.skip(f"the real data is absent: expected The Markup's files in {SHARED_DATA}")


@pytest.fixture(scope="session")
def real_dir(tmp_path_factory) -> Path:
    """The Markup's published files imported once per test session."""
    _require_shared()
    from lib.data.markup import import_markup
    dest = tmp_path_factory.mktemp("real") / "data"
    import_markup(SHARED_DATA, dest, echo=lambda *a: None)
    return dest


@pytest.fixture(scope="session")
def real(real_dir):
    return load.load(real_dir)


@pytest.fixture(scope="session")
def real_con(real):
    return real.connect()


@pytest.fixture(scope="session")
def demo():
    return load.load(DEMO_DIR)


@pytest.fixture(scope="session")
def demo_con(demo):
    return demo.connect()


@pytest.fixture(scope="session")
def playwright_instance():
    """One Playwright for the whole run: its sync API refuses to start a second time while one runs."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    from tests.e2e.browser import launch_browser
    browser = launch_browser(playwright_instance)
    yield browser
    browser.close()
