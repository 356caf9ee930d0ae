"""Running the app under Streamlit's AppTest on a chosen data directory."""
from __future__ import annotations

import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "streamlit_app.py"


def run_app(data_dir: Path, page: str | None = None, query: dict | None = None, timeout: float = 120) -> AppTest:
    """Run streamlit_app.py on `data_dir`, optionally on `page` (e.g. "pages/map.py") with URL `query`."""
    os.environ["PP_DATA_DIR"] = str(data_dir)
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
