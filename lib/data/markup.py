"""Import The Markup's published PredPol data into a data directory that follows lib/schema.py.

The source folder is laid out like ../shared/data: `markup-prediction-bias/` (departments,
block groups, prediction locations) and, optionally, `markup-plainfield/` (crime reports,
patrols, vague addresses and prediction counts for Plainfield, N.J.). Every output is written
to a staging folder beside the destination and renamed into place only when all of it is done.
"""
from __future__ import annotations

import csv
import json
import math
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Sequence

from lib import schema

BIAS_DIR = "markup-prediction-bias"
PLAINFIELD_DIR = "markup-plainfield"
PLAINFIELD = "plainfieldpdnj"
GEOJSON_SUFFIX = "-geojson-with-data.json"

SOURCES = (
    {"folder": BIAS_DIR, "repository": "the-markup/investigation-prediction-bias",
     "commit": "e1fa49fd014a97ee52eec40dcb5811926476a305", "licence": "BSD-3-Clause"},
    # The follow-up repository ships no licence file.
    {"folder": PLAINFIELD_DIR, "repository": "the-markup/investigation-geolitica-plainfield",
     "commit": "2c5aa954ac5c113d7804529803b0edfa0eb69d62", "licence": None},
)
TITLE = ("The Markup, “Prediction: Bias” (2021) and “Predictive Policing Software Terrible "
         "at Predicting Crimes” (2023)")

# Departments with data but no row in departments.csv, and what we know of them.
KNOWN_MISSING_DEPARTMENTS = {"indianapolis": {"name": "Indianapolis, Ind.", "state": "IN"}}

# predictions_by_type.csv counts the predictions of the follow-up's analysis window.
PLAINFIELD_WINDOW = ("2018-02-25", "2018-12-18")
PLAINFIELD_TABLES = (  # (source file, output table, values the file leaves out)
    ("crime_with_predictions.csv", "crime_reports", {"department": PLAINFIELD}),
    ("plainfield_dosage.csv", "patrols", {"department": PLAINFIELD}),
    ("vague-addresses.csv", "excluded_addresses", {}),
    ("predictions_by_type.csv", "prediction_counts",
     {"department": PLAINFIELD, "window_start": PLAINFIELD_WINDOW[0], "window_end": PLAINFIELD_WINDOW[1]}),
)
COORDINATE_DECIMALS = 6
# Written into every import: the files this tool wrote there, so a later import may replace exactly those.
MARKER = ".predpol-explorer-import"
WRITTEN_FILES = (*(schema.spec(t).file for t in ("departments", "predictions", "race", "income",
                                                   "block_group_counts")),
                 *(schema.spec(table).file for _, table, _ in PLAINFIELD_TABLES), "block_groups.geojson", "source.json")


class MarkupImportError(Exception):
    """The source cannot be imported; the message says why in plain words."""


class DestinationRefused(MarkupImportError):
    """The destination holds something this tool did not write; nothing was touched."""


@dataclass
class ImportResult:
    counts: dict[str, int] = field(default_factory=dict)  # output file -> rows (features for GeoJSON)
    warnings: list[str] = field(default_factory=list)
    date_range: tuple[str | None, str | None] = (None, None)  # first and last day with predictions


class _Skipped:
    """Rows left out, grouped by file and reason, so each group becomes one warning."""

    def __init__(self) -> None:
        self._lines: dict[tuple[str, str], list[int]] = {}

    def add(self, file: str, reason: str, line: int) -> None:
        self._lines.setdefault((file, reason), []).append(line)

    def warnings(self) -> list[str]:
        return [f"{file}: skipped {len(lines)} {reason} ({_where(lines)})"
                for (file, reason), lines in self._lines.items()]


def _where(lines: list[int], shown: int = 20) -> str:
    listed = ", ".join(str(n) for n in lines[:shown])
    more = f" and {len(lines) - shown} more" if len(lines) > shown else ""
    return f"line{'s' if len(lines) > 1 else ''} {listed}{more}"


# ---------------------------------------------------------------- value conversion

def _parse(text: str, formats: Sequence[str], what: str) -> datetime:
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not {what}")


def _to_bool(text: str) -> str:
    word = text.lower()
    if word in schema.TRUE_WORDS:
        return "true"
    if word in schema.FALSE_WORDS:
        return "false"
    raise ValueError(f"{text!r} is not true or false")


def _to_number(text: str) -> str:
    float(text)  # validates; the original digits are kept so nothing is re-rounded
    return text


def _to_int(text: str) -> str:
    number = float(text)
    if not number.is_integer():
        raise ValueError(f"{text!r} is not a whole number")
    return str(int(number))


CONVERTERS: dict[str, Callable[[str], str]] = {
    "date": lambda t: _parse(t, schema.DATE_FORMATS, "a date").strftime("%Y-%m-%d"),
    "datetime": lambda t: _parse(t, schema.DATETIME_FORMATS, "a date and time").strftime("%Y-%m-%d %H:%M:%S"),
    "time": lambda t: _parse(t, schema.TIME_FORMATS, "a time").strftime("%H:%M:%S"),
    "bool": _to_bool,
    "int": _to_int,
    "float": _to_number,
}


def _convert(file_spec: schema.FileSpec, column: str, text: str | None) -> str | None:
    """Text to the canonical form of the column's type; blank (or a null word) becomes None."""
    column_type = schema.column_type(file_spec, column).type
    text = "" if text is None else str(text).strip()
    if column_type in ("text", "geoid"):
        return text or None
    if text.lower() in schema.NULL_WORDS:
        return None
    return CONVERTERS[column_type](text)


# ---------------------------------------------------------------- CSV tables

def _read_table(path: Path, table: str, constants: dict[str, str], skipped: _Skipped) -> tuple[list[str], list[dict]]:
    """Rows of a source CSV under canonical column names, converted by the schema.

    Returns the canonical columns present (schema order) and the rows. Blank rows and rows
    missing a required value or holding an unreadable one are skipped and recorded.
    """
    file_spec = schema.spec(table)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        mapping, missing = schema.match_columns(file_spec, header)
        missing = [c for c in missing if c not in constants]
        if missing:
            raise MarkupImportError(f"{path.name} has no column for {', '.join(missing)} (header: {', '.join(header)})")
        position = {canonical: header.index(name) for canonical, name in mapping.items()}
        rows = []
        for values in reader:
            row = _table_row(file_spec, position, values, constants, path.name, reader.line_num, skipped)
            if row is not None:
                rows.append(row)
    return _ordered_columns(file_spec, [*position, *constants]), rows


def _table_row(file_spec: schema.FileSpec, position: dict[str, int], values: list[str], constants: dict[str, str],
               file: str, line: int, skipped: _Skipped) -> dict | None:
    if not any(v.strip() for v in values):
        skipped.add(file, "blank rows", line)
        return None
    row = {}
    for column, index in position.items():
        try:
            row[column] = _convert(file_spec, column, values[index] if index < len(values) else None)
        except ValueError:
            skipped.add(file, f"rows with an unreadable {column}", line)
            return None
    row.update(constants)
    absent = [c.name for c in file_spec.columns if c.required and c.name in row and row[c.name] is None]
    if absent:
        skipped.add(file, f"rows without {' or '.join(absent)}", line)
        return None
    return row


def _ordered_columns(file_spec: schema.FileSpec, present: Iterable[str]) -> list[str]:
    present = set(present)
    return [c.name for c in file_spec.columns if c.name in present]


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> int:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([["" if row.get(c) is None else row[c] for c in columns] for row in rows])
    return len(rows)


# ---------------------------------------------------------------- departments

def _display_name(name: str) -> str:
    # The published names carry stray spaces: "Alexandria,  La. ", "Gloucester township , N.J"
    return re.sub(r"\s+,", ",", re.sub(r"\s+", " ", name)).strip()


def _state(ucr_id: str | None) -> str | None:
    # UCR (ORI) ids begin with the state's postal code: LA0400100 is in Louisiana.
    match = re.match(r"[A-Z]{2}(?=\d)", ucr_id or "")
    return match.group(0) if match else None


def _departments(path: Path, with_predictions: set[str], with_block_groups: set[str],
                 skipped: _Skipped, warnings: list[str]) -> tuple[list[str], list[dict]]:
    _, rows = _read_table(path, "departments", {}, skipped)
    for row in rows:
        row["name"] = _display_name(row["name"])
        row["state"] = _state(row.get("ucr_id"))
        row["has_predictions"] = _to_bool(str(row["department"] in with_predictions))
    listed = {row["department"] for row in rows}
    for department in sorted((with_predictions | with_block_groups) - listed):
        rows.append(_missing_department(department, department in with_predictions, warnings))
    columns = [c.name for c in schema.spec("departments").columns]
    return columns, rows


def _missing_department(department: str, has_predictions: bool, warnings: list[str]) -> dict:
    known = KNOWN_MISSING_DEPARTMENTS.get(department, {})
    name = known.get("name", department)
    warnings.append(f"departments.csv: {department} has data but no row in The Markup's departments.csv; "
                    f"added as “{name}” with usable=false and has_predictions={str(has_predictions).lower()}")
    return {"department": department, "name": name, "state": known.get("state"), "usable": "false",
            "has_predictions": _to_bool(str(has_predictions))}


# ---------------------------------------------------------------- predictions

def _predictions(folder: Path, skipped: _Skipped) -> tuple[list[str], list[dict]]:
    columns, rows = ["department"], []
    for path in sorted(folder.glob("*.csv")):
        file_columns, file_rows = _read_table(path, "predictions", {"department": path.stem}, skipped)
        columns = _ordered_columns(schema.spec("predictions"), [*columns, *file_columns])
        rows.extend(file_rows)
    return columns, rows


# ---------------------------------------------------------------- block groups

def _geojson_files(src: Path) -> list[Path]:
    # The Plainfield follow-up's file comes second so it only adds what the first lacks.
    return [*sorted((src / BIAS_DIR / "block_groups").glob(f"*{GEOJSON_SUFFIX}")),
            *sorted((src / PLAINFIELD_DIR).glob(f"*{GEOJSON_SUFFIX}"))]


def _properties(props: dict, table: str) -> dict:
    """Feature properties under canonical names, for whichever property schema the file uses."""
    file_spec = schema.spec(table)
    mapping, _ = schema.match_columns(file_spec, list(props))
    values = {c: _convert(file_spec, c, props[name]) for c, name in mapping.items()}
    brackets = [c for c in values if re.fullmatch(schema.INCOME_BRACKET_PATTERN, c)]
    if brackets and "households" in values:
        # Bracket counts are measured on the source's own household total (total_income_lb),
        # which may differ from the household total kept for the row.
        values.setdefault("bracket_households", values["households"])
        values.update(_unlisted_bracket(values, brackets))
    return values


def _bracket_range(column: str) -> tuple[float, float]:
    part = re.fullmatch(schema.INCOME_BRACKET_PATTERN, column).group(1)
    if part.startswith("lt_"):
        return 0, int(part[3:-1])
    if part.startswith("gt_"):
        return int(part[3:-1]), math.inf
    low, high = part.split("_")
    return int(low[:-1]), int(high[:-1])


def _unlisted_bracket(values: dict, brackets: list[str]) -> dict:
    """The households in none of the listed brackets, as one bracket named by the ranges it spans: Plainfield's
    2023 file lists under $45k, $75k–100k and over $200k, so hh_45k_75k_or_100k_200k is its total less those
    three (the largest in most of its block groups, so "largest bracket" needs it). Empty when the listed
    brackets cover every income, leave the top open (no "over" bracket), or their counts are incomplete or
    exceed the total."""
    ranges = sorted(_bracket_range(c) for c in brackets)
    gaps, reached = [], 0
    for low, high in ranges:
        if low > reached:
            gaps.append((reached, low))
        reached = max(reached, high)
    if reached < math.inf:
        gaps.append((reached, math.inf))
    counts = [values.get(c) for c in brackets]
    total = values.get("bracket_households")
    if not gaps or total in (None, "") or any(c in (None, "") for c in counts) or gaps[-1][1] == math.inf:
        return {}
    rest = float(total) - sum(float(c) for c in counts)
    if rest < 0:
        return {}
    name = "hh_" + "_or_".join(f"{low}k_{high}k" for low, high in gaps)
    return {name: str(int(rest)) if rest.is_integer() else str(rest)}


def _geoid(value: str | None) -> str | None:
    text = (value or "").strip()
    if text.isdigit() and len(text) < 12:
        text = text.zfill(12)  # a GEOID stored as a number loses its leading zero
    return text if re.fullmatch(r"\d{12}", text) else None


def _block_groups(paths: list[Path], skipped: _Skipped, warnings: list[str]) -> dict[tuple[str, str], dict]:
    """(department, geoid) -> {geometry, race, income}; later files only fill values still missing.

    A block group belongs to the department whose file lists it. Its `client` property can name
    a neighbour instead (jeffcomacc's file holds Birmingham's block groups under
    client=birminghampd); keying by that label would fold 304 of the 6,060 block groups into
    another department's, so the label is only reported.
    """
    groups: dict[tuple[str, str], dict] = {}
    for path in paths:
        published_counts = path.parent.name == "block_groups"  # the 2021 files; Plainfield's 2023 file has none
        department = path.name.removesuffix(GEOJSON_SUFFIX)
        seen, labels = set(), Counter()
        for number, feature in enumerate(json.loads(path.read_text(encoding="utf-8"))["features"], start=1):
            props = feature.get("properties") or {}
            race, income = _properties(props, "race"), _properties(props, "income")
            geoid = _geoid(race.get("geoid"))
            if geoid is None or geoid in seen:
                skipped.add(path.name, "features without a 12-digit GEOID or repeating one", number)
                continue
            seen.add(geoid)
            labels[race.get("department") or department] += 1
            group = groups.setdefault((department, geoid), {"geometry": None, "race": {}, "income": {}})
            group["geometry"] = group["geometry"] or feature.get("geometry")
            count = _published_count(props.get("count")) if published_counts else None
            if count is not None:
                group["count"] = count
            elif published_counts:
                skipped.add(path.name, "`count` values that are not a whole number of 0 or more (left out of "
                            "block_group_counts.csv)", number)
            for part, values in (("race", race), ("income", income)):
                for column, value in values.items():
                    group[part].setdefault(column, value)
                group[part].update(department=department, geoid=geoid)
        warnings.extend(_label_warning(path.name, department, labels))
    return groups


def _published_count(value) -> int | None:
    """The GeoJSON's `count`: predictions in the block group during the department's analysis window as The
    Markup placed them; null where none, which their R code reads as 0 (rank-and-label.R, replace_na). None
    for anything that is not a count."""
    if value is None or value == "":
        return 0
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() and number >= 0 else None


def _count_table(groups: dict) -> tuple[list[str], list[dict]]:
    rows = [{"department": department, "geoid": geoid, "predictions": groups[(department, geoid)]["count"]}
            for department, geoid in sorted(groups) if "count" in groups[(department, geoid)]]
    return ["department", "geoid", "predictions"], rows


def _label_warning(file: str, department: str, labels: Counter) -> list[str]:
    others = {label: n for label, n in labels.items() if label != department}
    if not others:
        return []
    listed = ", ".join(f"{n} as {label}" for label, n in sorted(others.items()))
    return [f"{file}: {sum(others.values())} block groups are labelled with another department ({listed}); "
            f"kept under {department}, whose file lists them"]


def _bracket_order(column: str) -> tuple[int, int]:
    """hh_lt_45k before hh_75k_100k before hh_gt_200k."""
    rank = 0 if "_lt_" in column else 2 if "_gt_" in column else 1
    return rank, int(re.search(r"\d+", column).group(0))


def _census_table(groups: dict, table: str) -> tuple[list[str], list[dict]]:
    rows = [groups[key][table] for key in sorted(groups)]
    file_spec = schema.spec(table)
    if table == "race":
        return [c.name for c in file_spec.columns], rows
    brackets = sorted({c for row in rows for c in row if re.fullmatch(schema.INCOME_BRACKET_PATTERN, c)},
                      key=_bracket_order)
    columns = [c.name for c in file_spec.columns if not c.pattern and c.name != "bracket_households"]
    if brackets:
        columns += ["bracket_households", *brackets]
    return columns, rows


def _rounded(coordinates):
    if isinstance(coordinates, (int, float)):
        return round(coordinates, COORDINATE_DECIMALS)
    return [_rounded(c) for c in coordinates]


def _write_geojson(path: Path, groups: dict, warnings: list[str]) -> int:
    features, shapeless = [], []
    for (department, geoid) in sorted(groups):
        geometry = groups[(department, geoid)]["geometry"]
        if not geometry or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            shapeless.append(f"{department}/{geoid}")
            continue
        features.append({"type": "Feature", "properties": {"geoid": geoid, "department": department},
                         "geometry": {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])}})
    if shapeless:
        warnings.append(f"block_groups.geojson: left out {len(shapeless)} block groups without a polygon "
                        f"(their census rows are kept): {', '.join(shapeless)}")
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
    return len(features)


# ---------------------------------------------------------------- the import

def input_files(src: Path) -> list[Path]:
    """Every file import_markup reads from SRC (the fetcher downloads and checks exactly these)."""
    bias, plainfield = src / BIAS_DIR, src / PLAINFIELD_DIR
    files = [bias / "departments.csv", *sorted((bias / "prediction_locations").glob("*.csv")), *_geojson_files(src)]
    if plainfield.is_dir():
        files += [plainfield / name for name, _, _ in PLAINFIELD_TABLES]
    return files


def import_markup(src: Path, dest: Path, echo: Callable[[str], None] = print, *,
                  origin: str | None = None, warnings: Sequence[str] = ()) -> ImportResult:
    """Convert The Markup's files in SRC into a data directory DEST that follows lib/schema.py.

    DEST must be new, empty or an earlier import (check_destination); it is replaced as a whole,
    and only once every file has been written. `origin` is what source.json records as
    imported_from (default: SRC); `warnings` are earlier notes to keep with the import's own.
    """
    src, dest = Path(src).resolve(), Path(dest).resolve()
    _check_paths(src, dest)
    check_destination(dest, src)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.importing-", dir=dest.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the app and other users read DEST
    try:
        result = _write_all(src, staging, list(warnings))
        _write_source(staging, src, origin or str(src), result)
        _publish(staging, dest)
    except (csv.Error, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise MarkupImportError(f"A file in {src} could not be read ({type(exc).__name__}: {exc}); expected The "
                                "Markup's UTF-8 CSV and GeoJSON files. Nothing was changed.") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for file, count in result.counts.items():
        echo(f"{file}: {count:,} {'features' if file.endswith('.geojson') else 'rows'}")
    for warning in result.warnings:
        echo(f"warning: {warning}")
    return result


def _check_paths(src: Path, dest: Path) -> None:
    if not (src / BIAS_DIR / "departments.csv").is_file():
        raise MarkupImportError(f"{src} does not hold The Markup's data: {BIAS_DIR}/departments.csv is missing.")


def check_destination(dest: Path, src: Path | None = None) -> None:
    """Refuse (DestinationRefused) unless DEST is new, an empty folder, or an earlier import holding only the
    files this tool wrote there: replacing DEST deletes what it holds, so it must hold nothing of the user's."""
    dest = Path(dest).expanduser().resolve()
    src = None if src is None else Path(src).expanduser().resolve()
    if src is not None and (dest == src or src in dest.parents):
        raise DestinationRefused(f"The destination {dest} is inside the source {src}, which is never modified. "
                                 "Nothing was changed.")
    if src is not None and dest in src.parents:
        raise DestinationRefused(f"The destination {dest} holds the source {src}; replacing it would delete the "
                                 "source. Choose a new folder. Nothing was changed.")
    if not dest.exists():
        return
    if not dest.is_dir():
        raise DestinationRefused(f"The destination {dest} is a file, not a folder. Choose a new folder. "
                                 "Nothing was changed.")
    present = sorted(p.name for p in dest.iterdir())
    if not present:
        return
    if not _earlier_import(dest):
        raise DestinationRefused(
            f"The destination {dest} already holds files this tool did not write ({_listed(present)}); importing "
            "replaces the whole folder, so it only writes into a new folder, an empty one or an earlier import. "
            "Choose a new folder, for example data/real. Nothing was changed.")
    foreign = [name for name in present if name not in (MARKER, *WRITTEN_FILES)]
    if foreign:
        raise DestinationRefused(
            f"The destination {dest} is an earlier import, but it now also holds {_listed(foreign)}, which this "
            "tool did not write and would delete. Move those elsewhere or choose a new folder. Nothing was changed.")


def _earlier_import(dest: Path) -> bool:
    """DEST carries the marker, or (imports made before the marker) a source.json this importer wrote."""
    if (dest / MARKER).is_file():
        return True
    try:
        source = json.loads((dest / "source.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(source, dict) and source.get("kind") == "real" and source.get("title") == TITLE


def _listed(names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _write_all(src: Path, out: Path, warnings: list[str]) -> ImportResult:
    skipped = _Skipped()
    groups = _block_groups(_geojson_files(src), skipped, warnings)
    prediction_folder = src / BIAS_DIR / "prediction_locations"
    predictions = _predictions(prediction_folder, skipped)
    with_predictions = {path.stem for path in prediction_folder.glob("*.csv")}
    with_block_groups = {department for department, _ in groups}
    departments = _departments(src / BIAS_DIR / "departments.csv", with_predictions, with_block_groups,
                               skipped, warnings)
    tables = {
        "departments": departments,
        "predictions": predictions,
        "race": _census_table(groups, "race"),
        "income": _census_table(groups, "income"),
        "block_group_counts": _count_table(groups),
        **_plainfield_tables(src / PLAINFIELD_DIR, skipped, warnings),
    }
    result = ImportResult(warnings=warnings, date_range=_date_range(departments[1]))
    for table, (columns, rows) in tables.items():
        file = schema.spec(table).file
        result.counts[file] = _write_csv(out / file, columns, rows)
    result.counts["block_groups.geojson"] = _write_geojson(out / "block_groups.geojson", groups, warnings)
    warnings.extend(skipped.warnings())
    return result


def _plainfield_tables(folder: Path, skipped: _Skipped, warnings: list[str]) -> dict:
    if not folder.is_dir():
        return {}
    tables = {}
    for name, table, constants in PLAINFIELD_TABLES:
        if (folder / name).is_file():
            tables[table] = _read_table(folder / name, table, constants, skipped)
        else:
            warnings.append(f"{PLAINFIELD_DIR}/{name} is missing, so {schema.spec(table).file} was not written")
    return tables


def _date_range(departments: list[dict]) -> tuple[str | None, str | None]:
    starts = [d["first_prediction_date"] for d in departments if d.get("first_prediction_date")]
    ends = [d["final_prediction_date"] for d in departments if d.get("final_prediction_date")]
    return min(starts, default=None), max(ends, default=None)


def _write_source(out: Path, src: Path, origin: str, result: ImportResult) -> None:
    sources = [{"repository": s["repository"], "commit": s["commit"], "licence": s["licence"],
                "url": f"https://github.com/{s['repository']}/tree/{s['commit']}"}
               for s in SOURCES if (src / s["folder"]).is_dir()]
    document = {
        "kind": "real",
        "title": TITLE,
        "sources": sources,
        "imported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "imported_from": origin,
        "date_range": list(result.date_range),
        "warnings": result.warnings,
    }
    (out / "source.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / MARKER).write_text("Written by PredPol explorer's importer (lib/data/markup.py); a later import may "
                              "replace this folder.\n", encoding="utf-8")


def _publish(staging: Path, dest: Path) -> None:
    """Swap the finished staging folder in for DEST; the old DEST is removed only after the swap."""
    old = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.replaced-", dir=dest.parent))
        dest.rename(old / dest.name)
    staging.rename(dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
