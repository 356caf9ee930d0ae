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


def interactions(con, options: FilterOptions, department: str | None = None) -> list[Interaction]:
    """The four changes the goals name, each from the previous state, on `department` (default: the
    largest by predictions; benchmarks/scale.py names it, as its cloned departments tie with the original)."""
    department = department or con.execute(
        "SELECT department FROM predictions GROUP BY 1 ORDER BY sum(count) DESC LIMIT 1").fetchall()[0][0]
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
    h = overview.headline(con, f)
    overview.findings(con, f, h, overview.department_summary(con, f))


def _map(con, f: Filters) -> None:
    from lib.analysis import maps
    view = maps.view(con, f)
    locations = maps.locations(con, f)
    frame = maps.block_groups(con, f)
    maps.sites(con, f)
    maps.thin(locations)
    if view is not None:  # as the page: outlines for the zoom shown, hexagons of the size that follows the view
        if not view.national:  # a national view draws departments' areas, not block groups
            maps.geojson(frame, maps.simplify_tolerance(view))
        maps.jurisdictions(frame, maps.simplify_tolerance(view), maps.stored_outlines(con))
        maps.hexagons(locations, frame, maps.hex_resolution_for(view))
    # maps.comparison runs only when the user adds the reported-crimes layer (off by default).


def _disparities(con, f: Filters) -> None:
    from lib.analysis import disparities
    disparities.ranked_block_groups(con, f)


def _accuracy(con, f: Filters):
    from lib.analysis import accuracy
    # The page as it opens: its long tables closed (an open one fetches its first rows: _accuracy_tables).
    return accuracy.page_view(con, f.departments[0], (f.start, f.end) if f.start and f.end else None)


def _accuracy_tables(con, f: Filters) -> None:
    from lib import ui
    from lib.analysis import accuracy
    view = _accuracy(con, f)
    accuracy.matched_table(con, view.result, ui.SHOWN_ROWS)
    accuracy.came_true_table(con, view.result, ui.SHOWN_ROWS)


# The Audit page computes only its open tab (st.tabs with on_change="rerun"); each of these replays the page
# with one tab open: the calls common to every tab, then the tab's own (as pages/audit.py's cached helpers make them).
def _audit_common(con, f: Filters):
    import pandas as pd

    from lib.analysis import audit
    none = pd.DataFrame(columns=["name", "kind", "lat", "lon"])
    dated = audit.has_dates(con, f.places_and_time_only())
    audit.sites(con, f, none)
    return audit, none, dated


def _audit(con, f: Filters) -> None:
    audit, none, _ = _audit_common(con, f)
    with audit.one_view():
        audit.site_artefacts(con, f, none)
        audit.artefact_share(con, f, none)
        audit.address_artefacts(con, f)
        audit.persistent_hotspots(con, f)


def _audit_places(con, f: Filters) -> None:
    audit, none, dated = _audit_common(con, f)
    with audit.one_view():
        days = audit.block_group_days(con, f) if dated else None
        audit.sensitive_sites(con, f, none, days)


def _audit_geocoding(con, f: Filters) -> None:
    audit, _, _ = _audit_common(con, f)
    audit.partial_coverage(audit.geocoding_audit(con, f.places_and_time_only()))


def _audit_over_time(con, f: Filters) -> None:
    audit, _, dated = _audit_common(con, f)
    if dated:
        audit.daily_predictions(con, f)
        audit.monthly_block_groups(con, f)
        audit.quarter_overlap(con, f)


# Each entry replays one view of the page: the lib calls the page script makes for the filters
# (every interaction names one department, as the accuracy page needs).
WORKLOADS: dict[str, Callable] = {"overview": _overview, "map": _map, "disparities": _disparities,
                                  "accuracy": _accuracy, "accuracy · tables open": _accuracy_tables,
                                  "audit": _audit, "audit · places": _audit_places,
                                  "audit · geocoding": _audit_geocoding, "audit · over time": _audit_over_time}
MODULES = {"map": "maps", "accuracy · tables open": "accuracy", "audit · places": "audit",
           "audit · geocoding": "audit", "audit · over time": "audit"}
# Views of a page with a tab or expander open, for the full script runs: name -> (page, the widget state
# that opens it).
OPEN_VIEWS = {"accuracy · tables open": ("accuracy", {"acc_matched": True, "acc_came_true": True}),
              "audit · places": ("audit", {"audit_tab": "Places targeted day after day"}),
              "audit · geocoding": ("audit", {"audit_tab": "Geocoding and 'abroad'"}),
              "audit · over time": ("audit", {"audit_tab": "Over time"})}


def available() -> dict[str, Callable]:
    """Pages with a workload whose analysis module exists."""
    out = {}
    for page, fn in WORKLOADS.items():
        try:
            importlib.import_module(f"lib.analysis.{MODULES.get(page, page)}")
        except ModuleNotFoundError:
            continue
        out[page] = fn
    return out
