"""Address patterns: addresses that name a police station, jail, court or hospital, and street names."""
from __future__ import annotations

import re

import pandas as pd

from lib import schema
from lib.db import query, run, sql
from lib.filters import Filters
from lib.analysis.audit.shared import ADDRESS_PARAMS, _once
from lib.analysis.audit.site_checks import _site_params, sites

def address_artefacts(con, f: Filters) -> pd.DataFrame:
    """Prediction and crime-report addresses, and excluded addresses, whose text names a police station,
    sheriff, jail, court or hospital. 'Court' can also be a street name: read the address."""
    def compute():
        pred_where, params = f.where("p")
        report_where, report_params = f.where("p", typed=False)
        return query(con, "audit_address_words", {**params, **report_params},
                     pred_where=pred_where, report_where=report_where, named=NAMED)
    return _once(("address_artefacts", id(con), f), compute)


# The addresses whose text names a site, found when the data loaded (the stored table named_addresses).
NAMED = "named AS (SELECT address, word FROM named_addresses)"


# The distinct addresses of {addresses} (a query with an address column), gathered into one list and unnested:
# a filter on them then runs once per address. On a plain SELECT DISTINCT (even a MATERIALIZED one) DuckDB pushes
# the filter below the DISTINCT, onto every row: a regular expression over 300,000 crime reports instead of the
# 1,500 addresses they share.
DISTINCT_ADDRESSES = "SELECT unnest(list(DISTINCT address)) AS address FROM ({addresses}) WHERE address IS NOT NULL"


def named_address_parameters(con=None) -> dict:
    """{named} and the parameters of lib/sql/named_addresses.sql (the stored table named_addresses)."""
    return {"named": sql("audit_named_addresses"), **ADDRESS_PARAMS}


def artefact_share(con, f: Filters, added: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per department: predictions whose box holds an artefact site or whose address names one, and their share."""
    all_sites = sites(con, f, added)
    chosen = all_sites[all_sites["kind"].isin(schema.ARTEFACT_SITE_KINDS)].reset_index(drop=True)
    fragments, params = _site_params(f, chosen)
    out = query(con, "audit_artefact_share", params, named=NAMED, **fragments)
    words = address_artefacts(con, f)
    named = words[words["source"] == "predictions"].groupby("department")["predictions"].sum()
    out.insert(2, "named_addresses", out["department"].map(named).fillna(0).astype("int64"))
    # a cell near a site at a named address counts once
    out.insert(3, "artefact_predictions", out["at_sites"] + out["named_addresses"] - out.pop("named_at_sites"))
    out["share"] = out["artefact_predictions"] / out["department_predictions"].where(out["department_predictions"] > 0)
    return out.sort_values(["share", "department"], ascending=[False, True], ignore_index=True)



STREET_WORDS = {"AVENUE": "AVE", "AV": "AVE", "STREET": "ST", "ROAD": "RD", "DRIVE": "DR", "BOULEVARD": "BLVD",
                "PLACE": "PL", "TERRACE": "TER", "COURT": "CT", "LANE": "LN", "PARKWAY": "PKWY", "HIGHWAY": "HWY"}


STREET_ABBREVIATIONS = set(STREET_WORDS.values())


def street_name(address) -> str | None:
    """'100 Government Avenue, Riverton, NJ' -> 'GOVERNMENT AVE' (house number, town, punctuation and the
    second street of an intersection dropped)."""
    if not isinstance(address, str) or not address.strip():
        return None
    street = re.split(r"\s*(?:&|/|\bAND\b)\s*", address.upper().split(",")[0])[0]
    street = re.sub(r"^\s*\d+[A-Z]?(-\d+)?\s+", "", street)
    words = [STREET_WORDS.get(w, w) for w in re.findall(r"[A-Z0-9]+", street)]
    return " ".join(words) or None


NO_SAME_STREET = {"same_street_address": None, "same_street_lat": None, "same_street_lon": None,
                  "same_street_records": 0}


def _department_streets(con, department: str, streets: set[str]) -> pd.DataFrame:
    """Distinct (address, lat, lon) inside the department's block groups (any table) on one of `streets`,
    with the records at each and the street name.

    SQL keeps only addresses holding a distinctive word of one of the streets (a word no abbreviation
    produces, so it must appear as written), which leaves Python a handful of addresses to name exactly.
    """
    words = sorted({max((w for w in street.split() if w not in STREET_ABBREVIATIONS), key=len, default="")
                    for street in streets})
    # The same token rule as street_name: runs of A-Z and 0-9 (a regex \b would also split at '_').
    pattern = "(^|[^A-Z0-9])(" + "|".join(words) + ")([^A-Z0-9]|$)" if all(words) else ""
    inside = "department = $d AND geoid IS NOT NULL AND address IS NOT NULL"
    sources = (("prediction_cells", "records"), ("crime_reports", "1"), ("patrols", "1"), ("sites", "1"))
    candidates = " UNION ".join(f"SELECT DISTINCT address FROM {table} WHERE {inside}" for table, _ in sources)
    located = " UNION ALL ".join(f"SELECT address, lat, lon, {weight} AS n FROM {table} WHERE {inside} "
                                 "AND address IN (SELECT address FROM named)" for table, weight in sources)
    # the pattern runs once per distinct address (DISTINCT_ADDRESSES), and only rows at the addresses it names
    # are summed
    frame = run(con, f"""
        WITH candidates AS ({DISTINCT_ADDRESSES.format(addresses=candidates)}),
        named AS (
            SELECT address FROM candidates WHERE $pattern = '' OR regexp_matches(upper(address), $pattern)
        )
        SELECT address, lat, lon, CAST(sum(n) AS BIGINT) AS records FROM ({located}) GROUP BY ALL""",
                {"d": department, "pattern": pattern})
    named = {a: street_name(a) for a in pd.unique(frame["address"])}
    frame = frame.assign(street=frame["address"].map(named))
    return frame[frame["street"].isin(streets)]


def _same_street(streets: pd.DataFrame, street: str | None) -> dict:
    """The most common address on `street` in `streets` (_department_streets), and the records on it."""
    frame = streets[streets["street"] == street] if street else streets.iloc[:0]
    if frame.empty:
        return NO_SAME_STREET
    first = frame.sort_values(["records", "address", "lat", "lon"], ascending=[False, True, True, True]).iloc[0]
    return {"same_street_address": first["address"], "same_street_lat": float(first["lat"]),
            "same_street_lon": float(first["lon"]), "same_street_records": int(frame["records"].sum())}
