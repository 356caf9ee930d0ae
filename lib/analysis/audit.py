"""Audit: hotspots that are not crime, sensitive places targeted day after day, geocoding errors,
and how targeting moved over time.

Every function takes the DuckDB connection and a Filters value (plus, where sites matter, the
sites a user added for the session as a DataFrame) and returns plain frames or dicts.
"""
from __future__ import annotations

import math
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from lib import geo_math, schema
from lib.data.load import US_COUNTRY_CODES
from lib.db import bind, query, run, sql
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


def _countries(lat, lon) -> pd.DataFrame:
    """Country of the nearest GeoNames place, offline (the reverse_geocode package ships its data)."""
    if not len(lat):
        return pd.DataFrame({"country_code": [], "country": [], "place": []}, dtype=object)
    import reverse_geocode
    found = reverse_geocode.search(list(zip(np.asarray(lat, float), np.asarray(lon, float))))
    return pd.DataFrame({"country_code": [p.get("country_code") for p in found],
                         "country": [p.get("country") for p in found],
                         "place": [p.get("city") for p in found]})


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


# -- sites ---------------------------------------------------------------------------------------

def validate_site(name: str, kind: str, lat, lon) -> tuple[dict | None, list[str]]:
    """A site a user typed in, checked like any input: (site, []) or (None, messages)."""
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append("Give the site a name.")
    elif len(name) > 200:
        errors.append("The name is too long: keep it under 200 characters.")
    if kind not in schema.SITE_KINDS:
        errors.append(f"Choose a kind of site: one of {', '.join(schema.SITE_KINDS)}.")
    values = {}
    for label, value, low, high in (("Latitude", lat, -90, 90), ("Longitude", lon, -180, 180)):
        try:
            number = float(str(value).strip())
        except (TypeError, ValueError):
            errors.append(f"{label} must be a number in degrees, e.g. 40.6184 (got {str(value)!r}).")
            continue
        if not math.isfinite(number) or not low <= number <= high:
            errors.append(f"{label} must be between {low} and {high} degrees (got {value}).")
            continue
        values[label] = number
    if errors:
        return None, errors
    return {"name": name, "kind": kind, "lat": values["Latitude"], "lon": values["Longitude"]}, []


def sites(con, f: Filters, added: pd.DataFrame | None = None) -> pd.DataFrame:
    """The sites of the data (in the selected departments) plus the session's added sites, which
    take the department and block group their point falls in."""
    return _once(("sites", id(con), f, _frame_key(added)), lambda: _sites(con, f, added))


def _sites(con, f: Filters, added: pd.DataFrame | None) -> pd.DataFrame:
    where, params = f.where("p", dated=False, typed=False)
    own = run(con, f"SELECT name, kind, lat, lon, department, address, geoid, 'data' AS source, "
                   f"source AS origin, source_id, retrieved, licence FROM sites p "
                   f"WHERE {where} AND lat IS NOT NULL AND lon IS NOT NULL ORDER BY department, kind, name", params)
    columns = SITE_COLUMNS + PROVENANCE_COLUMNS
    if added is None or added.empty:
        return own[columns]
    extra = added[["name", "kind", "lat", "lon"]].copy()
    extra["lat"], extra["lon"] = extra["lat"].astype(float), extra["lon"].astype(float)
    shapes = block_group_shapes(con)
    at = _containing(shapes, [None] * len(extra), extra["lat"], extra["lon"])
    extra["geoid"] = _geoids(shapes, at)
    extra["department"] = np.append(shapes["department"].to_numpy(dtype=object), None)[at]
    extra["address"] = None
    extra["source"] = "added"
    extra = extra.reindex(columns=columns)
    if f.departments:
        extra = extra[extra["department"].isin(f.departments) | extra["department"].isna()]
    frames = [frame for frame in (own[columns], extra) if not frame.empty]
    return pd.concat(frames, ignore_index=True) if frames else own[columns]


def _site_params(f: Filters, site_frame: pd.DataFrame) -> tuple[dict, dict]:
    """The fragments and parameters of audit_site_boxes.sql for these sites (SITE_COLUMNS): the data's own
    sites read the boxes stored when the data loaded (site_cells), added ones are tested live."""
    where, params = f.where("p")
    stored = (site_frame["source"] == "data").tolist()
    params.update({"site_id": list(range(len(site_frame))), "site_lat": site_frame["lat"].astype(float).tolist(),
                   "site_lon": site_frame["lon"].astype(float).tolist(), "site_stored": stored})
    live = "" if all(stored) else sql("audit_site_boxes_live").format(
        box_contains=geo_math.box_contains_sql("l", "s", schema.BOX_FEET))
    return {"site_boxes": sql("audit_site_boxes").format(where=where, live=live), "where": where}, params


def _per_site(con, f: Filters, site_frame: pd.DataFrame, dated: bool) -> pd.DataFrame:
    """The sites with the predictions whose 600 ft box contains each (audit_site_summary)."""
    out = site_frame.reset_index(drop=True)
    if len(out):
        fragments, params = _site_params(f, out)
        per = query(con, "audit_site_summary", params, **fragments).set_index("site_id")
        out = out.join(per, how="left")
    else:
        out = out.assign(predictions=[], days=[], locations=[], first_date=[], last_date=[], hit_department=[])
    out["predictions"] = out["predictions"].fillna(0).astype(int)
    out["locations"] = out["locations"].fillna(0).astype(int)
    out["days"] = out["days"].fillna(0).astype(int) if dated else pd.NA
    out["department"] = out["department"].fillna(out["hit_department"])
    totals = department_predictions(con, f).set_index("department")["department_predictions"]
    out["share_of_department"] = out["predictions"] / out["department"].map(totals)
    used = days_in_use(con, f).set_index("department")["days_in_use"]
    out["days_in_use"] = out["department"].map(used) if dated else pd.NA
    out["share_of_days"] = (out["days"] / out["days_in_use"]) if dated else pd.NA
    return out.drop(columns=["hit_department"]).rename(columns={"name": "site"})


# -- 1. hotspots that are not crime ------------------------------------------------------------

def persistent_hotspots(con, f: Filters, limit: int = 25) -> pd.DataFrame:
    """Prediction locations with the most predictions: share of the department's, days targeted."""
    where, params = f.where("p")
    frame = query(con, "audit_hotspots_all_time" if _all_time(f) else "audit_hotspots", {**params, "limit": limit},
                  where=where)
    if has_dates(con, f):
        used = days_in_use(con, f).set_index("department")["days_in_use"]
        frame["days_in_use"] = frame["department"].map(used)
        frame["share_of_days"] = frame["days_targeted"] / frame["days_in_use"]
    else:
        frame["days_targeted"] = pd.NA
        frame["days_in_use"] = pd.NA
        frame["share_of_days"] = pd.NA
    return frame


def site_artefacts(con, f: Filters, added: pd.DataFrame | None = None) -> pd.DataFrame:
    """Police stations, jails, courts and hospitals inside prediction boxes: predictions and days each drew."""
    all_sites = sites(con, f, added)
    chosen = all_sites[all_sites["kind"].isin(schema.ARTEFACT_SITE_KINDS)].reset_index(drop=True)
    out = _per_site(con, f, chosen, has_dates(con, f))
    return out.sort_values(["predictions", "site"], ascending=[False, True], ignore_index=True)


def address_artefacts(con, f: Filters) -> pd.DataFrame:
    """Prediction and crime-report addresses, and excluded addresses, whose text names a police station,
    sheriff, jail, court or hospital. 'Court' can also be a street name: read the address."""
    def compute():
        pred_where, params = f.where("p")
        report_where, report_params = f.where("p", typed=False)
        return query(con, "audit_address_words", {**params, **report_params},
                     pred_where=pred_where, report_where=report_where, named=NAMED)
    return _once(("address_artefacts", id(con), f), compute)


# The addresses whose text names a site, found when the data loaded (write_named_addresses).
NAMED = "named AS (SELECT address, word FROM named_addresses)"


def write_named_addresses(con, tables: Path) -> None:
    """tables/named_addresses/part-0.parquet: every distinct address of the predictions, crime reports and
    excluded addresses whose text names a police station, sheriff, jail, court or hospital, with the word
    (audit_named_addresses.sql). The pattern then runs once per address at load, never per view."""
    named = _named_addresses("SELECT address FROM prediction_cells UNION ALL SELECT address FROM crime_reports "
                             "UNION ALL SELECT address FROM excluded_addresses")
    (tables / "named_addresses").mkdir()
    con.execute(f"COPY (WITH {named} SELECT address, word FROM named ORDER BY address) "
                f"TO '{tables / 'named_addresses' / 'part-0.parquet'}' (FORMAT parquet)", ADDRESS_PARAMS)


# The distinct addresses of {addresses} (a query with an address column), gathered into one list and unnested:
# a filter on them then runs once per address. On a plain SELECT DISTINCT (even a MATERIALIZED one) DuckDB pushes
# the filter below the DISTINCT, onto every row: a regular expression over 300,000 crime reports instead of the
# 1,500 addresses they share.
DISTINCT_ADDRESSES = "SELECT unnest(list(DISTINCT address)) AS address FROM ({addresses}) WHERE address IS NOT NULL"


def _named_addresses(addresses: str) -> str:
    """CTEs distinct_addresses (of `addresses`, SQL built here, never from user text) and named: the
    addresses of audit_named_addresses.sql."""
    return (f"distinct_addresses AS ({DISTINCT_ADDRESSES.format(addresses=addresses)}), "
            f"named AS ({sql('audit_named_addresses')})")


def artefact_share(con, f: Filters, added: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per department: predictions whose box holds an artefact site or whose address names one, and their share."""
    all_sites = sites(con, f, added)
    chosen = all_sites[all_sites["kind"].isin(schema.ARTEFACT_SITE_KINDS)].reset_index(drop=True)
    fragments, params = _site_params(f, chosen)
    out = query(con, "audit_artefact_share", params, named=NAMED, **fragments)
    words = address_artefacts(con, f)
    named = words[words["source"] == "predictions"].groupby("department")["predictions"].sum()
    out.insert(2, "named_addresses", out["department"].map(named).fillna(0).astype("int64"))
    # a cell near a site at a named address counts once
    out.insert(3, "artefact_predictions", out["at_sites"] + out["named_addresses"] - out.pop("named_at_sites"))
    out["share"] = out["artefact_predictions"] / out["department_predictions"].where(out["department_predictions"] > 0)
    return out.sort_values(["share", "department"], ascending=[False, True], ignore_index=True)


# -- 2. sensitive places -------------------------------------------------------------------------

def block_group_days(con, f: Filters) -> pd.DataFrame:
    """Per block group: predictions, days targeted, days in use and their share, residents, race, income."""
    where, params = f.where("p")
    frame = query(con, "audit_block_group_days", params, where=where)
    used = days_in_use(con, f)[["department", "days_in_use"]]
    frame = frame.merge(used, on="department", how="left")
    frame["share_of_days"] = frame["days_targeted"] / frame["days_in_use"]
    return frame.sort_values(["share_of_days", "predictions"], ascending=False, ignore_index=True)


def everyday_block_groups(con, f: Filters, threshold: float = EVERYDAY_SHARE) -> pd.DataFrame:
    """Block groups with a prediction on more than `threshold` of the days the department used the software."""
    frame = block_group_days(con, f)
    return frame[frame["share_of_days"] > threshold].reset_index(drop=True)


def sensitive_sites(con, f: Filters, added: pd.DataFrame | None = None,
                    bg_days: pd.DataFrame | None = None) -> pd.DataFrame:
    """Public housing and schools: predictions and days within the site's box and within its block group,
    with the block group's residents, race and income. A page that already has block_group_days() for
    these filters passes it as `bg_days`."""
    all_sites = sites(con, f, added)
    chosen = all_sites[all_sites["kind"].isin(schema.SENSITIVE_SITE_KINDS)].reset_index(drop=True)
    dated = has_dates(con, f)
    out = _per_site(con, f, chosen, dated)
    if dated:
        bg = block_group_days(con, f) if bg_days is None else bg_days
    else:
        where, params = f.where("p")
        bg = run(con, f"SELECT p.department, p.geoid, CAST(sum(p.count) AS BIGINT) AS predictions FROM prediction_days p "
                      f"WHERE {where} AND p.geoid IS NOT NULL GROUP BY ALL", params)
        bg["days_targeted"] = pd.NA
        bg["share_of_days"] = pd.NA
    bg = bg[["department", "geoid", "predictions", "days_targeted", "share_of_days"]].rename(columns={
        "predictions": "block_group_predictions", "days_targeted": "block_group_days",
        "share_of_days": "block_group_share_of_days"})
    stats = run(con, "SELECT department, geoid, total AS residents, share_black, share_latino, share_white, "
                     "share_black_latino, share_low_income, majority FROM block_group_stats")
    out = out.merge(bg, on=["department", "geoid"], how="left").merge(stats, on=["department", "geoid"], how="left")
    out["block_group_predictions"] = out["block_group_predictions"].fillna(0).astype(int)
    return out.sort_values(["predictions", "block_group_predictions"], ascending=False, ignore_index=True)


# -- 3. geocoding ---------------------------------------------------------------------------------

@dataclass
class Geocoding:
    points: pd.DataFrame  # every point outside the analysed block groups, classified
    summary: pd.DataFrame  # department x source x status: locations, records, predictions
    countries: pd.DataFrame  # outside points by country
    abroad: pd.DataFrame  # evidence for each point outside the United States


# Typing slips that move a point far away: (words, function giving the corrected lat, lon).
CORRECTIONS = (
    ("latitude and longitude swapped back", lambda lat, lon: (lon, lat)),
    ("minus sign restored to the longitude", lambda lat, lon: (lat, -lon)),
    ("minus sign restored to the latitude", lambda lat, lon: (-lat, lon)),
    ("minus signs restored to both", lambda lat, lon: (-lat, -lon)),
)


def _corrections(shapes: pd.DataFrame, departments, lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the first typing slip whose correction puts it inside its department's block
    groups, and the block group it lands in (None, None where no correction does)."""
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    departments = np.asarray(departments, dtype=object)
    words = np.full(len(lat), None, dtype=object)
    geoids = np.full(len(lat), None, dtype=object)
    for label, fix in CORRECTIONS:
        todo = np.flatnonzero(pd.isna(words))
        if not len(todo):
            break
        new_lat, new_lon = fix(lat[todo], lon[todo])
        valid = np.abs(new_lat) <= 90
        found = _geoids(shapes, _containing(shapes, departments[todo][valid], new_lat[valid], new_lon[valid]))
        hit = pd.notna(found)
        words[todo[valid][hit]] = label
        geoids[todo[valid][hit]] = found[hit]
    return words, geoids


def classify_points(points: pd.DataFrame, shapes: pd.DataFrame) -> pd.DataFrame:
    """Add status, distance_km, country_code, country, place, correction and corrected_geoid to points
    (department, lat, lon, geoid).

    Order: inside; at 0,0; swapped (swapping lat/lon puts it inside); abroad (nearest GeoNames place
    outside the United States); nearby (within NEARBY_KM of the block groups); far. Abroad and far
    points also get the sign correction that would put them inside, when one does.
    """
    out = points.reset_index(drop=True).copy()
    n = len(out)
    status = np.where(out["geoid"].notna(), "inside", "").astype(object)
    zero = ((out["lat"].abs() < ZERO_DEGREES) & (out["lon"].abs() < ZERO_DEGREES)).to_numpy()
    status[zero & (status == "")] = "zero_zero"
    correction = np.full(n, None, dtype=object)
    corrected = np.full(n, None, dtype=object)
    todo = np.flatnonzero(status == "")
    if len(todo):
        rows = out.iloc[todo]
        correction[todo], corrected[todo] = _corrections(shapes, rows["department"].to_numpy(), rows["lat"],
                                                         rows["lon"])
    status[correction == CORRECTIONS[0][0]] = "swapped"
    distance = np.full(n, np.nan)
    outside = np.flatnonzero(status != "inside")
    if len(outside):
        rows = out.iloc[outside]
        distance[outside] = _distance_km(shapes, rows["department"].to_numpy(), rows["lat"], rows["lon"])
    countries = pd.DataFrame({"country_code": [None] * n, "country": [None] * n, "place": [None] * n}, dtype=object)
    todo = np.flatnonzero(status == "")
    if len(todo):
        found = _countries(out["lat"].to_numpy()[todo], out["lon"].to_numpy()[todo])
        countries.iloc[todo] = found.to_numpy()
        rest = np.where(np.isnan(distance[todo]), "no_outline",
                        np.where(distance[todo] <= NEARBY_KM, "nearby", "far")).astype(object)
        rest[~found["country_code"].isin(US_COUNTRY_CODES).to_numpy()] = "abroad"
        status[todo] = rest
    out["status"] = status
    out["distance_km"] = distance
    out["correction"] = correction
    out["corrected_geoid"] = corrected
    return pd.concat([out, countries], axis=1)


# What a point outside the block groups is (classify_points) and, abroad, the evidence a reader needs
# (abroad_evidence): a property of the point whatever the filters, stored when the data loads (outside_points).
CLASSES = ["status", "distance_km", "country_code", "country", "place", "correction", "corrected_geoid"]
EVIDENCE = ["same_street_address", "same_street_lat", "same_street_lon", "same_street_records", "explanation"]
POINT_KEY = ["source", "department", "lat", "lon"]


def _point_queries(f: Filters, source: str, classified: bool = True) -> tuple[str, str, dict]:
    """The SQL of the source's distinct points outside every block group (one row each, with what outside_points
    says of them unless `classified` is False), of the points inside per department, and their parameters."""
    table, weight, records, day, kwargs = POINT_SOURCES[source]
    where, params = f.places_and_time_only().where("p", **kwargs)
    fragments = {"table": table, "weight": weight, "records": records, "day": day, "where": where}
    located = sql("audit_locations").format(**fragments)
    if classified:
        outside = (f"SELECT $source AS source, l.*, {', '.join(f'o.{c}' for c in CLASSES + EVIDENCE)} "
                   f"FROM ({located}) l LEFT JOIN outside_points o ON o.source = $source "
                   "AND o.department IS NOT DISTINCT FROM l.department AND o.lat = l.lat AND o.lon = l.lon")
    else:
        outside = f"SELECT $source AS source, l.* FROM ({located}) l"
    return outside, sql("audit_locations_inside").format(**fragments), {**params, "source": source}


def _points(con, f: Filters, source: str, classified: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """_point_queries() run: the source's points outside the block groups, and the points inside per department
    (counted in SQL: at millions of records only the few outside points need Python)."""
    outside, inside, params = _point_queries(f, source, classified)
    return run(con, outside, params), run(con, inside, params)


@contextmanager
def _live_points(con, f: Filters):
    """While the block runs, _geo_points and _geo_counts (temporary tables of `con`, the script run's own cursor:
    no other query sees them) hold what _point_queries() finds for these filters in every dated source, and the
    undated (sites) as stored; filled in SQL, as outside_points and point_counts are laid out."""
    undated = tuple(source for source, (*_, kwargs) in POINT_SOURCES.items() if kwargs.get("dated") is False)
    tables = {"_geo_points": "outside_points", "_geo_counts": "point_counts"}
    try:
        for table, stored in tables.items():
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {_stored(stored)}",
                        _stored_params(f, undated))
        for source in (source for source in POINT_SOURCES if source not in undated):
            outside, inside, params = _point_queries(f, source)
            for table, text in (("_geo_points", outside), ("_geo_counts", inside)):
                text = f"INSERT INTO {table} BY NAME {text}"
                con.execute(text, bind(text, params))
        yield
    finally:
        for table in tables:
            con.execute(f"DROP TABLE IF EXISTS temp.{table}")


def _stored(table: str) -> str:
    """A stored points table (outside_points, point_counts) for _stored_params()'s departments and sources."""
    return (f"(SELECT * FROM {table} WHERE (len($departments) = 0 OR list_contains($departments, department)) "
            "AND (len($sources) = 0 OR list_contains($sources, source)))")


def _stored_params(f: Filters, sources: tuple[str, ...] = ()) -> dict:
    return {"departments": list(f.departments), "sources": list(sources)}


# The SQL types of the stored points' columns (any other is VARCHAR), as the live queries give them.
STORED_TYPES = {"lat": "DOUBLE", "lon": "DOUBLE", "predictions": "BIGINT", "records": "BIGINT",
                "first_date": "DATE", "last_date": "DATE", "distance_km": "DOUBLE", "same_street_lat": "DOUBLE",
                "same_street_lon": "DOUBLE", "same_street_records": "BIGINT", "locations": "BIGINT",
                "missing_records": "BIGINT", "missing_predictions": "BIGINT"}


def _outside(found: list[tuple[pd.DataFrame, pd.DataFrame]]) -> pd.DataFrame:
    frames = [outside for outside, _ in found]
    points = pd.concat([x for x in frames if not x.empty], ignore_index=True) if any(
        not x.empty for x in frames) else frames[0]
    points["predictions"] = points["predictions"].astype("Int64")
    return points


def write_outside_points(con, tables: Path) -> None:
    """Over all time: tables/outside_points/part-0.parquet, every point of every source outside the block
    groups with what sits on it, classified, with the evidence for those abroad; tables/point_counts/part-0.parquet,
    per source and department the points inside and the records with no coordinates. `con` has the canonical
    tables (lib.db.create_tables)."""
    found = [_points(con, Filters(), source, classified=False) for source in POINT_SOURCES]
    points = _outside(found)
    departments = tuple(pd.unique(points["department"].dropna()))
    # (An empty tuple would mean every department's shapes: with no point outside, none are needed.)
    shapes = block_group_shapes(con, departments) if departments else \
        pd.DataFrame({"department": [], "geoid": [], "geometry": []}, dtype=object)
    classified = classify_points(points, shapes)
    evidence = abroad_evidence(con, classified[classified["status"] == "abroad"])
    stored = classified[list(points.columns) + CLASSES]
    stored = stored.merge(evidence[POINT_KEY + EVIDENCE], on=POINT_KEY, how="left") if len(evidence) else \
        stored.assign(**{c: None for c in EVIDENCE})
    counts = pd.concat([inside for _, inside in found], ignore_index=True)
    for name, frame in (("outside_points", stored), ("point_counts", counts)):
        columns = ", ".join(f'CAST("{c}" AS {STORED_TYPES.get(c, "VARCHAR")}) AS "{c}"' for c in frame.columns)
        (tables / name).mkdir()
        with _registered(con, _frame=frame):
            con.execute(f"COPY (SELECT {columns} FROM _frame) TO '{tables / name / 'part-0.parquet'}' (FORMAT parquet)")


def geocoding_audit(con, f: Filters) -> Geocoding:
    """Check every point of predictions, crime reports, patrols and sites against its department's
    block groups. Block-group (income, race) filters do not apply: the audit is about points outside them."""
    f = f.places_and_time_only()
    if _all_time(f):  # straight from the tables stored at load
        return _geocoding(con, _stored("outside_points"), _stored("point_counts"), _stored_params(f))
    with _live_points(con, f):
        return _geocoding(con, "_geo_points", "_geo_counts", {})


def _geocoding(con, points: str, counts: str, params: dict) -> Geocoding:
    """The Geocoding of `points` (classified points outside the block groups, as outside_points stores them) and
    `counts` (as point_counts): each a table or (SELECT ...). A handful of rows, shaped in SQL (pandas' grouping,
    joining and retyping took longer than DuckDB's queries)."""
    outside, summary, countries, abroad = (
        query(con, name, params, points=points, counts=counts, evidence=", ".join(EVIDENCE)) for name in
        ("audit_geocoding_points", "audit_geocoding_summary", "audit_geocoding_countries", "audit_geocoding_abroad"))
    outside["predictions"] = outside["predictions"].astype("Int64")  # NULL but for predictions
    return Geocoding(outside, summary, countries, abroad[ABROAD_COLUMNS])


@contextmanager
def _registered(con, **frames: pd.DataFrame):
    """The frames as views of `con` (one cursor per script run: no other query sees them) while the block runs."""
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        yield
    finally:
        for name in frames:
            con.unregister(name)


def partial_coverage(geocoding: Geocoding, min_share: float = 0.05, min_locations: int = 100) -> pd.DataFrame:
    """Departments where many prediction locations (at least `min_locations` and `min_share` of them) lie just
    outside the analysed block groups: the block groups cover only part of the jurisdiction (a city, not the
    whole parish or county)."""
    # From the summary's few rows, in plain Python (pandas' grouping and joining took 15 ms of a 100 ms view).
    totals: dict[str, list[int]] = {}
    nearby = {}
    for row in geocoding.summary.itertuples(index=False):
        if row.source == "predictions":
            total = totals.setdefault(row.department, [0, 0])
            total[0] += row.locations
            total[1] += 0 if pd.isna(row.predictions) else row.predictions
            if row.status == "nearby":
                nearby[row.department] = row
    rows = [(department, *totals[department], near.locations, near.predictions,
             near.locations / totals[department][0], near.max_km) for department, near in nearby.items()]
    rows = sorted((r for r in rows if r[5] >= min_share and r[3] >= min_locations), key=lambda r: -r[4])
    return pd.DataFrame(rows, columns=["department", "locations", "predictions", "locations_nearby",
                                       "predictions_nearby", "share_of_locations", "max_km"])


STREET_WORDS = {"AVENUE": "AVE", "AV": "AVE", "STREET": "ST", "ROAD": "RD", "DRIVE": "DR", "BOULEVARD": "BLVD",
                "PLACE": "PL", "TERRACE": "TER", "COURT": "CT", "LANE": "LN", "PARKWAY": "PKWY", "HIGHWAY": "HWY"}


STREET_ABBREVIATIONS = set(STREET_WORDS.values())


def street_name(address) -> str | None:
    """'100 Government Avenue, Riverton, NJ' -> 'GOVERNMENT AVE' (house number, town, punctuation and the
    second street of an intersection dropped)."""
    if not isinstance(address, str) or not address.strip():
        return None
    street = re.split(r"\s*(?:&|/|\bAND\b)\s*", address.upper().split(",")[0])[0]
    street = re.sub(r"^\s*\d+[A-Z]?(-\d+)?\s+", "", street)
    words = [STREET_WORDS.get(w, w) for w in re.findall(r"[A-Z0-9]+", street)]
    return " ".join(words) or None


NO_SAME_STREET = {"same_street_address": None, "same_street_lat": None, "same_street_lon": None,
                  "same_street_records": 0}


def _department_streets(con, department: str, streets: set[str]) -> pd.DataFrame:
    """Distinct (address, lat, lon) inside the department's block groups (any table) on one of `streets`,
    with the records at each and the street name.

    SQL keeps only addresses holding a distinctive word of one of the streets (a word no abbreviation
    produces, so it must appear as written), which leaves Python a handful of addresses to name exactly.
    """
    words = sorted({max((w for w in street.split() if w not in STREET_ABBREVIATIONS), key=len, default="")
                    for street in streets})
    # The same token rule as street_name: runs of A-Z and 0-9 (a regex \b would also split at '_').
    pattern = "(^|[^A-Z0-9])(" + "|".join(words) + ")([^A-Z0-9]|$)" if all(words) else ""
    inside = "department = $d AND geoid IS NOT NULL AND address IS NOT NULL"
    sources = (("prediction_cells", "records"), ("crime_reports", "1"), ("patrols", "1"), ("sites", "1"))
    candidates = " UNION ".join(f"SELECT DISTINCT address FROM {table} WHERE {inside}" for table, _ in sources)
    located = " UNION ALL ".join(f"SELECT address, lat, lon, {weight} AS n FROM {table} WHERE {inside} "
                                 "AND address IN (SELECT address FROM named)" for table, weight in sources)
    # the pattern runs once per distinct address (DISTINCT_ADDRESSES), and only rows at the addresses it names
    # are summed
    frame = run(con, f"""
        WITH candidates AS ({DISTINCT_ADDRESSES.format(addresses=candidates)}),
        named AS (
            SELECT address FROM candidates WHERE $pattern = '' OR regexp_matches(upper(address), $pattern)
        )
        SELECT address, lat, lon, CAST(sum(n) AS BIGINT) AS records FROM ({located}) GROUP BY ALL""",
                {"d": department, "pattern": pattern})
    named = {a: street_name(a) for a in pd.unique(frame["address"])}
    frame = frame.assign(street=frame["address"].map(named))
    return frame[frame["street"].isin(streets)]


def _same_street(streets: pd.DataFrame, street: str | None) -> dict:
    """The most common address on `street` in `streets` (_department_streets), and the records on it."""
    frame = streets[streets["street"] == street] if street else streets.iloc[:0]
    if frame.empty:
        return NO_SAME_STREET
    first = frame.sort_values(["records", "address", "lat", "lon"], ascending=[False, True, True, True]).iloc[0]
    return {"same_street_address": first["address"], "same_street_lat": float(first["lat"]),
            "same_street_lon": float(first["lon"]), "same_street_records": int(frame["records"].sum())}


def abroad_evidence(con, abroad: pd.DataFrame) -> pd.DataFrame:
    """For each point outside the United States: what a reader needs to judge deployment versus error."""
    names = dict(con.execute("SELECT department, name FROM departments").fetchall())
    named = abroad.assign(street=abroad["address"].map(street_name))
    streets = {department: _department_streets(con, department, set(group["street"].dropna()))
               for department, group in named.groupby("department") if group["street"].notna().any()}
    rows = []
    for row, street in zip(abroad.itertuples(index=False), named["street"]):
        same = _same_street(streets[row.department], street) if street else NO_SAME_STREET
        rows.append({"source": row.source, "department": row.department, "name": names.get(row.department),
                     "lat": row.lat, "lon": row.lon, "country_code": row.country_code, "country": row.country,
                     "place": row.place, "address": row.address, "predictions": row.predictions,
                     "records": row.records, "first_date": row.first_date, "last_date": row.last_date,
                     "distance_km": row.distance_km, "correction": row.correction,
                     "corrected_geoid": row.corrected_geoid, **same,
                     "explanation": explain_abroad(row, names.get(row.department) or row.department, street, same)})
    return pd.DataFrame(rows, columns=ABROAD_COLUMNS)


ABROAD_COLUMNS = ["source", "department", "name", "lat", "lon", "country_code", "country", "place", "address",
                  "predictions", "records", "first_date", "last_date", "distance_km", "correction", "corrected_geoid",
                  *EVIDENCE]


def explain_abroad(row, department_name: str, street: str | None, same: dict) -> str:
    """The most likely explanation the evidence supports, in words."""
    where = f"{row.place}, {row.country}" if row.place else row.country
    distance = f"{row.distance_km:,.0f} km from {department_name}'s block groups" if row.distance_km == row.distance_km \
        else f"far from {department_name}"
    if isinstance(row.correction, str):
        return (f"Most likely a typing error, not a deployment: with the {row.correction}, "
                f"the point falls inside {department_name}'s block group "
                f"{row.corrected_geoid}. As recorded it sits near {where}, {distance}."
                + (f" Its street, {street.title()}, appears {same['same_street_records']:,} times inside the "
                   "department's area." if same["same_street_records"] else ""))
    if same["same_street_records"]:
        return (f"Most likely a geocoding error, not a deployment: the address '{row.address}' names a street "
                f"({street.title()}) that also appears {same['same_street_records']:,} times inside {department_name} "
                f"(e.g. '{same['same_street_address']}' at {same['same_street_lat']:.5f}, "
                f"{same['same_street_lon']:.5f}). A geocoder given the street without its town matched a street "
                f"near {where} instead, {distance}.")
    if street:
        return (f"Most likely a geocoding error: a U.S. police department's prediction placed near {where}, "
                f"{distance}. The address '{row.address}' gives no sign of a place abroad, but no address on the "
                f"same street was found inside {department_name} to confirm where it belongs.")
    return (f"Most likely a data-entry or geocoding error: there is no address to check, and a point near {where}, "
            f"{distance}, is outside any area a U.S. police department patrols.")


# -- 4. periods -------------------------------------------------------------------------------------

def daily_predictions(con, f: Filters) -> pd.DataFrame:
    where, params = f.where("p")
    return run(con, f"SELECT p.date, CAST(sum(p.count) AS BIGINT) AS predictions FROM prediction_days p "
                    f"WHERE {where} AND p.date IS NOT NULL GROUP BY p.date ORDER BY p.date", params)


def monthly_block_groups(con, f: Filters, top: int = 15) -> pd.DataFrame:
    """Predictions per month for the `top` block groups with the most predictions."""
    where, params = f.where("p")
    return query(con, "audit_monthly", {**params, "top": top}, where=where)


def quarter_overlap(con, f: Filters, share: float = TOP_SHARE) -> pd.DataFrame:
    """Per department and quarter: the top `share` of its block groups by predictions, and how many of them
    were also in the previous quarter's top (overlap share)."""
    where, params = f.where("p")
    frame = query(con, "audit_quarters", params, where=where)
    counts = run(con, "SELECT department, count(*) AS block_groups FROM block_groups GROUP BY department")
    size = {d: max(1, math.ceil(share * n)) for d, n in counts.itertuples(index=False)}
    rows = []
    for department, part in frame.groupby("department"):
        n = size.get(department, 1)
        previous = None
        for quarter, q in part.groupby("quarter", sort=True):
            top = set(q.sort_values(["predictions", "geoid"], ascending=[False, True])["geoid"].head(n))
            kept = len(top & previous) if previous is not None else None
            rows.append({"department": department, "quarter": quarter, "top_n": len(top),
                         "kept_from_previous": kept,
                         "overlap_share": kept / len(top) if kept is not None and top else None,
                         "top_block_groups": ", ".join(sorted(top))})
            previous = top
    return pd.DataFrame(rows, columns=["department", "quarter", "top_n", "kept_from_previous", "overlap_share",
                                       "top_block_groups"])


# -- command line summary ------------------------------------------------------------------------------

def audit_summary(con, f: Filters) -> list[dict]:
    """Per department: prediction locations outside the analysed block groups, abroad, at 0,0 and swapped;
    artefact sites and the block groups targeted on more than 90% of days in use."""
    geocoding = geocoding_audit(con, f)
    where, params = f.places_and_time_only().where("p")
    totals = run(con, f"SELECT p.department, d.name, count(DISTINCT (p.lat, p.lon)) AS locations, "
                      f"CAST(sum(p.count) AS BIGINT) AS predictions FROM prediction_cells p JOIN departments d USING (department) "
                      f"WHERE {where} GROUP BY ALL ORDER BY p.department", params)
    preds = geocoding.points[geocoding.points["source"] == "predictions"]
    artefacts = site_artefacts(con, f)
    everyday = everyday_block_groups(con, f) if has_dates(con, f) else pd.DataFrame(columns=["department"])
    out = []
    for row in totals.itertuples(index=False):
        mine = preds[preds["department"] == row.department]
        out.append({
            "department": row.department,
            "name": row.name,
            "locations_total": int(row.locations),
            "predictions_total": int(row.predictions),
            "outside_jurisdiction": len(mine),
            "outside_jurisdiction_predictions": int(mine["predictions"].sum()),
            "outside_nearby": int((mine["status"] == "nearby").sum()),
            "outside_far": int((mine["status"] == "far").sum()),
            "outside_us": _records(mine[mine["status"] == "abroad"],
                                   ["lat", "lon", "country_code", "country", "predictions", "address"]),
            "zero_zero": _records(mine[mine["status"] == "zero_zero"], ["lat", "lon", "predictions", "address"]),
            "swapped": _records(mine[mine["status"] == "swapped"],
                                ["lat", "lon", "predictions", "address", "corrected_geoid"]),
            "site_artefacts": _records(artefacts[(artefacts["department"] == row.department)
                                                 & (artefacts["predictions"] > 0)],
                                       ["site", "kind", "predictions", "days"]),
            "persistent_block_groups": _records(
                everyday[everyday["department"] == row.department],
                ["geoid", "days_targeted", "days_in_use", "share_of_days", "predictions", "residents",
                 "share_black", "share_latino", "share_low_income"]),
        })
    return out
