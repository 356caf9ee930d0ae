"""Small-distance geometry on latitude/longitude: feet and metres per degree, prediction boxes, distances.

A spherical Earth (mean radius) is used throughout. At the scale of a 600 ft PredPol box the error
against the WGS84 ellipsoid is under 0.5%, far below the precision of the published coordinates.
Every function accepts scalars or numpy arrays (broadcasting), so the same helper serves one point
and a whole table.
"""
from __future__ import annotations

import math

import numpy as np

from lib import schema

EARTH_RADIUS_M = 6_371_008.8
FEET_PER_METRE = 1 / 0.3048
METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180  # about 111,195 m
FEET_PER_DEGREE_LAT = METRES_PER_DEGREE_LAT * FEET_PER_METRE  # about 364,813 ft


def metres_per_degree_lon(lat):
    return METRES_PER_DEGREE_LAT * np.cos(np.radians(lat))


def feet_per_degree_lon(lat):
    return FEET_PER_DEGREE_LAT * np.cos(np.radians(lat))


def box_contains(center_lat, center_lon, lat, lon, feet: float = schema.BOX_FEET):
    """True where (lat, lon) lies inside the `feet`-wide square centred on (center_lat, center_lon).

    PredPol boxes are 500-600 ft squares aligned with north; the edge counts as inside.
    Returns a bool for scalars, a bool array for arrays.
    """
    half = feet / 2
    dy = np.abs(np.asarray(lat, dtype=float) - np.asarray(center_lat, dtype=float)) * FEET_PER_DEGREE_LAT
    dx = np.abs(np.asarray(lon, dtype=float) - np.asarray(center_lon, dtype=float)) * feet_per_degree_lon(center_lat)
    inside = (dy <= half) & (dx <= half)
    return bool(inside) if np.ndim(inside) == 0 else inside


def distance_m(lat1, lon1, lat2, lon2):
    """Great-circle (haversine) distance in metres."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    d = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return float(d) if np.ndim(d) == 0 else d


def distance_feet(lat1, lon1, lat2, lon2):
    return distance_m(lat1, lon1, lat2, lon2) * FEET_PER_METRE


def distance_km(lat1, lon1, lat2, lon2):
    return distance_m(lat1, lon1, lat2, lon2) / 1000


def box_contains_sql(center: str, point: str, feet: float = schema.BOX_FEET) -> str:
    """The SQL (DuckDB) condition equivalent to box_contains, for table aliases `center` and `point`
    that both have lat and lon columns. Built from constants only; never pass user text here.

    Example: box_contains_sql("p", "s") ->
      abs(s.lat - p.lat) * 364813.2 <= 300 AND abs(s.lon - p.lon) * 364813.2 * cos(radians(p.lat)) <= 300
    """
    half = feet / 2
    return (f"abs({point}.lat - {center}.lat) * {FEET_PER_DEGREE_LAT:.1f} <= {half:g} AND "
            f"abs({point}.lon - {center}.lon) * {FEET_PER_DEGREE_LAT:.1f} * cos(radians({center}.lat)) <= {half:g}")


def site_box_fragments(con=None) -> dict[str, str]:
    """{box_contains} of lib/sql/site_cells.sql: a prediction cell `l` whose box holds a site `s` (the stored
    table site_cells)."""
    return {"box_contains": box_contains_sql("l", "s")}
