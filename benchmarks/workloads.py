"""What a user does, as the harness replays it: four filter changes, and the lib calls each page makes.

Each page's workload calls the same lib/analysis functions the page script calls for one view, so the
query timings are the database work behind one click (the AppTest timings add Streamlit on top).
Pages whose analysis module has not landed yet are skipped, and the report says so.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Callable

from lib.filters import FilterOptions, Filters

PAGES = ("overview", "map", "disparities", "accuracy", "audit", "sql")


@dataclass(frozen=True)
class Interaction:
    name: str
    filters: Filters


def interactions(con, options: FilterOptions) -> list[Interaction]:
    """The four changes the goals name, each from the previous state, on the largest department."""
    department = con.execute("SELECT department FROM predictions GROUP BY 1 ORDER BY sum(count) DESC LIMIT 1"
                             ).fetchall()[0][0]
    bracket = con.execute(
        "SELECT top_bracket FROM block_group_stats WHERE department = $d AND top_bracket IS NOT NULL "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1", {"d": department}).fetchall()
    by_department = Filters(departments=(department,))
    by_bracket = replace(by_department, top_brackets=(bracket[0][0],) if bracket else ())
    by_race = replace(by_department, majority=("black", "latino"))
    start = options.first_date + (options.last_date - options.first_date) / 3 if options.first_date else None
    by_dates = replace(by_race, start=start, end=start + timedelta(days=90) if start else None)
    return [Interaction("department", by_department), Interaction("income bracket", by_bracket),
            Interaction("race filter", by_race), Interaction("date range", by_dates)]


def _overview(con, f: Filters) -> None:
    from lib.analysis import overview
    overview.headline(con, f)
    overview.findings(con, f)
    overview.department_summary(con, f)


# Each entry replays one view of the page: the lib calls the page script makes for the filters.
WORKLOADS: dict[str, Callable] = {"overview": _overview}


def available() -> dict[str, Callable]:
    """Pages with a workload whose analysis module exists."""
    out = {}
    for page, fn in WORKLOADS.items():
        try:
            importlib.import_module(f"lib.analysis.{page}")
        except ModuleNotFoundError:
            continue
        out[page] = fn
    return out
