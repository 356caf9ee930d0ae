"""What-if exclusions: every figure without the predictions at artefact sites, outside the jurisdiction or at
points the geocoding audit flags.

An exclusion set gets a schema of its own (`without_<reasons>`) holding the four prediction tables every page
reads (predictions, prediction_cells, prediction_days, prediction_locations) minus the excluded locations. A
cursor whose search path starts with that schema answers every unchanged query of lib/analysis without them,
so no query has to know; tables stored at load from the predictions (outside_points, site_cells, the accuracy
pairs) stay as they were.
"""
from __future__ import annotations

import threading

import pandas as pd

from lib import geo_math, schema
from lib.analysis.audit import ERROR_STATUSES
from lib.db import bind, sql
from lib.filters import EXCLUSIONS

LOCATION = ("department", "lat", "lon")
# One schema built at a time per process: two sessions asking for the same exclusion wait for one build.
_BUILDING = threading.Lock()


def normalise(reasons) -> tuple[str, ...]:
    """The known reasons of `reasons`, once each, in EXCLUSIONS order."""
    chosen = set(reasons or ())
    return tuple(r for r in EXCLUSIONS if r in chosen)


def schema_name(reasons) -> str:
    return "without_" + "_".join(normalise(reasons))


def _has_table(con, name: str) -> bool:
    return con.execute("SELECT (SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = $n)"
                       " + (SELECT count(*) FROM duckdb_views() WHERE schema_name = 'main' AND view_name = $n)",
                       {"n": name}).fetchall()[0][0] > 0


def _excluded_query(con, reasons) -> tuple[str, dict]:
    """excluded_locations.sql for `reasons`, with its parameters."""
    flagged = "main.outside_points" if _has_table(con, "outside_points") else \
        "(SELECT NULL::VARCHAR AS source, NULL::VARCHAR AS department, NULL::DOUBLE AS lat, NULL::DOUBLE AS lon, " \
        "NULL::VARCHAR AS status WHERE FALSE)"
    text = sql("excluded_locations").format(box_contains=geo_math.box_contains_sql("l", "s"), flagged_points=flagged)
    return text, bind(text, {"reasons": list(normalise(reasons)), "artefact_kinds": list(schema.ARTEFACT_SITE_KINDS),
                             "error_statuses": list(ERROR_STATUSES)})


def excluded_locations(con, reasons) -> pd.DataFrame:
    """department, lat, lon, reason: every prediction location each of `reasons` takes out (a location may
    appear once per reason). Always over the original predictions, whatever `con`'s search path."""
    return con.execute(*_excluded_query(con, reasons)).df()


def notices(con, reasons) -> list[str]:
    """What a reader should know about `reasons` on this data (an exclusion that can take out nothing)."""
    out = []
    if "artefacts" in normalise(reasons) and not con.execute(
            "SELECT count(*) FROM main.sites WHERE list_contains($kinds, kind) AND lat IS NOT NULL",
            {"kinds": list(schema.ARTEFACT_SITE_KINDS)}).fetchall()[0][0]:
        out.append("The data's site list (sites.csv) has no police station, jail, court or hospital with "
                   "coordinates, so leaving out artefact sites takes out nothing. Add a site list to the data "
                   "directory (sites added on the Audit page count for that page only).")
    return out


def _same_location(left: str, right: str) -> str:
    return " AND ".join(f"{left}.{c} IS NOT DISTINCT FROM {right}.{c}" for c in LOCATION)


def _build(con, name: str, reasons: tuple[str, ...]) -> None:
    con.execute(f"CREATE SCHEMA {name}")
    text, params = _excluded_query(con, reasons)
    con.execute(f"CREATE TABLE {name}.excluded AS SELECT DISTINCT department, lat, lon FROM ({text})", params)
    for table in ("predictions", "prediction_cells", "prediction_locations"):
        con.execute(f"CREATE VIEW {name}.{table} AS SELECT p.* FROM main.{table} p "
                    f"ANTI JOIN {name}.excluded x ON {_same_location('p', 'x')}")
    # A day's row mixes locations: what the excluded locations held that day is taken off it (a small table
    # joined to the stored sums, not the cells summed again on every query).
    con.execute(sql("excluded_days").format(schema=name, same_location=_same_location("c", "x")))
    con.execute(f"""CREATE VIEW {name}.prediction_days AS
        SELECT d.* REPLACE (d.count - coalesce(r.count, 0) AS count, d.records - coalesce(r.records, 0) AS records)
        FROM main.prediction_days d LEFT JOIN {name}.removed_days r
          ON d.department = r.department AND d.geoid IS NOT DISTINCT FROM r.geoid
          AND d.date IS NOT DISTINCT FROM r.date AND d.incident_type IS NOT DISTINCT FROM r.incident_type
        WHERE d.count > coalesce(r.count, 0)""")


def honour(con, reasons):
    """`con` (a script run's own cursor) answering every query without the predictions `reasons` exclude;
    with no reason, the data as loaded. Builds the exclusion's tables on first use (shared by every cursor of
    the database). Returns `con`."""
    reasons = normalise(reasons)
    if not reasons:
        con.execute("SET search_path = 'main'")
        return con
    name = schema_name(reasons)
    with _BUILDING:
        if not con.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = $n",
                           {"n": name}).fetchall()[0][0]:
            try:
                _build(con, name, reasons)
            except Exception:
                con.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
                raise
    con.execute(f"SET search_path = '{name},main'")
    return con


def cursor(con, reasons):
    """A new cursor of `con`'s database honouring `reasons` (the caller closes it)."""
    return honour(con.cursor(), reasons)
