"""Geocoding: points outside the block groups, classified (abroad, at 0,0, swapped, nearby, far), with the
evidence for those abroad; the stored tables outside_points and point_counts."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.data.countries import nearest_places
from lib.geoid import block_group_words
from lib.schema import US_COUNTRY_CODES
from lib.db import bind, query, run, sql
from lib.filters import Filters
from lib.analysis.audit.shared import (
    NEARBY_KM, POINT_SOURCES, ZERO_DEGREES, _all_time, _containing, _distance_km, _geoids,
    block_group_shapes)
from lib.analysis.audit.addresses import NO_SAME_STREET, _department_streets, _same_street, street_name

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
        found = nearest_places(out["lat"].to_numpy()[todo], out["lon"].to_numpy()[todo])
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


def _outside(found: list[tuple[pd.DataFrame, pd.DataFrame]]) -> pd.DataFrame:
    frames = [outside for outside, _ in found]
    points = pd.concat([x for x in frames if not x.empty], ignore_index=True) if any(
        not x.empty for x in frames) else frames[0]
    points["predictions"] = points["predictions"].astype("Int64")
    return points


def outside_point_tables(con) -> dict[str, pd.DataFrame]:
    """Over all time: outside_points, every point of every source outside the block groups with what sits on it,
    classified, with the evidence for those abroad; point_counts, per source and department the points inside and
    the records with no coordinates (the stored tables of those names; their column types are declared in
    lib/store/tables.py). `con` has the canonical tables (lib.db.create_tables)."""
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
    return {"outside_points": stored, "point_counts": pd.concat([inside for _, inside in found], ignore_index=True)}


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
                f"the point falls inside {department_name}'s "
                f"{block_group_words(row.corrected_geoid)}. As recorded it sits near {where}, {distance}."
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
