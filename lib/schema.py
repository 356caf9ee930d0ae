"""The data contract: every input file, its columns, types, aliases and ranges.

This module is data, not code. The loader casts by it, the validator checks by it,
the importer writes to it and the Data & methods page prints it. Adding a column is
one edit here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Column types and what a value must look like to be accepted.
TYPE_HELP = {
    "text": "any text",
    "int": "a whole number",
    "float": "a number",
    "date": "a date as YYYY-MM-DD or M/D/YYYY",
    "datetime": "a date and time as YYYY-MM-DD HH:MM[:SS] or M/D/YYYY HH:MM",
    "time": "a time of day as HH:MM[:SS]",
    "bool": "TRUE/FALSE (also yes/no, 1/0; UNKNOWN is read as blank)",
    "geoid": "a 12-digit Census block-group GEOID",
}

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d")
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%d", "%m/%d/%Y",
)
TIME_FORMATS = ("%H:%M:%S", "%H:%M")
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
# Words that mean "no value" in the published files (e.g. Active = UNKNOWN, end date = Current).
NULL_WORDS = ("", "na", "n/a", "null", "none", "unknown", "current", "nan")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    default: object = None
    min: float | None = None
    max: float | None = None
    unit: str = ""
    # A column family matched by a regular expression instead of one name
    # (household-income brackets such as hh_lt_45k, hh_45k_75k, hh_gt_200k).
    pattern: str | None = None

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def range_text(self) -> str:
        if self.min is not None and self.max is not None:
            return f"between {self.min:g} and {self.max:g}"
        if self.min is not None:
            return f"at least {self.min:g}"
        if self.max is not None:
            return f"at most {self.max:g}"
        return ""


@dataclass(frozen=True)
class FileSpec:
    file: str
    table: str
    description: str
    columns: tuple[Column, ...]
    required: bool = True
    key: tuple[str, ...] = ()
    kind: str = "csv"
    # the column whose values must name a department in departments.csv
    department_column: str | None = "department"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _race(name: str, label: str) -> Column:
    return Column(name, "int", f"{label} residents of the block group", min=0, unit="people",
                  aliases=(f"{name}_alone", f"{name}_est", f"{name}_lb"))


DEPARTMENT = Column("department", "text", "Department slug, as used by PredPol (e.g. plainfieldpdnj)",
                    aliases=("client", "agency"), required=True)
GEOID = Column("geoid", "geoid", "12-digit Census block-group GEOID (state, county, tract, block group)",
               aliases=("GEOID", "id"), required=True)
LAT = Column("lat", "float", "Latitude (WGS84)", aliases=("latitude", "y"), required=True,
             min=-90, max=90, unit="degrees")
LON = Column("lon", "float", "Longitude (WGS84)", aliases=("lng", "long", "longitude", "x"), required=True,
             min=-180, max=180, unit="degrees")
ADDRESS = Column("address", "text", "Street address as recorded", aliases=("location",))

# A bracket may join ranges with _or_ (hh_45k_75k_or_100k_200k): the households a source gives only together.
INCOME_BRACKET_PATTERN = r"hh_(lt_\d+k|\d+k_\d+k(?:_or_\d+k_\d+k)*|gt_\d+k)"

FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "departments.csv", "departments",
        "One row per police department that used PredPol.",
        (
            DEPARTMENT,
            Column("name", "text", "Display name (e.g. Plainfield, N.J.)", aliases=("client name", "client_name"),
                   required=True),
            Column("state", "text", "Two-letter state code"),
            Column("ucr_id", "text", "FBI Uniform Crime Reporting agency id", aliases=("ucr department",)),
            Column("first_prediction_date", "date", "First day with predictions in the data"),
            Column("final_prediction_date", "date", "Last day with predictions in the data"),
            Column("confirmed_start", "date", "Start of use confirmed by the department",
                   aliases=("confirmed start date",)),
            Column("confirmed_end", "date", "End of use confirmed by the department (blank = still in use)",
                   aliases=("confirmed end date",)),
            Column("usable", "bool", "Whether the department's data was usable for analysis"),
            Column("active", "bool", "Whether the department still used the software (blank = unknown)"),
            Column("has_predictions", "bool", "Whether the data holds predictions for the department", default=True),
        ),
        key=("department",), department_column=None,
    ),
    FileSpec(
        "pp_report_locations_geocoded.csv", "predictions",
        "One row per predicted location (or per prediction, when dated).",
        (
            DEPARTMENT, LAT, LON,
            Column("count", "int", "Number of predictions at this location", aliases=("pred_count", "num_preds", "n"),
                   default=1, min=1, unit="predictions"),
            Column("date", "date", "Day of the prediction"),
            Column("shift", "text", "PredPol shift letter (A 06:15, B 09:15, C 16:45, D 19:45)"),
            Column("incident_type", "text", "Crime type predicted", aliases=("incident_types",)),
            ADDRESS,
            Column("geoid", "geoid", "Block group containing the point (assigned by point-in-polygon when absent)",
                   aliases=("GEOID",)),
        ),
    ),
    FileSpec(
        "census-block_group-race_ethnicity.csv", "race",
        "Residents of each block group by race and ethnicity (American Community Survey).",
        (
            GEOID, DEPARTMENT,
            Column("total", "int", "All residents", aliases=("total_estimate", "total_race_est", "total_race_lb"),
                   required=True, min=0, unit="people"),
            _race("white", "White (non-Latino)"), _race("black", "Black"), _race("latino", "Latino (any race)"),
            _race("asian", "Asian"),
        ),
        key=("department", "geoid"),
    ),
    FileSpec(
        "census-block_group-household_income.csv", "income",
        "Households of each block group by income (American Community Survey).",
        (
            GEOID, DEPARTMENT,
            Column("households", "int", "All households", aliases=("total_estimate_household", "total_income_lb"),
                   required=True, min=0, unit="households"),
            Column("low_income_households", "int",
                   "Households eligible for free or reduced-price school lunch (income under ~185% of the poverty line)",
                   aliases=("eligible_for_frl",), min=0, unit="households"),
            Column("bracket_households", "int",
                   "Households in the universe the bracket counts were measured on (defaults to households)",
                   aliases=("total_income_bracket",), min=0, unit="households"),
            Column("hh_bracket", "int",
                   "Households in an income bracket: hh_lt_<N>k (under $N,000), hh_<A>k_<B>k (between), "
                   "hh_gt_<N>k (over); ranges joined by _or_ are counted together",
                   pattern=INCOME_BRACKET_PATTERN, min=0, unit="households",
                   aliases=("lt_45k_lb", "bw_75_100l_lb", "gt_200k_lb")),
        ),
        key=("department", "geoid"),
    ),
    FileSpec(
        "block_group_counts.csv", "block_group_counts",
        "Predictions per block group as the data's publisher counted them (for The Markup's data, the `count` "
        "property of its block-group GeoJSON), to rank block groups on instead of the app's own placing of the "
        "predictions.",
        (
            GEOID, DEPARTMENT,
            Column("predictions", "int", "Predictions the publisher counted in the block group (0 where none)",
                   aliases=("count", "pred_count"), required=True, min=0, unit="predictions"),
        ),
        required=False, key=("department", "geoid"),
    ),
    FileSpec(
        "block_groups.geojson", "block_groups",
        "Block-group outlines: a GeoJSON FeatureCollection of Polygon or MultiPolygon features.",
        (
            GEOID,
            Column("department", "text", "Department the block group belongs to", aliases=("client",)),
        ),
        key=("department", "geoid"), kind="geojson",
    ),
    FileSpec(
        "crime_reports.csv", "crime_reports",
        "Crimes reported to the police, to compare with the predictions.",
        (
            DEPARTMENT,
            Column("date", "date", "Day of the report", required=True),
            Column("time", "time", "Time of the report"),
            Column("datetime", "datetime", "Date and time of the report (used when date/time are absent)"),
            Column("description", "text", "Offence as recorded", aliases=("crime_description",)),
            ADDRESS,
            Column("lat", "float", "Latitude (blank when not geocoded)", aliases=("latitude", "y"), min=-90, max=90,
                   unit="degrees"),
            Column("lon", "float", "Longitude (blank when not geocoded)", aliases=("lng", "long", "longitude", "x"),
                   min=-180, max=180, unit="degrees"),
            Column("predictable_type", "text",
                   "Prediction type(s) the report would count as; '%' separates alternatives",
                   aliases=("accurate_pred_type",)),
            Column("has_prediction", "bool", "The report fell inside a prediction box during its shift",
                   aliases=("has_preds",)),
            Column("num_predictions", "int", "Predictions whose box and shift contained the report",
                   aliases=("num_preds",), min=0, unit="predictions"),
            Column("prediction_type", "text", "Types of those predictions, '|'-separated",
                   aliases=("actual_pred_type",)),
        ),
        required=False,
    ),
    FileSpec(
        "prediction_counts_by_type.csv", "prediction_counts",
        "Prediction totals by type for a window, used when individual predictions are not available.",
        (
            DEPARTMENT,
            Column("incident_type", "text", "Crime type predicted", aliases=("incident_types",), required=True),
            Column("window_start", "date", "First day of the window", required=True),
            Column("window_end", "date", "Last day of the window", required=True),
            Column("predictions", "int", "Predictions of this type in the window", aliases=("count",), required=True,
                   min=0, unit="predictions"),
        ),
        required=False, key=("department", "incident_type"),
    ),
    FileSpec(
        "patrols.csv", "patrols",
        "Patrol ('dosage') log: where and when officers were sent.",
        (
            DEPARTMENT,
            Column("unit", "text", "Patrol unit", aliases=("unit id",)),
            Column("start", "datetime", "Start of the patrol", aliases=("started",), required=True),
            Column("end", "datetime", "End of the patrol", aliases=("ended",)),
            Column("lat", "float", "Latitude", aliases=("latitude", "y"), min=-90, max=90, unit="degrees"),
            Column("lon", "float", "Longitude", aliases=("lng", "long", "longitude", "x"), min=-180, max=180,
                   unit="degrees"),
            ADDRESS,
            Column("kind", "text", "Patrol type (HOTSPOT PATROL, PROACTIVE PATROL, ...)", aliases=("inc type",)),
            Column("minutes", "float", "Time spent", aliases=("time spent",), min=0, unit="minutes"),
        ),
        required=False,
    ),
    FileSpec(
        "sites.csv", "sites",
        "Places that matter for reading predictions: police stations, jails, public housing.",
        (
            Column("name", "text", "Name of the place", required=True),
            Column("kind", "text", "police_station, jail, court, hospital, school, public_housing or other",
                   required=True),
            LAT, LON,
            Column("department", "text", "Department whose area the site is in", aliases=("client", "agency")),
            ADDRESS,
            Column("source", "text", "Where the site comes from: osm (OpenStreetMap), hud (HUD Public Housing "
                   "Developments), census (an address geocoded by the Census Bureau), a file's name, or blank "
                   "for a site entered by hand"),
            Column("source_id", "text", "The site's id at its source (OSM element such as node/123, HUD "
                   "development code); a fetch never adds a source and id already listed"),
            Column("retrieved", "date", "Day the site was fetched from its source"),
            Column("licence", "text", "Licence of the source's data (ODbL for OpenStreetMap; public domain "
                   "for HUD and the Census Bureau)"),
        ),
        required=False,
    ),
    FileSpec(
        "excluded_addresses.csv", "excluded_addresses",
        "Addresses too vague to analyse; crime reports there are set aside.",
        (
            Column("address", "text", "Address as it appears in crime_reports.csv", required=True),
            Column("reason", "text", "Why it is excluded"),
        ),
        required=False, department_column=None,
    ),
)

SITE_KINDS = ("police_station", "jail", "court", "hospital", "school", "public_housing", "other")
# Sites where reports are taken or people are held: predictions there are artefacts, not crime.
ARTEFACT_SITE_KINDS = ("police_station", "jail", "court", "hospital")
SENSITIVE_SITE_KINDS = ("public_housing", "school")

RACE_GROUPS = {"black": "Black", "latino": "Latino", "white": "White", "asian": "Asian"}
PREDPOL_SHIFTS = {"A": "06:15", "B": "09:15", "C": "16:45", "D": "19:45"}
SHIFT_MINUTES = 11 * 60 + 15
BOX_FEET = 600
# Country codes of reverse_geocode that are the United States or its territories: a point elsewhere is abroad.
US_COUNTRY_CODES = {"US", "PR", "GU", "VI", "AS", "MP"}
INCIDENT_TYPES = ("Burglary", "Robbery|Aggravated Assault", "Motor Vehicle Theft", "Gun Crimes")

FILES_BY_TABLE = {f.table: f for f in FILES}
FILES_BY_NAME = {f.file: f for f in FILES}


def spec(table: str) -> FileSpec:
    return FILES_BY_TABLE[table]


def normalise_header(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\ufeff", "").strip().lower())


def match_columns(file_spec: FileSpec, header: list[str]) -> tuple[dict[str, str], list[str]]:
    """Map canonical column names to the header names present in a file.

    Returns (mapping canonical -> header name, missing required canonical names).
    Pattern columns (income brackets) map each matching header to its own canonical name;
    aliases of a pattern column map to the canonical bracket name they stand for.
    """
    by_norm = {}
    for h in header:
        by_norm.setdefault(normalise_header(h), h)
    mapping: dict[str, str] = {}
    missing: list[str] = []
    for col in file_spec.columns:
        if col.pattern:
            rx = re.compile(col.pattern)
            for norm, h in by_norm.items():
                if rx.fullmatch(norm):
                    mapping[norm] = h
            for alias in col.aliases:
                if alias in by_norm and BRACKET_ALIASES[alias] not in mapping:
                    mapping[BRACKET_ALIASES[alias]] = by_norm[alias]
            continue
        for name in col.names():
            if normalise_header(name) in by_norm:
                mapping[col.name] = by_norm[normalise_header(name)]
                break
        else:
            if col.required:
                missing.append(col.name)
    return mapping, missing


# The Plainfield follow-up's lower-bound bracket columns and the general names they stand for.
BRACKET_ALIASES = {"lt_45k_lb": "hh_lt_45k", "bw_75_100l_lb": "hh_75k_100k", "gt_200k_lb": "hh_gt_200k"}


def bracket_label(column: str) -> str:
    """hh_lt_45k -> 'under $45k'; hh_75k_100k -> '$75k–100k'; hh_gt_200k -> 'over $200k';
    hh_45k_75k_or_100k_200k -> '$45k–75k or $100k–200k'."""
    m = re.fullmatch(INCOME_BRACKET_PATTERN, column)
    if not m:
        return column
    part = m.group(1)
    if part.startswith("lt_"):
        return f"under ${part[3:]}"
    if part.startswith("gt_"):
        return f"over ${part[3:]}"
    ranges = [r.split("_") for r in part.split("_or_")]
    return " or ".join(f"${lo}–{hi}" for lo, hi in ranges)


def column_type(file_spec: FileSpec, canonical: str) -> Column:
    for col in file_spec.columns:
        if col.name == canonical:
            return col
        if col.pattern and re.fullmatch(col.pattern, canonical):
            return col
    raise KeyError(canonical)


def dictionary_rows() -> list[dict]:
    rows = []
    for f in FILES:
        for c in f.columns:
            rows.append({
                "file": f.file,
                "file required": "yes" if f.required else "optional",
                "column": c.pattern and "hh_<bracket>" or c.name,
                "type": c.type,
                "expected": TYPE_HELP[c.type] + (f", {c.range_text()}" if c.range_text() else ""),
                "required": "yes" if c.required else "no",
                "aliases": ", ".join(c.aliases),
                "unit": c.unit,
                "meaning": c.description,
            })
    return rows
