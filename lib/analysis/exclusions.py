"""What-if exclusions: every figure without the predictions at artefact sites, outside the jurisdiction or at
points the geocoding audit flags.

An exclusion set gets a schema of its own (`without_<reasons>`, plus a digest of the session's added artefact
sites when they count) holding, minus the excluded locations, the four prediction tables every page reads
(predictions, prediction_cells, prediction_days, prediction_locations), the Audit's tables stored at load
(site_cells, outside_points, point_counts: lib/sql/excluded_audit.sql) and the accuracy method's
(lib/sql/excluded_accuracy.sql). A cursor whose search path starts with that schema answers every unchanged query
of lib/analysis without them, so no query has to know. What names no location stays as published: the published
totals by type and the match published with the crime reports (accuracy_reports).
"""
from __future__ import annotations

import hashlib
import threading
import time

import pandas as pd

from lib import geo_math, schema
from lib.analysis.audit import ERROR_STATUSES
from lib.db import bind, sql
from lib.filters import EXCLUSIONS

LOCATION = ("department", "lat", "lon")
# One schema built at a time per process: two sessions asking for the same exclusion wait for one build.
_BUILDING = threading.Lock()
# A link's added sites name a schema of their own, so on a public server anyone could have the app build one per
# made-up site list. At most MAX_SITE_SCHEMAS are kept; the least recently used one is dropped to make room once it
# has gone unused for IDLE_SECONDS (no script run lasts that long, so no session is mid-query on it; a session
# that comes back rebuilds it). When every kept one is in use, the new site list is not counted (admit()).
MAX_SITE_SCHEMAS = 8
IDLE_SECONDS = 120.0
_LAST_USED: dict[str, float] = {}


def normalise(reasons) -> tuple[str, ...]:
    """The known reasons of `reasons`, once each, in EXCLUSIONS order."""
    chosen = set(reasons or ())
    return tuple(r for r in EXCLUSIONS if r in chosen)


def added_artefacts(added_sites) -> tuple[tuple[float, float], ...]:
    """(lat, lon) of the sites added in a session ((name, kind, lat, lon), as lib.places.added decodes them from
    the link's `site=`) whose kind is an artefact's: the artefacts exclusion leaves out their boxes too. Sorted and
    rounded as the link carries them, so one set of sites always names one schema."""
    return tuple(sorted({(round(float(lat), 6), round(float(lon), 6)) for _, kind, lat, lon in added_sites or ()
                         if kind in schema.ARTEFACT_SITE_KINDS}))


def _counted_sites(reasons, sites) -> tuple[tuple[float, float], ...]:
    """The added artefact sites an exclusion set uses: none unless it leaves out artefacts."""
    return tuple(sites or ()) if "artefacts" in normalise(reasons) else ()


def schema_name(reasons, sites=()) -> str:
    name = "without_" + "_".join(normalise(reasons))
    counted = _counted_sites(reasons, sites)
    if counted:
        name += "_sites_" + hashlib.sha256(repr(counted).encode()).hexdigest()[:12]
    return name


def _has_table(con, name: str) -> bool:
    return con.execute("SELECT (SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = $n)"
                       " + (SELECT count(*) FROM duckdb_views() WHERE schema_name = 'main' AND view_name = $n)",
                       {"n": name}).fetchall()[0][0] > 0


def _excluded_query(con, reasons, sites=()) -> tuple[str, dict]:
    """excluded_locations.sql for `reasons` (and the added artefact `sites`), with its parameters."""
    flagged = "main.outside_points" if _has_table(con, "outside_points") else \
        "(SELECT NULL::VARCHAR AS source, NULL::VARCHAR AS department, NULL::DOUBLE AS lat, NULL::DOUBLE AS lon, " \
        "NULL::VARCHAR AS status WHERE FALSE)"
    text = sql("excluded_locations").format(box_contains=geo_math.box_contains_sql("l", "s"), flagged_points=flagged)
    counted = _counted_sites(reasons, sites)
    return text, bind(text, {"reasons": list(normalise(reasons)), "artefact_kinds": list(schema.ARTEFACT_SITE_KINDS),
                             "error_statuses": list(ERROR_STATUSES), "added_lat": [lat for lat, _ in counted],
                             "added_lon": [lon for _, lon in counted]})


def excluded_locations(con, reasons, sites=()) -> pd.DataFrame:
    """department, lat, lon, reason: every prediction location each of `reasons` takes out (a location may
    appear once per reason), the artefacts' boxes including those of the added artefact `sites` ((lat, lon):
    added_artefacts()). Always over the original predictions, whatever `con`'s search path."""
    return con.execute(*_excluded_query(con, reasons, sites)).df()


NO_ARTEFACT_SITES = ("**Leaving out artefact sites takes out nothing here:** this data's site list (sites.csv) "
                     "has no police station, jail, court or hospital with coordinates, and none was added in this "
                     "session. Fetch or import a site list (the Audit page's fetch button, or `python -m lib.cli "
                     "fetch-sites` / `import-sites`), or add a police station, jail or court under *Add a site* "
                     "on the Audit page: every page then leaves out the predictions whose box holds it.")


def notices(con, reasons, sites=()) -> list[str]:
    """What a reader should know about `reasons` on this data (an exclusion that can take out nothing)."""
    out = []
    if "artefacts" in normalise(reasons) and not _counted_sites(reasons, sites) and not con.execute(
            "SELECT count(*) FROM main.sites WHERE list_contains($kinds, kind) AND lat IS NOT NULL",
            {"kinds": list(schema.ARTEFACT_SITE_KINDS)}).fetchall()[0][0]:
        out.append(NO_ARTEFACT_SITES)
    return out


def _same_location(left: str, right: str) -> str:
    return " AND ".join(f"{left}.{c} IS NOT DISTINCT FROM {right}.{c}" for c in LOCATION)


def _statements(name: str, **fragments: str) -> list[str]:
    """The statements of lib/sql/<name>.sql (separated by ';' at a line's end), placeholders filled."""
    return [s.strip() for s in sql(name).format(**fragments).split(";\n") if s.strip()]


def _build(con, name: str, reasons: tuple[str, ...], sites: tuple) -> None:
    con.execute(f"CREATE SCHEMA {name}")
    text, params = _excluded_query(con, reasons, sites)
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
    if all(_has_table(con, t) for t in ("site_cells", "outside_points", "point_counts")):
        for statement in _statements("excluded_audit", schema=name, same_location_c=_same_location("c", "x"),
                                     same_location_o=_same_location("o", "x")):
            con.execute(statement)
    if all(_has_table(con, t) for t in ACCURACY_TABLES):
        _build_accuracy(con, name)


ACCURACY_TABLES = ("report_prediction_pairs", "true_predictions", "patrolled_predictions", "report_matches",
                   "accuracy_prediction_days")


def _build_accuracy(con, name: str) -> None:
    for statement in _statements("excluded_accuracy", schema=name, same_location_p=_same_location("p", "x")):
        con.execute(statement)
    per_report = sql("accuracy_per_report").format(
        pairs=f"(SELECT p.* FROM {name}.report_prediction_pairs p SEMI JOIN {name}.affected_reports a "
              "ON p.department = a.department AND p.report_line = a.report_line WHERE p.department = $department)")
    refill = f"INSERT INTO {name}.rematched_reports BY NAME SELECT $department AS department, * FROM ({per_report})"
    for (department,) in con.execute(f"SELECT DISTINCT department FROM {name}.affected_reports").fetchall():
        con.execute(refill, {"department": department})


class SiteListsBusy(Exception):
    """Every kept schema for added sites is in use: a new site list cannot be counted right now."""


SITE_LISTS_BUSY = ("The server is keeping as many readers' added-site lists as it can right now, so the sites "
                   "added in this session are not left out this time; the data's own site list still is. Try "
                   "again in a few minutes.")


def _site_schemas(con) -> list[str]:
    return [n for (n,) in con.execute("SELECT schema_name FROM duckdb_schemas() WHERE starts_with(schema_name, "
                                      "'without_') AND contains(schema_name, '_sites_')").fetchall()]


def _make_room(con, name: str, now: float) -> None:
    """Drop the least recently used site schema idle for IDLE_SECONDS when `name` would be one too many; raise
    SiteListsBusy when none is idle. Call with _BUILDING held."""
    kept = [n for n in _site_schemas(con) if n != name]
    if len(kept) < MAX_SITE_SCHEMAS:
        return
    oldest = min(kept, key=lambda n: _LAST_USED.get(n, 0.0))
    if now - _LAST_USED.get(oldest, 0.0) < IDLE_SECONDS:
        raise SiteListsBusy(SITE_LISTS_BUSY)
    con.execute(f"DROP SCHEMA IF EXISTS {oldest} CASCADE")
    _LAST_USED.pop(oldest, None)


def admit(con, reasons, sites=()) -> tuple[tuple, list[str]]:
    """(`sites` or () when they cannot be counted now, notices): builds the exclusion's tables on first use."""
    if not _counted_sites(reasons, sites):
        return tuple(sites or ()), []
    try:
        honour(con.cursor(), reasons, sites).close()
    except SiteListsBusy as busy:
        return (), [str(busy)]
    return tuple(sites), []


def honour(con, reasons, sites=()):
    """`con` (a script run's own cursor) answering every query without the predictions `reasons` exclude (the
    artefacts' boxes including those of the added artefact `sites`: added_artefacts()); with no reason, the data
    as loaded. Builds the exclusion's tables on first use (shared by every cursor of the database). Returns
    `con`."""
    reasons = normalise(reasons)
    if not reasons:
        con.execute("SET search_path = 'main'")
        return con
    sites = _counted_sites(reasons, sites)
    name = schema_name(reasons, sites)
    with _BUILDING:
        now = time.monotonic()
        if not con.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = $n",
                           {"n": name}).fetchall()[0][0]:
            if sites:
                _make_room(con, name, now)
            try:
                _build(con, name, reasons, sites)
            except Exception:
                con.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
                raise
        if sites:
            _LAST_USED[name] = now
    con.execute(f"SET search_path = '{name},main'")
    return con


def takes_out(con, reasons, sites=(), departments=()) -> bool:
    """Whether `reasons` (and `sites`) leave out any prediction location of `departments` (all when empty); builds
    the exclusion's tables on first use."""
    if not normalise(reasons):
        return False
    honour(con.cursor(), reasons, sites).close()
    return con.execute(f"SELECT EXISTS (SELECT 1 FROM {schema_name(reasons, _counted_sites(reasons, sites))}.excluded "
                       "WHERE len($departments) = 0 OR list_contains($departments, department))",
                       {"departments": list(departments)}).fetchall()[0][0]


def cursor(con, reasons, sites=()):
    """A new cursor of `con`'s database honouring `reasons` and `sites` (the caller closes it)."""
    return honour(con.cursor(), reasons, sites)
