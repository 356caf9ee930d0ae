"""Loading a data directory: check every file by the schema, type it, cache it as Parquet.

The typed cache lives outside the repository (PP_CACHE_DIR, default ~/.cache/predpol-explorer),
keyed on the input files' names, sizes and modification times, so opening an unchanged
directory again skips the CSVs entirely. The user's files are only ever read.

Cache layout (CACHE_VERSION names it; bump it when this changes), under <cache root>/<cache_key>/:
    report.json                    source, rows and rejected rows per table, missing files
    problems.parquet               every problem found (file, line, column, value, expected, severity)
    tables/<table>.parquet         each raw table but predictions, sorted by line (block_groups: shapes as
                                   GeoJSON text with centroid, area and bounding box)
    tables/predictions/department=<slug>/*.parquet
                                   predictions partitioned by department (Hive layout), unsorted, so a
                                   query on one department reads one folder
    tables/<stored table>/...      every table built from those (lib/store/tables.py declares them all; README's
                                   "Stored tables" lists them): part-0.parquet, or department=<slug>/ folders
    manifest.json                  every file above with its size and checksum (lib/store/cache.py: how builds
                                   are locked, swapped in, checked and evicted)
"""
from __future__ import annotations

import atexit
import contextlib
import errno
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import numpy as np
import pandas as pd

from lib import schema
from lib.db import literal
from lib.schema import US_COUNTRY_CODES
from lib.store import cache
from lib.store.build import build_derived
from lib.data import geo
from lib.data.countries import nearest_places
from lib.data.csvfile import read_checked, sql_type
from lib.data.problems import ERROR, WARNING, Problem, problems_frame
from lib.data.source import read_source

# Bump when the cached tables' layout changes, so old caches are not reused.
CACHE_VERSION = "17"
SOURCE_FILE = "source.json"
POINT_TABLES = ("predictions", "crime_reports", "patrols", "sites")
# DuckDB's share of a cold load (it spills the rest to the build's work folder). With Python's (~260 MB at 6M
# predictions once placing points stopped grouping text in pandas) the process peaks at 565 MB, under the 600 MB
# goal for Community Cloud's 690 MB; 200 MB cost 4 s more CPU at 6M, 350 MB saved nothing more and peaked at 618 MB
# (benchmarks/RESULTS.md, "Cold load at 6M, cold helper").
BUILD_MEMORY_LIMIT = "300MB"
# While a CSV is read and checked, Python holds little, so DuckDB may have more: under 300 MB the 6M
# predictions' checked table spilled as it was written, and spilling wrote it on one thread (7.2 s instead of
# 3.7 s). At 400 MB the 6M cold load took 17.1 s instead of 20.9 s with the same peak, 566 MB (450 MB: 615 MB);
# benchmarks/RESULTS.md, "Cold load: DuckDB's room while a CSV is read", 2026-12-06.
READ_MEMORY_LIMIT = "400MB"
PLACE_BATCH = 100_000
PLACE_CHUNK = 150_000

Progress = Callable[[float, str], None]


def cache_root() -> Path:
    return Path(os.environ.get("PP_CACHE_DIR") or Path.home() / ".cache" / "predpol-explorer")


def input_files(data_dir: Path) -> list[Path]:
    return [data_dir / f.file for f in schema.FILES if (data_dir / f.file).exists()] + \
        ([data_dir / SOURCE_FILE] if (data_dir / SOURCE_FILE).exists() else [])


def cache_key(data_dir: Path) -> str:
    parts = [CACHE_VERSION, str(data_dir.resolve())]
    for path in input_files(data_dir):
        stat = path.stat()
        parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


@dataclass
class Dataset:
    """A loaded data directory: where its typed tables are and what the checks found."""
    data_dir: Path
    store: Path
    source: dict
    rows: dict[str, int]
    rejected: dict[str, int]
    missing_files: list[str]
    problems: pd.DataFrame = field(repr=False)

    @property
    def usable(self) -> bool:
        """Every required file is present and could be read."""
        return not self.missing_files and all(
            self.rows.get(f.table) is not None for f in schema.FILES if f.required)

    @property
    def error_count(self) -> int:
        return int((self.problems["severity"] == ERROR).sum())

    @property
    def warning_count(self) -> int:
        return int((self.problems["severity"] == WARNING).sum())

    @property
    def is_demo(self) -> bool:
        return self.source.get("kind") == "demo"

    def has(self, table: str) -> bool:
        return bool(self.rows.get(table))

    def connect(self) -> duckdb.DuckDBPyConnection:
        from lib.db import open_connection
        return open_connection(self)


def load(data_dir: Path | str, cache_dir: Path | None = None, progress: Progress | None = None,
         refresh: bool = False) -> Dataset:
    """Load `data_dir`, from the typed cache when the files are unchanged and the cache is intact.

    One build per cache key at a time: a loader that finds the key being built waits and then reads it. A
    refresh builds a new store beside the one in use and swaps it in (readers of the old keep working). A cache
    folder that cannot be written gives a temporary one, with a warning among the problems."""
    data_dir = Path(data_dir)
    progress = progress or (lambda fraction, message: None)
    if not data_dir.is_dir():
        problem = Problem(str(data_dir), None, None, None, "the data directory does not exist; expected a folder "
                          "holding " + ", ".join(f.file for f in schema.FILES if f.required))
        return Dataset(data_dir, Path(), {}, {}, {}, [f.file for f in schema.FILES if f.required],
                       problems_frame([problem]))
    root = Path(cache_dir) if cache_dir else cache_root()
    key = cache_key(data_dir)
    try:
        dataset = _load_cached(data_dir, root, key, progress, refresh)
    except OSError as exc:  # read-only, full, not a folder, no permission
        try:
            fallback = _fallback_root()
            dataset = _load_cached(data_dir, fallback, key, progress, refresh=False)
        except OSError as again:
            problem = Problem(str(root), None, None, None, f"the typed tables could not be written to the cache "
                              f"folder ({exc.strerror or exc}) nor to a temporary folder ({again.strerror or again}); "
                              "expected a writable folder in PP_CACHE_DIR")
            return Dataset(data_dir, Path(), {}, {}, {}, [], problems_frame([problem]))
        notice = Problem(str(root), None, None, None, f"the cache folder could not be written ({exc.strerror or exc}); "
                         f"the typed tables are kept in a temporary folder ({fallback}) until the app stops; set "
                         "PP_CACHE_DIR to a writable folder", WARNING)
        dataset.problems = pd.concat([problems_frame([notice]), dataset.problems], ignore_index=True)
    progress(1.0, "Ready")
    return dataset


_cleaned: set[Path] = set()


def _load_cached(data_dir: Path, root: Path, key: str, progress: Progress, refresh: bool) -> Dataset:
    store = root / key
    if root not in _cleaned and root.is_dir():  # once per process: what killed loads and old builds left
        _cleaned.add(root)
        cache.clean(root, keep=key)
    if not refresh and (dataset := _open_intact(data_dir, store)):
        return dataset
    root.mkdir(parents=True, exist_ok=True)
    with cache.locked(root, key):
        # another loader may have built it while this one waited
        if not refresh and (dataset := _open_intact(data_dir, store)):
            return dataset
        cache.clean(root, keep=key)
        _build(data_dir, root, key, progress)
    cache.clean(root, keep=key)
    dataset = _open_intact(data_dir, store)
    if dataset is None:
        raise OSError(errno.EIO, f"the cache just written in {store} does not read back: {cache.problem(store)}")
    return dataset


_fallback: dict[str, Path] = {}


def _fallback_root() -> Path:
    """One temporary cache folder per process, removed when it exits."""
    if "root" not in _fallback:
        _fallback["root"] = Path(tempfile.mkdtemp(prefix="predpol-cache-"))
        atexit.register(shutil.rmtree, _fallback["root"], True)
    return _fallback["root"]


def _open_intact(data_dir: Path, store: Path) -> Dataset | None:
    """The store's dataset, or None when it is absent or its files are not those its manifest lists."""
    if not store.exists() or cache.problem(store):
        return None
    try:
        dataset = _open_store(data_dir, store)
    except (OSError, ValueError, KeyError, TypeError):  # pyarrow's errors are ValueErrors or OSErrors
        return None
    cache.touch(store)
    return dataset


def _open_store(data_dir: Path, store: Path) -> Dataset:
    report = json.loads((store / "report.json").read_text())
    problems = pd.read_parquet(store / "problems.parquet")
    return Dataset(data_dir, store, report["source"], report["rows"], report["rejected"], report["missing_files"],
                   problems)


def forget(data_dir: Path | str, cache_dir: Path | None = None) -> None:
    """Remove the cached tables of `data_dir` (an upload whose session ended)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return
    root = Path(cache_dir) if cache_dir else cache_root()
    key = cache_key(data_dir)
    for folder in (root, _fallback.get("root")):
        if folder is not None and (folder / key).is_symlink():
            with contextlib.suppress(OSError), cache.locked(folder, key):
                cache.forget(folder, key)


def _build(data_dir: Path, root: Path, key: str, progress: Progress) -> None:
    work = cache.new_build(root, key)
    try:
        con = duckdb.connect(str(work / "build.duckdb"))
        con.execute(f"SET memory_limit = {literal(BUILD_MEMORY_LIMIT)}")
        con.execute(f"SET temp_directory = {literal(work / 'spill')}")
        report = _check_and_type(con, data_dir, work, progress)
        con.close()  # before the derived tables, so their connection has the memory to itself
        (work / "build.duckdb").unlink()
        for converted in work.glob("*.utf8.csv"):  # UTF-8 copies of files in another encoding: read, not kept
            converted.unlink()
        progress(0.95, "Matching crime reports and patrols to predictions; classifying points outside")
        build_derived(work / "tables", BUILD_MEMORY_LIMIT, work / "spill")
        shutil.rmtree(work / "spill", ignore_errors=True)
        (work / "report.json").write_text(json.dumps(report, indent=1, default=str))
        cache.write_manifest(work)
        cache.publish(root, key, work)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def _check_and_type(con, data_dir: Path, work: Path, progress: Progress) -> dict:
    problems: list[Problem] = []
    rows: dict[str, int | None] = {}
    rejected: dict[str, int] = {}
    missing: list[str] = []
    tables = work / "tables"
    tables.mkdir()
    csv_specs = [f for f in schema.FILES if f.kind == "csv"]
    for step, spec in enumerate(csv_specs):
        path = data_dir / spec.file
        progress(0.05 + 0.6 * step / len(csv_specs), f"Reading {spec.file}")
        if not path.exists():
            if spec.required:
                missing.append(spec.file)
                problems.append(Problem(spec.file, None, None, None,
                                        f"required file is missing from {data_dir}; expected: {spec.description}"))
            rows[spec.table] = None
            _empty_typed(con, spec)
            continue
        known = "departments_typed" if spec.table != "departments" and rows.get("departments") is not None else None
        con.execute(f"SET memory_limit = {literal(READ_MEMORY_LIMIT)}")
        result = read_checked(con, spec, path, work, departments=known)
        con.execute(f"SET memory_limit = {literal(BUILD_MEMORY_LIMIT)}")  # what it read may spill now
        problems.extend(result.problems)
        rejected[spec.table] = result.rejected
        rows[spec.table] = result.rows if result.usable else None
        if not result.usable:
            _empty_typed(con, spec)

    progress(0.7, "Reading block_groups.geojson")
    shapes = _read_shapes(con, data_dir, missing, problems, rows)
    progress(0.8, "Placing points in block groups")
    sources = {spec.table: f"{spec.table}_typed" for spec in csv_specs}
    for table in POINT_TABLES:
        if rows.get(table):
            problems.extend(_place_points(con, table, shapes))
            sources[table] = f"{table}_placed"
    progress(0.9, "Writing the typed cache")
    _write_tables(con, tables, shapes, sources)
    source, source_problems = read_source(data_dir / SOURCE_FILE)
    problems.extend(source_problems)
    problems_frame(problems).to_parquet(work / "problems.parquet", index=False)
    return {"source": source, "rows": rows, "rejected": rejected, "missing_files": missing}


def _empty_typed(con, spec: schema.FileSpec) -> None:
    cols = ", ".join(f'"{c.name}" {sql_type(c)}' for c in spec.columns if not c.pattern)
    if spec.table in POINT_TABLES and "geoid" not in cols:
        cols += ", geoid VARCHAR"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {spec.table}_typed (_line BIGINT, {cols})")


def _read_shapes(con, data_dir: Path, missing: list[str], problems: list[Problem], rows: dict) -> geo.Shapes:
    spec = schema.spec("block_groups")
    path = data_dir / spec.file
    if not path.exists():
        missing.append(spec.file)
        problems.append(Problem(spec.file, None, None, None,
                                f"required file is missing from {data_dir}; expected: {spec.description}"))
        rows["block_groups"] = None
        return geo.Shapes(geo.empty_frame(), np.array([]))
    owners = {}
    for table in ("race", "income"):
        if rows.get(table):
            for geoid, department in con.execute(
                    f"SELECT geoid, any_value(department) FROM {table}_typed GROUP BY geoid "
                    f"HAVING count(DISTINCT department) = 1").fetchall():
                owners.setdefault(geoid, department)
    shapes = geo.read_block_groups(path, owners)
    problems.extend(shapes.problems)
    rows["block_groups"] = len(shapes.frame) if not shapes.frame.empty or not shapes.problems else None
    return shapes


def _place_points(con, table: str, shapes: geo.Shapes) -> list[Problem]:
    """Place the distinct points with no geoid in block groups and flag those outside every block group.

    The points go to the small table {table}_points (department, lat, lon, first line, weight, geoid); the view
    {table}_placed is the typed table with their geoids, joined as it is written: an UPDATE of the geoid on
    6 million typed rows cost more than placing their points."""
    source = f"{table}_typed"
    if table == "sites":
        con.execute("CREATE OR REPLACE TEMP TABLE sites_filled AS SELECT * FROM sites_typed")
        _fill_site_departments(con, shapes)
        source = "sites_filled"
    has_geoid = "geoid" in _columns(con, source)
    own = "t.geoid" if has_geoid else "CAST(NULL AS VARCHAR)"
    weight = "sum(t.count)" if table == "predictions" else "count(*)"
    points = f"{table}_points"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {points} AS SELECT t.department, t.lat, t.lon, min(t._line) AS line, "
                f"{weight} AS n, CAST(NULL AS VARCHAR) AS geoid FROM {source} t "
                f"WHERE {own} IS NULL AND t.lat IS NOT NULL AND t.lon IS NOT NULL GROUP BY t.department, t.lat, t.lon")
    counts = con.execute(f"SELECT department, count(*) FROM {points} WHERE department IS NOT NULL "
                         "GROUP BY 1 ORDER BY 1").fetchall()
    # A few departments at a time, up to PLACE_CHUNK distinct points: the 2.7 million crime-report places of
    # 20 million predictions, held at once with their block groups, took the load past 1.2 GB.
    for departments in _chunks(counts, PLACE_CHUNK):
        placed = con.execute(f"SELECT department, lat, lon FROM {points} WHERE list_contains($d, department)",
                             {"d": departments}).df()
        # In slices: shapely's points and matches for 100,000 points at a time.
        placed["geoid"] = pd.concat([geo.assign_block_groups(placed.iloc[i:i + PLACE_BATCH], shapes)
                                     for i in range(0, len(placed), PLACE_BATCH)] or [pd.Series(dtype=object)])
        con.register("_placed", placed)
        con.execute(f"UPDATE {points} t SET geoid = p.geoid FROM _placed p "
                    f"WHERE t.department = p.department AND t.lat = p.lat AND t.lon = p.lon")
        con.unregister("_placed")
        del placed
    columns = "t.* REPLACE (coalesce(t.geoid, p.geoid) AS geoid)" if has_geoid else "t.*, p.geoid"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {table}_placed AS SELECT {columns} FROM {source} t "
                f"LEFT JOIN {points} p ON {own} IS NULL AND t.department = p.department AND t.lat = p.lat "
                "AND t.lon = p.lon")
    return _point_warnings(con, table, points)


def _chunks(counts: list[tuple[str, int]], limit: int) -> list[list[str]]:
    """The departments of (department, points) in order, packed into runs of at most `limit` points (a
    department with more is a run of its own)."""
    runs: list[list[str]] = []
    size = 0
    for department, n in counts:
        if not runs or size + n > limit:
            runs.append([])
            size = 0
        runs[-1].append(department)
        size += n
    return runs


def _fill_site_departments(con, shapes: geo.Shapes) -> None:
    """Sites may omit their department: take the department of the block group they fall in."""
    points = con.execute("SELECT DISTINCT lat, lon FROM sites_filled WHERE department IS NULL").df()
    points["department"] = geo.department_at(points, shapes)
    con.register("_site_departments", points)
    con.execute("UPDATE sites_filled t SET department = p.department FROM _site_departments p "
                "WHERE t.department IS NULL AND t.lat = p.lat AND t.lon = p.lon")
    con.unregister("_site_departments")


def _point_warnings(con, table: str, points: str) -> list[Problem]:
    spec = schema.spec(table)
    outside = con.execute(f"SELECT line, department, lat, lon, n FROM {points} WHERE geoid IS NULL "
                          "ORDER BY line").fetchall()
    if not outside:
        return []
    countries = nearest_places([row[2] for row in outside], [row[3] for row in outside])
    # Named as a reader knows the department, with the file's own value after it.
    names = dict(con.execute("SELECT department, name FROM departments_typed WHERE name IS NOT NULL").fetchall()) \
        if "departments_typed" in _tables(con) else {}
    problems = []
    unit = "predictions" if table == "predictions" else "rows"
    for (line, department, lat, lon, n), place in zip(outside, countries.itertuples(index=False)):
        value = f"{lat}, {lon}"
        if lat == 0 and lon == 0:
            text = "a point at 0,0 (a failed geocode)"
        elif place.country_code not in US_COUNTRY_CODES:
            text = f"a point outside the United States (near {place.place}, {place.country})"
        else:
            text = "a point outside every block group of its department"
        problems.append(Problem(spec.file, int(line), "lat/lon", value,
                                f"expected a point inside {_department_words(department, names)}'s block groups, "
                                f"but this is "
                                f"{text}; kept with no block group ({n:,} {unit})", WARNING))
    return problems


def _department_words(department: str | None, names: dict) -> str:
    """'Orange County, Fla. (ocfl)', the slug alone when the data names no department, 'a department' for none."""
    if not department:
        return "a department"
    return f"{names[department]} ({department})" if names.get(department) else department


def _tables(con) -> set[str]:
    """The tables and views of the build (a file with no key is typed as a view over its checked rows)."""
    return {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() UNION ALL "
                                            "SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def _write_tables(con, tables: Path, shapes: geo.Shapes, sources: dict[str, str]) -> None:
    """Each CSV's table from its relation in `sources` (table name: relation), and the block groups."""
    # A partitioned write buffers up to this many rows per department and thread before writing them out;
    # at DuckDB's default (524,288) 20M predictions in 10 departments ran out of BUILD_MEMORY_LIMIT. With
    # 65,536 the 6M demo writes in the same time and builds even under a 150 MB limit.
    con.execute("SET partitioned_write_flush_threshold = 65536")
    for spec in schema.FILES:
        if spec.kind != "csv":
            continue
        target = tables / spec.table
        select = f"SELECT * RENAME (_line AS line) FROM {sources[spec.table]}"
        if spec.table == "predictions":
            # Not sorted: sorting millions of rows doubled the cost of this write, and queries
            # that need an order say ORDER BY.
            con.execute(f"COPY ({select}) TO {literal(target)} (FORMAT parquet, PARTITION_BY (department), "
                        "OVERWRITE_OR_IGNORE)")
        else:
            con.execute(f"COPY ({select} ORDER BY line) TO {literal(f'{target}.parquet')} (FORMAT parquet)")
    con.register("_shapes", shapes.frame)
    con.execute(f"COPY (SELECT * FROM _shapes) TO {literal(tables / 'block_groups.parquet')} (FORMAT parquet)")
    con.unregister("_shapes")
