"""Downloads that are safe to open in a spreadsheet."""
from __future__ import annotations

import io
import re

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

# Spreadsheets run a cell starting with these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Numeric text (a signed number, with thousands separators or a percent sign) is data, not a formula.
NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+(\.\d*)?|\d+\.?\d*|\.\d+)([eE][+-]?\d+)?%?")


def neutralise_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as formulas; numbers (and numeric text like -74.4) are unchanged."""
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_datetime64_any_dtype(out[column])):
            out[column] = out[column].map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return neutralise(frame).to_csv(index=False).encode("utf-8")


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def arrow_parquet_bytes(table: pa.Table) -> bytes:
    """Parquet straight from Arrow, keeping the types DuckDB gave (no spreadsheet risk: Parquet is typed).
    A column of a type Parquet cannot hold (e.g. an INTERVAL) is written as text."""
    try:
        return _parquet(table)
    except pa.ArrowNotImplementedError:
        for i, field in enumerate(table.schema):
            try:
                _parquet(pa.table([table.column(i).slice(0, 0)], names=[field.name]))
            except pa.ArrowNotImplementedError:
                text = pa.array([None if v is None else str(v) for v in table.column(i).to_pylist()], pa.string())
                table = table.set_column(i, field.name, text)
        return _parquet(table)


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()
