"""Writing a data directory: one CSV per table in the app's schema, the block groups as GeoJSON, source.json, and
the swap that puts the finished folder in place."""
from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from shapely.geometry import mapping

from lib import schema
from lib.data.demo.model import (DEMO_EPOCH, GROUPS, INCOME_BRACKETS, MINUTES_PER_DAY, SHIFT_LETTERS, SOURCE_FILE,
                                 Area, DemoDepartment, Points, Vocabulary, date_column, department_column,
                                 text_column)

CSV_OPTIONS = pacsv.WriteOptions(quoting_header="none", quoting_style="needed")
WRITE_BATCH_ROWS = 500_000

def write_csv(path: Path, table: pa.Table) -> int:
    pacsv.write_csv(table, path, CSV_OPTIONS)
    return table.num_rows


def write_departments(folder: Path, departments: Sequence[DemoDepartment]) -> int:
    table = pa.table({
        "department": [d.slug for d in departments],
        "name": [d.name for d in departments],
        "state": [d.state for d in departments],
        "first_prediction_date": [d.first_day for d in departments],
        "final_prediction_date": [d.last_day for d in departments],
        "usable": [True] * len(departments),
        "active": pa.array([d.active for d in departments], pa.bool_()),
        "has_predictions": [True] * len(departments),
    })
    return write_csv(folder / "departments.csv", table)


def write_block_groups(folder: Path, areas: list[Area]) -> int:
    features = [
        {"type": "Feature", "properties": {"geoid": geoid, "department": area.department.slug},
         "geometry": mapping(geometry)}
        for area in areas for geoid, geometry in zip(area.geoids, area.geometries)
    ]
    collection = {"type": "FeatureCollection", "features": features}
    (folder / "block_groups.geojson").write_text(json.dumps(collection, separators=(",", ":")) + "\n")
    return len(features)


def _block_group_columns(areas: list[Area]) -> dict:
    return {
        "geoid": [g for a in areas for g in a.geoids],
        "department": [a.department.slug for a in areas for _ in a.geoids],
    }


def write_race(folder: Path, areas: list[Area]) -> int:
    race = np.concatenate([a.race for a in areas])
    table = pa.table({
        **_block_group_columns(areas),
        "total": np.concatenate([a.totals for a in areas]),
        **{group: race[:, i] for i, group in enumerate(GROUPS)},
    })
    return write_csv(folder / "census-block_group-race_ethnicity.csv", table)


def write_income(folder: Path, areas: list[Area]) -> int:
    households = np.concatenate([a.households for a in areas])
    brackets = np.concatenate([a.brackets for a in areas])
    table = pa.table({
        **_block_group_columns(areas),
        "households": households,
        "low_income_households": np.concatenate([a.low_income for a in areas]),
        "bracket_households": households,
        **{name: brackets[:, i] for i, name in enumerate(INCOME_BRACKETS)},
    })
    return write_csv(folder / "census-block_group-household_income.csv", table)


def write_predictions(folder: Path, preds: Points, words: Vocabulary, departments: Sequence[DemoDepartment]) -> int:
    order = np.lexsort((preds.shift, preds.day, preds.department))
    writer = None
    # In slices, so the text columns of a benchmark-sized run never sit in memory at once.
    for start in range(0, len(order), WRITE_BATCH_ROWS):
        rows = order[start:start + WRITE_BATCH_ROWS]
        table = pa.table({
            "department": department_column(preds.department[rows], departments),
            "lat": preds.lat[rows],
            "lon": preds.lon[rows],
            "count": pa.array(np.ones(len(rows), dtype="int8")),
            "date": date_column(preds.day[rows]),
            "shift": text_column(list(SHIFT_LETTERS), preds.shift[rows]),
            "incident_type": text_column(list(schema.INCIDENT_TYPES), preds.incident_type[rows]),
            "address": words.column(preds.address[rows]),
        })
        if writer is None:
            writer = pacsv.CSVWriter(folder / "pp_report_locations_geocoded.csv", table.schema,
                                      write_options=CSV_OPTIONS)
        writer.write_table(table)
    writer.close()
    return len(order)


def write_prediction_counts(folder: Path, preds: Points, departments: Sequence[DemoDepartment]) -> int:
    counts = np.zeros((len(departments), len(schema.INCIDENT_TYPES)), dtype="int64")
    np.add.at(counts, (preds.department, preds.incident_type), 1)
    rows = [(d, t) for d in range(len(departments)) for t in range(len(schema.INCIDENT_TYPES))]
    table = pa.table({
        "department": [departments[d].slug for d, _ in rows],
        "incident_type": [schema.INCIDENT_TYPES[t] for _, t in rows],
        "window_start": [departments[d].first_day for d, _ in rows],
        "window_end": [departments[d].last_day for d, _ in rows],
        "predictions": [int(counts[d, t]) for d, t in rows],
    })
    return write_csv(folder / "prediction_counts_by_type.csv", table)


def write_sites(folder: Path, areas: list[Area]) -> int:
    sites = [s for a in areas for s in a.sites]
    table = pa.table({k: [s[k] for s in sites] for k in ("name", "kind", "lat", "lon", "department", "address")})
    return write_csv(folder / "sites.csv", table)


def write_excluded_addresses(folder: Path, departments: Sequence[DemoDepartment]) -> int:
    rows = [row for d in departments for row in d.excluded_addresses]
    table = pa.table({"address": [a for a, _ in rows], "reason": [r for _, r in rows]})
    return write_csv(folder / "excluded_addresses.csv", table)


def write_source(folder: Path, seed: int, predictions: int, departments: Sequence[DemoDepartment],
                 shape: str | None = None) -> None:
    """source.json; `shape` is named only when it is not the default, so the shipped demo's file stays as it was."""
    generated_at = DEMO_EPOCH + timedelta(minutes=seed % (366 * MINUTES_PER_DAY))
    source = {
        "kind": "demo",
        "title": "Synthetic demo data (not real)",
        "generator": "python -m lib.cli demo",
        "seed": seed,
        "predictions": predictions,
        **({"shape": shape} if shape else {}),
        "generated_at": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "date_range": [min(d.first_day for d in departments).isoformat(),
                       max(d.last_day for d in departments).isoformat()],
        "warnings": [],
    }
    (folder / SOURCE_FILE).write_text(json.dumps(source, indent=2) + "\n")


def replace_directory(new: Path, dest: Path) -> None:
    """Swap new in for dest, so readers never see a half-written directory."""
    if not dest.exists():
        new.rename(dest)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", dir=dest.parent))
    old.rmdir()
    dest.rename(old)
    new.rename(dest)
    shutil.rmtree(old)
