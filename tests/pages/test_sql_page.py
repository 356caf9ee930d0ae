"""The SQL page under AppTest: examples load, queries run against the sidebar filters, refusals and errors are
messages, never exceptions."""
from __future__ import annotations

import pytest

from lib import console
from tests.apptest import assert_no_exception, run_app

PAGE = "pages/sql.py"


def run_query(at, sql: str):
    at.text_area(key="sql_text").set_value(sql)
    at.button(key="sql_run").click().run()
    assert_no_exception(at)
    return at


def test_the_default_example_runs_and_shows_its_rows_and_count(tiny_dir):
    at = run_app(tiny_dir, page=PAGE)
    assert_no_exception(at)
    assert at.title[0].value == "SQL"
    assert at.text_area(key="sql_text").value == console.EXAMPLES[0].sql
    at.button(key="sql_run").click().run()
    assert_no_exception(at)
    frame = at.dataframe[0].value
    assert frame[["department", "predictions", "locations"]].values.tolist() == [
        ["Alpha City, Ala.", 26, 4], ["Beta Town, Calif.", 9, 2]]
    assert any(m.value.startswith("**2 rows**") for m in at.markdown)
    assert [b.label for b in at.get("download_button")] == ["Download CSV", "Download Parquet"]


def test_each_stored_table_says_what_it_is_built_from(tiny_dir):
    at = run_app(tiny_dir, page=PAGE)
    listing = next(m.value for m in at.markdown if m.value.startswith("- `departments`:"))
    assert "- `departments`: one row per police department: slug, name, state (from the data files)" in listing
    assert "- `prediction_days`: the predictions summed per block group, day and type: the Audit page's counts " \
           "(from prediction_cells)" in listing


def test_choosing_an_example_fills_the_editor(tiny_dir):
    at = run_app(tiny_dir, page=PAGE)
    disparities = next(e for e in console.EXAMPLES if e.page == "Disparities")
    at.selectbox(key="sql_example").set_value(f"{disparities.page}: {disparities.question}").run()
    assert at.text_area(key="sql_text").value == disparities.sql


def test_the_filtered_views_follow_the_sidebar(tiny_dir):
    at = run_app(tiny_dir, page=PAGE, query={"dept": "beta"})
    run_query(at, "SELECT sum(count) AS n FROM filtered_predictions")
    assert at.dataframe[0].value["n"].tolist() == [9]
    assert any("Beta Town" in c.value for c in at.caption)
    at.multiselect(key="flt_majority").set_value(["latino"]).run()
    run_query(at, "SELECT geoid FROM filtered_block_groups")
    assert at.dataframe[0].value["geoid"].tolist() == ["060010000021"]


@pytest.mark.parametrize("sql, start", [
    ("COPY departments TO '/tmp/pp-out.csv'", "Refused: the console only runs queries that read data"),
    ("SELECT 1; SELECT 2", "Refused: the console runs one statement at a time"),
    ("ATTACH '/tmp/x.duckdb'", "Refused"),
])
def test_refusals_are_messages(tiny_dir, sql, start):
    at = run_query(run_app(tiny_dir, page=PAGE), sql)
    assert at.error[0].value.startswith(start)
    assert not at.dataframe


def test_reading_a_file_shows_duckdbs_message_not_a_traceback(tiny_dir):
    at = run_query(run_app(tiny_dir, page=PAGE), "SELECT * FROM read_text('/etc/passwd')")
    assert at.error[0].value == "DuckDB could not run the query:"
    assert at.code[0].value.startswith(console.NO_FILES)
    assert "root:" not in at.code[0].value


def test_syntax_errors_show_the_position(tiny_dir):
    at = run_query(run_app(tiny_dir, page=PAGE), "SELECT name FROM departments WHERE")
    assert "Parser Error" in at.code[0].value and "LINE 1:" in at.code[0].value


def test_a_long_query_is_stopped_with_a_message(tiny_dir, monkeypatch):
    monkeypatch.setattr(console, "TIME_LIMIT", 0.3)
    at = run_query(run_app(tiny_dir, page=PAGE), "SELECT count(*) FROM range(1000000000000) a, range(1000) b")
    assert at.error[0].value.startswith("Stopped after 0.3 s")


def test_explain_shows_the_plan_as_text(tiny_dir):
    at = run_query(run_app(tiny_dir, page=PAGE), "EXPLAIN SELECT * FROM departments")
    assert "READ_PARQUET" in at.code[0].value


def test_tables_and_columns_are_listed(tiny_dir):
    at = run_app(tiny_dir, page=PAGE)
    labels = [e.label for e in at.expander]
    assert labels[:6] == ["filtered_block_groups", "filtered_crime_reports", "filtered_patrols",
                          "filtered_prediction_cells", "filtered_predictions", "filtered_sites"]
    assert {"departments", "predictions", "race", "income", "block_groups", "block_group_stats"} <= set(labels)


def test_the_page_runs_on_the_demo_data(demo):
    at = run_app(demo.data_dir, page=PAGE)
    for example in console.EXAMPLES:
        run_query(at, example.sql)
        assert not at.error, (example.page, [e.value for e in at.error])


@pytest.mark.parametrize("sql, shown", [
    ("SELECT union_value(k := 1) AS u", "1"),
    ("SELECT 'infinity'::DATE AS u", "infinity"),
    ("SELECT '5877642-06-25 (BC)'::DATE AS u", "5877642-06-25 (BC)"),
])
def test_values_pandas_cannot_hold_show_as_duckdbs_text_and_the_tables_stay(tiny_dir, sql, shown):
    at = run_query(run_app(tiny_dir, page=PAGE), sql)
    assert at.dataframe[0].value["u"].tolist() == [shown]
    assert "filtered_predictions" in [e.label for e in at.expander]


def test_a_result_too_large_to_send_is_cut_with_a_notice_and_the_tables_stay(tiny_dir):
    at = run_query(run_app(tiny_dir, page=PAGE), "SELECT repeat('x', 2000000) AS s FROM range(150)")
    assert any(m.value.startswith("**150 rows**, showing the first 2") for m in at.markdown)
    assert len(at.dataframe[0].value) == 2  # 4 MB of 2 MB cells
    notice = at.warning[0].value
    assert notice.startswith(f"The result has 150 rows and the console keeps at most {console.KEEP_BYTES >> 20} MB")
    assert "select only the columns you need, aggregate (GROUP BY), filter (WHERE) or add a LIMIT" in notice
    assert "filtered_predictions" in [e.label for e in at.expander]
