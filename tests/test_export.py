"""Downloads: formula-looking text is neutralised for spreadsheets, numbers and numeric text are not touched."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pyarrow as pa
import pytest

from lib import export


@pytest.mark.parametrize("cell, expected", [
    ("=1+2", "'=1+2"),
    ("=HYPERLINK(\"http://evil\",\"click\")", "'=HYPERLINK(\"http://evil\",\"click\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("\t5", "'\t5"),
    ("-", "'-"),
    ("- 5", "'- 5"),
    ("-74.4", "-74.4"),
    ("+1", "+1"),
    ("-1,234.5", "-1,234.5"),
    ("-12%", "-12%"),
    ("-1e-5", "-1e-5"),
    ("-.5", "-.5"),
    ("1 First St", "1 First St"),
    ("Plainfield = N.J.", "Plainfield = N.J."),
    ("", ""),
    (-74.4, -74.4),
    (7, 7),
    (None, None),
])
def test_neutralise_cell(cell, expected):
    assert export.neutralise_cell(cell) == expected


def test_a_frame_keeps_its_numbers_and_dates_and_neutralises_text_and_headers():
    frame = pd.DataFrame({"address": ["=cmd()", "12 Main St", "@x", None], "lon": [-74.4, -1.0, 0.0, 2.5],
                          "count": [-3, 1, 2, 4], "day": pd.to_datetime(["2020-01-01"] * 4),
                          "=bad header": ["-5", "+x", "-x", "1"]})
    out = export.neutralise(frame)
    assert out["address"].tolist()[:3] == ["'=cmd()", "12 Main St", "'@x"] and out["address"].isna().iloc[3]
    assert out["lon"].tolist() == [-74.4, -1.0, 0.0, 2.5] and out["count"].tolist() == [-3, 1, 2, 4]
    assert out["day"].equals(frame["day"])
    assert list(out.columns)[-1] == "'=bad header"
    assert out["'=bad header"].tolist() == ["-5", "'+x", "'-x", "1"]
    assert frame["address"].iloc[0] == "=cmd()"  # the input is not changed


def test_csv_bytes():
    frame = pd.DataFrame({"name": ["=1+1", "Riverton"], "lon": [-74.45, -74.4]})
    assert export.csv_bytes(frame).decode().splitlines() == ["name,lon", "'=1+1,-74.45", "Riverton,-74.4"]


def test_parquet_keeps_values_and_types():
    frame = pd.DataFrame({"name": ["=1+1"], "lon": [-74.45], "day": [date(2020, 1, 2)]})
    back = pd.read_parquet(io.BytesIO(export.parquet_bytes(frame)))
    assert back.to_dict("records") == [{"name": "=1+1", "lon": -74.45, "day": date(2020, 1, 2)}]


def test_arrow_parquet_bytes_keeps_decimals_and_lists():
    table = pa.table({"n": pa.array([35], pa.decimal128(38, 0)), "tags": [["a", "b"]]})
    back = pa.parquet.read_table(io.BytesIO(export.arrow_parquet_bytes(table)))
    assert back.schema.field("n").type == pa.decimal128(38, 0)
    assert back.to_pylist() == [{"n": 35, "tags": ["a", "b"]}]


def test_a_type_parquet_cannot_hold_is_written_as_text():
    import duckdb
    table = duckdb.connect().sql("SELECT INTERVAL 1 DAY AS gap, 7 AS n").to_arrow_table()
    back = pa.parquet.read_table(io.BytesIO(export.arrow_parquet_bytes(table)))
    assert back.schema.field("gap").type == pa.string() and back.column("gap").to_pylist()[0]
    assert back.column("n").to_pylist() == [7]
