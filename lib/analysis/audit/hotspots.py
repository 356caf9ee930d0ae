"""Hotspots over time: locations predicted again and again, and how targeting moved day to day, month to month
and quarter to quarter."""
from __future__ import annotations

import math

import pandas as pd

from lib.db import query, run
from lib.filters import Filters
from lib.analysis.audit.shared import TOP_SHARE, _all_time, days_in_use, has_dates

# -- 1. hotspots that are not crime ------------------------------------------------------------

def persistent_hotspots(con, f: Filters, limit: int = 25) -> pd.DataFrame:
    """Prediction locations with the most predictions: share of the department's, days targeted."""
    where, params = f.where("p")
    frame = query(con, "audit_hotspots_all_time" if _all_time(f) else "audit_hotspots", {**params, "limit": limit},
                  where=where)
    if has_dates(con, f):
        used = days_in_use(con, f).set_index("department")["days_in_use"]
        frame["days_in_use"] = frame["department"].map(used)
        frame["share_of_days"] = frame["days_targeted"] / frame["days_in_use"]
    else:
        frame["days_targeted"] = pd.NA
        frame["days_in_use"] = pd.NA
        frame["share_of_days"] = pd.NA
    return frame



# -- 4. periods -------------------------------------------------------------------------------------

def daily_predictions(con, f: Filters) -> pd.DataFrame:
    where, params = f.where("p")
    return run(con, f"SELECT p.date, CAST(sum(p.count) AS BIGINT) AS predictions FROM prediction_days p "
                    f"WHERE {where} AND p.date IS NOT NULL GROUP BY p.date ORDER BY p.date", params)


def monthly_block_groups(con, f: Filters, top: int = 15) -> pd.DataFrame:
    """Predictions per month for the `top` block groups with the most predictions."""
    where, params = f.where("p")
    return query(con, "audit_monthly", {**params, "top": top}, where=where)


def quarter_overlap(con, f: Filters, share: float = TOP_SHARE) -> pd.DataFrame:
    """Per department and quarter: the top `share` of its block groups by predictions, and how many of them
    were also in the previous quarter's top (overlap share)."""
    where, params = f.where("p")
    frame = query(con, "audit_quarters", params, where=where)
    counts = run(con, "SELECT department, count(*) AS block_groups FROM block_groups GROUP BY department")
    size = {d: max(1, math.ceil(share * n)) for d, n in counts.itertuples(index=False)}
    rows = []
    for department, part in frame.groupby("department"):
        n = size.get(department, 1)
        previous = None
        for quarter, q in part.groupby("quarter", sort=True):
            top = set(q.sort_values(["predictions", "geoid"], ascending=[False, True])["geoid"].head(n))
            kept = len(top & previous) if previous is not None else None
            rows.append({"department": department, "quarter": quarter, "top_n": len(top),
                         "kept_from_previous": kept,
                         "overlap_share": kept / len(top) if kept is not None and top else None,
                         "top_block_groups": ", ".join(sorted(top))})
            previous = top
    return pd.DataFrame(rows, columns=["department", "quarter", "top_n", "kept_from_previous", "overlap_share",
                                       "top_block_groups"])
