"""The SQL console: reading queries give the right rows, everything else is refused or stopped with a message."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lib import console, db
from lib.console import Console, check
from lib.filters import Filters

READERS = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv_auto('/etc/passwd')",
    "SELECT * FROM read_csv('/etc/passwd', columns = {'line': 'VARCHAR'}, delim = '\\x01')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT * FROM read_json('/etc/passwd')",
    "SELECT * FROM read_json_auto('/etc/passwd')",
    "SELECT * FROM read_json_objects('/etc/passwd')",
    "SELECT * FROM read_ndjson('/etc/passwd')",
    "SELECT * FROM read_parquet('/etc/passwd')",
    "SELECT * FROM parquet_scan('/etc/passwd')",
    "SELECT * FROM parquet_metadata('/etc/passwd')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM sniff_csv('/etc/passwd')",
    "SELECT content FROM read_text('/etc/../etc/passwd')",
    "DESCRIBE SELECT * FROM read_csv('/etc/passwd')",
    "SUMMARIZE SELECT * FROM read_text('/etc/passwd')",
    "WITH x AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM x",
]
REPLACEMENT_SCANS = [
    'FROM "/etc/passwd"',
    "FROM '/etc/passwd'",
    "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM 'https://example.com/data.csv'",
]


@pytest.fixture
def tiny_console(tiny):
    c = Console(tiny)
    yield c
    c.close()


def rows(c: Console, sql: str) -> list[tuple]:
    result = c.run(sql)
    assert result.ok, result.error
    return [tuple(r) for r in result.frame().itertuples(index=False)]


@pytest.mark.parametrize("sql", READERS)
def test_every_file_reader_is_refused(tiny_console, sql):
    result = tiny_console.run(sql)
    assert not result.ok and result.table is None
    assert console.NO_FILES in result.error and "Permission Error" in result.error
    assert "root:" not in result.error


@pytest.mark.parametrize("sql", REPLACEMENT_SCANS)
def test_bare_file_names_find_no_file(tiny_console, sql):
    result = tiny_console.run(sql)
    assert not result.ok and "root:" not in result.error
    assert "does not exist" in result.error or console.NO_FILES in result.error


def test_the_store_the_views_read_is_the_only_readable_folder_and_dot_dot_leaves_it(tiny, tiny_console):
    tables = tiny.store / "tables"
    ok = tiny_console.run(f"SELECT count(*) FROM read_parquet('{tables}/departments.parquet')")
    assert ok.ok and ok.frame().iloc[0, 0] == 2
    escaped = tiny_console.run(f"SELECT * FROM read_text('{tables}/../report.json')")
    assert not escaped.ok and console.NO_FILES in escaped.error


@pytest.mark.parametrize("sql, reason", [
    ("COPY departments TO '{tmp}/out.csv'", "COPY"),
    ("COPY (SELECT 1) TO '{tmp}/out.csv' (FORMAT csv)", "COPY"),
    ("COPY departments FROM '/etc/passwd'", "COPY"),
    ("ATTACH '{tmp}/other.duckdb' AS other", "ATTACH"),
    ("DETACH memory", "DETACH"),
    ("INSTALL httpfs", "INSTALL"),
    ("LOAD httpfs", "LOAD"),
    ("SET enable_external_access = true", "SET"),
    ("SET memory_limit = '64GB'", "SET"),
    ("RESET threads", "SET"),
    ("SET VARIABLE x = 1", "SET"),
    ("USE memory", "SET"),
    ("PRAGMA enable_profiling", "PRAGMA"),
    ("PRAGMA table_info('departments')", "PRAGMA"),
    ("CALL pragma_version()", "CALL"),
    ("CHECKPOINT", "CALL"),
    ("EXPORT DATABASE '{tmp}/export'", "EXPORT"),
    ("CREATE TABLE mine AS SELECT 1", "CREATE"),
    ("CREATE OR REPLACE TEMP VIEW filtered_predictions AS SELECT 1", "CREATE"),
    ("INSERT INTO departments (department, name) VALUES ('x', 'y')", "INSERT"),
    ("UPDATE departments SET name = 'x'", "UPDATE"),
    ("DELETE FROM departments", "DELETE"),
    ("DROP VIEW predictions", "DROP"),
    ("ALTER TABLE departments RENAME TO d", "ALTER"),
    ("VACUUM", "VACUUM"),
    ("EXPLAIN ANALYZE COPY departments TO '{tmp}/out.csv'", "EXPLAIN"),
    ("/* hidden */ EXPLAIN CREATE TABLE mine AS SELECT 1", "EXPLAIN"),
    ("PIVOT departments ON state USING count(*)", "PIVOT"),
])
def test_statements_that_do_more_than_read_are_refused_and_nothing_happens(tiny_console, tmp_path_factory, sql,
                                                                          reason):
    out = tmp_path_factory.mktemp("out")
    result = tiny_console.run(sql.format(tmp=out))
    assert not result.ok and result.error.startswith("Refused")
    assert reason in result.error
    assert list(out.iterdir()) == []
    assert rows(tiny_console, "SELECT count(*) FROM departments") == [(2,)]
    assert rows(tiny_console, "SELECT current_setting('enable_external_access')") == [(False,)]


def test_one_statement_per_run(tiny_console):
    result = tiny_console.run("SELECT 1; SELECT 2")
    assert result.error == ("Refused: the console runs one statement at a time and this text holds 2. "
                            "Run them one by one.")
    smuggled = tiny_console.run("SELECT 1; COPY departments TO '/tmp/pp-smuggled.csv'")
    assert not smuggled.ok and "one statement" in smuggled.error


def test_the_parser_decides_not_the_spelling(tiny_console):
    # Words that a string filter would trip over, in a harmless query; and a leading comment before COPY.
    assert rows(tiny_console, "SELECT 'COPY departments TO x; ATTACH y' AS text") == [
        ("COPY departments TO x; ATTACH y",)]
    assert check("-- just reading\ncopy departments to '/tmp/x.csv'")[1].startswith("Refused")


def test_empty_text_asks_for_a_query(tiny_console):
    assert tiny_console.run("  -- nothing\n").error.startswith("Write a query")


def test_python_variables_are_not_reachable(tiny_console):
    secret = pd.DataFrame({"token": ["do-not-show"]})  # noqa: F841 - DuckDB would scan it by name
    result = tiny_console.run("SELECT * FROM secret")
    assert not result.ok and "does not exist" in result.error


def test_a_query_past_the_time_limit_is_stopped_and_the_console_still_works(tiny):
    c = Console(tiny, time_limit=0.3)
    result = c.run("SELECT count(*) FROM range(1000000000000) a, range(1000) b")
    assert result.stopped and result.error.startswith("Stopped after 0.3 s")
    assert rows(c, "SELECT 41 + 1") == [(42,)]
    c.close()


def test_a_second_run_of_the_page_waits_for_the_query_of_the_first(tiny):
    # Two script runs of one session overlap when a reader clicks while the last run is still stopping: the second
    # run's use_filters() must wait for the first run's query, not fail with DuckDB's "connection is busy".
    import threading
    import time
    c = Console(tiny, time_limit=1.0)
    slow = threading.Thread(target=c.run, args=("SELECT count(*) FROM range(1000000000000) a, range(1000) b",))
    slow.start()
    while not c._busy.locked():
        pass
    time.sleep(0.3)  # the query is running
    c.use_filters(Filters(departments=("alpha",)))
    slow.join()
    assert rows(c, "SELECT departments FROM current_filters") == [(["alpha"],)]
    c.close()


def test_errors_carry_duckdbs_message_and_position(tiny_console):
    result = tiny_console.run("SELECT nme FROM departments")
    assert result.error.startswith('Binder Error: Referenced column "nme" not found')
    assert "Traceback" not in result.error
    parse = tiny_console.run("SELECT name\nFROM departments\nWHERE name = = 'x'")
    assert parse.error.startswith("Parser Error: syntax error at or near \"=\"")
    assert "LINE 3: WHERE name = = 'x'" in parse.error and "^" in parse.error


@pytest.mark.parametrize("sql, expected", [
    ("SELECT department, sum(count) FROM predictions GROUP BY ALL ORDER BY 1", [("alpha", 26), ("beta", 9)]),
    ("WITH a AS (SELECT * FROM race WHERE total >= 200) SELECT geoid FROM a ORDER BY 1",
     [("010010000012",), ("060010000021",)]),
    ("FROM departments SELECT name ORDER BY name", [("Alpha City, Ala.",), ("Beta Town, Calif.",)]),
    ("SELECT coalesce(majority, '(park)'), count(*) FROM block_group_stats GROUP BY 1 ORDER BY 1",
     [("(park)", 1), ("asian", 1), ("black", 1), ("latino", 2), ("white", 1)]),
    ("VALUES (1, 'a')", [(1, "a")]),
    ("PIVOT departments ON state IN ('AL', 'CA') USING count(*) GROUP BY department ORDER BY department",
     [("alpha", 1, 0), ("beta", 0, 1)]),
])
def test_reading_queries_return_the_right_rows(tiny_console, sql, expected):
    assert rows(tiny_console, sql) == expected


def test_describe_summarize_show_and_explain(tiny_console):
    described = tiny_console.run("DESCRIBE departments").frame()
    assert "first_prediction_date" in described["column_name"].tolist()
    summary = tiny_console.run("SUMMARIZE race").frame()
    assert summary.set_index("column_name").loc["total", "max"] == "300"
    shown = [r[0] for r in rows(tiny_console, "SHOW TABLES")]
    assert {"departments", "predictions", "block_group_stats", "filtered_predictions"} <= set(shown)
    plan = tiny_console.run("EXPLAIN SELECT * FROM departments")
    assert plan.ok and plan.plan and "READ_PARQUET" in plan.plan_text()


def test_total_count_is_exact_beyond_the_kept_rows(tiny):
    c = Console(tiny, keep_rows=3)
    result = c.run("FROM range(10)")
    assert result.total == 10 and result.table.num_rows == 3 and result.truncated
    assert result.frame()["range"].tolist() == [0, 1, 2]
    c.close()


def test_sums_of_integers_come_back_as_integers(tiny_console):
    frame = tiny_console.run("SELECT sum(count) AS n, avg(count) AS mean FROM predictions").frame()
    assert frame["n"].dtype == "int64" and frame["n"].iloc[0] == 35
    assert frame["mean"].iloc[0] == pytest.approx(5.0)


@pytest.mark.parametrize("filters, block_groups, predictions", [
    (Filters(), 6, 35),
    (Filters(departments=("alpha",)), 4, 26),                    # includes the 2 outside every block group
    (Filters(majority=("latino",)), 2, 14),                     # A3 (6) + B1 (8)
    (Filters(low_income=("ge75",)), 1, 15),                     # A1: 32 of 40 households
    (Filters(share_group="latino", min_share=0.55), 2, 14),     # A3 60%, B1 56.7%
    (Filters(start=date(2020, 1, 2)), 6, 20),                   # 5 + 6 in alpha, 8 + 1 in beta
    (Filters(incident_types=("Burglary",)), 6, 23),             # 10 + 3 + 2 outside + 8
    (Filters(departments=("beta",), end=date(2020, 2, 1)), 2, 8),
])
def test_filtered_views_hold_the_filtered_rows(tiny, tiny_con, tiny_console, filters, block_groups, predictions):
    tiny_console.use_filters(filters)
    assert rows(tiny_console, "SELECT count(*) FROM filtered_block_groups") == [(block_groups,)]
    assert rows(tiny_console, "SELECT coalesce(sum(count), 0) FROM filtered_predictions") == [(predictions,)]
    # The summary every page reads holds the same predictions, and the rows they came in.
    assert rows(tiny_console, "SELECT coalesce(sum(count), 0), coalesce(sum(records), 0) FROM "
                              "filtered_prediction_cells") == \
        rows(tiny_console, "SELECT coalesce(sum(count), 0), count(*) FROM filtered_predictions")
    # The same rows as the clause every other page uses, on the shared connection.
    where, params = filters.where("p")
    expected = db.run(tiny_con, f"SELECT p.line FROM predictions p WHERE {where} ORDER BY 1", params)
    got = tiny_console.run("SELECT line FROM filtered_predictions ORDER BY 1").frame()
    assert got["line"].tolist() == expected["line"].tolist()


def test_current_filters_shows_the_values(tiny_console):
    tiny_console.use_filters(Filters(departments=("beta",), majority=("latino", "white"), start=date(2020, 2, 2)))
    frame = tiny_console.run("FROM current_filters").frame()
    assert list(frame.loc[0, "departments"]) == ["beta"]
    assert list(frame.loc[0, "majority"]) == ["latino", "white"]
    assert frame.loc[0, "start"] == date(2020, 2, 2) and frame.loc[0, "end"] is None


def test_a_filter_value_is_data_never_sql(tiny_console):
    hostile = "alpha') OR TRUE OR ('"
    tiny_console.use_filters(Filters(departments=(hostile,)))
    assert rows(tiny_console, "SELECT count(*) FROM filtered_predictions") == [(0,)]
    assert rows(tiny_console, "SELECT departments[1] FROM current_filters") == [(hostile,)]


def test_filtered_views_of_the_optional_tables_follow_the_filters(demo):
    c = Console(demo)
    everything = rows(c, "SELECT count(*) FROM crime_reports")[0][0]
    c.use_filters(Filters(departments=("rivertonpdnj",)))
    riverton = rows(c, "SELECT count(*) FROM crime_reports WHERE department = 'rivertonpdnj'")[0][0]
    assert 0 < riverton < everything
    assert rows(c, "SELECT count(*) FROM filtered_crime_reports") == [(riverton,)]
    assert rows(c, "SELECT DISTINCT department FROM filtered_patrols") in ([], [("rivertonpdnj",)])
    c.close()


def test_the_console_is_a_separate_connection(tiny, tiny_con):
    c = Console(tiny)
    c.use_filters(Filters(departments=("alpha",)))
    assert db.scalar(tiny_con, "SELECT current_setting('enable_external_access')") is True
    tables = {r[0] for r in tiny_con.execute("SHOW TABLES").fetchall()}
    assert "filtered_predictions" not in tables and "current_filters" not in tables
    c.close()


def test_tables_lists_the_filtered_views_first_with_their_columns(tiny_console):
    listing = tiny_console.tables()
    order = list(dict.fromkeys(listing["table"]))
    assert order[:5] == ["filtered_block_groups", "filtered_crime_reports", "filtered_patrols",
                         "filtered_prediction_cells", "filtered_predictions"]
    assert order[-1] == "block_group_stats"
    columns = listing[listing["table"] == "departments"]["column"].tolist()
    assert columns[:3] == ["line", "department", "name"]


@pytest.mark.parametrize("example", console.EXAMPLES, ids=lambda e: e.page)
def test_every_example_runs(tiny_console, demo, example):
    assert tiny_console.run(example.sql).ok
    c = Console(demo)
    result = c.run(example.sql)
    assert result.ok, result.error
    assert result.total > 0
    c.close()


@pytest.fixture(scope="module")
def every_example_on():
    """{example page: its result frame} on the named data set (demo or real), through a console as the page's."""
    def run(data) -> dict[str, pd.DataFrame]:
        c = Console(data)
        c.use_filters(Filters())
        try:
            results = {e.page: c.run(e.sql) for e in console.EXAMPLES}
        finally:
            c.close()
        for page, result in results.items():
            assert result.ok, (page, result.error)
        return {page: result.frame() for page, result in results.items()}
    return run


@pytest.mark.parametrize("data", ["demo", "real"])
def test_every_example_gives_rows_with_no_empty_column(every_example_on, request, data):
    """An example whose column is blank on every row (addresses The Markup does not publish, days of undated
    predictions) teaches nothing: each must say something on the demo and on The Markup's data alike."""
    for page, frame in every_example_on(request.getfixturevalue(data)).items():
        assert len(frame), page
        empty = [c for c in frame.columns if frame[c].isna().all()]
        assert empty == [], f"{page}'s example returns blank columns {empty} on the {data} data"
        if "department" in frame.columns:  # names, not the slugs of the files
            assert not frame["department"].str.fullmatch(r"[a-z0-9]+").any(), page


def test_the_examples_on_the_real_data_give_the_published_figures(every_example_on, real):
    results = every_example_on(real)
    accuracy = results["Accuracy"].set_index("department").loc["Plainfield, N.J."]
    # The Markup's Plainfield file: 3,225 reports, 608 of them in a box during its shift (the Map's "hits")
    assert (accuracy["reports"], accuracy["inside_a_prediction_box"]) == (3225, 608)
    assert len(results["Overview"]) == 38  # departments with predictions
    audit = results["Audit"].iloc[0]
    assert (audit["department"], audit["predictions"], audit["days_in_use"]) == ("Orange County, Fla.", 3833, 985)
    assert audit["predictions_per_day_in_use"] == round(3833 / 985, 2)


def test_examples_on_the_tiny_data_give_hand_computed_numbers(tiny_console):
    overview = rows(tiny_console, console.EXAMPLES[0].sql)
    assert [(r[0], r[1], r[2]) for r in overview] == [("Alpha City, Ala.", 26, 4), ("Beta Town, Calif.", 9, 2)]
    disparities = {r[0]: r[1:] for r in rows(tiny_console, console.EXAMPLES[2].sql)}
    # A1 (majority Black): 15 predictions for 100 residents
    assert disparities["black"] == (1, 100, 15, 150.0)
    # A3 and B1 (majority Latino): 6 + 8 predictions for 100 + 300 residents
    assert disparities["latino"] == (2, 400, 14, 35.0)


def test_downloads_hold_the_whole_result(tiny_console):
    result = tiny_console.run("SELECT '=HYPERLINK(1)' AS cell, -74.4 AS lon FROM range(3)")
    csv, parquet = console.downloads(result)
    text = csv().decode()
    assert text.splitlines() == ["cell,lon", "'=HYPERLINK(1),-74.4", "'=HYPERLINK(1),-74.4",
                                 "'=HYPERLINK(1),-74.4"]
    import io
    back = pd.read_parquet(io.BytesIO(parquet()))
    assert back["cell"].tolist() == ["=HYPERLINK(1)"] * 3


def test_unusual_results_display_and_download(tiny_console):
    result = tiny_console.run("SELECT 1 AS a, 2 AS a, INTERVAL 1 DAY AS gap, [1, 2] AS pair")
    assert result.frame().columns.tolist() == ["a", "a_2", "gap", "pair"]
    csv, parquet = console.downloads(result)
    assert csv().decode().splitlines()[0] == "a,a_2,gap,pair"
    assert parquet()[:4] == b"PAR1"


def test_the_kept_result_is_capped_in_bytes_while_fetching(tiny):
    c = Console(tiny, keep_bytes=1 << 20)
    result = c.run("SELECT repeat('x', 1000) AS s FROM range(100000)")
    assert result.ok and result.total == 100_000 and result.cut_by_bytes and result.truncated
    assert result.table.nbytes <= 1 << 20
    assert result.table.num_rows == 1044  # each row: 1,000 bytes of text and a 4-byte offset
    csv, _ = console.downloads(result)
    assert len(csv().decode().splitlines()) == 1 + 1044
    assert console.cut_notice(result).startswith("The result has 100,000 rows and the console keeps at most 1 MB")
    c.close()


def test_a_single_row_larger_than_the_cap_keeps_no_rows(tiny):
    c = Console(tiny, keep_bytes=1 << 20)
    result = c.run("SELECT repeat('x', 2000000) AS s")
    assert result.ok and result.total == 1 and result.table.num_rows == 0
    assert "holds no rows (a single row is larger than that)" in console.cut_notice(result)
    c.close()


def test_the_page_table_gets_at_most_show_bytes(tiny_console):
    result = tiny_console.run("SELECT repeat('x', 1000000) AS s FROM range(12)")
    assert result.table.num_rows == 12 and result.shown_rows() == 4  # 4 MB of 1 MB cells
    assert len(result.frame()) == 4 and len(result.frame(limit=None)) == 12


@pytest.mark.parametrize("sql, text", [
    ("SELECT union_value(k := 1) AS v", "1"),
    ("SELECT 'infinity'::DATE AS v", "infinity"),
    ("SELECT '-infinity'::DATE AS v", "-infinity"),
    ("SELECT '5877642-06-25 (BC)'::DATE AS v", "5877642-06-25 (BC)"),
    ("SELECT TIME '24:00:00' AS v", "24:00:00"),
])
def test_values_pandas_cannot_hold_become_duckdbs_text(tiny_console, sql, text):
    result = tiny_console.run(sql)
    assert result.frame()["v"].tolist() == [text]
    csv, parquet = console.downloads(result)
    # A leading minus is one of the characters a spreadsheet starts a formula with: the CSV escapes it.
    assert csv().decode().splitlines() == ["v", "'" + text if text.startswith("-") else text]
    assert parquet()[:4] == b"PAR1"


def test_console_queries_take_turns_across_sessions(tiny):
    import threading
    first, second = Console(tiny, time_limit=1.0), Console(tiny, time_limit=0.5)
    slow = threading.Thread(target=first.run, args=("SELECT count(*) FROM range(1000000000000) a, range(1000) b",))
    slow.start()
    while not first._busy.locked():
        pass
    import time
    time.sleep(0.1)
    waited = second.run("SELECT 1")
    slow.join()
    assert waited.stopped and waited.error.startswith("The console is busy with other visitors' queries")
    assert rows(second, "SELECT 41 + 1") == [(42,)]
    first.close()
    second.close()


def test_a_count_past_the_time_limit_keeps_the_rows_and_says_more_than(tiny):
    c = Console(tiny, time_limit=0.5, keep_rows=3)
    result = c.run("SELECT a.range * b.range AS x FROM range(1000000000) a, range(1000) b;  -- a comment")
    assert result.ok and result.table.num_rows == 3 and not result.total_exact
    assert console.cut_notice(result).startswith("The result has more than 3 rows")
    assert rows(c, "SELECT 41 + 1") == [(42,)]
    c.close()


def test_sessions_share_one_locked_database_but_each_keeps_its_own_filters(tiny):
    first, second = Console(tiny), Console(tiny)
    assert first._database is second._database
    first.use_filters(Filters(departments=("alpha",)))
    second.use_filters(Filters(departments=("beta",)))
    assert rows(first, "SELECT departments FROM current_filters") == [(["alpha"],)]
    assert rows(second, "SELECT departments FROM current_filters") == [(["beta"],)]
    assert {r[0] for r in rows(second, "SELECT DISTINCT department FROM filtered_predictions")} == {"beta"}
    with pytest.raises(Exception, match="configuration has been locked"):
        second.con.execute("SET enable_external_access = true")
    assert not second.run("SELECT * FROM read_text('/etc/passwd')").ok
    first.close()  # one session leaving closes its cursor, not the others'
    assert rows(second, "SELECT 41 + 1") == [(42,)]
    second.close()


def test_current_filters_holds_the_sites_an_exclusion_adds(tiny_console):
    tiny_console.use_filters(Filters(exclude=("artefacts",), exclude_sites=((40.1, -74.2), (40.3, -74.4))))
    result = tiny_console.run("SELECT exclude, exclude_sites FROM current_filters")
    assert result.table.to_pylist() == [{"exclude": ["artefacts"],
                                         "exclude_sites": [[40.1, -74.2], [40.3, -74.4]]}]
