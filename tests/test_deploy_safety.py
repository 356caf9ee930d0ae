"""What a public deployment relies on: no error details for visitors, and the toolbar CSV gap said in words."""
from __future__ import annotations

import tomllib
from pathlib import Path

from tests.apptest import assert_no_exception, run_app
from tests.conftest import DEMO_DIR

REPO = Path(__file__).resolve().parents[1]


def test_visitors_get_no_error_details():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_data_and_methods_says_the_toolbar_csv_does_not_escape_formulas():
    at = run_app(DEMO_DIR, page="pages/data_methods.py")
    assert_no_exception(at)
    assert any("*Download as CSV* in a table's toolbar is Streamlit's own" in c.value for c in at.caption)


def test_security_notes_are_linked_from_the_readme():
    assert (REPO / "docs" / "SECURITY.md").is_file()
    assert "docs/SECURITY.md" in (REPO / "README.md").read_text(encoding="utf-8")


def test_a_public_deployment_names_no_server_path(tiny_dir, monkeypatch):
    """The Overview's banner and the sidebar named the data folder's full path on the server."""
    monkeypatch.setenv("PP_PUBLIC", "1")
    at = run_app(tiny_dir)
    assert_no_exception(at)
    shown = "\n".join(e.value for kind in ("success", "warning", "caption", "markdown") for e in at.get(kind))
    assert str(tiny_dir.parent) not in shown and f"`{tiny_dir.name}`" in shown
