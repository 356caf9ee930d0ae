"""Writing sites into a data directory's sites.csv: fetched from public sources (fetch_sites) or imported from
a newsroom's own CSV or GeoJSON list (import_sites).

Writes are additive and atomic. Every row already in sites.csv stays as it is (rows a user typed or imported
have no source_id and are never touched); a new row is added only when its source and source_id are not there
yet and no listed site of the same kind lies within NEAR_FEET of it. The new file is written beside the old
one and swapped in with os.replace, and only after every request succeeded: a failed or offline fetch leaves
sites.csv exactly as it was.
"""
from __future__ import annotations

import csv
import dataclasses
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import numpy as np
import pandas as pd
import shapely

from lib import geo_math, schema
from lib.data import geo, load
from lib.data.csvfile import read_checked, read_header
from lib.data.problems import ERROR, Problem
from lib.places import sources
from lib.places.http import PlacesError

MARGIN_KM = 1.0  # around a department's block groups: prediction boxes reach past the edge of the last one
NEAR_FEET = 100  # a fetched site this close to a listed site of the same kind is taken to be the same place
SITES_FILE = schema.spec("sites").file
Progress = Callable[[float, str], None]


@dataclass
class SitesWritten:
    """What a fetch or an import did to sites.csv."""
    path: Path
    added: pd.DataFrame  # the rows added (SITE_FIELDS)
    already_listed: int = 0
    near_listed: int = 0
    problems: list[Problem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(self.added["kind"]).items())) if len(self.added) else {}

    def summary(self) -> str:
        kinds = ", ".join(f"{n:,} {kind.replace('_', ' ')}" for kind, n in self.counts().items()) or "no new sites"
        skipped = []
        if self.already_listed:
            skipped.append(f"{self.already_listed:,} already listed")
        if self.near_listed:
            skipped.append(f"{self.near_listed:,} within {NEAR_FEET} ft of a listed site of the same kind")
        return (f"Added to {self.path}: {kinds}" + (f" ({'; '.join(skipped)} kept as they were)" if skipped else "")
                + ".")


# -- the department boxes --------------------------------------------------------------------

def department_boxes(con, departments: tuple[str, ...] = (), margin_km: float = MARGIN_KM) -> dict[str, sources.Box]:
    """Each department's block groups' bounding box, widened by `margin_km` on every side."""
    frame = con.execute("SELECT department, min(min_lat) AS s, min(min_lon) AS w, max(max_lat) AS n, "
                        "max(max_lon) AS e FROM block_groups WHERE len($d) = 0 OR list_contains($d, department) "
                        "GROUP BY department ORDER BY department", {"d": list(departments)}).df()
    boxes = {}
    for row in frame.itertuples(index=False):
        dlat = margin_km * 1000 / geo_math.METRES_PER_DEGREE_LAT
        dlon = margin_km * 1000 / float(geo_math.metres_per_degree_lon((row.s + row.n) / 2))
        boxes[row.department] = sources.Box(row.s - dlat, row.w - dlon, row.n + dlat, row.e + dlon)
    return boxes


def _shapes(con) -> geo.Shapes:
    frame = con.execute("SELECT department, geoid, geometry_json FROM block_groups").df()
    return geo.Shapes(frame, shapely.from_geojson(frame["geometry_json"].to_numpy()) if len(frame) else np.array([]))


# -- fetch ----------------------------------------------------------------------------------

def fetch_sites(data_dir: Path, kinds: tuple[str, ...] = sources.FETCHABLE_KINDS,
                source_names: tuple[str, ...] = ("osm", "hud"), departments: tuple[str, ...] = (),
                overpass: str | None = None, hud: str | None = None, progress: Progress | None = None,
                **http) -> SitesWritten:
    """Fetch the sites of `kinds` around each department of `data_dir` (or of `departments`) and add them to
    its sites.csv. Raises PlacesError (sites.csv unchanged) when the data cannot be read or a request fails."""
    report = progress or (lambda fraction, message: None)
    kinds = tuple(sources.KIND_ALIASES.get(k, k) for k in kinds)
    unknown = sorted(set(kinds) - set(sources.FETCHABLE_KINDS))
    if unknown:
        raise PlacesError(f"Cannot fetch {', '.join(unknown)}: the kinds fetched are "
                          f"{', '.join(sources.FETCHABLE_KINDS)}.")
    unknown = sorted(set(source_names) - {"osm", "hud"})
    if unknown:
        raise PlacesError(f"Unknown source {', '.join(unknown)}: the sources are osm and hud.")
    dataset = load.load(Path(data_dir))
    if not dataset.usable:
        raise PlacesError(f"{data_dir} cannot be used yet (run `python -m lib.cli validate {data_dir}`); "
                          "nothing was changed.")
    con = dataset.connect()
    try:
        boxes = department_boxes(con, departments)
        missing = sorted(set(departments) - set(boxes))
        if missing:
            raise PlacesError(f"No block groups for {', '.join(missing)} in {data_dir}; nothing was changed.")
        shapes = _shapes(con)
    finally:
        con.close()
    _read_existing(Path(data_dir) / SITES_FILE)  # a sites.csv that cannot take new rows fails before any request
    rows: list[dict] = []
    for step, (department, box) in enumerate(boxes.items()):
        report(step / max(len(boxes), 1), f"Fetching sites around {department}")
        found = []
        if "osm" in source_names:
            found += sources.osm_sites(box, kinds, overpass, **http)
        if "hud" in source_names and "public_housing" in kinds:
            found += sources.hud_sites(box, hud, **http)
        rows += [{**row, "department": department} for row in found]
    fetched = _placed(pd.DataFrame(rows, columns=sources.SITE_FIELDS), shapes)
    report(1.0, "Writing sites.csv")
    return add_sites(Path(data_dir), fetched)


def _placed(rows: pd.DataFrame, shapes: geo.Shapes) -> pd.DataFrame:
    """One row per source and source_id, in the department whose block group holds it (else the first
    department whose box found it)."""
    rows = rows.drop_duplicates(["source", "source_id"], ignore_index=True)
    inside = geo.department_at(rows[["lat", "lon"]], shapes)
    rows["department"] = inside.where(inside.notna(), rows["department"])
    return rows.sort_values(["department", "kind", "name"], ignore_index=True)


# -- the additive, atomic write ---------------------------------------------------------------

def _read_existing(path: Path) -> tuple[list[str], list[list[str]], dict[str, str], str]:
    """sites.csv's header, its rows as written, the header name of each canonical column present, and its
    delimiter (kept when the file is written again)."""
    if not path.exists() or path.stat().st_size == 0:
        return [], [], {}, ","
    _, delimiter = read_header(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            records = list(csv.reader(fh, delimiter=delimiter))
    except UnicodeDecodeError:
        raise PlacesError(f"{path} is not UTF-8 text, so new sites cannot be added to it without changing the "
                          "rows already there; save it as UTF-8 first. Nothing was changed.") from None
    header = [h.replace("\ufeff", "") for h in records[0]] if records else []
    mapping, _ = schema.match_columns(schema.spec("sites"), header)
    return header, [r for r in records[1:] if r and r != [""]], mapping, delimiter


def add_sites(data_dir: Path, new: pd.DataFrame) -> SitesWritten:
    """Append the rows of `new` (SITE_FIELDS) not already in data_dir/sites.csv, atomically."""
    path = Path(data_dir) / SITES_FILE
    header, records, mapping, delimiter = _read_existing(path)
    index = {name: i for i, name in enumerate(header)}

    def value(record: list[str], canonical: str) -> str:
        i = index.get(mapping.get(canonical, ""), None)
        return record[i].strip() if i is not None and i < len(record) else ""

    keys = {(value(r, "source"), value(r, "source_id")) for r in records if value(r, "source_id")}
    listed = [(value(r, "kind"), _float(value(r, "lat")), _float(value(r, "lon"))) for r in records]
    result = SitesWritten(path, new.iloc[0:0])
    keep = []
    for row in new.itertuples(index=False):
        if _text(row.source_id) and (row.source, _text(row.source_id)) in keys:
            result.already_listed += 1
            continue
        same = np.array([(lat, lon) for kind, lat, lon in listed if kind == row.kind], dtype=float).reshape(-1, 2)
        if len(same) and np.any(geo_math.box_contains(row.lat, row.lon, same[:, 0], same[:, 1], 2 * NEAR_FEET)):
            result.near_listed += 1
            continue
        keep.append(row._asdict())
        keys.add((row.source, _text(row.source_id)))
        listed.append((row.kind, row.lat, row.lon))
    result.added = pd.DataFrame(keep, columns=sources.SITE_FIELDS)
    if result.added.empty:
        return result
    out_header = header or list(sources.SITE_FIELDS)
    columns = {c: mapping.get(c, c) for c in sources.SITE_FIELDS}
    out_header += [c for c in sources.SITE_FIELDS if columns[c] not in out_header]
    width = len(out_header)
    new_records = []
    for row in keep:
        record = [""] * width
        for canonical in sources.SITE_FIELDS:
            record[out_header.index(columns[canonical])] = _text(row[canonical])
        new_records.append(record)
    old_records = [r + [""] * (width - len(r)) for r in records]
    try:
        _write_atomic(path, out_header, old_records + new_records, delimiter)
    except OSError as exc:
        raise PlacesError(f"{path} could not be written ({exc.strerror or exc}); nothing was changed.") from None
    return result


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _text(value) -> str:
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        return repr(round(value, 7))
    return str(value)


def _write_atomic(path: Path, header: list[str], records: list[list[str]], delimiter: str = ",") -> None:
    handle, temp = tempfile.mkstemp(prefix=".sites-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(records)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# -- import a newsroom's own list -------------------------------------------------------------

def read_site_list(path: Path, departments: list[str] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """The valid rows of a CSV or GeoJSON list of sites (SITE_FIELDS) and every problem, by line (CSV) or
    feature (GeoJSON), checked by the sites.csv contract plus: kind one of schema.SITE_KINDS."""
    path = Path(path)
    if not path.is_file():
        return pd.DataFrame(columns=sources.SITE_FIELDS), [Problem(str(path), None, None, None,
                                                                   "the file does not exist")]
    spec = dataclasses.replace(schema.spec("sites"), file=path.name)
    with tempfile.TemporaryDirectory(prefix="sites-import-") as work:
        csv_path, unit, problems = path, "line", []
        if path.suffix.lower() in (".geojson", ".json"):
            csv_path, problems = _geojson_as_csv(path, Path(work) / "features.csv")
            unit = "feature"
            if csv_path is None:
                return pd.DataFrame(columns=sources.SITE_FIELDS), problems
        con = duckdb.connect()
        try:
            known = None
            if departments is not None:
                con.execute("CREATE TEMP TABLE known_departments AS SELECT unnest($d::VARCHAR[]) AS department",
                            {"d": departments})
                known = "known_departments"
            checked = read_checked(con, spec, csv_path, Path(work), departments=known)
            rows = con.execute(f"SELECT * FROM {checked.table}").df() if checked.usable else pd.DataFrame()
        finally:
            con.close()
    found = [_renumbered(p, unit) for p in checked.problems]
    if len(rows):
        bad_kind = ~rows["kind"].isin(schema.SITE_KINDS)
        for line, kind in rows.loc[bad_kind, ["_line", "kind"]].itertuples(index=False):
            found.append(_renumbered(Problem(path.name, int(line), "kind", kind,
                                             f"expected one of {', '.join(schema.SITE_KINDS)}; the row was set "
                                             "aside"), unit))
        rows = rows[~bad_kind]
    frame = rows.reindex(columns=sources.SITE_FIELDS) if len(rows) else pd.DataFrame(columns=sources.SITE_FIELDS)
    frame["source"] = frame["source"].where(frame["source"].notna() & (frame["source"] != ""), f"file {path.name}")
    return frame.reset_index(drop=True), problems + found


def _renumbered(problem: Problem, unit: str) -> Problem:
    """A problem of the CSV written from a GeoJSON file, told by feature number (line 2 is feature 1)."""
    if unit == "line":
        return problem
    return dataclasses.replace(problem, unit="feature", line=None if problem.line is None else problem.line - 1)


def _geojson_as_csv(path: Path, dest: Path) -> tuple[Path | None, list[Problem]]:
    """Each feature's properties and point as one CSV row (feature n on line n + 1). Polygons count by their
    representative point; a feature with no geometry keeps blank lat/lon, which the checks then report."""
    try:
        collection = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        return None, [Problem(path.name, None, None, None, f"not valid GeoJSON ({exc}); expected a "
                              "FeatureCollection of points with name and kind properties")]
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        return None, [Problem(path.name, None, None, None, "expected a GeoJSON FeatureCollection with a features "
                              "list")]
    problems, records = [], []
    names = sorted({k for f in features if isinstance(f, dict) for k in (f.get("properties") or {})})
    names = [n for n in names if schema.normalise_header(n) not in ("lat", "lon", "latitude", "longitude")]
    for number, feature in enumerate(features, start=1):
        props = (feature.get("properties") if isinstance(feature, dict) else None) or {}
        lat = lon = ""
        try:
            shape = shapely.geometry.shape(feature.get("geometry")) if isinstance(feature, dict) and \
                feature.get("geometry") else None
        except (AttributeError, TypeError, ValueError, shapely.errors.GEOSException):
            shape = None
            problems.append(Problem(path.name, number, "geometry", None, "expected a GeoJSON Point (or Polygon) "
                                    "geometry; the coordinates are left blank", ERROR, "feature"))
        if shape is not None and not shape.is_empty:
            point = shape if shape.geom_type == "Point" else shape.representative_point()
            lat, lon = repr(point.y), repr(point.x)
        records.append([_text(props.get(n)) for n in names] + [lat, lon])
    with open(dest, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(names + ["lat", "lon"])
        writer.writerows(records)
    return dest, problems


def import_sites(data_dir: Path, file: Path) -> SitesWritten:
    """Add the valid rows of `file` (CSV or GeoJSON) to data_dir/sites.csv; problems name the file's lines."""
    dataset = load.load(Path(data_dir))
    departments = None
    if dataset.usable:
        con = dataset.connect()
        try:
            departments = con.execute("SELECT department FROM departments").df()["department"].tolist()
        finally:
            con.close()
    rows, problems = read_site_list(Path(file), departments)
    result = add_sites(Path(data_dir), rows) if len(rows) else SitesWritten(Path(data_dir) / SITES_FILE, rows)
    result.problems = problems
    return result

