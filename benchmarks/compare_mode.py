"""Compare mode and exclusions (issue #26): the queries of one interaction, both selections together.

    python -m benchmarks.compare_mode --data DIR [--repeat 3] [--site LAT,LON]

Per page, what its compare or with/without section computes (lib/compare_ui.py calls the same functions):
Overview A and B's headlines; Map both selections' block groups and locations; Disparities both findings; then,
for each exclusion alone and all together, the schema built on first use (once per data set and exclusion set),
the same views on an honouring cursor and the with/without figures of Overview, Disparities, Audit and Accuracy.
A is the largest department's majority-White block groups, B its majority-Black ones. `--site` adds a police
station as a session would (the link's site=), so the artefacts exclusion takes something out of data without a
site list. Medians of `repeat` warm runs after one unmeasured run, wall and CPU time (all threads); the build
is timed once (a first use).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

GOAL_MS = 250
EXCLUSION_SETS = (("artefacts",), ("outside",), ("geocoding",), ("artefacts", "outside", "geocoding"))


def _ms(fn, repeat: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds (CPU: every thread of the process, so a loaded host inflates it less)."""
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def _map_parts(con, f):
    from lib.analysis import maps
    frame = maps.block_groups(con, f)
    return maps.view(con, f), maps.geojson(frame), maps.thin(maps.locations(con, f)).frame


def measure(data_dir: Path, repeat: int, site: tuple[float, float] | None) -> list[tuple[str, str, tuple]]:
    from lib.analysis import accuracy, compare, exclusions, exclusions_effects
    from lib.data import load
    from lib.filters import Filters
    con = load.load(data_dir).connect()
    department = con.execute("SELECT department FROM prediction_days GROUP BY 1 ORDER BY sum(count) DESC "
                             "LIMIT 1").fetchall()[0][0]
    reports = con.execute("SELECT department FROM crime_reports GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchall()
    a = Filters(departments=(department,), majority=("white",))
    b = Filters(departments=(department,), majority=("black",))
    sites = (site,) if site else ()
    rows = []

    def views(cursor, a, b) -> dict:
        return {"Overview: A and B's headlines": lambda: compare.headline_pair(cursor, a, b),
                "Map: A's and B's block groups and locations": lambda: (_map_parts(cursor, a), _map_parts(cursor, b)),
                "Disparities: A's and B's findings": lambda: compare.finding_pair(cursor, a, b)}

    base = exclusions.cursor(con, ())
    for what, fn in views(base, a, b).items():
        rows.append(("none", what, _ms(fn, repeat)))
    for reasons in EXCLUSION_SETS:
        label = ",".join(reasons)
        start, start_cpu = time.perf_counter(), time.process_time()
        cursor = exclusions.cursor(con, reasons, sites)
        rows.append((label, "build the exclusion's tables (first use only)",
                     ((time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000)))
        xa, xb = (replace(f, exclude=reasons, exclude_sites=sites if "artefacts" in reasons else ()) for f in (a, b))
        for what, fn in views(cursor, xa, xb).items():
            rows.append((label, what, _ms(fn, repeat)))
        rows.append((label, "Overview: with and without (A)", _ms(lambda: compare.exclusion_effects(con, xa, reasons),
                                                                  repeat)))
        rows.append((label, "Disparities: does the finding survive (A)",
                     _ms(lambda: compare.finding_survival(con, xa, reasons), repeat)))
        rows.append((label, "Audit: with and without (A)", _ms(lambda: exclusions_effects.audit_effects(con, xa),
                                                               repeat)))
        if reports:
            window = accuracy.analysis_window(con, reports[0][0])
            rows.append((label, f"Accuracy: with and without ({reports[0][0]})", _ms(
                lambda: exclusions_effects.accuracy_effects(con, reports[0][0], window, reasons, xa.exclude_sites),
                repeat)))
        cursor.close()
    return rows


def table(rows: list[tuple[str, str, tuple]]) -> str:
    lines = ["| exclusion | what | wall ms | CPU ms |", "|---|---|---|---|"]
    lines += [f"| {label} | {what} | {wall:,.0f}{' (over 250)' if wall > GOAL_MS and 'build' not in what else ''} "
              f"| {cpu:,.0f} |" for label, what, (wall, cpu) in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--site", help="LAT,LON of a police station added as in a session's link")
    args = parser.parse_args(argv)
    site = tuple(float(v) for v in args.site.split(",")) if args.site else None
    print(table(measure(args.data, args.repeat, site)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
