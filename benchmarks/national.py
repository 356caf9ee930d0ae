"""Two checks of the national shape (issue #24): `python -m benchmarks.national outlines --data DIR` and
`python -m benchmarks.national groups --data DIR [--data DIR2 ...]`.

outlines: for the all-department view, each department's view and a block-group filter, the Map's outline work as
the page does it on a view's first run (maps.geojson and maps.jurisdictions), once dissolving every department's
block groups (as before department_outlines was stored) and once with the stored outlines; checks both give the
same collections.

groups: why DuckDB's most-predicted location (benchmarks/compare.py) costs more with more departments: its parts
(reading the predictions, grouping them per department and location, picking each department's top) beside
pandas grouping the same columns, with the number of groups. Best of --repeat runs, on the data's built cache.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

SUMS = "SELECT department, lat, lon, sum(count) AS n FROM predictions GROUP BY ALL"


def _best(fn, repeat: int) -> float:
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return min(seconds)


def outlines(data_dir: Path) -> None:
    from lib.analysis import maps
    from lib.data import load
    from lib.filters import Filters
    con = load.load(data_dir).connect()
    stored = maps.stored_outlines(con)
    names = dict(con.execute("SELECT department, name FROM departments ORDER BY 1").fetchall())
    views = [("all departments", Filters())] + [(names[d], Filters(departments=(d,))) for d in names] \
        + [("majority Black or Latino block groups", Filters(majority=("black", "latino")))]
    rows = []
    for label, f in views:
        view = maps.view(con, f)
        if view is None:
            continue
        frame, tolerance = maps.block_groups(con, f), maps.simplify_tolerance(view)
        start = time.perf_counter()
        collection = maps.geojson(frame, tolerance)
        drawn = time.perf_counter()
        dissolved = maps.jurisdictions(frame, tolerance)
        before = time.perf_counter()
        kept = maps.jurisdictions(frame, tolerance, stored)
        after = time.perf_counter()
        assert kept == dissolved and collection["features"], label
        rows.append((label, len(frame), drawn - start, before - drawn, after - before))
    print("| View | Block groups | maps.geojson | maps.jurisdictions, dissolving | with stored outlines |")
    print("|---|--:|--:|--:|--:|")
    departments = rows[1:-1]
    shown = rows[:1] + sorted(departments, key=lambda r: -r[3])[:3] + rows[-1:]
    for label, n, collection, before, after in shown:
        print(f"| {label} | {n:,} | {collection:.3f} s | {before:.3f} s | {after:.3f} s |")
    print(f"| every department's view, summed ({len(departments)}) | | "
          f"{sum(r[2] for r in departments):.2f} s | {sum(r[3] for r in departments):.2f} s | "
          f"{sum(r[4] for r in departments):.2f} s |")
    print(f"\nSame collections with and without the stored outlines in all {len(rows)} views.")


def groups(data_dirs: list[Path], repeat: int) -> None:
    import pandas as pd

    from benchmarks.compare import DUCKDB, PREDICTIONS_CSV
    from lib.data import load
    print("| Data | Department-locations | DuckDB: read | + group | + top per department (whole query) | "
          "pandas: group the same columns |")
    print("|---|--:|--:|--:|--:|--:|")
    for data_dir in data_dirs:
        con = load.load(data_dir).connect()
        count = con.execute(f"SELECT count(*) FROM ({SUMS})").fetchall()[0][0]
        read = _best(lambda: con.execute("SELECT sum(count), sum(lat), sum(lon), count(department) "
                                         "FROM predictions").fetchall(), repeat)
        grouped = _best(lambda: con.execute(f"SELECT count(*), sum(n) FROM ({SUMS})").fetchall(), repeat)
        whole = _best(lambda: con.execute(DUCKDB["top_location"]).fetchall(), repeat)
        con.close()
        frame = pd.read_csv(data_dir / PREDICTIONS_CSV, usecols=["department", "lat", "lon", "count"])
        by_pandas = _best(lambda: frame.groupby(["department", "lat", "lon"], as_index=False)["count"].sum(), repeat)
        del frame
        print(f"| {data_dir.name} | {count:,} | {read * 1000:.0f} ms | {grouped * 1000:.0f} ms | "
              f"{whole * 1000:.0f} ms | {by_pandas * 1000:.0f} ms |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", choices=["outlines", "groups"])
    parser.add_argument("--data", type=Path, action="append", required=True)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)
    if args.check == "outlines":
        outlines(args.data[0].resolve())
    else:
        groups([d.resolve() for d in args.data], max(1, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
