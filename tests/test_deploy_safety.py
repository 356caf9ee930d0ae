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
