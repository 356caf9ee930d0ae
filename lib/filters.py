"""The Filters value: one selection, three faces — SQL with bound parameters, a sentence, a URL.

Filters select block groups (by department, income and race composition); predictions,
crime reports, patrols and sites follow their block group. Nothing else builds SQL from
user input.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Mapping

from lib import schema

LOW_INCOME_BANDS = {
    "lt25": "fewer than 25% of households are low-income",
    "25to50": "25–50% of households are low-income",
    "50to75": "50–75% of households are low-income",
    "ge75": "75% or more of households are low-income",
}
LOW_INCOME_SHORT = {"lt25": "Under 25%", "25to50": "25–50%", "50to75": "50–75%", "ge75": "75% and over"}
MAJORITIES = {"black": "most residents are Black", "latino": "most residents are Latino",
              "white": "most residents are White", "asian": "most residents are Asian",
              "none": "no group is a majority"}
MAJORITY_SHORT = {"black": "Black", "latino": "Latino", "white": "White", "asian": "Asian", "none": "No majority"}
SHARE_GROUPS = {**schema.RACE_GROUPS, "black_latino": "Black and Latino", "low_income": "low-income households"}
# What-if exclusions (lib/analysis/exclusions.py takes the predictions out), in the order they are offered.
EXCLUSIONS = {
    "artefacts": "predictions whose 600 ft box holds a police station, jail, court or hospital",
    "outside": "predictions outside every block group of the jurisdiction",
    "geocoding": "predictions at points the geocoding audit flags (abroad, at 0,0, latitude and longitude swapped)",
}
# The link's keys for the sidebar's filters (Filters.to_query_params); excl belongs to the what-if controls.
QUERY_KEYS = ("dept", "low_income", "bracket", "majority", "group", "min_share", "start", "end", "type")
# Compare mode's keys: cmp=1 turns it on; selection B is the same filters with their keys prefixed.
COMPARE_KEY, B_PREFIX, EXCLUDE_KEY = "cmp", "b_", "excl"
EXCLUSION_SHORT = {"artefacts": "Artefact sites", "outside": "Outside the jurisdiction",
                   "geocoding": "Geocoding errors"}


@dataclass(frozen=True)
class FilterOptions:
    """What the data offers to filter on; bounds what a URL may ask for."""
    departments: dict[str, str] = field(default_factory=dict)  # slug -> display name
    incident_types: tuple[str, ...] = ()
    first_date: date | None = None
    last_date: date | None = None
    brackets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filters:
    departments: tuple[str, ...] = ()
    low_income: tuple[str, ...] = ()
    top_brackets: tuple[str, ...] = ()
    majority: tuple[str, ...] = ()
    share_group: str = "black"
    min_share: float = 0.0
    start: date | None = None
    end: date | None = None
    incident_types: tuple[str, ...] = ()
    # Predictions every figure leaves out (EXCLUSIONS keys): a connection honours them
    # (lib.analysis.exclusions.honour), so cached figures of two exclusions never mix.
    exclude: tuple[str, ...] = ()
    # (lat, lon) of the police stations, jails, courts and hospitals added in the session (the link's site=, not a
    # filter key): the artefacts exclusion leaves out their boxes too (lib.analysis.exclusions.added_artefacts).
    exclude_sites: tuple[tuple[float, float], ...] = ()

    # -- SQL -------------------------------------------------------------------------------
    @property
    def selects_block_groups(self) -> bool:
        """True when a filter beyond department narrows the block groups (points outside
        every block group then drop out of the selection)."""
        return bool(self.low_income or self.top_brackets or self.majority or self.min_share > 0)

    @property
    def all_time(self) -> bool:
        """True when no date and no type filter applies: what was summed at load over all time answers it."""
        return self.start is None and self.end is None and not self.incident_types

    def places_and_time_only(self) -> "Filters":
        """The same departments, dates and types, with no block-group (income, race) filter."""
        return replace(self, low_income=(), top_brackets=(), majority=(), min_share=0.0)

    def block_group_where(self, alias: str = "s") -> tuple[str, dict]:
        """Conditions on block_group_stats (aliased `alias`) with their parameters."""
        a = alias
        clauses, params = [], {}
        if self.departments:
            clauses.append(f"list_contains($f_departments, {a}.department)")
            params["f_departments"] = list(self.departments)
        if self.low_income:
            clauses.append(f"list_contains($f_low_income, {a}.low_income_band)")
            params["f_low_income"] = list(self.low_income)
        if self.top_brackets:
            clauses.append(f"list_contains($f_top_brackets, {a}.top_bracket)")
            params["f_top_brackets"] = list(self.top_brackets)
        if self.majority:
            clauses.append(f"list_contains($f_majority, {a}.majority)")
            params["f_majority"] = list(self.majority)
        if self.min_share > 0:
            clauses.append(f"{self._share_column(a)} >= $f_min_share")
            params["f_min_share"] = float(self.min_share)
        return (" AND ".join(clauses) or "TRUE"), params

    def _share_column(self, alias: str) -> str:
        return f"{alias}.share_{self.share_group}"

    def where(self, alias: str, *, dated: bool = True, typed: bool = True,
              date_expr: str | None = None) -> tuple[str, dict]:
        """Conditions for a table of points (predictions, crime_reports, patrols, sites) aliased
        `alias`, with columns department and geoid, and date / incident_type when `dated` / `typed`."""
        clauses, params = [], {}
        if self.departments:
            clauses.append(f"list_contains($f_departments, {alias}.department)")
            params["f_departments"] = list(self.departments)
        if self.selects_block_groups:
            bg_sql, bg_params = self.block_group_where("s")
            # An IN list of (department, geoid) runs as one hash semi-join; a correlated EXISTS took
            # 1.7x as long over 2.4M predictions of one department.
            clauses.append(f"({alias}.department, {alias}.geoid) IN "
                           f"(SELECT s.department, s.geoid FROM block_group_stats s WHERE {bg_sql})")
            params.update(bg_params)
        when = date_expr or f"{alias}.date"
        if dated and self.start:
            clauses.append(f"{when} >= $f_start")
            params["f_start"] = self.start
        if dated and self.end:
            clauses.append(f"{when} <= $f_end")
            params["f_end"] = self.end
        if typed and self.incident_types:
            clauses.append(f"list_contains($f_incident_types, {alias}.incident_type)")
            params["f_incident_types"] = list(self.incident_types)
        return (" AND ".join(clauses) or "TRUE"), params

    def fragments(self, points: str = "p", block_groups: str = "s") -> tuple[dict[str, str], dict]:
        """The three clauses named SQL files take: {where} on the points table aliased `points`,
        {bg_where} on block_group_stats aliased `block_groups`, {place_where} (departments and
        dates only, to count what the block-group filters leave out); and their parameters."""
        where, params = self.where(points)
        bg_where, bg_params = self.block_group_where(block_groups)
        place_where, place_params = self.places_and_time_only().where(points)
        return {"where": where, "bg_where": bg_where, "place_where": place_where}, \
            {**params, **bg_params, **place_params}

    # -- words ----------------------------------------------------------------------------
    def conditions(self, names: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
        """(filter name, plain words) for every active filter, in the order they narrow."""
        names = names or {}
        out = []
        if self.departments:
            out.append(("department", "in " + join_words([names.get(d, d) for d in self.departments])))
        if self.low_income:
            out.append(("income", "where " + join_words([LOW_INCOME_BANDS[b] for b in self.low_income], "or")))
        if self.top_brackets:
            out.append(("income bracket", "where the largest income bracket is " +
                        join_words([schema.bracket_label(b) for b in self.top_brackets], "or")))
        if self.majority:
            out.append(("race", "where " + join_words([MAJORITIES[m] for m in self.majority], "or")))
        if self.min_share > 0:
            out.append(("minimum share", f"where at least {self.min_share:.0%} of "
                        f"{'households are low-income' if self.share_group == 'low_income' else 'residents are ' + SHARE_GROUPS[self.share_group]}"))
        if self.start or self.end:
            out.append(("dates", _date_words(self.start, self.end)))
        if self.incident_types:
            out.append(("incident type", "of type " + join_words(list(self.incident_types), "or")))
        if self.exclude:
            added = len(self.exclude_sites) if "artefacts" in self.exclude else 0
            out.append(("exclusions", "leaving out " + join_words([EXCLUSIONS[e] for e in self.exclude]) +
                        (f" (with {added} site{'s' if added != 1 else ''} added in this session)" if added else "")))
        return out

    def describe(self, names: Mapping[str, str] | None = None, subject: str = "Block groups",
                 matched: int | None = None, total: int | None = None) -> str:
        """'Block groups in Plainfield, N.J. where most residents are Black: 6 of 35'."""
        words = [w for _, w in self.conditions(names)]
        text = subject + (" " + ", ".join(words) if words else " in all departments")
        if matched is not None and total is not None:
            text += f": {matched:,} of {total:,}"
        return text

    # -- URL ------------------------------------------------------------------------------
    def to_query_params(self) -> dict[str, list[str]]:
        params: dict[str, list[str]] = {}
        if self.departments:
            params["dept"] = list(self.departments)
        if self.low_income:
            params["low_income"] = list(self.low_income)
        if self.top_brackets:
            params["bracket"] = list(self.top_brackets)
        if self.majority:
            params["majority"] = list(self.majority)
        if self.min_share > 0:
            params["group"] = [self.share_group]
            params["min_share"] = [str(round(self.min_share * 100))]
        if self.start:
            params["start"] = [self.start.isoformat()]
        if self.end:
            params["end"] = [self.end.isoformat()]
        if self.incident_types:
            params["type"] = list(self.incident_types)
        if self.exclude:
            params[EXCLUDE_KEY] = list(self.exclude)
        return params

    @classmethod
    def from_query_params(cls, params: Mapping[str, list[str]], options: FilterOptions) -> tuple["Filters", list[str]]:
        """Read a (possibly hand-edited) URL. Values the data does not offer are dropped with a notice."""
        notices: list[str] = []

        def pick(key: str, allowed, label: str) -> tuple[str, ...]:
            values = [v for v in params.get(key, []) if v != ""]
            good = tuple(dict.fromkeys(v for v in values if v in allowed))
            bad = [v for v in values if v not in allowed]
            if bad:
                notices.append(f"Ignored unknown {label} in the link: {', '.join(repr(b) for b in bad)}.")
            return good

        f = cls(
            departments=pick("dept", options.departments, "department"),
            low_income=pick("low_income", LOW_INCOME_BANDS, "income band"),
            top_brackets=pick("bracket", options.brackets, "income bracket"),
            majority=pick("majority", MAJORITIES, "majority group"),
            incident_types=pick("type", options.incident_types, "incident type"),
        )
        excluded = set(pick(EXCLUDE_KEY, EXCLUSIONS, "exclusion"))
        f = replace(f, exclude=tuple(e for e in EXCLUSIONS if e in excluded))
        group = pick("group", SHARE_GROUPS, "group")
        share = _first(params, "min_share")
        if share is not None:
            try:
                value = float(share) / 100
                if not 0 <= value <= 1:
                    raise ValueError
                f = replace(f, min_share=value, share_group=group[0] if group else "black")
            except ValueError:
                notices.append(f"Ignored min_share={share!r} in the link: expected a percentage from 0 to 100.")
        undated = [f"{key}={_first(params, key)!r}" for key in ("start", "end")
                   if _first(params, key) is not None and options.first_date is None]
        if undated:
            notices.append(f"Ignored {' and '.join(undated)} in the link: the predictions in this data have no "
                           "dates, so there is no date filter.")
        for key in ("start", "end"):
            raw = _first(params, key)
            if raw is None or undated:
                continue
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                notices.append(f"Ignored {key}={raw!r} in the link: expected a date as YYYY-MM-DD.")
                continue
            if options.first_date and options.last_date and not options.first_date <= day <= options.last_date:
                inside = min(max(day, options.first_date), options.last_date)
                notices.append(f"Moved {key}={raw} in the link to {inside.isoformat()}: the data covers "
                               f"{options.first_date.isoformat()} to {options.last_date.isoformat()}.")
                day = inside
            f = replace(f, **{key: day})
        if f.start and f.end and f.start > f.end:
            notices.append("Ignored the dates in the link: the start was after the end.")
            f = replace(f, start=None, end=None)
        return f, notices


def _first(params: Mapping[str, list[str]], key: str) -> str | None:
    values = params.get(key) or []
    return values[0] if values else None


def join_words(items: list[str], last: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def _date_words(start: date | None, end: date | None) -> str:
    if start and end:
        return f"from {start:%b %-d, %Y} to {end:%b %-d, %Y}"
    if start:
        return f"from {start:%b %-d, %Y}"
    return f"until {end:%b %-d, %Y}"


def filter_options(con) -> FilterOptions:
    """Departments, incident types, dates and income brackets present in the loaded data."""
    from lib.db import bracket_columns
    departments = dict(con.execute("SELECT department, name FROM departments ORDER BY name").fetchall())
    types = tuple(r[0] for r in con.execute(
        "SELECT DISTINCT incident_type FROM predictions WHERE incident_type IS NOT NULL ORDER BY 1").fetchall())
    first, last = con.execute("SELECT min(date), max(date) FROM predictions").fetchall()[0]
    return FilterOptions(departments, types, first, last, tuple(bracket_columns(con)))
