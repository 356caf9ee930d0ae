"""The Map's Plotly chunk is preloaded from the installed Streamlit's own build; other pages preload nothing; the
browser benchmark judges a returning reader's opening against the page goal."""
from __future__ import annotations

from benchmarks import browser
from lib import preload


def test_the_map_preloads_the_plotly_chunk_of_the_installed_streamlit():
    files = preload.chunk_files(("plotly",))
    assert len(files) == 1 and files[0].startswith("PlotlyChart.") and files[0].endswith(".js")
    assert (preload.STATIC_JS / files[0]).stat().st_size > 1_000_000  # the real 4.7 MB bundle, not a stub
    html = preload.html("map")
    assert f'["{files[0]}"]' in html and 'rel: "modulepreload"' in html


def test_pages_that_draw_no_chart_on_opening_preload_nothing():
    for url_path in ("", "disparities", "accuracy", "audit", "sql", "data_methods"):
        assert preload.html(url_path) is None


def test_a_build_without_the_chunk_or_with_two_preloads_nothing(tmp_path):
    assert preload.chunk_files(("plotly",), tmp_path) == []
    assert preload.html("map", tmp_path) is None
    (tmp_path / "PlotlyChart.aaa.js").write_text("")
    assert preload.chunk_files(("plotly",), tmp_path) == ["PlotlyChart.aaa.js"]
    (tmp_path / "PlotlyChart.bbb.js").write_text("")
    assert preload.chunk_files(("plotly",), tmp_path) == []


def test_a_returning_readers_opening_is_held_to_the_page_goal():
    row = {"page": "Overview", "step": browser.RETURNING, "is_map": False, "bytes": 500e3}
    assert browser.meets_goal({**row, "seconds": 1.9}) and not browser.meets_goal({**row, "seconds": 2.1})
    assert "≤ 2 s: met" in browser.markdown([{**row, "seconds": 1.9, "goal_met": True}])
    paired = browser.markdown([{**row, "seconds": 2.5, "floor_seconds": 1.0, "goal_met": False}]).splitlines()[-1]
    assert "| 2.50 | 1.00 | 2.5× | ≤ 2 s: **missed** |" in paired
