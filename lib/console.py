"""The read-only SQL console: a locked-down DuckDB database per store, a cursor of its own per session, one reading
query per run.

Safety does not rest on reading the user's text. Three layers:
1. DuckDB's own parser classifies the text (`duckdb.extract_statements`): exactly one statement, of a kind that
   only reads (SELECT, which covers WITH, FROM-first, VALUES, DESCRIBE, SUMMARIZE, SHOW and PIVOT; or EXPLAIN of
   such a statement).
2. The connection itself cannot reach anything but the data: `enable_external_access` is off (no file readers,
   no COPY, no ATTACH, no extensions, no Python replacement scans), the only readable folder is the dataset's
   own Parquet store, memory and threads are capped, no spilling to disk, and the configuration is locked so a
   statement could not undo any of it.
3. A timer interrupts a query that runs past the time limit, and one console query at a time runs in the whole
   server (on one thread), so visitors' heavy queries queue for the console instead of taking the cores every
   page needs.
4. What a run keeps is capped in bytes as well as rows while it is fetched (Arrow record batches and a running
   byte count), so neither the session nor a download can grow past KEEP_BYTES; the browser's table gets at most
   SHOW_BYTES of it.

The database is the console's own, so nothing run here can touch the connection the other pages read.

The sidebar filters arrive as views (filtered_block_groups, filtered_predictions, …). DuckDB views cannot hold
parameters, so the filter VALUES go, as bound parameters, into a one-row temporary table `current_filters`; the
views are the clauses lib.filters builds (lib code, never user text) with each `$f_name` parameter read from that
table. No user value is ever formatted into SQL, and the views stay lazy (no copy of the filtered rows).
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd
import pyarrow as pa

from lib import db, export
from lib.filters import Filters

TIME_LIMIT = 10.0
SHOW_ROWS = 10_000
# The downloads hold the whole result up to this many rows and bytes; the count beyond them is still exact.
KEEP_ROWS = 1_000_000
KEEP_BYTES = 16 << 20  # ten sessions' results stay well inside a 690 MB Community Cloud app
SHOW_BYTES = 4 << 20
MEMORY_LIMIT = "512MB"
THREADS = 1
# Console queries running at once in the server; the others wait up to their time limit for a turn.
RUNNING_AT_ONCE = 1
BATCH_ROWS = 2048  # small batches keep the byte count close to the cap
MB = 1 << 20
_turns = threading.BoundedSemaphore(RUNNING_AT_ONCE)

READING = "SELECT, WITH, FROM, VALUES, DESCRIBE, SUMMARIZE, SHOW, PIVOT and EXPLAIN"
WHY_REFUSED = {
    "COPY": "COPY reads or writes files",
    "ATTACH": "ATTACH opens another database",
    "DETACH": "DETACH closes a database",
    "LOAD": "INSTALL and LOAD add extensions",
    "SET": "SET, RESET and USE change the connection's settings",
    "VARIABLE_SET": "SET VARIABLE changes the connection's state",
    "PRAGMA": "PRAGMA changes or inspects settings",
    "CALL": "CALL runs procedures",
    "EXPORT": "EXPORT DATABASE writes files",
    "MULTI": "this form runs several statements (write PIVOT with an explicit IN list)",
}
# (point table, alias, Filters.where keyword arguments)
FILTERED_POINTS = (
    ("predictions", "p", {}),
    ("prediction_cells", "p", {}),
    ("crime_reports", "p", {"typed": False}),
    ("patrols", "p", {"typed": False, "date_expr": "CAST(p.start AS DATE)"}),
    ("sites", "p", {"dated": False, "typed": False}),
)
FILTER_TYPES = {"departments": "VARCHAR[]", "low_income": "VARCHAR[]", "top_brackets": "VARCHAR[]",
                "majority": "VARCHAR[]", "share_group": "VARCHAR", "min_share": "DOUBLE", "start": "DATE",
                "end": "DATE", "incident_types": "VARCHAR[]", "exclude": "VARCHAR[]",
                "exclude_sites": "DOUBLE[][]"}
LEADING_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.DOTALL)
EXPLAIN_PREFIX = re.compile(r"EXPLAIN\s+(?:ANALY[SZ]E\s+)?(?:\([^)]*\)\s*)?", re.IGNORECASE)
PARAMETER = re.compile(r"\$f_([a-z_]+)")
TRAILING = re.compile(r"[\s;]+$")
NO_FILES = ("The console cannot read files or reach the network; it reads only the tables listed beside the "
            "editor.")


@dataclass
class Result:
    """What one run gave: rows (an Arrow table, at most KEEP_ROWS and KEEP_BYTES) and their total, or a message."""
    table: pa.Table | None = None
    total: int = 0
    error: str | None = None
    refused: bool = False  # by the statement check, before DuckDB ran anything
    stopped: bool = False
    plan: bool = False
    seconds: float = 0.0
    cut_by_bytes: bool = False  # the kept rows stop where the result passed KEEP_BYTES
    total_exact: bool = True  # False when the time limit came while counting the rows beyond the kept ones
    byte_cap: int = KEEP_BYTES

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def truncated(self) -> bool:
        return self.table is not None and (self.total > self.table.num_rows or not self.total_exact)

    def shown_rows(self, limit: int = SHOW_ROWS, max_bytes: int = SHOW_BYTES) -> int:
        """How many of the kept rows the page's table shows: at most `limit` rows and `max_bytes` bytes."""
        return _rows_within(self.table, min(limit, self.table.num_rows), max_bytes)

    def frame(self, limit: int | None = SHOW_ROWS) -> pd.DataFrame:
        table = self.table if limit is None else self.table.slice(0, self.shown_rows(limit))
        table = _plain_numbers(table).rename_columns(_unique(table.column_names))
        try:
            return table.to_pandas()
        except (pa.ArrowException, ValueError, OverflowError):
            return _pandas_ready(table).to_pandas()

    def plan_text(self) -> str:
        return "\n".join(str(v) for v in self.table.column(self.table.num_columns - 1).to_pylist())


def _rows_within(data: pa.Table | pa.RecordBatch, rows: int, max_bytes: int) -> int:
    """The most leading rows of `data` (up to `rows`) whose Arrow buffers fit in `max_bytes`."""
    if data.slice(0, rows).nbytes <= max_bytes:
        return rows
    low, high = 0, rows  # data.slice(0, low) fits, data.slice(0, high) does not
    while high - low > 1:
        middle = (low + high) // 2
        if data.slice(0, middle).nbytes <= max_bytes:
            low = middle
        else:
            high = middle
    return low


def _pandas_ready(table: pa.Table) -> pa.Table:
    """Columns pandas cannot hold become DuckDB's text for them: a UNION, a DATE of 'infinity' or 5877642 BC,
    TIME '24:00:00' (Python's date and time stop at year 9999 and hour 23)."""
    for i, field in enumerate(table.schema):
        try:
            table.select([i]).to_pandas()
        except (pa.ArrowException, ValueError, OverflowError):
            scratch = duckdb.connect()  # no access to anything: it only reads the column it is handed
            try:
                scratch.register("result_column", pa.table([table.column(i)], names=["value"]))
                text = scratch.sql("SELECT CAST(value AS VARCHAR) AS value FROM result_column").to_arrow_table()
            finally:
                scratch.close()
            table = table.set_column(i, field.name, text.column(0))
    return table


def _plain_numbers(table: pa.Table) -> pa.Table:
    """DuckDB's sum() of integers is a 128-bit integer, which reaches Arrow as a decimal and pandas as Python
    Decimal objects; show whole numbers as integers (when they fit) and other decimals as floats."""
    for i, column in enumerate(table.columns):
        if not pa.types.is_decimal(column.type):
            continue
        try:
            plain = column.cast(pa.int64()) if column.type.scale == 0 else column.cast(pa.float64())
        except pa.ArrowInvalid:
            plain = column.cast(pa.float64(), safe=False)
        table = table.set_column(i, table.field(i).name, plain)
    return table


def _unique(names: list[str]) -> list[str]:
    """SQL allows two result columns with one name (SELECT 1 AS a, 2 AS a); a table does not: a, a_2."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def _plain(value):
    """A filter value as DuckDB binds it: tuples (exclude_sites holds tuples of (lat, lon)) as lists."""
    return [_plain(v) for v in value] if isinstance(value, tuple) else value


def check(text: str) -> tuple[bool, str | None]:
    """(is_explain, refusal): refusal is None when `text` is exactly one statement that only reads.
    Text DuckDB cannot parse raises its ParserException (with the position)."""
    statements = duckdb.extract_statements(text)
    if not statements:
        return False, "Write a query first, for example: SELECT * FROM departments"
    if len(statements) > 1:
        return False, (f"Refused: the console runs one statement at a time and this text holds "
                       f"{len(statements)}. Run them one by one.")
    kind = statements[0].type.name
    if kind == "SELECT":
        return False, None
    if kind == "EXPLAIN":
        body = LEADING_COMMENTS.sub("", text, count=1)
        prefix = EXPLAIN_PREFIX.match(body)
        inner = body[prefix.end():] if prefix else ""
        if prefix and _single_select(inner):
            return True, None
        return True, f"Refused: EXPLAIN works here only on a query that reads ({READING})."
    reason = WHY_REFUSED.get(kind, f"{kind} statements change data or the database")
    return False, (f"Refused: the console only runs queries that read data ({READING}); {reason}. "
                   "Nothing was run.")


def _single_select(text: str) -> bool:
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error:
        return False
    return len(statements) == 1 and statements[0].type.name == "SELECT"


def error_message(exc: Exception) -> str:
    """DuckDB's own message (it carries the position as a LINE … ^^^ marker when there is one)."""
    text = str(exc).strip()
    if isinstance(exc, duckdb.PermissionException):
        return f"{NO_FILES}\n\n{text}"
    return text


# The locked-down databases (views over a store), one per store and server process, shared by every session's
# console: each session gets a cursor, whose temporary tables and views (current_filters, filtered_*) are its own.
# A database of its own per session cost ~7 MB (ten sessions on the SQL page: +74 MB); a cursor, ~0.1 MB.
DATABASES_KEPT = 4
_databases: dict[str, duckdb.DuckDBPyConnection] = {}
_databases_lock = threading.Lock()


def _database(tables: Path) -> duckdb.DuckDBPyConnection:
    """The console database over `tables`, made and locked down on first use. The oldest of more than
    DATABASES_KEPT is dropped from the list, never closed: the consoles still using it keep it alive."""
    with _databases_lock:
        key = str(tables)
        if key not in _databases:
            con = duckdb.connect()
            db.create_tables(con, tables, in_memory=())  # views over the Parquet store: no copy of the data
            _lock_down(con, tables)
            _databases[key] = con
            while len(_databases) > DATABASES_KEPT:
                _databases.pop(next(iter(_databases)))
        return _databases[key]


def _lock_down(con: duckdb.DuckDBPyConnection, tables: Path) -> None:
    # The only folder left readable is the store the views read; '' turns off spilling to disk. These settings
    # are the database's, so its cursors have them too, the memory limit bounding all of them together (one
    # console query runs at a time, RUNNING_AT_ONCE); python_enable_replacements is each connection's own, but
    # with external access off no cursor can scan a Python variable either.
    con.execute(f"SET allowed_directories = [{db.literal(str(tables) + '/')}]")
    for setting in ("temp_directory = ''", f"memory_limit = '{MEMORY_LIMIT}'", f"threads = {THREADS}",
                    "autoinstall_known_extensions = false", "autoload_known_extensions = false",
                    "python_enable_replacements = false", "enable_external_access = false",
                    "lock_configuration = true"):
        con.execute(f"SET {setting}")


class Console:
    """One session's console over a loaded dataset."""

    def __init__(self, dataset, time_limit: float = TIME_LIMIT, keep_rows: int = KEEP_ROWS,
                 keep_bytes: int = KEEP_BYTES):
        self.time_limit = time_limit
        self.keep_rows = keep_rows
        self.keep_bytes = keep_bytes
        self._database = _database(Path(dataset.store) / "tables")
        self.con = self._database.cursor()
        self._stopped = False
        self._busy = threading.Lock()  # held while the connection runs a statement
        self._filters: Filters | None = None
        self.use_filters(Filters())

    def use_filters(self, filters: Filters) -> None:
        """Point current_filters and the filtered_* views at `filters` (after any query still running: two runs
        of one session's page can overlap, and the connection serves one statement at a time). Nothing to do
        when they are those in use: the page calls this on every run."""
        with self._busy:
            if filters != self._filters:
                self._use_filters(filters)
                self._filters = filters

    def _use_filters(self, filters: Filters) -> None:
        values = {f.name: getattr(filters, f.name) for f in fields(Filters)}
        columns = ", ".join(f'$v_{name}::{FILTER_TYPES[name]} AS "{name}"' for name in values)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE current_filters AS SELECT {columns}",
                         {f"v_{name}": _plain(v) for name, v in values.items()})
        clause, _ = filters.block_group_where("s")
        self._view("filtered_block_groups", f"SELECT s.* FROM block_group_stats s WHERE {clause}")
        for table, alias, options in FILTERED_POINTS:
            clause, _ = filters.where(alias, **options)
            self._view(f"filtered_{table}", f"SELECT {alias}.* FROM {table} {alias} WHERE {clause}")

    def _view(self, name: str, select: str) -> None:
        body = PARAMETER.sub(lambda m: f'(SELECT "{m.group(1)}" FROM current_filters)', select)
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {body}")

    def run(self, text: str) -> Result:
        try:
            plan, refusal = check(text)
        except duckdb.Error as exc:
            return Result(error=error_message(exc))
        if refusal:
            return Result(error=refusal, refused=True)
        if not self._busy.acquire(blocking=False):
            return Result(error="Another query of yours is still running; wait for it to finish.")
        started = time.monotonic()
        if not _turns.acquire(timeout=self.time_limit):
            self._busy.release()
            return Result(error=f"The console is busy with other visitors' queries (it runs {RUNNING_AT_ONCE} at a "
                                f"time) and no turn came within {self.time_limit:g} s. Nothing was run; try again "
                                "in a moment.", stopped=True)
        self._stopped = False
        timer = threading.Timer(self.time_limit, self._stop)
        timer.start()
        try:
            result = self._fetch(text)
        except (duckdb.Error, pa.ArrowException, OSError) as exc:
            result = Result(error=error_message(exc))
        finally:
            timer.cancel()
            _turns.release()
            self._busy.release()
        if self._stopped and not result.ok:
            result = Result(error=f"Stopped after {self.time_limit:g} s: the query ran longer than the console "
                                  "allows. Narrow it (one department, a shorter date range, an aggregate or a "
                                  "LIMIT) and run it again.", stopped=True)
        result.plan = plan and result.ok
        result.seconds = time.monotonic() - started
        return result

    def _stop(self) -> None:
        self._stopped = True
        self.con.interrupt()

    def _fetch(self, text: str) -> Result:
        reader = self.con.sql(text).to_arrow_reader(BATCH_ROWS)
        kept, kept_rows, kept_bytes, cut_by_bytes = [], 0, 0, False
        for batch in reader:
            wanted = min(self.keep_rows - kept_rows, batch.num_rows)
            take = _rows_within(batch, wanted, self.keep_bytes - kept_bytes)
            if take:
                part = batch.slice(0, take)
                kept.append(part)
                kept_rows += take
                kept_bytes += part.nbytes
            if take < batch.num_rows:  # a cap is reached: what is kept is complete
                cut_by_bytes = take < wanted
                break
        else:
            return Result(pa.Table.from_batches(kept, schema=reader.schema), kept_rows)
        reader.close()
        table = pa.Table.from_batches(kept, schema=reader.schema)
        total, exact = self._count(text, kept_rows)
        return Result(table, total, cut_by_bytes=cut_by_bytes, total_exact=exact, byte_cap=self.keep_bytes)

    def _count(self, text: str, at_least: int) -> tuple[int, bool]:
        """The result's row count, counted by DuckDB (which need not build the values, and does not hold Python's
        lock as a loop over batches would); (at_least, False) when the time limit comes first."""
        body = TRAILING.sub("", duckdb.extract_statements(text)[0].query)
        try:
            return self.con.execute(f"SELECT count(*) FROM (\n{body}\n)").fetchone()[0], True
        except duckdb.Error:
            return at_least, False

    def tables(self) -> pd.DataFrame:
        """Every table and view a query can use, with its columns: the filtered views first."""
        with self._busy:
            return self._tables()

    def _tables(self) -> pd.DataFrame:
        return self.con.execute(
            "SELECT c.table_name AS \"table\", c.column_name AS \"column\", c.data_type AS type, "
            "CASE WHEN c.table_name LIKE 'filtered_%' THEN 0 WHEN c.table_name = 'current_filters' THEN 1 "
            "WHEN c.table_name = 'block_group_stats' THEN 3 ELSE 2 END AS rank "
            "FROM duckdb_columns() c WHERE NOT c.internal "
            "ORDER BY rank, c.table_name, c.column_index").df().drop(columns="rank")

    def close(self) -> None:
        self.con.close()


def downloads(result: Result) -> tuple[Callable[[], bytes], Callable[[], bytes]]:
    """Deferred builders of the CSV and Parquet files, so a large result is only written when asked for."""
    def csv() -> bytes:
        return export.csv_bytes(result.frame(limit=None))

    def parquet() -> bytes:
        try:
            return export.arrow_parquet_bytes(result.table)
        except (pa.ArrowException, ValueError, OverflowError):
            return export.arrow_parquet_bytes(_pandas_ready(result.table))
    return csv, parquet


def cut_notice(result: Result) -> str | None:
    """What the kept rows leave out and how to get the rest, in plain words; None when they hold everything."""
    if not result.truncated:
        return None
    total = f"{result.total:,}" if result.total_exact else f"more than {result.total:,}"
    kept = result.table.num_rows
    if result.cut_by_bytes:
        why = f"the console keeps at most {result.byte_cap / MB:g} MB of a result"
    else:
        why = f"the console keeps at most {KEEP_ROWS:,} rows of a result"
    first = f"the first {kept:,} rows" if kept else "no rows (a single row is larger than that)"
    return (f"The result has {total} row{'s' if result.total != 1 else ''} and {why}, so it holds {first}, and the downloads hold the same. To get "
            "everything, narrow the query: select only the columns you need, aggregate (GROUP BY), filter (WHERE) "
            "or add a LIMIT.")


@dataclass(frozen=True)
class Example:
    page: str
    question: str
    sql: str


EXAMPLES = (
    Example("Overview", "How many predictions did each department get?", """\
-- Predictions and prediction locations per department, within the sidebar filters.
SELECT d.name AS department,
       sum(p.count) AS predictions,
       count(DISTINCT [p.lat, p.lon]) AS locations,
       d.first_prediction_date AS first_day,  -- from departments.csv: The Markup's predictions carry no dates
       d.final_prediction_date AS last_day
FROM filtered_predictions p
JOIN departments d USING (department)
GROUP BY ALL
ORDER BY predictions DESC"""),
    Example("Map", "Where did predictions fall most often?", """\
-- The 25 prediction locations with the most predictions, with the block group each lies in (blank: outside
-- every analysed block group) and who lives there.
SELECT d.name AS department, p.lat, p.lon, p.geoid AS block_group,
       sum(p.count) AS predictions,
       any_value(s.total) AS residents,
       any_value(s.majority) AS majority_of_residents
FROM filtered_predictions p
JOIN departments d USING (department)
LEFT JOIN block_group_stats s USING (department, geoid)
GROUP BY d.name, p.lat, p.lon, p.geoid
ORDER BY predictions DESC, department, p.lat, p.lon
LIMIT 25"""),
    Example("Disparities", "Do predictions fall hardest on Black, Latino and low-income neighbourhoods?", """\
-- Predictions per 1,000 residents by the majority group of the block group.
WITH per_block_group AS (
    SELECT s.department, s.geoid, s.majority, s.total,
           coalesce(sum(p.count), 0) AS predictions
    FROM filtered_block_groups s
    LEFT JOIN filtered_predictions p USING (department, geoid)
    GROUP BY ALL
)
SELECT majority,
       count(*) AS block_groups,
       sum(total) AS residents,
       sum(predictions) AS predictions,
       round(1000 * sum(predictions) / nullif(sum(total), 0), 1) AS predictions_per_1000_residents
FROM per_block_group
GROUP BY majority
ORDER BY predictions_per_1000_residents DESC NULLS LAST"""),
    Example("Accuracy", "How often did the predictions come true?", """\
-- Reported crimes, how many were of a type the software predicts, and how many fell inside a prediction box:
-- as the file records it (has_prediction: during the box's shift), or where the file does not say, inside a
-- 600 ft box predicted for the report's day. The Accuracy page also matches the types, removes duplicates,
-- reports outside the prediction window and excluded addresses, so its numbers are smaller.
WITH reports AS (
    SELECT r.department, r.predictable_type, r.lat, r.lon,
           coalesce(r.has_prediction, EXISTS (
               SELECT 1 FROM filtered_predictions p
               WHERE p.department = r.department AND p.date = r.date
                 AND abs(r.lat - p.lat) * 364813 <= 300
                 AND abs(r.lon - p.lon) * 364813 * cos(radians(p.lat)) <= 300)) AS in_a_box
    FROM filtered_crime_reports r
)
SELECT d.name AS department,
       count(*) AS reports,
       count(*) FILTER (WHERE predictable_type IS NOT NULL) AS of_a_predicted_type,
       count(*) FILTER (WHERE in_a_box) AS inside_a_prediction_box,
       count(*) FILTER (WHERE lat IS NULL OR lon IS NULL) AS without_coordinates
FROM reports
JOIN departments d USING (department)
GROUP BY d.name
ORDER BY reports DESC"""),
    Example("Audit", "Which places were targeted day after day?", """\
-- The 25 prediction locations with the most predictions per day the department used the software (from
-- its first to its final prediction date): 1 or more is, on average, a prediction there every day. It
-- needs no dated predictions (The Markup's published predictions have none); the Audit page counts the
-- days one by one where the data has dates.
SELECT d.name AS department, p.lat, p.lon, p.geoid AS block_group,
       sum(p.count) AS predictions,
       any_value(date_diff('day', d.first_prediction_date, d.final_prediction_date) + 1) AS days_in_use,
       round(sum(p.count) / any_value(date_diff('day', d.first_prediction_date, d.final_prediction_date) + 1), 2)
           AS predictions_per_day_in_use
FROM filtered_predictions p
JOIN departments d USING (department)
GROUP BY d.name, p.lat, p.lon, p.geoid
ORDER BY predictions_per_day_in_use DESC, department, p.lat, p.lon
LIMIT 25"""),
    Example("Filters", "Which sidebar filters are on?", """\
-- The sidebar's filters as the filtered_* views apply them (an empty list: no filter on that).
SELECT * REPLACE (coalesce(CAST(start AS VARCHAR), 'the first day in the data') AS start,
                  coalesce(CAST("end" AS VARCHAR), 'the last day in the data') AS "end")
FROM current_filters"""),
)
