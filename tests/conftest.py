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
