"""Sites added in the app, as they travel in the URL: `site=lat,lon,kind,name`, repeatable (the key agreed in
lib/urlstate.py's registry). The name is last, so it may hold commas. Every value is checked like a typed-in
site (audit.validate_site); one that fails is left out with a sentence saying why."""
from __future__ import annotations

import pandas as pd

from lib.analysis.audit import validate_site

URL_KEY = "site"
ADDED_COLUMNS = ["name", "kind", "lat", "lon"]
MAX_SITES = 50  # a link is not a data file: more belong in sites.csv (import-sites)


def encode(added: list[tuple]) -> list[str]:
    """(name, kind, lat, lon) tuples -> URL values."""
    return [f"{lat:.6f},{lon:.6f},{kind},{name}" for name, kind, lat, lon in added[:MAX_SITES]]


def decode(values: list[str]) -> tuple[list[tuple], list[str]]:
    """URL values -> (name, kind, lat, lon) tuples and a notice for each value left out."""
    added, notices = [], []
    for value in values[:MAX_SITES]:
        parts = [p.strip() for p in str(value).split(",", 3)]
        if len(parts) < 4:
            notices.append(f"The link's site “{value[:80]}” was left out: expected latitude,longitude,kind,name.")
            continue
        lat, lon, kind, name = parts
        site, errors = validate_site(name, kind, lat, lon)
        if errors:
            notices.append(f"The link's site “{value[:80]}” was left out: {' '.join(errors)}")
            continue
        if (site["name"], site["kind"], site["lat"], site["lon"]) not in added:
            added.append((site["name"], site["kind"], site["lat"], site["lon"]))
    if len(values) > MAX_SITES:
        notices.append(f"The link carries {len(values):,} sites; the first {MAX_SITES} were kept. Import longer "
                       "lists into sites.csv instead.")
    return added, notices


def frame(added: list[tuple] | tuple) -> pd.DataFrame:
    return pd.DataFrame(list(added), columns=ADDED_COLUMNS)
