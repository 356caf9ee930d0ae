"""Shared pieces of the audit: constants, the per-view memo (one_view), dates in use, department totals, block
group shapes and point geometry."""
from __future__ import annotations

import math
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd
import shapely

from lib import geo_math
from lib.db import query, run
from lib.filters import Filters

EVERYDAY_SHARE = 0.9  # "every single day": strictly more than 90% of the days in use
NEARBY_KM = 25.0
ZERO_DEGREES = 1e-6
TOP_SHARE = 0.10  # the "most-targeted areas" compared quarter to quarter
ARTEFACT_WORDS = ("POLICE", "SHERIFF", "JAIL", "COURT", "HOSPITAL", "PD")
ADDRESS_PATTERN = r"\b(" + "|".join(ARTEFACT_WORDS) + r")\b"
# "Court" naming a street (Court Pl, Court St) is not a courthouse; it is blanked before matching.
COURT_STREET = r"\bCOURT\s+(PL|PLACE|ST|STREET|AVE?|AVENUE|RD|ROAD|DR|DRIVE|LN|LANE|TER|WAY|SQ|CIR)\b"
ADDRESS_PARAMS = {"pattern": ADDRESS_PATTERN, "court_street": COURT_STREET}
SITE_COLUMNS = ["name", "kind", "lat", "lon", "department", "address", "geoid", "source"]
# Where each site of sites.csv came from (lib/analysis/sites.py labels results with them); added sites have none.
PROVENANCE_COLUMNS = ["origin", "source_id", "retrieved", "licence"]

STATUS_LABELS = {
    "inside": "Inside the analysed block groups",
    "nearby": f"Outside, within {NEARBY_KM:g} km",
    "far": f"Outside, more than {NEARBY_KM:g} km away",
    "abroad": "Outside the United States",
    "zero_zero": "At 0,0 (a failed geocode)",
    "swapped": "Latitude and longitude swapped",
    "no_outline": "Department has no block-group outlines",
    "no_coordinates": "No coordinates",
}
ERROR_STATUSES = ("abroad", "zero_zero", "swapped")

# Each point table: the SQL name, what a point weighs, the records behind it, its day, and how the filters apply.
POINT_SOURCES = {
    "predictions": ("prediction_cells", "CAST(sum(p.count) AS BIGINT)", "sum(p.records)", "p.date", {}),
    "crime reports": ("crime_reports", "CAST(NULL AS BIGINT)", "count(*)", "p.date", {"typed": False}),
    "patrols": ("patrols", "CAST(NULL AS BIGINT)", "count(*)", "CAST(p.start AS DATE)",
                {"typed": False, "date_expr": "CAST(p.start AS DATE)"}),
    "sites": ("sites", "CAST(NULL AS BIGINT)", "count(*)", "CAST(NULL AS DATE)", {"typed": False, "dated": False}),
}


# -- shared pieces ------------------------------------------------------------------------------

# Several tables of one view need the same pieces (whether predictions are dated, the days each department
# used the software, department totals, the sites and the predictions around them). Inside one_view() each is
# computed once per connection and input; outside it, every call computes afresh.
_VIEW: ContextVar[dict | None] = ContextVar("audit_view", default=None)


@contextmanager
def one_view():
    """Share the pieces several audit tables need while one page view (or one workload) is computed.
    The shared frames are read, never changed, by the functions that use them."""
    token = _VIEW.set({})
    try:
        yield
    finally:
        _VIEW.reset(token)


def _once(key: tuple, compute):
    memo = _VIEW.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _frame_key(frame: pd.DataFrame | None) -> tuple:
    return () if frame is None else tuple(map(tuple, frame.astype(object).itertuples(index=False)))


def _all_time(f: Filters) -> bool:
    """Filters.all_time, here so tests can send a view down the live path."""
    return f.all_time


def has_dates(con, f: Filters) -> bool:
    """Whether the selected predictions carry dates (the published real data gives location totals only)."""
    f = f.places_and_time_only()

    def compute():
        where, params = f.where("p", typed=False)
        return bool(run(con, f"SELECT count(*) AS n FROM prediction_days p WHERE {where} AND p.date IS NOT NULL",
                        params)["n"].iloc[0])
    return _once(("has_dates", id(con), f), compute)


def days_in_use(con, f: Filters) -> pd.DataFrame:
    """Per department: distinct prediction dates within its first..final prediction dates (and the selected dates)."""
    f = f.places_and_time_only()

    def compute():
        where, params = f.where("p", typed=False)
        return query(con, "audit_days_in_use", params, where=where)
    return _once(("days_in_use", id(con), f), compute)


def department_predictions(con, f: Filters) -> pd.DataFrame:
    def compute():
        where, params = f.where("p")
        return run(con, "SELECT department, CAST(sum(count) AS BIGINT) AS department_predictions "
                        f"FROM prediction_days p WHERE {where} GROUP BY department", params)
    return _once(("department_predictions", id(con), f), compute)


def block_group_shapes(con, departments: tuple[str, ...] = ()) -> pd.DataFrame:
    """department, geoid and shapely geometry of the block groups (of the given departments)."""
    frame = run(con, "SELECT department, geoid, geometry_json FROM block_groups "
                     "WHERE len($departments) = 0 OR list_contains($departments, department)",
                {"departments": list(departments)})
    frame["geometry"] = shapely.from_geojson(frame.pop("geometry_json").to_numpy()) if len(frame) else []
    return frame


def _containing(shapes: pd.DataFrame, departments, lat, lon) -> np.ndarray:
    """Row position in `shapes` of the block group containing each point, of the point's own department
    (of any department where that is None); -1 where none does. Shared edges go to the smaller geoid."""
    result = np.full(len(lat), -1)
    if not len(lat) or shapes.empty:
        return result
    tree = shapely.STRtree(shapes["geometry"].to_numpy())
    point_idx, shape_idx = tree.query(shapely.points(np.asarray(lon, float), np.asarray(lat, float)),
                                      predicate="intersects")
    departments = np.asarray(departments, dtype=object)
    own = [d is None or d == s for d, s in zip(departments[point_idx], shapes["department"].to_numpy()[shape_idx])]
    pairs = pd.DataFrame({"point": point_idx[own], "shape": shape_idx[own],
                          "geoid": shapes["geoid"].to_numpy()[shape_idx[own]]})
    chosen = pairs.sort_values(["geoid", "shape"]).groupby("point")["shape"].first()
    result[chosen.index.to_numpy()] = chosen.to_numpy()
    return result


def _geoids(shapes: pd.DataFrame, positions: np.ndarray) -> np.ndarray:
    geoids = np.append(shapes["geoid"].to_numpy(dtype=object), None)
    return geoids[positions]  # -1 picks the appended None


def _distance_km(shapes: pd.DataFrame, departments, lat, lon) -> np.ndarray:
    """Distance from each point to the nearest block group of its department, in km (NaN without outlines).

    Within a few hundred km a flat projection centred on the department is accurate to well under 1%;
    beyond that the great-circle distance to the department's centre is used.
    """
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    departments = np.asarray(departments, dtype=object)
    result = np.full(len(lat), np.nan)
    for department in pd.unique(departments):
        rows = np.flatnonzero(departments == department)
        own = shapes[shapes["department"] == department]
        if own.empty or not len(rows):
            continue
        centre = shapely.union_all(own["geometry"].to_numpy()).centroid
        km_lat = geo_math.METRES_PER_DEGREE_LAT / 1000
        km_lon = float(geo_math.metres_per_degree_lon(centre.y)) / 1000
        flat = shapely.transform(own["geometry"].to_numpy(), lambda xy: xy * [km_lon, km_lat])
        tree = shapely.STRtree(flat)
        (point_idx, _), dist = tree.query_nearest(shapely.points(lon[rows] * km_lon, lat[rows] * km_lat),
                                                  return_distance=True, all_matches=False)
        km = np.full(len(rows), np.nan)
        km[point_idx] = dist
        far = km > 300
        km[far] = geo_math.distance_km(centre.y, centre.x, lat[rows][far], lon[rows][far])
        result[rows] = km
    return result


def _plain(value):
    """A JSON-ready Python value."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    return [{c: _plain(row[c]) for c in columns} for _, row in frame.iterrows()]
