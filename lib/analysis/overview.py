"""Overview: headline figures, the per-department table, live findings, and why a selection is empty."""
from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from lib.analysis import maps
from lib.db import query, run
from lib.filters import Filters


def headline(con, f: Filters) -> dict:
    """Counts and shares for the current selection (one dict of plain numbers). Departments, block groups,
    residents and households cover only departments with predictions in the selection (`departments_listed`
    counts all), each GEOID once across departments (lib/sql/overview_headline.sql)."""
    fragments, params = f.fragments()
    row = query(con, "overview_headline", params, **fragments,
                locations=maps.locations_sql(f, fragments)).iloc[0]
    return {k: None if pd.isna(v) else float(v) if k.startswith("share") else int(v) for k, v in row.items()}


def department_summary(con, f: Filters) -> pd.DataFrame:
    fragments, params = f.fragments()
    return query(con, "department_summary", params, **fragments)


@dataclass(frozen=True)
class Finding:
    text: str
    number: str


def findings(con, f: Filters, h: dict | None = None, table: pd.DataFrame | None = None) -> list[Finding]:
    """Three to five plain-language findings computed from the data for this selection. A page that has
    already computed headline() and department_summary() passes them in (each is a scan of the selection)."""
    h = headline(con, f) if h is None else h
    table = department_summary(con, f) if table is None else table
    out: list[Finding] = []
    if h["share_predictions_black_latino_majority"] is not None and h["share_residents_black_latino_majority"]:
        p, r = h["share_predictions_black_latino_majority"], h["share_residents_black_latino_majority"]
        out.append(Finding(
            f"Block groups where most residents are Black or Latino received {p:.1%} of predictions "
            f"while holding {r:.1%} of residents — {_against_share(p, r)}.", f"{p:.0%} vs {r:.0%}"))
    if h["share_predictions_low_income_majority"] is not None and h["share_households_low_income_majority"]:
        p, r = h["share_predictions_low_income_majority"], h["share_households_low_income_majority"]
        out.append(Finding(
            f"Block groups where most households are low-income received {p:.1%} of predictions "
            f"while holding {r:.1%} of households — {_against_share(p, r)}.", f"{p:.0%} vs {r:.0%}"))
    within = table.dropna(subset=["share_predictions_black_latino_majority"])
    within = within[within["share_residents_black_latino_majority"] > 0]
    if len(within) > 1:
        over = int((within["share_predictions_black_latino_majority"]
                    > within["share_residents_black_latino_majority"]).sum())
        out.append(Finding(
            f"Within departments, majority Black or Latino block groups drew a larger share of the department's "
            f"predictions than their share of its residents in {over} of the {len(within)} departments that have "
            "such block groups (a figure pooled over all departments mixes places of very different size and "
            "make-up).", f"{over} of {len(within)}"))
    compared = table.dropna(subset=["most_targeted_black_latino", "department_black_latino"])
    compared = compared[compared["predictions"] > 0]
    if len(compared):
        above = int((compared["most_targeted_black_latino"] > compared["department_black_latino"]).sum())
        out.append(Finding(
            f"In {above} of {len(compared)} departments, the block group with the most predictions has a larger "
            "Black and Latino share than the department as a whole.", f"{above} of {len(compared)}"))
    top = top_location(con, f)
    if top is not None:
        out.append(Finding(
            f"The most-predicted single location ({top['where']}, {top['name']}) received {top['predictions']:,} "
            f"predictions — {top['share']:.1%} of its department's.", f"{top['predictions']:,}"))
    if h["predictions_outside_shown"]:
        share = h["predictions_outside_shown"] / h["predictions"]
        share_text = f"{share:.1%}" if share >= 0.001 else "under 0.1%"
        out.append(Finding(
            f"{h['predictions_outside_shown']:,} predictions ({share_text}) fell outside every analysed block group "
            "— see the Audit page for why.", f"{h['predictions_outside_shown']:,}"))
    return out[:5]


def _against_share(predictions: float, people: float) -> str:
    """'at parity with their share' within 5% either way, else 'N× their share'."""
    ratio = predictions / people
    return "at parity with their share" if abs(ratio - 1) < 0.05 else f"{ratio:.1f}× their share"


def top_location(con, f: Filters) -> dict | None:
    where, params = f.where("p")
    # With no date or type filter, from the locations summed at load: grouping every cell again took 255 ms for
    # all departments of the national shape (5M cells, 110,000 locations; RESULTS.md).
    cells = "prediction_locations" if f.all_time else "prediction_cells"
    frame = run(con, f"""
        WITH p AS (SELECT p.* FROM {cells} p WHERE {where}),
        loc AS (SELECT department, lat, lon, any_value(address) AS address, sum(count) AS predictions
                FROM p GROUP BY department, lat, lon),
        dept AS (SELECT department, sum(count) AS total FROM p GROUP BY department)
        SELECT loc.*, loc.predictions / dept.total AS share, d.name
        FROM loc JOIN dept USING (department) JOIN departments d USING (department)
        ORDER BY loc.predictions DESC, department, lat, lon LIMIT 1""", params)
    if frame.empty:
        return None
    row = frame.iloc[0]
    where_text = row["address"] if isinstance(row["address"], str) else f"{row['lat']:.4f}, {row['lon']:.4f}"
    return {"where": where_text, "name": row["name"], "predictions": int(row["predictions"]),
            "share": float(row["share"])}


def narrowing(con, f: Filters, names: dict[str, str]) -> pd.DataFrame:
    """Block groups and predictions left after each filter in turn, to say which one emptied a view."""
    steps = [("no filter", Filters())]
    current = Filters()
    for field_names, label in ((("departments",), "department"), (("low_income",), "income"),
                               (("top_brackets",), "income bracket"), (("majority",), "race"),
                               (("min_share", "share_group"), "minimum share"), (("start", "end"), "dates"),
                               (("incident_types",), "incident type")):
        values = {name: getattr(f, name) for name in field_names}
        if values == {name: getattr(Filters(), name) for name in field_names}:
            continue
        current = replace(current, **values)
        steps.append((label, current))
    rows = []
    for label, step in steps:
        h = headline(con, step)
        words = dict(step.conditions(names)).get(label, "")
        rows.append({"filter": label, "condition": words, "block groups": h["block_groups"],
                     "predictions": h["predictions"]})
    return pd.DataFrame(rows)
