"""Synthetic demo data: fictional departments shaped like the published PredPol data.

Everything here is invented. The shapes follow what The Markup and Gizmodo found in the
real files, so every page of the app has something to show without them: predictions
concentrated in Black, Latino and low-income block groups; a pile of predictions at each
police station (reports taken at the front desk); a public-housing block group targeted
almost every day; geocoding errors (Bahrain, swapped coordinates, 0,0, just outside the
city); and only about 0.5% of predictions matched by a reported crime of the predicted type.

`generate()` is deterministic: the same seed, size and shape give byte-identical files. The default shape is the
shipped demo's three towns (119 block groups); `shape="national"` makes 38 departments and about 6,000 block groups,
the real data's breadth, for benchmarks (`python -m lib.cli demo DIR --shape national --predictions 6000000`).

The modules follow the generator's steps: model (constants and the arrays built), departments, people and
geography (one department's area), predictions, reports and patrols, files (writing the directory).
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np

from lib.data.demo.departments import DEFAULT_SHAPE, DEPARTMENTS, SHAPES
from lib.data.demo.files import (replace_directory, write_block_groups, write_departments, write_excluded_addresses,
                                 write_income, write_prediction_counts, write_predictions, write_race, write_sites,
                                 write_source)
from lib.data.demo.geography import build_area
from lib.data.demo.model import (DEFAULT_PREDICTIONS, GROUPS, MANAMA, MANAMA_ADDRESS, METRES_PER_DEGREE,
                                 MIN_PREDICTIONS, SOURCE_FILE, Points, Vocabulary, split_total)
from lib.data.demo.patrols import write_patrols
from lib.data.demo.predictions import dated_predictions
from lib.data.demo.reports import write_crime_reports

__all__ = ["DEFAULT_PREDICTIONS", "DEFAULT_SHAPE", "DEPARTMENTS", "GROUPS", "MANAMA", "MANAMA_ADDRESS",
           "METRES_PER_DEGREE", "SHAPES", "SOURCE_FILE", "generate"]


def generate(dest: Path, predictions: int = DEFAULT_PREDICTIONS, seed: int = 7, shape: str = DEFAULT_SHAPE) -> dict:
    """Write a complete synthetic data directory to dest; return the rows written per file. `shape` names the
    departments (SHAPES: the demo's three towns, or 38 departments nationwide)."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}")
    departments = SHAPES[shape]()
    if predictions < MIN_PREDICTIONS * len(departments) / len(DEPARTMENTS):
        raise ValueError(f"predictions must be at least {MIN_PREDICTIONS * len(departments) // len(DEPARTMENTS)} "
                         f"for the {shape} shape")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    words = Vocabulary()
    areas = [build_area(d, words, rng) for d in departments]
    per_department = split_total(predictions, [d.prediction_weight for d in departments])
    preds = Points.concat([dated_predictions(i, a, n, words, rng)
                           for i, (a, n) in enumerate(zip(areas, per_department))])
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        counts = {
            "departments.csv": write_departments(tmp, departments),
            "block_groups.geojson": write_block_groups(tmp, areas),
            "census-block_group-race_ethnicity.csv": write_race(tmp, areas),
            "census-block_group-household_income.csv": write_income(tmp, areas),
            "pp_report_locations_geocoded.csv": write_predictions(tmp, preds, words, departments),
            "crime_reports.csv": write_crime_reports(tmp, areas, preds, words, rng),
            "prediction_counts_by_type.csv": write_prediction_counts(tmp, preds, departments),
            "patrols.csv": write_patrols(tmp, areas, preds, words, rng),
            "sites.csv": write_sites(tmp, areas),
            "excluded_addresses.csv": write_excluded_addresses(tmp, departments),
        }
        write_source(tmp, seed, predictions, departments, None if shape == DEFAULT_SHAPE else shape)
        tmp.chmod(0o755)
        replace_directory(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return counts


