"""Dated predictions: the planted station and housing piles, the geocoding errors, and the rest by risk."""
from __future__ import annotations

import numpy as np

from lib import schema
from lib.data.demo.departments import MANAMA_DEPARTMENT, NULL_ISLAND_DEPARTMENT, SWAPPED_DEPARTMENT
from lib.data.demo.model import (COORDINATE_DECIMALS, DAYS_OF_USE, HOUSING_SHARE, INCIDENT_TYPE_SHARES, MANAMA,
                                 MANAMA_ADDRESS, OUTSIDE_METRES, OUTSIDE_POINTS, SHIFT_LETTERS, STATION_SHARE, Area,
                                 Points, Vocabulary, epoch_day, metres_to_degrees)

def dated_predictions(index: int, area: Area, n: int, words: Vocabulary, rng: np.random.Generator) -> Points:
    """n dated predictions: planted station and housing piles, geocoding errors, the rest by risk."""
    dept = area.department
    errors_lat, errors_lon, errors_address = _geocoding_errors(area, words, rng)
    n_station = round(STATION_SHARE * n)
    n_housing = round(HOUSING_SHARE * n)
    n_ordinary = n - n_station - n_housing - len(errors_lat)
    boxes = np.concatenate([
        np.full(n_station, area.station_box),
        np.full(n_housing, area.housing_box),
        rng.choice(len(area.box_weight), n_ordinary, p=area.box_weight),
    ])
    # The housing pile cycles through the days so its block group is targeted daily.
    days = np.concatenate([
        rng.integers(0, DAYS_OF_USE, n_station),
        np.arange(n_housing) % DAYS_OF_USE,
        rng.integers(0, DAYS_OF_USE, n_ordinary + len(errors_lat)),
    ]) + epoch_day(dept.first_day)
    # Narrow integer types keep a benchmark-sized run (millions of rows) in modest memory.
    return Points(
        department=np.full(n, index, dtype="int8"),
        lat=np.concatenate([area.box_lat[boxes], errors_lat]),
        lon=np.concatenate([area.box_lon[boxes], errors_lon]),
        day=days.astype("int32"),
        shift=rng.integers(0, len(SHIFT_LETTERS), n).astype("int8"),
        incident_type=rng.choice(len(schema.INCIDENT_TYPES), n, p=INCIDENT_TYPE_SHARES).astype("int8"),
        address=np.concatenate([area.box_address[boxes], errors_address]).astype("int32"),
        box=np.concatenate([boxes, np.full(len(errors_lat), -1)]).astype("int32"),
    )


def _geocoding_errors(area: Area, words: Vocabulary, rng: np.random.Generator):
    """Points the geocoder got wrong: (lat, lon, address code) arrays."""
    dept = area.department
    _, dlon = metres_to_degrees(dept.south_west[0])
    west, south, _, north = area.city.bounds
    beyond = rng.uniform(*OUTSIDE_METRES, OUTSIDE_POINTS)
    points = [(rng.uniform(south, north), west - d * dlon, -1) for d in beyond]
    if dept.slug == MANAMA_DEPARTMENT:
        points.append((*MANAMA, words.code(MANAMA_ADDRESS)))
    if dept.slug == SWAPPED_DEPARTMENT:
        box = int(rng.integers(len(area.box_lat)))
        points.append((area.box_lon[box], area.box_lat[box], area.box_address[box]))
    if dept.slug == NULL_ISLAND_DEPARTMENT:
        points.append((0.0, 0.0, -1))
    lat, lon, address = (np.array(column) for column in zip(*points))
    return np.round(lat, COORDINATE_DECIMALS), np.round(lon, COORDINATE_DECIMALS), address.astype(int)
