"""The demo generator's constants (every share and size it plants), the shape of a department, and the arrays it
builds: a department's area and a table of dated points."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from shapely.geometry import MultiPolygon, Polygon

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



def split_total(total: int, weights: list[float]) -> list[int]:
    """Whole shares of total in proportion to weights, summing exactly to total."""
    exact = np.array(weights) / sum(weights) * total
    shares = np.floor(exact).astype(int)
    shares[np.argsort(shares - exact)[: total - shares.sum()]] += 1
    return shares.tolist()


def metres_to_degrees(lat: float) -> tuple[float, float]:
    """Degrees of (latitude, longitude) per metre near lat."""
    return 1 / METRES_PER_DEGREE, 1 / (METRES_PER_DEGREE * math.cos(math.radians(lat)))



def epoch_day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def date_column(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype("datetime64[D]"))


def text_column(values: list[str], codes: np.ndarray) -> pa.Array:
    return pc.take(pa.array(values, type=pa.string()), pa.array(codes, type=pa.int32()))


def department_column(indices: np.ndarray, departments: Sequence[DemoDepartment]) -> pa.Array:
    return text_column([d.slug for d in departments], indices)
