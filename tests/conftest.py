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
