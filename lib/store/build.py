"""Build the stored tables (lib/store/tables.py) from the raw typed tables the loader wrote, in dependency order."""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd

from lib import db
from lib.store.tables import Table, in_dependency_order

PART = "part-0.parquet"


def resolve(reference: str) -> Callable:
    """The function named "module:function"."""
    module, name = reference.split(":")
    return getattr(importlib.import_module(module), name)


def build_derived(tables: Path, memory_limit: str, spill: Path) -> None:
    """tables/<name>/ for every derived table, each from the raw tables and those built before it. Each is
    written from its own query (streamed to Parquet) and then read back as a view by the ones after it."""
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = {db.literal(memory_limit)}")
        con.execute(f"SET temp_directory = {db.literal(spill)}")
        # A partitioned write buffers up to this many rows per department and thread before writing them out;
        # at DuckDB's default (524,288) 20M predictions in 10 departments ran out of the build's memory limit.
        con.execute("SET partitioned_write_flush_threshold = 65536")
        db.create_tables(con, tables, in_memory=(), derived=False)
        context: dict[str, object] = {}
        for table in in_dependency_order():
            if table.raw:
                continue
            _build_one(con, table, tables / table.name, context)
            con.execute(f"CREATE OR REPLACE VIEW {table.name} AS {db.stored_files(tables / table.name)}")
    finally:
        con.close()


def _build_one(con, table: Table, folder: Path, context: dict) -> None:
    folder.mkdir()
    for setting in table.settings:
        con.execute(f"SET {setting}")
    try:
        if table.function:
            _write_frame(con, table, folder, _memo(context, table.function, lambda: resolve(table.function)(con)))
        else:
            _write_select(con, table, folder, context)
    finally:
        for setting in table.settings:
            con.execute(f"RESET {setting.split('=')[0].strip()}")


def _memo(context: dict, key: str, compute):
    if key not in context:
        context[key] = compute()
    return context[key]


def _write_select(con, table: Table, folder: Path, context: dict) -> None:
    values = dict(_memo(context, table.parameters, lambda: resolve(table.parameters)(con))) if table.parameters \
        else {}
    text = db.sql(table.sql).format(**{**table.fragments, **values})
    if table.per_department_of:
        text = f"SELECT CAST($department AS VARCHAR) AS department, * FROM ({text})"
    if table.order:
        text = f"{text} ORDER BY {table.order}"
    partitioned = f"{db.literal(folder)} (FORMAT parquet, PARTITION_BY ({table.partition}), OVERWRITE_OR_IGNORE)"
    if table.per_department_of:
        departments = [row[0] for row in con.execute(
            f"SELECT DISTINCT department FROM {table.per_department_of} WHERE department IS NOT NULL "
            "ORDER BY 1").fetchall()]
        for department in departments:
            _copy(con, text, partitioned, {**values, "department": department})
    elif table.partition:
        _copy(con, text, partitioned, values)
    # with no rows (or no partitioning), one file that has the columns
    if not db.stored_files(folder):
        _copy(con, text, f"{db.literal(folder / PART)} (FORMAT parquet)", {**values, "department": None})


def _copy(con, select: str, target: str, values: dict) -> None:
    statement = f"COPY ({select}) TO {target}"
    con.execute(statement, db.bind(statement, values))


def _write_frame(con, table: Table, folder: Path, frames: dict[str, pd.DataFrame]) -> None:
    frame = frames[table.name]
    columns = ", ".join(f'CAST("{c}" AS {table.column_types.get(c, "VARCHAR")}) AS "{c}"' for c in frame.columns)
    con.register("_frame", frame)
    try:
        con.execute(f"COPY (SELECT {columns} FROM _frame) TO {db.literal(folder / PART)} (FORMAT parquet)")
    finally:
        con.unregister("_frame")
