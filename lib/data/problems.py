"""Problems found in input files, as values the pages and the CLI can show."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import json

import pandas as pd

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    value: str | None
    expected: str
    severity: str = ERROR
    # "line" for CSV files, "feature" for GeoJSON
    unit: str = "line"

    def message(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"{self.unit} {self.line:,}")
        if self.column:
            where.append(f"column {self.column}")
        found = "" if self.value is None else "found a blank field; " if self.value == "" else f"found {self.value!r}; "
        return f"{', '.join(where)}: {found}{self.expected}"


def shown(value, limit: int = 80) -> str:
    """A found value as a problem quotes it: text as it is, anything else (a list, an object) as JSON, cut short."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


PROBLEM_COLUMNS = ["severity", "file", "unit", "line", "column", "value", "expected"]


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    if not problems:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    return pd.DataFrame([asdict(p) for p in problems])[PROBLEM_COLUMNS]


def problems_from_frame(frame: pd.DataFrame) -> list[Problem]:
    def clean(value):
        return None if value is None or value != value else value
    return [Problem(r["file"], None if clean(r["line"]) is None else int(r["line"]), clean(r["column"]),
                    clean(r["value"]), r["expected"], r["severity"], r["unit"]) for r in frame.to_dict("records")]


def summarise(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per kind of problem with how many rows it hit and the first lines, for display."""
    if frame.empty:
        return pd.DataFrame(columns=["severity", "file", "column", "problem", "rows", "first lines"])
    keyed = frame.assign(column=frame["column"].fillna(""))
    grouped = keyed.groupby(["severity", "file", "column", "expected"], sort=False)
    out = grouped.agg(rows=("expected", "size"),
                      first=("line", lambda s: ", ".join(f"{int(v):,}" for v in s.dropna().head(5))))
    out = out.reset_index().rename(columns={"expected": "problem", "first": "first lines"})
    # "error" sorts before "warning"
    return out.sort_values(["severity", "file"], kind="stable").reset_index(drop=True)
