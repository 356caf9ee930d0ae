"""Crime reports: mostly of kinds PredPol does not predict, a few planted inside a prediction's box and shift, with
the real files' blemishes (no coordinates, vague addresses, duplicates)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lib import schema
from lib.data.demo.files import write_csv
from lib.data.demo.geography import scatter
from lib.data.demo.model import (BOX_METRES, COORDINATE_DECIMALS, CRIME_CONCENTRATION, DAYS_OF_USE,
                                 DUPLICATE_SHARE, EXCLUDED_ADDRESS_SHARE, MATCH_OFFSET_METRES, MINUTES_PER_DAY,
                                 NO_COORDINATE_SHARE, PLANTED_MATCH_SHARE, PREDICTABLE_DESCRIPTIONS,
                                 PREDICTABLE_REPORT_SHARE, REPORT_HOUR_WEIGHTS, REPORTS_PER_PREDICTION,
                                 SHIFT_START_MINUTES, UNPREDICTABLE_DESCRIPTIONS, Area, Points, Vocabulary,
                                 date_column, department_column, epoch_day, text_column)

def _crime_reports(index: int, area: Area, preds: Points, words: Vocabulary, rng: np.random.Generator) -> dict:
    """Reports for one department: mostly unpredictable kinds, a few matching a prediction."""
    dept = area.department
    own = np.flatnonzero((preds.department == index) & (preds.box >= 0))
    n_reports = round(REPORTS_PER_PREDICTION * len(own))
    n_matched = round(PLANTED_MATCH_SHARE * len(own))
    n_predictable = max(round(PREDICTABLE_REPORT_SHARE * n_reports) - n_matched, 0)
    n_unpredictable = n_reports - n_matched - n_predictable

    matched = rng.choice(own, n_matched, replace=False)
    report_minute = (SHIFT_START_MINUTES[preds.shift[matched]] + rng.integers(0, schema.SHIFT_MINUTES, n_matched))
    matched_day = preds.day[matched] + report_minute // MINUTES_PER_DAY
    matched_description = np.array([_matching_description(t, rng) for t in preds.incident_type[matched]], dtype=int)

    surface = area.box_weight ** CRIME_CONCENTRATION
    n_random = n_predictable + n_unpredictable
    random_box = rng.choice(len(surface), n_random, p=surface / surface.sum())
    predictable_p = np.array([p for *_, p in PREDICTABLE_DESCRIPTIONS])
    unpredictable_p = np.array([p for _, p in UNPREDICTABLE_DESCRIPTIONS])
    random_description = np.concatenate([
        rng.choice(len(PREDICTABLE_DESCRIPTIONS), n_predictable, p=predictable_p / predictable_p.sum()),
        len(PREDICTABLE_DESCRIPTIONS) + rng.choice(len(UNPREDICTABLE_DESCRIPTIONS), n_unpredictable,
                                                   p=unpredictable_p / unpredictable_p.sum()),
    ])
    hour_p = REPORT_HOUR_WEIGHTS / REPORT_HOUR_WEIGHTS.sum()
    random_minute = rng.choice(24, n_random, p=hour_p) * 60 + rng.integers(0, 60, n_random)

    box = np.concatenate([preds.box[matched], random_box])
    spread = np.concatenate([np.full(n_matched, MATCH_OFFSET_METRES), np.full(n_random, BOX_METRES / 2)])
    lat, lon = scatter(area, box, spread, rng)
    day = np.concatenate([matched_day, rng.integers(0, DAYS_OF_USE, n_random) + epoch_day(dept.first_day)])
    return {
        "department": np.full(n_reports, index),
        "day": day,
        "minute": np.concatenate([report_minute % MINUTES_PER_DAY, random_minute]),
        "description": np.concatenate([matched_description, random_description]),
        "lat": lat,
        "lon": lon,
        "address": _report_addresses(area, box, words, rng),
    }



def _matching_description(incident_type: int, rng: np.random.Generator) -> int:
    """A predictable description whose types include incident_type."""
    name = schema.INCIDENT_TYPES[incident_type]
    candidates = [i for i, (_, types, _) in enumerate(PREDICTABLE_DESCRIPTIONS) if name in types.split("%")]
    return int(rng.choice(candidates))


def _report_addresses(area: Area, box: np.ndarray, words: Vocabulary, rng: np.random.Generator) -> np.ndarray:
    """Addresses in the style of the Plainfield reports ('609 Berckman St, Plainfield, NJ'), as codes."""
    dept = area.department
    suffix = f", {dept.city}, {dept.state}"
    street_codes = area.box_street_address[box]
    codes = np.empty(len(box), dtype=int)
    for code in np.unique(street_codes):
        number, street = words.words[code].split(" ", 1)
        rows = np.flatnonzero(street_codes == code)
        house = int(number) + 2 * rng.integers(0, 4, len(rows))
        codes[rows] = [words.code(f"{h} {street}{suffix}") for h in house]
    return codes


def write_crime_reports(folder: Path, areas: list[Area], preds: Points, words: Vocabulary,
                         rng: np.random.Generator) -> int:
    parts = [_crime_reports(i, a, preds, words, rng) for i, a in enumerate(areas)]
    reports = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    _blur_some_reports(areas, reports, words, rng)
    order = np.lexsort((reports["minute"], reports["day"], reports["department"]))
    reports = {k: v[order] for k, v in reports.items()}
    descriptions = [d for d, *_ in PREDICTABLE_DESCRIPTIONS] + [d for d, _ in UNPREDICTABLE_DESCRIPTIONS]
    predictable_types = [t for _, t, _ in PREDICTABLE_DESCRIPTIONS]
    predictable_code = np.where(reports["description"] < len(PREDICTABLE_DESCRIPTIONS), reports["description"], -1)
    located = ~np.isnan(reports["lat"])
    table = pa.table({
        "department": department_column(reports["department"], [a.department for a in areas]),
        "date": date_column(reports["day"]),
        "time": pa.array((reports["minute"] * 60).astype("int32"), pa.time32("s")),
        "description": text_column(descriptions, reports["description"]),
        "address": words.column(reports["address"]),
        "lat": pa.array(reports["lat"], mask=~located),
        "lon": pa.array(reports["lon"], mask=~located),
        "predictable_type": pc.take(pa.array(predictable_types),
                                    pa.array(predictable_code, pa.int32(), mask=predictable_code < 0)),
    })
    return write_csv(folder / "crime_reports.csv", table)


def _blur_some_reports(areas: list[Area], reports: dict, words: Vocabulary, rng: np.random.Generator) -> None:
    """Add the real files' blemishes: reports without coordinates, at vague addresses, and duplicated."""
    n = len(reports["day"])
    no_coordinates = rng.choice(n, max(1, round(NO_COORDINATE_SHARE * n)), replace=False)
    reports["lat"][no_coordinates] = np.nan
    reports["lon"][no_coordinates] = np.nan
    reports["address"][no_coordinates] = [
        words.code(words.words[code].split(" ", 1)[1]) for code in reports["address"][no_coordinates]]

    # Vague addresses geocode to the middle of the city: a false hot spot unless excluded.
    for index, area in enumerate(areas):
        own = np.flatnonzero(reports["department"] == index)
        chosen = rng.choice(own, max(1, round(EXCLUDED_ADDRESS_SHARE * len(own))), replace=False)
        addresses = [words.code(a) for a, _ in area.department.excluded_addresses]
        reports["address"][chosen] = rng.choice(addresses, len(chosen))
        middle = area.city.centroid
        reports["lat"][chosen] = round(middle.y, COORDINATE_DECIMALS)
        reports["lon"][chosen] = round(middle.x, COORDINATE_DECIMALS)

    duplicated = rng.choice(n, max(1, round(DUPLICATE_SHARE * n)), replace=False)
    for key, values in reports.items():
        reports[key] = np.concatenate([values, values[duplicated]])
