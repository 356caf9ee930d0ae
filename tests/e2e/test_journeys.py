"""What a reporter does, in a real browser: filter, share the link, query, download, upload."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from lib.analysis import overview
from lib.filters import Filters
from tests.e2e.browser import (RENDER_MS, exceptions, metric, metric_value, multiselect_tags, open_page, pick_option,
                                rerun_and_wait, screenshot)
from tests.fixtures import write_tiny

pytestmark = pytest.mark.e2e


def _main(page):
    return page.locator('[data-testid="stMain"]')


def _biggest_department(con) -> tuple[str, str, int]:
    table = overview.department_summary(con, Filters())
    row = table.iloc[0]
    return row["department"], row["name"], int(row["predictions"])


def test_picking_a_department_changes_the_headline_and_the_link_reproduces_it(demo_server, demo_con, page,
                                                                              browser):
    slug, name, predictions = _biggest_department(demo_con)
    everything = overview.headline(demo_con, Filters())["predictions"]
    assert predictions < everything  # else the change below could not show
    open_page(page, demo_server)
    assert metric_value(page, "Predictions") == f"{everything:,}"

    pick_option(page, "Department", name)
    expect(metric(page, "Predictions")).to_have_text(f"{predictions:,}", timeout=RENDER_MS)
    assert multiselect_tags(page, "Department") == [name]
    assert exceptions(page) == []
    screenshot(page, "journey-department")

    link = page.url
    assert f"dept={slug}" in link
    other = page.context.new_page()
    open_page(other, demo_server, link.removeprefix(demo_server.url))
    assert metric_value(other, "Predictions") == f"{predictions:,}"
    assert multiselect_tags(other, "Department") == [name]
    assert exceptions(other) == []


def test_a_link_with_two_filters_opens_the_same_view_in_a_fresh_browser(demo_server, demo_con, browser):
    slug, name, _ = _biggest_department(demo_con)
    expected = overview.headline(demo_con, Filters(departments=(slug,), majority=("latino",)))["predictions"]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        open_page(page, demo_server, f"/?dept={slug}&majority=latino")
        assert metric_value(page, "Predictions") == f"{expected:,}"
        assert multiselect_tags(page, "Department") == [name]
        assert multiselect_tags(page, "Majority group of residents") == ["Latino"]
    finally:
        context.close()


def test_a_sql_query_runs_and_its_result_downloads(demo_server, demo_con, page):
    expected = demo_con.execute("SELECT department, sum(count) FROM predictions GROUP BY 1 ORDER BY 1").fetchall()
    open_page(page, demo_server, "/sql")
    query = page.get_by_role("textbox", name="Query")
    query.fill("SELECT department, sum(count) AS predictions FROM predictions GROUP BY 1 ORDER BY 1")
    rerun_and_wait(page, lambda: page.get_by_role("button", name="Run").click())
    assert exceptions(page) == []
    assert page.get_by_text(f"{len(expected)} rows", exact=False).first.is_visible()
    screenshot(page, "journey-sql")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == "query-result.csv"
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines == ["department,predictions"] + [f"{d},{n}" for d, n in expected]


def test_an_invalid_csv_upload_names_the_line_and_column(demo_server, page, tmp_path):
    files = write_tiny(tmp_path / "upload")
    predictions = files / "pp_report_locations_geocoded.csv"
    predictions.write_text(predictions.read_text().replace("-86.985,3,", "-86.985,three,"))  # 4th line of the file
    open_page(page, demo_server, "/data_methods")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(sorted(files.iterdir()))
    check = page.get_by_role("button", name="Check and use these files")
    expect(check).to_be_enabled(timeout=30_000)
    rerun_and_wait(page, check.click)
    message = page.locator('[data-testid="stAlert"]').filter(
        has_text="pp_report_locations_geocoded.csv, line 4, column count")
    expect(message.first).to_be_visible(timeout=30_000)
    assert "found 'three'" in message.first.inner_text()
    assert exceptions(page) == []
    screenshot(page, "journey-upload")


def test_the_overview_downloads_the_department_datasheet(demo_server, demo_con, page):
    slug, name, predictions = _biggest_department(demo_con)
    open_page(page, demo_server)
    pick_option(page, "Department", name)
    # What the pick changes on the page: the headline, and the datasheet needs no department of its own any more
    expect(metric(page, "Predictions")).to_have_text(f"{predictions:,}", timeout=RENDER_MS)
    expect(_main(page).get_by_role("combobox", name="Department for the datasheet")).to_have_count(0)
    button = _main(page).get_by_role("button", name="Download datasheet")
    expect(button).to_be_enabled(timeout=RENDER_MS)
    with page.expect_download(timeout=120_000) as download:
        button.click()
    assert download.value.suggested_filename == f"{slug}-datasheet.html"
    text = Path(download.value.path()).read_text()
    assert f"<h1>{name}</h1>" in text
    assert f"data-figure='predictions'>{predictions:,}<" in text
    assert exceptions(page) == []


def test_an_audit_tab_is_computed_when_it_is_opened(demo_server, page):
    # The Audit page computes and draws only its open tab: the geocoding figures appear once that tab is clicked.
    open_page(page, demo_server, "/audit")
    assert page.locator('[data-testid="stMetricLabel"]', has_text="Outside the United States").count() == 0
    rerun_and_wait(page, lambda: page.get_by_role("tab", name="Geocoding and 'abroad'").click())
    expect(page.get_by_text("Manama, Bahrain (BH)", exact=False).first).to_be_visible()
    assert metric_value(page, "Outside the United States") == "1"
    assert exceptions(page) == []
    screenshot(page, "journey-audit-geocoding")
