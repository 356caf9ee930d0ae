"""The audit in one summary per department, for the command line."""
from __future__ import annotations

import pandas as pd

from lib.db import run
from lib.filters import Filters
from lib.analysis.audit.shared import _records, has_dates
from lib.analysis.audit.site_checks import everyday_block_groups, site_artefacts
from lib.analysis.audit.geocoding import geocoding_audit

def audit_summary(con, f: Filters) -> list[dict]:
    """Per department: prediction locations outside the analysed block groups, abroad, at 0,0 and swapped;
    artefact sites and the block groups targeted on more than 90% of days in use."""
    geocoding = geocoding_audit(con, f)
    where, params = f.places_and_time_only().where("p")
    totals = run(con, f"SELECT p.department, d.name, count(DISTINCT (p.lat, p.lon)) AS locations, "
                      f"CAST(sum(p.count) AS BIGINT) AS predictions FROM prediction_cells p JOIN departments d USING (department) "
                      f"WHERE {where} GROUP BY ALL ORDER BY p.department", params)
    preds = geocoding.points[geocoding.points["source"] == "predictions"]
    artefacts = site_artefacts(con, f)
    everyday = everyday_block_groups(con, f) if has_dates(con, f) else pd.DataFrame(columns=["department"])
    out = []
    for row in totals.itertuples(index=False):
        mine = preds[preds["department"] == row.department]
        out.append({
            "department": row.department,
            "name": row.name,
            "locations_total": int(row.locations),
            "predictions_total": int(row.predictions),
            "outside_jurisdiction": len(mine),
            "outside_jurisdiction_predictions": int(mine["predictions"].sum()),
            "outside_nearby": int((mine["status"] == "nearby").sum()),
            "outside_far": int((mine["status"] == "far").sum()),
            "outside_us": _records(mine[mine["status"] == "abroad"],
                                   ["lat", "lon", "country_code", "country", "predictions", "address"]),
            "zero_zero": _records(mine[mine["status"] == "zero_zero"], ["lat", "lon", "predictions", "address"]),
            "swapped": _records(mine[mine["status"] == "swapped"],
                                ["lat", "lon", "predictions", "address", "corrected_geoid"]),
            "site_artefacts": _records(artefacts[(artefacts["department"] == row.department)
                                                 & (artefacts["predictions"] > 0)],
                                       ["site", "kind", "predictions", "days"]),
            "persistent_block_groups": _records(
                everyday[everyday["department"] == row.department],
                ["geoid", "days_targeted", "days_in_use", "share_of_days", "predictions", "residents",
                 "share_black", "share_latino", "share_low_income"]),
        })
    return out
