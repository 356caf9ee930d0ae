"""A department's geography: jittered grid cells as block groups, PredPol's 150 m prediction boxes inside the city,
street addresses, the sites planted in it, and points scattered around box centres."""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from lib.data.demo.model import (BLOCK_GROUP_METRES, BOX_ADDRESS_SHARE, BOX_METRES, BOX_RISK_NOISE,
                                 COORDINATE_DECIMALS, LATTICE_JITTER, SITE_OFFSET_METRES, Area, DemoDepartment,
                                 Vocabulary, metres_to_degrees)
from lib.data.demo.people import block_group_risk, household_income, minority_share, residents_by_group

def build_area(dept: DemoDepartment, words: Vocabulary, rng: np.random.Generator) -> Area:
    cells = _cell_polygons(dept, rng)
    geometries, cell_centres, empty = _block_groups(dept, cells)
    geoids = _geoids(dept, len(geometries))
    race, totals = residents_by_group(dept, cell_centres, empty, rng)
    households, low_income, brackets = household_income(race, totals, rng)
    box_lat, box_lon, box_row, box_col, box_bg = _boxes(geometries, rng, dept)
    street_address, listed_address = _box_addresses(dept, box_row, box_col, words, rng)
    risk = block_group_risk(race, totals, low_income, households, rng)
    box_weight = risk[box_bg] * rng.lognormal(0.0, BOX_RISK_NOISE, len(box_bg))
    area = Area(dept, geoids, geometries, race, totals, households, low_income, brackets,
                box_lat, box_lon, box_bg, listed_address, street_address, box_weight / box_weight.sum(),
                shapely.union_all(geometries))
    shapely.prepare(area.city)
    place_sites(area, cell_centres, words, rng)
    return area


def _cell_polygons(dept: DemoDepartment, rng: np.random.Generator) -> dict[tuple[int, int], Polygon]:
    """Jittered grid cells keyed by (column, row). Neighbours share corners and edge midpoints."""
    cols, rows = dept.columns, dept.rows

    def jittered(shape: tuple[int, int], dx: float, dy: float) -> np.ndarray:
        y, x = np.mgrid[0:shape[0], 0:shape[1]].astype(float)
        return np.stack([x + dx, y + dy], axis=-1) + rng.uniform(-LATTICE_JITTER, LATTICE_JITTER, (*shape, 2))

    corners = jittered((rows + 1, cols + 1), 0.0, 0.0)
    bottom_mids = jittered((rows + 1, cols), 0.5, 0.0)
    side_mids = jittered((rows, cols + 1), 0.0, 0.5)
    dlat, dlon = metres_to_degrees(dept.south_west[0])
    scale = np.array([BLOCK_GROUP_METRES * dlon, BLOCK_GROUP_METRES * dlat])
    origin = np.array([dept.south_west[1], dept.south_west[0]])
    cells = {}
    for r in range(rows):
        for c in range(cols):
            ring = [corners[r, c], bottom_mids[r, c], corners[r, c + 1], side_mids[r, c + 1],
                    corners[r + 1, c + 1], bottom_mids[r + 1, c], corners[r + 1, c], side_mids[r, c]]
            lonlat = np.round(origin + np.array(ring) * scale, COORDINATE_DECIMALS)
            cells[(c, r)] = Polygon(lonlat)
    return cells


def _block_groups(dept: DemoDepartment, cells: dict) -> tuple[list, np.ndarray, np.ndarray]:
    """One block group per cell, except the park, which joins two cells into a MultiPolygon.

    Returns geometries, each block group's (x, y) position as grid fractions, and an
    uninhabited flag.
    """
    park, park_annex = dept.park_cells
    geometries, centres, empty = [], [], []
    for (c, r), polygon in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if (c, r) == park_annex:
            continue
        is_park = (c, r) == park
        geometries.append(MultiPolygon([polygon, cells[park_annex]]) if is_park else polygon)
        centres.append(((c + 0.5) / dept.columns, (r + 0.5) / dept.rows))
        empty.append(is_park)
    return geometries, np.array(centres), np.array(empty)


def _geoids(dept: DemoDepartment, count: int) -> list[str]:
    """Four block groups to a tract, tracts numbered like Census tracts (010100, 010200, ...)."""
    return [f"{dept.state_fips}{dept.county_fips}{10100 + 100 * (k // 4):06d}{k % 4 + 1}" for k in range(count)]


def _boxes(geometries: list, rng: np.random.Generator, dept: DemoDepartment):
    """Centres of the prediction grid's boxes inside the city, with their block group."""
    dlat, dlon = metres_to_degrees(dept.south_west[0])
    west, south, east, north = shapely.union_all(geometries).bounds
    rows = np.arange(int((north - south) / (BOX_METRES * dlat)) + 1)
    cols = np.arange(int((east - west) / (BOX_METRES * dlon)) + 1)
    row, col = (g.ravel() for g in np.meshgrid(rows, cols, indexing="ij"))
    lat = np.round(south + (row + 0.5) * BOX_METRES * dlat, COORDINATE_DECIMALS)
    lon = np.round(west + (col + 0.5) * BOX_METRES * dlon, COORDINATE_DECIMALS)
    block_group = np.full(len(lat), -1)
    for k, geometry in enumerate(geometries):
        block_group[shapely.contains_xy(geometry, lon, lat)] = k
    inside = block_group >= 0
    return lat[inside], lon[inside], row[inside], col[inside], block_group[inside]


def _box_addresses(dept: DemoDepartment, row: np.ndarray, col: np.ndarray, words: Vocabulary,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A street address for every box; only some of them are given in the prediction file."""
    on_cross_street = (row + col) % 2 == 1
    streets = np.where(on_cross_street,
                       np.array(dept.north_south_streets)[col % len(dept.north_south_streets)],
                       np.array(dept.east_west_streets)[(row // 2) % len(dept.east_west_streets)])
    numbers = np.where(on_cross_street, 100 + 10 * row, 100 + 10 * col) + 2 * rng.integers(0, 5, len(row)) + 1
    street_address = np.array([words.code(f"{n} {s}") for n, s in zip(numbers, streets)])
    listed = np.where(rng.random(len(row)) < BOX_ADDRESS_SHARE, street_address, -1)
    return street_address, listed



def scatter(area: Area, box: np.ndarray, metres: np.ndarray, rng: np.random.Generator):
    """Points up to metres from their box centres, east-west and north-south, kept inside the city."""
    dlat, dlon = metres_to_degrees(area.department.south_west[0])
    lat = np.round(area.box_lat[box] + rng.uniform(-1, 1, len(box)) * metres * dlat, COORDINATE_DECIMALS)
    lon = np.round(area.box_lon[box] + rng.uniform(-1, 1, len(box)) * metres * dlon, COORDINATE_DECIMALS)
    # Only the planted geocoding errors should fall outside the city.
    outside = ~shapely.contains_xy(area.city, lon, lat)
    lat[outside], lon[outside] = area.box_lat[box[outside]], area.box_lon[box[outside]]
    return lat, lon



# --- sites ---------------------------------------------------------------------------------

def place_sites(area: Area, centres: np.ndarray, words: Vocabulary, rng: np.random.Generator) -> None:
    """The station goes downtown; the planted public housing where Black, Latino and low-income shares are highest."""
    dept = area.department
    inhabited = area.totals > 0
    downtown = int(np.argmin(np.where(inhabited, np.hypot(*(centres - 0.5).T), np.inf)))
    low_share = np.divide(area.low_income, np.maximum(area.households, 1))
    need = np.where(inhabited, minority_share(area.race, area.totals) + low_share, -np.inf)
    need[downtown] = -np.inf
    housing = int(np.argmax(need))
    taken = {downtown, housing}
    planted = {"police_station": downtown, "public_housing": housing}
    for kind, name in dept.sites:
        if kind in planted:
            block_group = planted.pop(kind)
            box = int(rng.choice(np.flatnonzero(area.box_block_group == block_group)))
            if kind == "police_station":
                area.station_box = box
            else:
                area.housing_box = box
        else:
            free = np.flatnonzero(inhabited & ~np.isin(np.arange(len(inhabited)), sorted(taken)))
            block_group = int(rng.choice(free))
            taken.add(block_group)
            box = int(rng.choice(np.flatnonzero(area.box_block_group == block_group)))
        dlat, dlon = metres_to_degrees(area.box_lat[box])
        north, east = SITE_OFFSET_METRES
        area.sites.append({
            "name": name, "kind": kind,
            "lat": round(float(area.box_lat[box]) + north * dlat, COORDINATE_DECIMALS),
            "lon": round(float(area.box_lon[box]) + east * dlon, COORDINATE_DECIMALS),
            "department": dept.slug,
            "address": words.words[area.box_street_address[box]],
        })
