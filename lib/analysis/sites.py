"""Sites against predictions: for every police station, jail, court and public-housing development listed
(sites.csv, fetched, imported or added in the app), the predictions whose 600 ft box holds it, its share of
the department's predictions, whether it sits among the department's most-predicted places; per department
and overall; and The Markup's public-housing measure beside ours.

Every result carries where its site list came from and when (provenance()): OpenStreetMap and HUD lists can
be incomplete, and a site missing from the list is a site this analysis cannot see.
"""
from __future__ import annotations

import pandas as pd

from lib.analysis import audit
from lib.analysis import disparities as dsp
from lib.db import query
from lib.filters import Filters
from lib.places.sources import SOURCE_LABELS

TOP_PLACES = 25  # "among the most-predicted places": as many as the Audit page's most-predicted locations
INCOMPLETE = ("Lists from OpenStreetMap and HUD can be incomplete or out of date (a station that moved, a "
              "development demolished or never mapped): a site missing from the list is one these figures "
              "cannot see. Check them against local records.")
TABLE_COLUMNS = ["site", "kind", "department", "predictions", "share_of_department", "best_place_rank",
                 "among_most_predicted", "locations", "days", "first_date", "last_date", "geoid", "address", "lat",
                 "lon", "origin", "source_id", "retrieved", "licence"]


def site_table(con, f: Filters, added: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every site of the selection (and the session's added sites) with the predictions whose box holds it, its
    share of the department's predictions and the best rank (1 = most predictions) among the department's
    prediction locations of a location whose box holds it."""
    chosen = audit.sites(con, f, added).reset_index(drop=True)
    out = audit._per_site(con, f, chosen, audit.has_dates(con, f))
    if len(chosen):
        fragments, params = audit._site_params(f, chosen)
        ranks = query(con, "sites_place_ranks", params, **fragments).set_index("site_id")
        out = out.join(ranks, how="left")
    else:
        out = out.assign(best_place_rank=[], places=[])
    out["best_place_rank"] = out["best_place_rank"].astype("Int64")
    out["among_most_predicted"] = (out["best_place_rank"] <= TOP_PLACES).fillna(False).astype(bool)
    out["origin"] = out["origin"].where(out["source"] == "data", "added")
    out = out.sort_values(["department", "kind", "predictions", "site"], ascending=[True, True, False, True],
                          ignore_index=True, na_position="last")
    return out[TABLE_COLUMNS]


def kind_totals(con, f: Filters, table: pd.DataFrame, added: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per department and kind, and for all departments: sites listed, sites that drew predictions, the
    predictions whose box holds at least one such site (each prediction once) and their share of the
    department's predictions."""
    chosen = audit.sites(con, f, added).reset_index(drop=True)
    per = table.groupby(["department", "kind"], dropna=False).agg(
        sites=("site", "size"), sites_with_predictions=("predictions", lambda s: int((s > 0).sum())))
    per = per.reset_index()
    if len(chosen):
        fragments, params = audit._site_params(f, chosen)
        params["site_kind"] = chosen["kind"].tolist()
        near = query(con, "sites_kind_totals", params, **fragments)
        per = per.merge(near, on=["department", "kind"], how="left")
    else:
        per["predictions_at_sites"] = pd.Series(dtype="int64")
    per["predictions_at_sites"] = per["predictions_at_sites"].fillna(0).astype("int64")
    totals = audit.department_predictions(con, f).set_index("department")["department_predictions"]
    per["department_predictions"] = per["department"].map(totals).fillna(0).astype("int64")
    every = per.groupby("kind", as_index=False)[["sites", "sites_with_predictions", "predictions_at_sites"]].sum()
    every["department"] = None
    every["department_predictions"] = int(totals.sum())
    out = pd.concat([per, every], ignore_index=True) if len(per) else per
    out["share_of_department"] = out["predictions_at_sites"] / out["department_predictions"].where(
        out["department_predictions"] > 0)
    return out[["department", "kind", "sites", "sites_with_predictions", "predictions_at_sites",
                "department_predictions", "share_of_department"]]


def housing_targeting(con, f: Filters, table: pd.DataFrame) -> pd.DataFrame:
    """Public-housing developments per department, counted two ways.

    The Markup's (R/housing.R in the-markup/investigation-prediction-bias, function housing_analysis): the
    developments in the department's most-targeted 5% of areas (in_max_tb) and in areas with more predictions
    than the department's median (gt_p50), each over the developments inside the department. Their file ranked
    Census blocks; this data has block groups, so the same ranking (lib.analysis.disparities: rank n = most
    predictions, ties to the more populous; the most-targeted window of round(5% of n)) and the median of
    rank_and_label.R's block-group labels (pred_count > median) are applied to block groups.

    Ours: the developments whose own 600 ft box drew predictions, and how many.
    """
    housing = table[(table["kind"] == "public_housing") & table["geoid"].notna()]
    ranks = dsp.block_group_ranks(con, f.places_and_time_only())
    medians = ranks.groupby("department")["predictions"].median()
    ranks = ranks.assign(above_median=ranks["predictions"] > ranks["department"].map(medians))
    joined = housing.merge(ranks[["department", "geoid", "in_most", "above_median", "decile"]],
                           on=["department", "geoid"], how="inner")
    per = joined.groupby("department").agg(
        developments=("site", "size"),
        in_most_targeted=("in_most", "sum"), above_median=("above_median", "sum"),
        drew_predictions=("predictions", lambda s: int((s > 0).sum())), predictions=("predictions", "sum"))
    per = per.reset_index()
    if len(per):
        every = per.drop(columns="department").sum().to_frame().T
        every.insert(0, "department", None)
        per = pd.concat([per, every], ignore_index=True)
    for column in ("developments", "in_most_targeted", "above_median", "drew_predictions", "predictions"):
        per[column] = per[column].astype("int64")
    per["share_in_most_targeted"] = per["in_most_targeted"] / per["developments"]
    per["share_above_median"] = per["above_median"] / per["developments"]
    per["share_drew_predictions"] = per["drew_predictions"] / per["developments"]
    return per


def provenance(table: pd.DataFrame) -> list[str]:
    """One sentence per origin of the sites in `table`: how many, from where, retrieved when, under what licence."""
    out = []
    if table.empty:
        return out
    origins = table["origin"].fillna("").astype(str)
    for origin, rows in table.groupby(origins, sort=True):
        n = len(rows)
        if origin == "added":
            out.append(f"{n:,} added in this session (carried in the link).")
            continue
        if origin == "":
            out.append(f"{n:,} from sites.csv with no source given (entered by hand).")
            continue
        label = SOURCE_LABELS.get(origin, origin)
        days = pd.to_datetime(rows["retrieved"], errors="coerce").dropna()
        when = ""
        if len(days):
            first, last = days.min().date(), days.max().date()
            when = f", retrieved {first}" + (f" to {last}" if last != first else "")
        licences = sorted({str(v) for v in rows["licence"].dropna() if str(v)})
        out.append(f"{n:,} from {label}{when}" + (f" ({'; '.join(licences)})" if licences else "") + ".")
    return out


def headline(table: pd.DataFrame, names: dict[str, str] | None = None) -> str:
    """'Plainfield, N.J.: 2 police stations (1,234 predictions at them) and 3 public-housing developments ...'"""
    names = names or {}
    parts = []
    for department, rows in table.groupby("department", sort=True):
        kinds = []
        for kind, label in (("police_station", "police station"), ("jail", "jail"), ("court", "court"),
                            ("public_housing", "public-housing development")):
            mine = rows[rows["kind"] == kind]
            if len(mine):
                plural = label + ("s" if len(mine) != 1 else "")
                kinds.append(f"{len(mine):,} {plural} ({int(mine['predictions'].sum()):,} predictions in their "
                             f"boxes, {int((mine['predictions'] > 0).sum()):,} with any)")
        if kinds:
            parts.append(f"{names.get(department, department)}: " + ", ".join(kinds) + ".")
    return " ".join(parts)
