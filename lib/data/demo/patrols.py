"""Patrols: hotspot patrols at predicted boxes during their shift, proactive patrols anywhere."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lib import schema
from lib.data.demo.files import write_csv
from lib.data.demo.geography import scatter
from lib.data.demo.model import (BOX_METRES, DAYS_OF_USE, HOTSPOT_PATROL_SHARE, MIN_PATROLS, MINUTES_PER_DAY,
                                 PATROL_MINUTES, PATROL_UNITS, PATROLS_PER_PREDICTION, SHIFT_START_MINUTES, Area,
                                 Points, Vocabulary, department_column, epoch_day, text_column)

def _patrols(index: int, area: Area, preds: Points, rng: np.random.Generator) -> dict:
    """Hotspot patrols at predicted boxes during their shift; proactive patrols anywhere."""
    dept = area.department
    own = np.flatnonzero((preds.department == index) & (preds.box >= 0))
    n = max(MIN_PATROLS, round(PATROLS_PER_PREDICTION * len(own)))
    n_hotspot = round(HOTSPOT_PATROL_SHARE * n)
    visited = rng.choice(own, n_hotspot)
    box = np.concatenate([preds.box[visited], rng.choice(len(area.box_weight), n - n_hotspot)])
    start_minute = np.concatenate([
        (preds.day[visited] * MINUTES_PER_DAY + SHIFT_START_MINUTES[preds.shift[visited]]
         + rng.integers(0, schema.SHIFT_MINUTES - int(PATROL_MINUTES[1]), n_hotspot)),
        (rng.integers(0, DAYS_OF_USE, n - n_hotspot) + epoch_day(dept.first_day)) * MINUTES_PER_DAY
        + rng.integers(0, MINUTES_PER_DAY, n - n_hotspot),
    ])
    lat, lon = scatter(area, box, np.full(n, BOX_METRES / 5), rng)
    return {
        "department": np.full(n, index),
        "unit": rng.integers(0, PATROL_UNITS, n),
        "start_minute": start_minute,
        "minutes": np.round(rng.uniform(*PATROL_MINUTES, n) * 2) / 2,
        "lat": lat,
        "lon": lon,
        "address": area.box_street_address[box],
        "hotspot": np.arange(n) < n_hotspot,
    }


def write_patrols(folder: Path, areas: list[Area], preds: Points, words: Vocabulary,
                   rng: np.random.Generator) -> int:
    parts = [_patrols(i, a, preds, rng) for i, a in enumerate(areas)]
    patrols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((patrols["start_minute"], patrols["department"]))
    patrols = {k: v[order] for k, v in patrols.items()}
    start = patrols["start_minute"].astype("int64") * 60
    end = start + np.round(patrols["minutes"] * 60).astype("int64")
    table = pa.table({
        "department": department_column(patrols["department"], [a.department for a in areas]),
        "unit": text_column([str(101 + u) for u in range(PATROL_UNITS)], patrols["unit"]),
        "start": _minute_text(start),
        "end": _minute_text(end),
        "lat": patrols["lat"],
        "lon": patrols["lon"],
        "address": pc.utf8_upper(words.column(patrols["address"])),
        "kind": text_column(["PROACTIVE PATROL", "HOTSPOT PATROL"], patrols["hotspot"].astype(int)),
        "minutes": patrols["minutes"],
    })
    return write_csv(folder / "patrols.csv", table)


def _minute_text(epoch_seconds: np.ndarray) -> pa.Array:
    return pc.strftime(pa.array(epoch_seconds.astype("datetime64[s]")), format="%Y-%m-%d %H:%M")
