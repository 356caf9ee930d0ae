"""Department datasheets: the same numbers as the pages, escaped data text, and a file that renders offline."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from lib import cli
from lib.analysis import accuracy, audit, overview
from lib.data import load
from lib.datasheet import DatasheetError, datasheet_html, write_datasheet
from lib.filters import Filters
from tests.fixtures import DEPARTMENTS


def figures(text: str) -> dict[str, str]:
    """{data-figure key: shown value} of a datasheet."""
    return {k: v for k, v in re.findall(r"data-figure='([a-z_0-9]+)'>([^<]*)<", text)}


def headline_figures(con, f: Filters) -> dict[str, str]:
    """What the Overview shows for these filters, formatted the same way."""
    h = overview.headline(con, f)
    return {"predictions": f"{h['predictions']:,}", "locations": f"{h['locations']:,}",
            "block_groups": f"{h['block_groups']:,}", "residents": f"{h['residents']:,}",
            "predictions_outside": f"{h['predictions_outside_shown']:,}",
            "share_black_latino": f"{h['share_predictions_black_latino_majority']:.0%}",
            "share_low_income": f"{h['share_predictions_low_income_majority']:.0%}"}


def test_tiny_alpha_by_hand(tiny, tiny_con):
    shown = figures(datasheet_html(tiny, tiny_con, Filters(departments=("alpha",))))
    # 26 predictions at 4 locations (2 outside every block group); A1-A4 hold 400 residents; A1 (Black
    # majority, 15) and A3 (Latino majority, 6) hold 21 of the 24 inside; A1 and A3 are mostly low-income.
    assert shown["predictions"] == "26" and shown["locations"] == "4" and shown["block_groups"] == "4"
    assert shown["residents"] == "400" and shown["predictions_outside"] == "2"
    assert shown["predictions_per_1000"] == "60"  # 24 inside ÷ 400 residents × 1,000
    assert shown["share_black_latino"] == "88%" and shown["share_low_income"] == "88%"


def test_tiny_beta_and_no_crime_reports(tiny, tiny_con):
    text = datasheet_html(tiny, tiny_con, Filters(departments=("beta",)))
    shown = figures(text)
    assert (shown["predictions"], shown["block_groups"], shown["residents"]) == ("9", "2", "400")
    assert shown["share_black_latino"] == "89%"  # B1 (170 of 300 Latino) has 8 of 9
    assert "<h1>Beta Town, Calif.</h1>" in text
    assert "This data has no crime reports for Beta Town, Calif." in text


def test_one_department_only(tiny, tiny_con):
    for f in (Filters(), Filters(departments=("alpha", "beta"))):
        with pytest.raises(DatasheetError, match="one department"):
            datasheet_html(tiny, tiny_con, f)
    with pytest.raises(DatasheetError, match="no department 'gamma'"):
        datasheet_html(tiny, tiny_con, Filters(departments=("gamma",)))


def test_data_text_is_escaped(tmp_path, tiny_dir):
    hostile = 'Alpha <script>alert("x")</script> & Co'
    (tiny_dir / "departments.csv").write_text(DEPARTMENTS.replace('"Alpha City, Ala."', '"' + hostile.replace('"', '""') + '"'))
    dataset = load.load(tiny_dir)
    text = datasheet_html(dataset, dataset.connect(), Filters(departments=("alpha",)))
    assert "<script>alert" not in text
    assert "Alpha &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in text


def test_demo_numbers_equal_the_pages(demo, demo_con):
    department = overview.department_summary(demo_con, Filters())["department"].iloc[0]
    f = Filters(departments=(department,), majority=("black", "latino"))
    shown = figures(datasheet_html(demo, demo_con, f))
    expected = headline_figures(demo_con, f)
    assert {k: shown[k] for k in expected} == expected
    summary = accuracy.accuracy_summary(demo_con, department, accuracy.analysis_window(demo_con, department))
    assert shown["predictions_matched"] == f"{summary['predictions_matched']:,}"
    assert shown["success_rate"] == f"{summary['success_rate']:.2%}"
    flags = next(r for r in audit.audit_summary(demo_con, f) if r["department"] == department)
    assert shown["site_artefacts"] == f"{len(flags['site_artefacts']):,}"
    assert shown["persistent_block_groups"] == f"{len(flags['persistent_block_groups']):,}"


def test_real_plainfield_numbers_equal_the_pages(real, real_con, tmp_path):
    f = Filters(departments=("plainfieldpdnj",))
    out = write_datasheet(real, real_con, f, tmp_path / "plainfield.html")
    text = out.read_text()
    shown = figures(text)
    expected = headline_figures(real_con, f)
    assert {k: shown[k] for k in expected} == expected
    summary = accuracy.accuracy_summary(real_con, "plainfieldpdnj")
    assert shown["predictions_total"] == f"{summary['predictions_total']:,}"
    assert shown["success_rate"] == f"{summary['success_rate']:.2%}"
    assert "the-markup/investigation-prediction-bias at commit" in text


def test_cli_writes_the_datasheet(tiny_dir, tmp_path):
    out = tmp_path / "alpha.html"
    assert cli.main(["datasheet", str(tiny_dir), "--department", "alpha", "--out", str(out)]) == 0
    assert figures(out.read_text())["predictions"] == "26"


@pytest.mark.e2e
def test_the_file_renders_offline_in_chromium(demo, demo_con, tmp_path, browser):
    department = overview.department_summary(demo_con, Filters())["department"].iloc[0]
    f = Filters(departments=(department,))
    out = write_datasheet(demo, demo_con, f, tmp_path / "sheet.html")
    name = overview.department_summary(demo_con, f)["name"].iloc[0]
    requested, errors = [], []
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        # No network: anything but the file itself is refused (and recorded).
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                      else (requested.append(route.request.url), route.abort()))
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(out.resolve().as_uri())
        page.wait_for_selector("svg.main-svg", timeout=30_000)
        page.wait_for_function("() => document.querySelectorAll('.plot-container').length >= 5", timeout=30_000)
        assert page.locator("h1").inner_text() == name
        assert page.locator("[data-figure=predictions]").inner_text() == \
            f"{overview.headline(demo_con, f)['predictions']:,}"
        assert page.locator("#map path.js-fill").count() > 0  # the block groups are drawn
        assert page.locator("#disparities .plot-container").first.is_visible()
        page.screenshot(path=str(Path(tmp_path) / "sheet.png"), full_page=True)
    finally:
        context.close()
    assert requested == [] and errors == []


def test_offline_map_draws_every_block_group(tiny_con):
    from lib.analysis import maps
    from lib.datasheet import offline_map
    frame = maps.block_groups(tiny_con, Filters())
    fig = offline_map(frame, maps.geojson(frame))
    # Five classes of rates and the park with no residents: one closed ring per block group, six in all.
    rings = sum(sum(v is None for v in t.y) for t in fig.data if t.fill == "toself")
    assert rings == 6
