"""Synthetic demo data: three fictional departments shaped like the published PredPol data.

Everything here is invented. The shapes follow what The Markup and Gizmodo found in the
real files, so every page of the app has something to show without them: predictions
concentrated in Black, Latino and low-income block groups; a pile of predictions at each
police station (reports taken at the front desk); a public-housing block group targeted
almost every day; geocoding errors (Bahrain, swapped coordinates, 0,0, just outside the
city); and only about 0.5% of predictions matched by a reported crime of the predicted type.

`generate()` is deterministic: the same seed and size give byte-identical files.
"""
from __future__ import annotations

import json
import math
import shutil
import tempfile
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping

from lib import schema

DEFAULT_PREDICTIONS = 45_000
# Below this the planted features would crowd out the ordinary predictions.
MIN_PREDICTIONS = 200
SOURCE_FILE = "source.json"

METRES_PER_DEGREE = 111_320.0
COORDINATE_DECIMALS = 6
BLOCK_GROUP_METRES = 650.0
# Corners and edge midpoints move by up to this share of a cell; under 0.25 the
# jittered cells stay simple polygons that still tile the city without gaps.
LATTICE_JITTER = 0.18
BOX_METRES = 150.0  # PredPol's ~500 ft prediction grid
DAYS_OF_USE = 365
SHIFT_LETTERS = tuple(schema.PREDPOL_SHIFTS)
SHIFT_START_MINUTES = np.array([int(t[:2]) * 60 + int(t[3:]) for t in schema.PREDPOL_SHIFTS.values()])
MINUTES_PER_DAY = 24 * 60

GROUPS = ("white", "black", "latino", "asian")
GROUP_INDEX = {g: i for i, g in enumerate(GROUPS)}
MEDIAN_RESIDENTS = 1250
RESIDENTS_SPREAD = 0.35
PEOPLE_PER_HOUSEHOLD = (2.3, 3.1)
MIXED_BLOCK_GROUPS = 3  # per department: no group is a majority
INCOME_BRACKETS = ("hh_lt_45k", "hh_45k_75k", "hh_75k_100k", "hh_100k_200k", "hh_gt_200k")

# Low-income share rises with the Black and Latino share, as in the ACS data.
LOW_INCOME_BASE, LOW_INCOME_SLOPE, LOW_INCOME_NOISE = 0.12, 0.5, 0.12
# Block groups draw predictions by a score whose correlation with their Black + Latino and
# low-income rank is fixed, so the Spearman correlation lands in the real data's 0.3-0.5
# range whatever the seed (random noise alone swings it widely over ~40 block groups).
RISK_CORRELATION = 0.45
RISK_SPREAD = 0.9
BOX_RISK_NOISE = 1.0  # hot spots within a block group
BOX_ADDRESS_SHARE = 0.4

INCIDENT_TYPE_SHARES = (0.43, 0.24, 0.21, 0.12)  # Plainfield's mix, in schema.INCIDENT_TYPES order
STATION_SHARE = 0.03  # of a department's predictions, at its police station
HOUSING_SHARE = 0.04  # enough that the housing box gets a prediction every day at the default size
OUTSIDE_POINTS = 2  # per department, just beyond the city line
OUTSIDE_METRES = (400.0, 1500.0)
SITE_OFFSET_METRES = (12.0, 15.0)  # the station sits 19 m (62 ft) from its box centre
MANAMA = (26.2235, 50.5876)
MANAMA_ADDRESS = "100 Government Ave"

# Plainfield had 3,225 reports for 23,760 predictions, 10.5% of them of predictable kinds,
# and 97 predictions (0.4%) matched. Planted matches plus chance ones land near 0.5%.
REPORTS_PER_PREDICTION = 0.136
PREDICTABLE_REPORT_SHARE = 0.11
PLANTED_MATCH_SHARE = 0.004
# Inside the 600 ft prediction box (91 m from its centre) with room to spare.
MATCH_OFFSET_METRES = 80.0
CRIME_CONCENTRATION = 0.6  # crime follows the risk surface, less steeply than predictions
NO_COORDINATE_SHARE = 0.02
EXCLUDED_ADDRESS_SHARE = 0.004
DUPLICATE_SHARE = 0.002
REPORT_HOUR_WEIGHTS = np.array([3, 2, 2, 1, 1, 1, 2, 3, 4, 5, 5, 6, 6, 6, 6, 6, 7, 7, 7, 7, 6, 5, 4, 4], float)

PATROLS_PER_PREDICTION = 1 / 150
MIN_PATROLS = 20
HOTSPOT_PATROL_SHARE = 0.65
PATROL_UNITS = 12
PATROL_MINUTES = (5.0, 45.0)

PREDICTABLE_DESCRIPTIONS = (
    ("BURGLARY - RESIDENCE", "Burglary", 0.25),
    ("BURGLARY - COMMERCIAL", "Burglary", 0.10),
    ("ROBBERY - STREET", "Robbery|Aggravated Assault", 0.15),
    ("AGGRAVATED ASSAULT", "Robbery|Aggravated Assault", 0.15),
    ("AGGRAVATED ASSAULT - FIREARM", "Robbery|Aggravated Assault%Gun Crimes", 0.07),
    ("STOLEN AUTOMOBILE", "Motor Vehicle Theft", 0.22),
    ("WEAPONS OFFENSE - SHOTS FIRED", "Gun Crimes", 0.06),
)
UNPREDICTABLE_DESCRIPTIONS = (
    ("OFFENSES NOT COVERED BY OTHER CLASSES", 0.30),
    ("SIMPLE ASSAULT", 0.16),
    ("CRIMINAL MISCHIEF", 0.09),
    ("THEFT", 0.12),
    ("THEFT - SHOPLIFTING", 0.04),
    ("FRAUD", 0.05),
    ("POSSESSION OF MARIJUANA", 0.05),
    ("DRUG POSSESSION", 0.04),
    ("DRIVING WHILE INTOXICATED", 0.03),
    ("DISORDERLY CONDUCT", 0.04),
    ("TRESPASS", 0.03),
    ("MISSING PERSON", 0.05),
)

# Stand-in for a generation time: a clock would break byte-identical output.
DEMO_EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class DemoDepartment:
    slug: str
    name: str
    city: str
    state: str
    state_fips: str
    county_fips: str
    south_west: tuple[float, float]  # (lat, lon) of the grid's corner
    columns: int
    rows: int
    first_day: date
    active: bool | None
    prediction_weight: float
    # Where each group's neighbourhood centres, as fractions of the grid (x, y).
    anchors: tuple[tuple[str, float, float], ...]
    # Two non-adjacent cells forming one uninhabited block group (a MultiPolygon).
    park_cells: tuple[tuple[int, int], tuple[int, int]]
    east_west_streets: tuple[str, ...]
    north_south_streets: tuple[str, ...]
    # (kind, name); the first police_station and the first public_housing are planted.
    sites: tuple[tuple[str, str], ...]
    excluded_addresses: tuple[tuple[str, str], ...]

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=DAYS_OF_USE - 1)


DEPARTMENTS = (
    DemoDepartment(
        "rivertonpdnj", "Riverton, N.J. (demo)", "Riverton", "NJ", "34", "023", (40.548, -74.470),
        6, 6, date(2018, 2, 1), False, 0.40,
        (("black", 0.2, 0.3), ("latino", 0.8, 0.25), ("white", 0.55, 0.9), ("asian", 0.95, 0.95)),
        ((0, 5), (2, 5)),
        ("Front St", "Second St", "Government Ave", "Park Ave", "Elm St", "Maple Ave", "Liberty St"),
        ("Watchung Ave", "Grant Ave", "Clinton Ave", "Arlington Ave", "Berkeley Ter"),
        (("police_station", "Riverton Police Headquarters"), ("court", "Riverton Municipal Court"),
         ("hospital", "Riverton General Hospital"), ("public_housing", "Elm Court Homes"),
         ("public_housing", "Hillside Gardens"), ("school", "Riverton High School")),
        (("City Of Riverton, Riverton, NJ", "Imprecise"),
         ("Middlesex Cty Jail, Riverton, NJ", "Other police department"),
         ("Nj/somerset County, Riverton, NJ", "Not an address or intersection")),
    ),
    DemoDepartment(
        "lakesidepdca", "Lakeside, Calif. (demo)", "Lakeside", "CA", "06", "071", (34.040, -117.640),
        8, 7, date(2018, 10, 1), None, 0.35,
        (("latino", 0.3, 0.4), ("white", 0.8, 0.8), ("black", 0.75, 0.12), ("asian", 0.05, 0.95)),
        ((7, 6), (7, 4)),
        ("Foothill Blvd", "Arrow Hwy", "Base Line Rd", "Mission Blvd", "Holt Ave", "Orange St"),
        ("Euclid Ave", "Mountain Ave", "Vineyard Ave", "Grove Ave", "Campus Ave", "Sultana Ave"),
        (("police_station", "Lakeside Police Department"), ("court", "Lakeside Superior Court Annex"),
         ("hospital", "Lakeside Community Hospital"), ("public_housing", "Mesa Vista Apartments"),
         ("school", "Lakeside Elementary School"), ("school", "Lakeside Middle School")),
        (("City Of Lakeside, Lakeside, CA", "Imprecise"),
         ("Ca/san Bernardino County, Lakeside, CA", "Not an address or intersection")),
    ),
    DemoDepartment(
        "cedarfallspdga", "Cedar Falls, Ga. (demo)", "Cedar Falls", "GA", "13", "063", (33.545, -84.400),
        6, 5, date(2019, 6, 1), True, 0.25,
        (("black", 0.35, 0.35), ("white", 0.8, 0.85), ("latino", 0.9, 0.15)),
        ((0, 4), (0, 2)),
        ("Main St", "Church St", "Magnolia Dr", "Jonesboro Rd", "Mill St"),
        ("Peachtree Pkwy", "Oak St", "Pine St", "Battle Creek Rd", "Tara Blvd"),
        (("police_station", "Cedar Falls Police Precinct"), ("jail", "Cedar Falls County Jail"),
         ("hospital", "Cedar Falls Medical Center"), ("public_housing", "Magnolia Terrace"),
         ("public_housing", "Pinecrest Homes"), ("school", "Cedar Falls High School")),
        (("City Of Cedar Falls, Cedar Falls, GA", "Imprecise"),
         ("Ga/clayton County, Cedar Falls, GA", "Not an address or intersection")),
    ),
)
# Geocoding errors planted per department: Bahrain for an ambiguous street name,
# lat/lon swapped, and a failed geocode at 0,0.
MANAMA_DEPARTMENT, SWAPPED_DEPARTMENT, NULL_ISLAND_DEPARTMENT = "rivertonpdnj", "cedarfallspdga", "lakesidepdca"


class Vocabulary:
    """Distinct strings with integer codes, so columns of millions of rows stay numeric."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self._codes: dict[str, int] = {}

    def code(self, word: str) -> int:
        if word not in self._codes:
            self._codes[word] = len(self.words)
            self.words.append(word)
        return self._codes[word]

    def column(self, codes: np.ndarray) -> pa.Array:
        """Strings for codes; -1 becomes an empty field."""
        indices = pa.array(codes, type=pa.int32(), mask=codes < 0)
        return pc.take(pa.array(self.words, type=pa.string()), indices)


@dataclass
class Area:
    """One department's generated geography, people and prediction surface."""
    department: DemoDepartment
    geoids: list[str]
    geometries: list[Polygon | MultiPolygon]
    race: np.ndarray  # (block groups, len(GROUPS)) residents
    totals: np.ndarray
    households: np.ndarray
    low_income: np.ndarray
    brackets: np.ndarray  # (block groups, len(INCOME_BRACKETS))
    box_lat: np.ndarray
    box_lon: np.ndarray
    box_block_group: np.ndarray
    box_address: np.ndarray  # address codes, -1 where the prediction file gives none
    box_street_address: np.ndarray  # address codes of every box, for reports and patrols
    box_weight: np.ndarray  # probability of a prediction landing in each box
    city: Polygon | MultiPolygon
    sites: list[dict] = field(default_factory=list)
    station_box: int = -1
    housing_box: int = -1


@dataclass
class Points:
    """Rows of a point table as parallel arrays (codes into the shared vocabulary)."""
    department: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    day: np.ndarray  # days since 1970-01-01
    shift: np.ndarray
    incident_type: np.ndarray
    address: np.ndarray
    box: np.ndarray  # index into the department's boxes, -1 for planted errors

    @staticmethod
    def concat(parts: list[Points]) -> Points:
        return Points(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Points)))


def generate(dest: Path, predictions: int = DEFAULT_PREDICTIONS, seed: int = 7) -> dict:
    """Write a complete synthetic data directory to dest; return the rows written per file."""
    if predictions < MIN_PREDICTIONS:
        raise ValueError(f"predictions must be at least {MIN_PREDICTIONS}")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    words = Vocabulary()
    areas = [_area(d, words, rng) for d in DEPARTMENTS]
    per_department = _split(predictions, [d.prediction_weight for d in DEPARTMENTS])
    preds = Points.concat([_predictions(i, a, n, words, rng) for i, (a, n) in enumerate(zip(areas, per_department))])
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        counts = {
            "departments.csv": _write_departments(tmp),
            "block_groups.geojson": _write_block_groups(tmp, areas),
            "census-block_group-race_ethnicity.csv": _write_race(tmp, areas),
            "census-block_group-household_income.csv": _write_income(tmp, areas),
            "pp_report_locations_geocoded.csv": _write_predictions(tmp, preds, words),
            "crime_reports.csv": _write_crime_reports(tmp, areas, preds, words, rng),
            "prediction_counts_by_type.csv": _write_prediction_counts(tmp, preds),
            "patrols.csv": _write_patrols(tmp, areas, preds, words, rng),
            "sites.csv": _write_sites(tmp, areas),
            "excluded_addresses.csv": _write_excluded_addresses(tmp),
        }
        _write_source(tmp, seed, predictions)
        tmp.chmod(0o755)
        _replace_directory(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return counts


def _split(total: int, weights: list[float]) -> list[int]:
    """Whole shares of total in proportion to weights, summing exactly to total."""
    exact = np.array(weights) / sum(weights) * total
    shares = np.floor(exact).astype(int)
    shares[np.argsort(shares - exact)[: total - shares.sum()]] += 1
    return shares.tolist()


def _metres_to_degrees(lat: float) -> tuple[float, float]:
    """Degrees of (latitude, longitude) per metre near lat."""
    return 1 / METRES_PER_DEGREE, 1 / (METRES_PER_DEGREE * math.cos(math.radians(lat)))


# --- geography -------------------------------------------------------------------------------

def _area(dept: DemoDepartment, words: Vocabulary, rng: np.random.Generator) -> Area:
    cells = _cell_polygons(dept, rng)
    geometries, cell_centres, empty = _block_groups(dept, cells)
    geoids = _geoids(dept, len(geometries))
    race, totals = _race(dept, cell_centres, empty, rng)
    households, low_income, brackets = _income(race, totals, rng)
    box_lat, box_lon, box_row, box_col, box_bg = _boxes(geometries, rng, dept)
    street_address, listed_address = _box_addresses(dept, box_row, box_col, words, rng)
    risk = _block_group_risk(race, totals, low_income, households, rng)
    box_weight = risk[box_bg] * rng.lognormal(0.0, BOX_RISK_NOISE, len(box_bg))
    area = Area(dept, geoids, geometries, race, totals, households, low_income, brackets,
                box_lat, box_lon, box_bg, listed_address, street_address, box_weight / box_weight.sum(),
                shapely.union_all(geometries))
    shapely.prepare(area.city)
    _place_sites(area, cell_centres, words, rng)
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
    dlat, dlon = _metres_to_degrees(dept.south_west[0])
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
    dlat, dlon = _metres_to_degrees(dept.south_west[0])
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


# --- people ----------------------------------------------------------------------------------

def _race(dept: DemoDepartment, centres: np.ndarray, empty: np.ndarray, rng: np.random.Generator):
    """Residents by group: neighbourhoods around each group's anchor, mixed where they meet."""
    n = len(centres)
    main = [(GROUP_INDEX[g], x, y) for g, x, y in dept.anchors if g != "asian"]
    distance = np.stack([np.hypot(centres[:, 0] - x, centres[:, 1] - y) for _, x, y in main], axis=1)
    distance += rng.normal(0, 0.05, distance.shape)
    nearest = np.argsort(distance, axis=1)
    margin = np.take_along_axis(distance, nearest[:, 1:2], 1)[:, 0] - distance.min(axis=1)
    preference = np.array([[main[j][0] for j in order] for order in nearest])
    preference = np.column_stack([preference, np.full(n, GROUP_INDEX["asian"])])
    top_share = rng.uniform(0.55, 0.9, n)

    mixed = np.argsort(np.where(empty, np.inf, margin), kind="stable")[:MIXED_BLOCK_GROUPS]
    top_share[mixed] = rng.uniform(0.38, 0.46, len(mixed))
    for g, x, y in dept.anchors:
        if g == "asian":
            asian = int(np.argmin(np.where(empty, np.inf, np.hypot(centres[:, 0] - x, centres[:, 1] - y))))
            preference[asian] = np.roll(preference[asian], 1)
            top_share[asian] = rng.uniform(0.52, 0.65)

    other = rng.uniform(0.02, 0.06, n)
    rest = 1 - top_share - other
    second = rest * rng.uniform(0.5, 0.62, n)
    third = (rest - second) * rng.uniform(0.55, 0.8, n)
    ranked_shares = np.column_stack([top_share, second, third, rest - second - third])
    shares = np.zeros((n, len(GROUPS)))
    np.put_along_axis(shares, preference, ranked_shares, axis=1)

    totals = np.where(empty, 0, np.round(rng.lognormal(math.log(MEDIAN_RESIDENTS), RESIDENTS_SPREAD, n))).astype(int)
    return np.floor(shares * totals[:, None]).astype(int), totals


def _income(race: np.ndarray, totals: np.ndarray, rng: np.random.Generator):
    """Households, low-income households and income brackets, poorer where more residents are Black or Latino."""
    n = len(totals)
    minority = _minority_share(race, totals)
    low_share = np.clip(LOW_INCOME_BASE + LOW_INCOME_SLOPE * minority + rng.normal(0, LOW_INCOME_NOISE, n), 0.03, 0.92)
    households = np.round(totals / rng.uniform(*PEOPLE_PER_HOUSEHOLD, n)).astype(int)
    low_income = np.round(low_share * households).astype(int)
    under_45k = np.clip(low_share * rng.uniform(0.85, 1.1, n), 0.01, 0.95)
    affluence = 1 - low_share
    upper = np.column_stack([1.4 - affluence, np.ones(n), 0.4 + 1.2 * affluence, 0.05 + 0.9 * affluence ** 2])
    upper = upper / upper.sum(axis=1, keepdims=True) * (1 - under_45k)[:, None]
    brackets = rng.multinomial(households, np.column_stack([under_45k, upper]))
    return households, low_income, brackets


def _minority_share(race: np.ndarray, totals: np.ndarray) -> np.ndarray:
    black_latino = race[:, GROUP_INDEX["black"]] + race[:, GROUP_INDEX["latino"]]
    return np.divide(black_latino, totals, out=np.zeros(len(totals)), where=totals > 0)


def _block_group_risk(race, totals, low_income, households, rng) -> np.ndarray:
    """How strongly each block group draws predictions; uninhabited ones get a middling value."""
    inhabited = totals > 0
    low_share = np.divide(low_income, households, out=np.zeros(len(totals)), where=households > 0)
    need = _standard_scores(_ranks(_minority_share(race, totals)[inhabited]) + _ranks(low_share[inhabited]))
    noise = rng.normal(0, 1, len(need))
    noise = _standard_scores(noise - need * (noise @ need) / (need @ need))
    score = RISK_CORRELATION * need + math.sqrt(1 - RISK_CORRELATION ** 2) * noise
    risk = np.full(len(totals), 1.0)
    risk[inhabited] = np.exp(RISK_SPREAD * score)
    return risk


def _ranks(values: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(values, kind="stable"), kind="stable").astype(float)


def _standard_scores(values: np.ndarray) -> np.ndarray:
    return (values - values.mean()) / values.std()


# --- sites -----------------------------------------------------------------------------------

def _place_sites(area: Area, centres: np.ndarray, words: Vocabulary, rng: np.random.Generator) -> None:
    """The station goes downtown; the planted public housing where Black, Latino and low-income shares are highest."""
    dept = area.department
    inhabited = area.totals > 0
    downtown = int(np.argmin(np.where(inhabited, np.hypot(*(centres - 0.5).T), np.inf)))
    low_share = np.divide(area.low_income, np.maximum(area.households, 1))
    need = np.where(inhabited, _minority_share(area.race, area.totals) + low_share, -np.inf)
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
        dlat, dlon = _metres_to_degrees(area.box_lat[box])
        north, east = SITE_OFFSET_METRES
        area.sites.append({
            "name": name, "kind": kind,
            "lat": round(float(area.box_lat[box]) + north * dlat, COORDINATE_DECIMALS),
            "lon": round(float(area.box_lon[box]) + east * dlon, COORDINATE_DECIMALS),
            "department": dept.slug,
            "address": words.words[area.box_street_address[box]],
        })


# --- predictions -----------------------------------------------------------------------------

def _predictions(index: int, area: Area, n: int, words: Vocabulary, rng: np.random.Generator) -> Points:
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
    ]) + _epoch_day(dept.first_day)
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
    _, dlon = _metres_to_degrees(dept.south_west[0])
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


def _epoch_day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _date_column(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype("datetime64[D]"))


def _text_column(values: list[str], codes: np.ndarray) -> pa.Array:
    return pc.take(pa.array(values, type=pa.string()), pa.array(codes, type=pa.int32()))


def _department_column(indices: np.ndarray) -> pa.Array:
    return _text_column([d.slug for d in DEPARTMENTS], indices)


# --- crime reports ---------------------------------------------------------------------------

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
    lat, lon = _scatter(area, box, spread, rng)
    day = np.concatenate([matched_day, rng.integers(0, DAYS_OF_USE, n_random) + _epoch_day(dept.first_day)])
    return {
        "department": np.full(n_reports, index),
        "day": day,
        "minute": np.concatenate([report_minute % MINUTES_PER_DAY, random_minute]),
        "description": np.concatenate([matched_description, random_description]),
        "lat": lat,
        "lon": lon,
        "address": _report_addresses(area, box, words, rng),
    }


def _scatter(area: Area, box: np.ndarray, metres: np.ndarray, rng: np.random.Generator):
    """Points up to metres from their box centres, east-west and north-south, kept inside the city."""
    dlat, dlon = _metres_to_degrees(area.department.south_west[0])
    lat = np.round(area.box_lat[box] + rng.uniform(-1, 1, len(box)) * metres * dlat, COORDINATE_DECIMALS)
    lon = np.round(area.box_lon[box] + rng.uniform(-1, 1, len(box)) * metres * dlon, COORDINATE_DECIMALS)
    # Only the planted geocoding errors should fall outside the city.
    outside = ~shapely.contains_xy(area.city, lon, lat)
    lat[outside], lon[outside] = area.box_lat[box[outside]], area.box_lon[box[outside]]
    return lat, lon


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


def _write_crime_reports(folder: Path, areas: list[Area], preds: Points, words: Vocabulary,
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
        "department": _department_column(reports["department"]),
        "date": _date_column(reports["day"]),
        "time": pa.array((reports["minute"] * 60).astype("int32"), pa.time32("s")),
        "description": _text_column(descriptions, reports["description"]),
        "address": words.column(reports["address"]),
        "lat": pa.array(reports["lat"], mask=~located),
        "lon": pa.array(reports["lon"], mask=~located),
        "predictable_type": pc.take(pa.array(predictable_types),
                                    pa.array(predictable_code, pa.int32(), mask=predictable_code < 0)),
    })
    return _write_csv(folder / "crime_reports.csv", table)


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


# --- patrols ---------------------------------------------------------------------------------

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
        (rng.integers(0, DAYS_OF_USE, n - n_hotspot) + _epoch_day(dept.first_day)) * MINUTES_PER_DAY
        + rng.integers(0, MINUTES_PER_DAY, n - n_hotspot),
    ])
    lat, lon = _scatter(area, box, np.full(n, BOX_METRES / 5), rng)
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


def _write_patrols(folder: Path, areas: list[Area], preds: Points, words: Vocabulary,
                   rng: np.random.Generator) -> int:
    parts = [_patrols(i, a, preds, rng) for i, a in enumerate(areas)]
    patrols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((patrols["start_minute"], patrols["department"]))
    patrols = {k: v[order] for k, v in patrols.items()}
    start = patrols["start_minute"].astype("int64") * 60
    end = start + np.round(patrols["minutes"] * 60).astype("int64")
    table = pa.table({
        "department": _department_column(patrols["department"]),
        "unit": _text_column([str(101 + u) for u in range(PATROL_UNITS)], patrols["unit"]),
        "start": _minute_text(start),
        "end": _minute_text(end),
        "lat": patrols["lat"],
        "lon": patrols["lon"],
        "address": pc.utf8_upper(words.column(patrols["address"])),
        "kind": _text_column(["PROACTIVE PATROL", "HOTSPOT PATROL"], patrols["hotspot"].astype(int)),
        "minutes": patrols["minutes"],
    })
    return _write_csv(folder / "patrols.csv", table)


def _minute_text(epoch_seconds: np.ndarray) -> pa.Array:
    return pc.strftime(pa.array(epoch_seconds.astype("datetime64[s]")), format="%Y-%m-%d %H:%M")


# --- writers ---------------------------------------------------------------------------------

CSV_OPTIONS = pacsv.WriteOptions(quoting_header="none", quoting_style="needed")
WRITE_BATCH_ROWS = 500_000

def _write_csv(path: Path, table: pa.Table) -> int:
    pacsv.write_csv(table, path, CSV_OPTIONS)
    return table.num_rows


def _write_departments(folder: Path) -> int:
    table = pa.table({
        "department": [d.slug for d in DEPARTMENTS],
        "name": [d.name for d in DEPARTMENTS],
        "state": [d.state for d in DEPARTMENTS],
        "first_prediction_date": [d.first_day for d in DEPARTMENTS],
        "final_prediction_date": [d.last_day for d in DEPARTMENTS],
        "usable": [True] * len(DEPARTMENTS),
        "active": pa.array([d.active for d in DEPARTMENTS], pa.bool_()),
        "has_predictions": [True] * len(DEPARTMENTS),
    })
    return _write_csv(folder / "departments.csv", table)


def _write_block_groups(folder: Path, areas: list[Area]) -> int:
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


def _write_race(folder: Path, areas: list[Area]) -> int:
    race = np.concatenate([a.race for a in areas])
    table = pa.table({
        **_block_group_columns(areas),
        "total": np.concatenate([a.totals for a in areas]),
        **{group: race[:, i] for i, group in enumerate(GROUPS)},
    })
    return _write_csv(folder / "census-block_group-race_ethnicity.csv", table)


def _write_income(folder: Path, areas: list[Area]) -> int:
    households = np.concatenate([a.households for a in areas])
    brackets = np.concatenate([a.brackets for a in areas])
    table = pa.table({
        **_block_group_columns(areas),
        "households": households,
        "low_income_households": np.concatenate([a.low_income for a in areas]),
        "bracket_households": households,
        **{name: brackets[:, i] for i, name in enumerate(INCOME_BRACKETS)},
    })
    return _write_csv(folder / "census-block_group-household_income.csv", table)


def _write_predictions(folder: Path, preds: Points, words: Vocabulary) -> int:
    order = np.lexsort((preds.shift, preds.day, preds.department))
    writer = None
    # In slices, so the text columns of a benchmark-sized run never sit in memory at once.
    for start in range(0, len(order), WRITE_BATCH_ROWS):
        rows = order[start:start + WRITE_BATCH_ROWS]
        table = pa.table({
            "department": _department_column(preds.department[rows]),
            "lat": preds.lat[rows],
            "lon": preds.lon[rows],
            "count": pa.array(np.ones(len(rows), dtype="int8")),
            "date": _date_column(preds.day[rows]),
            "shift": _text_column(list(SHIFT_LETTERS), preds.shift[rows]),
            "incident_type": _text_column(list(schema.INCIDENT_TYPES), preds.incident_type[rows]),
            "address": words.column(preds.address[rows]),
        })
        if writer is None:
            writer = pacsv.CSVWriter(folder / "pp_report_locations_geocoded.csv", table.schema,
                                      write_options=CSV_OPTIONS)
        writer.write_table(table)
    writer.close()
    return len(order)


def _write_prediction_counts(folder: Path, preds: Points) -> int:
    counts = np.zeros((len(DEPARTMENTS), len(schema.INCIDENT_TYPES)), dtype="int64")
    np.add.at(counts, (preds.department, preds.incident_type), 1)
    rows = [(d, t) for d in range(len(DEPARTMENTS)) for t in range(len(schema.INCIDENT_TYPES))]
    table = pa.table({
        "department": [DEPARTMENTS[d].slug for d, _ in rows],
        "incident_type": [schema.INCIDENT_TYPES[t] for _, t in rows],
        "window_start": [DEPARTMENTS[d].first_day for d, _ in rows],
        "window_end": [DEPARTMENTS[d].last_day for d, _ in rows],
        "predictions": [int(counts[d, t]) for d, t in rows],
    })
    return _write_csv(folder / "prediction_counts_by_type.csv", table)


def _write_sites(folder: Path, areas: list[Area]) -> int:
    sites = [s for a in areas for s in a.sites]
    table = pa.table({k: [s[k] for s in sites] for k in ("name", "kind", "lat", "lon", "department", "address")})
    return _write_csv(folder / "sites.csv", table)


def _write_excluded_addresses(folder: Path) -> int:
    rows = [row for d in DEPARTMENTS for row in d.excluded_addresses]
    table = pa.table({"address": [a for a, _ in rows], "reason": [r for _, r in rows]})
    return _write_csv(folder / "excluded_addresses.csv", table)


def _write_source(folder: Path, seed: int, predictions: int) -> None:
    generated_at = DEMO_EPOCH + timedelta(minutes=seed % (366 * MINUTES_PER_DAY))
    source = {
        "kind": "demo",
        "title": "Synthetic demo data (not real)",
        "generator": "python -m lib.cli demo",
        "seed": seed,
        "predictions": predictions,
        "generated_at": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "date_range": [min(d.first_day for d in DEPARTMENTS).isoformat(),
                       max(d.last_day for d in DEPARTMENTS).isoformat()],
        "warnings": [],
    }
    (folder / SOURCE_FILE).write_text(json.dumps(source, indent=2) + "\n")


def _replace_directory(new: Path, dest: Path) -> None:
    """Swap new in for dest, so readers never see a half-written directory."""
    if not dest.exists():
        new.rename(dest)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", dir=dest.parent))
    old.rmdir()
    dest.rename(old)
    new.rename(dest)
    shutil.rmtree(old)
