"""Sites: the sites of the data and those added for a session, the predictions in their boxes, and the sensitive
places (schools, public housing) and block groups targeted day after day."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from lib import geo_math, schema
from lib.db import query, run, sql
from lib.filters import Filters
from lib.analysis.audit.shared import (
    EVERYDAY_SHARE, PROVENANCE_COLUMNS, SITE_COLUMNS, _containing, _frame_key, _geoids, _once, block_group_shapes, days_in_use,
    department_predictions, has_dates)

# -- sites ---------------------------------------------------------------------------------------

def validate_site(name: str, kind: str, lat, lon) -> tuple[dict | None, list[str]]:
    """A site a user typed in, checked like any input: (site, []) or (None, messages)."""
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append("Give the site a name.")
    elif len(name) > 200:
        errors.append("The name is too long: keep it under 200 characters.")
    if kind not in schema.SITE_KINDS:
        errors.append(f"Choose a kind of site: one of {', '.join(schema.SITE_KINDS)}.")
    values = {}
    for label, value, low, high in (("Latitude", lat, -90, 90), ("Longitude", lon, -180, 180)):
        try:
            number = float(str(value).strip())
        except (TypeError, ValueError):
            errors.append(f"{label} must be a number in degrees, e.g. 40.6184 (got {str(value)!r}).")
            continue
        if not math.isfinite(number) or not low <= number <= high:
            errors.append(f"{label} must be between {low} and {high} degrees (got {value}).")
            continue
        values[label] = number
    if errors:
        return None, errors
    return {"name": name, "kind": kind, "lat": values["Latitude"], "lon": values["Longitude"]}, []


def sites(con, f: Filters, added: pd.DataFrame | None = None) -> pd.DataFrame:
    """The sites of the data (in the selected departments) plus the session's added sites, which
    take the department and block group their point falls in."""
    return _once(("sites", id(con), f, _frame_key(added)), lambda: _sites(con, f, added))


def _sites(con, f: Filters, added: pd.DataFrame | None) -> pd.DataFrame:
    where, params = f.where("p", dated=False, typed=False)
    own = run(con, f"SELECT name, kind, lat, lon, department, address, geoid, 'data' AS source, "
                   f"source AS origin, source_id, retrieved, licence FROM sites p "
                   f"WHERE {where} AND lat IS NOT NULL AND lon IS NOT NULL ORDER BY department, kind, name", params)
    columns = SITE_COLUMNS + PROVENANCE_COLUMNS
    if added is None or added.empty:
        return own[columns]
    extra = added[["name", "kind", "lat", "lon"]].copy()
    extra["lat"], extra["lon"] = extra["lat"].astype(float), extra["lon"].astype(float)
    shapes = block_group_shapes(con)
    at = _containing(shapes, [None] * len(extra), extra["lat"], extra["lon"])
    extra["geoid"] = _geoids(shapes, at)
    extra["department"] = np.append(shapes["department"].to_numpy(dtype=object), None)[at]
    extra["address"] = None
    extra["source"] = "added"
    extra = extra.reindex(columns=columns)
    if f.departments:
        extra = extra[extra["department"].isin(f.departments) | extra["department"].isna()]
    frames = [frame for frame in (own[columns], extra) if not frame.empty]
    return pd.concat(frames, ignore_index=True) if frames else own[columns]


def _site_params(f: Filters, site_frame: pd.DataFrame) -> tuple[dict, dict]:
    """The fragments and parameters of audit_site_boxes.sql for these sites (SITE_COLUMNS): the data's own
    sites read the boxes stored when the data loaded (site_cells), added ones are tested live."""
    where, params = f.where("p")
    stored = (site_frame["source"] == "data").tolist()
    params.update({"site_id": list(range(len(site_frame))), "site_lat": site_frame["lat"].astype(float).tolist(),
                   "site_lon": site_frame["lon"].astype(float).tolist(), "site_stored": stored})
    live = "" if all(stored) else sql("audit_site_boxes_live").format(
        box_contains=geo_math.box_contains_sql("l", "s", schema.BOX_FEET))
    return {"site_boxes": sql("audit_site_boxes").format(where=where, live=live), "where": where}, params


def _per_site(con, f: Filters, site_frame: pd.DataFrame, dated: bool) -> pd.DataFrame:
    """The sites with the predictions whose 600 ft box contains each (audit_site_summary)."""
    out = site_frame.reset_index(drop=True)
    if len(out):
        fragments, params = _site_params(f, out)
        per = query(con, "audit_site_summary", params, **fragments).set_index("site_id")
        out = out.join(per, how="left")
    else:
        out = out.assign(predictions=[], days=[], locations=[], first_date=[], last_date=[], hit_department=[])
    out["predictions"] = out["predictions"].fillna(0).astype(int)
    out["locations"] = out["locations"].fillna(0).astype(int)
    out["days"] = out["days"].fillna(0).astype(int) if dated else pd.NA
    out["department"] = out["department"].fillna(out["hit_department"])
    totals = department_predictions(con, f).set_index("department")["department_predictions"]
    # to_numeric: mapping a text column with no department (no site had a prediction) keeps the text dtype.
    out["share_of_department"] = out["predictions"] / pd.to_numeric(out["department"].map(totals))
    used = days_in_use(con, f).set_index("department")["days_in_use"]
    out["days_in_use"] = pd.to_numeric(out["department"].map(used)) if dated else pd.NA
    out["share_of_days"] = (out["days"] / out["days_in_use"]) if dated else pd.NA
    return out.drop(columns=["hit_department"]).rename(columns={"name": "site"})



def site_artefacts(con, f: Filters, added: pd.DataFrame | None = None) -> pd.DataFrame:
    """Police stations, jails, courts and hospitals inside prediction boxes: predictions and days each drew."""
    all_sites = sites(con, f, added)
    chosen = all_sites[all_sites["kind"].isin(schema.ARTEFACT_SITE_KINDS)].reset_index(drop=True)
    out = _per_site(con, f, chosen, has_dates(con, f))
    return out.sort_values(["predictions", "site"], ascending=[False, True], ignore_index=True)



# -- 2. sensitive places -------------------------------------------------------------------------

def block_group_days(con, f: Filters) -> pd.DataFrame:
    """Per block group: predictions, days targeted, days in use and their share, residents, race, income."""
    where, params = f.where("p")
    frame = query(con, "audit_block_group_days", params, where=where)
    used = days_in_use(con, f)[["department", "days_in_use"]]
    frame = frame.merge(used, on="department", how="left")
    frame["share_of_days"] = frame["days_targeted"] / frame["days_in_use"]
    return frame.sort_values(["share_of_days", "predictions"], ascending=False, ignore_index=True)


def everyday_block_groups(con, f: Filters, threshold: float = EVERYDAY_SHARE) -> pd.DataFrame:
    """Block groups with a prediction on more than `threshold` of the days the department used the software."""
    frame = block_group_days(con, f)
    return frame[frame["share_of_days"] > threshold].reset_index(drop=True)


def sensitive_sites(con, f: Filters, added: pd.DataFrame | None = None,
                    bg_days: pd.DataFrame | None = None) -> pd.DataFrame:
    """Public housing and schools: predictions and days within the site's box and within its block group,
    with the block group's residents, race and income. A page that already has block_group_days() for
    these filters passes it as `bg_days`."""
    all_sites = sites(con, f, added)
    chosen = all_sites[all_sites["kind"].isin(schema.SENSITIVE_SITE_KINDS)].reset_index(drop=True)
    dated = has_dates(con, f)
    out = _per_site(con, f, chosen, dated)
    if dated:
        bg = block_group_days(con, f) if bg_days is None else bg_days
    else:
        where, params = f.where("p")
        bg = run(con, f"SELECT p.department, p.geoid, CAST(sum(p.count) AS BIGINT) AS predictions FROM prediction_days p "
                      f"WHERE {where} AND p.geoid IS NOT NULL GROUP BY ALL", params)
        bg["days_targeted"] = pd.NA
        bg["share_of_days"] = pd.NA
    bg = bg[["department", "geoid", "predictions", "days_targeted", "share_of_days"]].rename(columns={
        "predictions": "block_group_predictions", "days_targeted": "block_group_days",
        "share_of_days": "block_group_share_of_days"})
    stats = run(con, "SELECT department, geoid, total AS residents, share_black, share_latino, share_white, "
                     "share_black_latino, share_low_income, majority FROM block_group_stats")
    out = out.merge(bg, on=["department", "geoid"], how="left").merge(stats, on=["department", "geoid"], how="left")
    out["block_group_predictions"] = out["block_group_predictions"].fillna(0).astype(int)
    return out.sort_values(["predictions", "block_group_predictions"], ascending=False, ignore_index=True)
