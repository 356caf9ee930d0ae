"""The DuckDB connection over a loaded dataset, and the one helper that runs named SQL files."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from lib import schema
from lib.store import tables as stored
from lib.data.csvfile import sql_type

SQL_DIR = Path(__file__).parent / "sql"
PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
@lru_cache(maxsize=None)
def sql(name: str) -> str:
    """The text of lib/sql/<name>.sql."""
    return (SQL_DIR / f"{name}.sql").read_text()


def bind(text: str, params: dict | None) -> dict:
    """The parameters a statement uses (DuckDB refuses extra ones)."""
    used = set(PARAMETER.findall(text))
    return {k: v for k, v in (params or {}).items() if k in used}


def run(con: duckdb.DuckDBPyConnection, text: str, params: dict | None = None) -> pd.DataFrame:
    return con.execute(text, bind(text, params)).df()


def query(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None, **fragments: str) -> pd.DataFrame:
    """Run lib/sql/<name>.sql. `fragments` fill {placeholders} with SQL built by lib code
    (filter clauses), never with user text; user values travel only as $parameters.
    A query that says {selection} gets the CTEs of lib/sql/selection.sql (p, per_bg, bg)."""
    text = sql(name)
    if fragments:
        if "{selection}" in text:
            fragments = {**fragments, "selection": sql("selection").format(**fragments)}
        text = text.format(**fragments)
    return run(con, text, params)


def scalar(con: duckdb.DuckDBPyConnection, text: str, params: dict | None = None):
    return con.execute(text, bind(text, params)).fetchall()[0][0]


def open_connection(dataset) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with every canonical table as a view or table."""
    con = duckdb.connect()
    create_tables(con, dataset.store / "tables")
    return con


def create_tables(con: duckdb.DuckDBPyConnection, tables: Path, in_memory: tuple[str, ...] | None = None,
                  derived: bool = True) -> None:
    """Every stored table (lib/store/tables.py) and block_group_stats on `con`: those declared in_memory (or named
    in `in_memory`) are copied into memory, the others are views over the Parquet store (the SQL console keeps
    them all as views). `derived=False`: the raw tables only (the stored tables' build adds the others)."""
    for table in stored.TABLES:
        if table.raw or derived:
            _create(con, table, tables, table.in_memory if in_memory is None else table.name in in_memory)
    con.execute(sql("macros"))
    brackets = bracket_columns(con)
    con.execute(sql("block_group_stats").format(bracket_columns="".join(f"i.{c}, " for c in brackets),
                                                top_bracket=_top_bracket_sql(brackets),
                                                has_brackets=" OR ".join(f"i.{c} IS NOT NULL" for c in brackets)
                                                or "FALSE"))


def _create(con, table: stored.Table, tables: Path, in_memory: bool) -> None:
    kind = "TABLE" if in_memory else "VIEW"
    if table.raw and not table.partition:
        path = tables / f"{table.name}.parquet"
        if in_memory:
            con.execute(f"CREATE TABLE {table.name} AS SELECT * FROM read_parquet($path)", {"path": str(path)})
        else:
            # A view cannot hold a parameter: the path (ours, not the user's) goes in as a quoted literal.
            con.execute(f"CREATE VIEW {table.name} AS SELECT * FROM read_parquet({literal(path)})")
    elif files := stored_files(tables / table.name):
        con.execute(f"CREATE {kind} {table.name} AS {files}")
    elif table.name == "predictions":
        _empty_predictions(con)
    elif table.sql and not table.parameters and not table.per_department_of:
        # a store without it (written by a test's own loader): computed on the fly from its inputs
        con.execute(f"CREATE VIEW {table.name} AS {sql(table.sql).format(**table.fragments)}")


def stored_files(folder: Path) -> str | None:
    """SELECT over a stored table's folder: one department per subfolder (Hive layout: a query on one department
    opens its files only; department first, as written), else its part-*.parquet; None when it has neither."""
    if any(folder.glob("*/*.parquet")):
        files = literal(f"{folder}/*/*.parquet")
        return (f"SELECT department, * EXCLUDE (department) FROM read_parquet({files}, hive_partitioning = true, "
                "hive_types_autocast = false)")
    if any(folder.glob("part-*.parquet")):
        return f"SELECT * FROM read_parquet({literal(folder / 'part-*.parquet')})"
    return None


def literal(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _empty_predictions(con) -> None:
    spec = schema.spec("predictions")
    cols = ", ".join(f'CAST(NULL AS {sql_type(c)}) AS "{c.name}"' for c in spec.columns)
    con.execute(f"CREATE VIEW predictions AS SELECT 0::BIGINT AS line, {cols} WHERE FALSE")


def bracket_columns(con) -> list[str]:
    return [r[0] for r in con.execute("DESCRIBE income").fetchall()
            if re.fullmatch(schema.INCOME_BRACKET_PATTERN, r[0])]


def _top_bracket_sql(cols: list[str]) -> str:
    """The bracket holding the most households of the block group (NULL when there are no brackets)."""
    if not cols:
        return "CAST(NULL AS VARCHAR)"
    largest = f"greatest({', '.join(f'coalesce(i.{c}, -1)' for c in cols)})"
    cases = " ".join(f"WHEN coalesce(i.{c}, -1) = {largest} THEN '{c}'" for c in cols)
    return f"CASE WHEN {largest} > 0 THEN CASE {cases} END END"
