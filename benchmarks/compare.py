"""The same aggregations two ways: DuckDB over the typed cache, and pandas the way the original
analysis worked (read the CSVs, place points in block groups, group in memory).

Both sides return frames that `same()` checks agree, so the ratio compares equal work.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from lib import schema
from lib.data import geo

PREDICTIONS_CSV = schema.spec("predictions").file
RACE_CSV = schema.spec("race").file
INCOME_CSV = schema.spec("income").file
BLOCK_GROUPS = schema.spec("block_groups").file


UNDATED_START = date(2019, 1, 1)


@dataclass(frozen=True)
class Case:
    department: str
    start: date
    end: date


def case_for(con) -> Case:
    # The largest department, and its predictions' first day. The Markup's real files date no prediction: there
    # the two windowed aggregations count nothing on either side.
    department, first = con.execute(
        "SELECT department, min(date) FROM predictions GROUP BY 1 ORDER BY sum(count) DESC LIMIT 1").fetchall()[0]
    first = first or UNDATED_START
    start = first + timedelta(days=120)
    return Case(department, start, start + timedelta(days=89))


# -- DuckDB ---------------------------------------------------------------------------------

LABELS = {
    "per_block_group": "predictions per block group (one department)",
    "majority_share": "share in majority Black/Latino block groups (by department)",
    "income_band": "predictions by low-income band (one department, 90 days)",
    "per_day": "predictions per day (one department, 90 days)",
    "top_location": "most-predicted location (by department)",
}
# The first column orders both sides' rows.
DUCKDB = {
    "per_block_group": """
        SELECT geoid, sum(count) AS predictions FROM predictions
        WHERE department = $department AND geoid IS NOT NULL GROUP BY geoid ORDER BY geoid""",
    "majority_share": """
        SELECT p.department,
               coalesce(sum(p.count) FILTER (WHERE s.majority IN ('black', 'latino')), 0) / sum(p.count) AS share
        FROM predictions p JOIN block_group_stats s USING (department, geoid)
        GROUP BY p.department ORDER BY p.department""",
    "income_band": """
        SELECT s.low_income_band AS band, sum(p.count) AS predictions
        FROM predictions p JOIN block_group_stats s USING (department, geoid)
        WHERE p.department = $department AND p.date BETWEEN $start AND $end AND s.low_income_band IS NOT NULL
        GROUP BY band ORDER BY band""",
    "per_day": """
        SELECT date, sum(count) AS predictions FROM predictions
        WHERE department = $department AND date BETWEEN $start AND $end GROUP BY date ORDER BY date""",
    "top_location": """
        SELECT department, arg_max(lat, (n, -lat, -lon)) AS lat, arg_max(lon, (n, -lat, -lon)) AS lon,
               max(n) AS predictions
        FROM (SELECT department, lat, lon, sum(count) AS n FROM predictions GROUP BY ALL)
        GROUP BY department ORDER BY department""",
}


def duckdb_case(con, name: str, case: Case) -> pd.DataFrame:
    from lib.db import run
    return run(con, DUCKDB[name], {"department": case.department, "start": case.start, "end": case.end})


# -- pandas ---------------------------------------------------------------------------------

def pandas_read(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Read the CSVs and place every distinct prediction location in its block group."""
    # The date column is optional (The Markup's real predictions have none): then every date is missing.
    dated = "date" in pd.read_csv(data_dir / PREDICTIONS_CSV, nrows=0).columns
    preds = pd.read_csv(data_dir / PREDICTIONS_CSV, usecols=["department", "lat", "lon", "count"] + ["date"] * dated,
                        parse_dates=["date"] if dated else False)
    if not dated:
        preds["date"] = pd.NaT
    race = pd.read_csv(data_dir / RACE_CSV, dtype={"geoid": str})
    income = pd.read_csv(data_dir / INCOME_CSV, dtype={"geoid": str})
    owners = race.drop_duplicates("geoid", keep=False).set_index("geoid")["department"].to_dict()
    shapes = geo.read_block_groups(data_dir / BLOCK_GROUPS, owners)
    places = preds[["department", "lat", "lon"]].drop_duplicates().reset_index(drop=True)
    places["geoid"] = geo.assign_block_groups(places, shapes)
    preds = preds.merge(places, on=["department", "lat", "lon"], how="left")
    stats = race.merge(income, on=["department", "geoid"], how="outer")
    shares = stats[["black", "latino", "white", "asian"]].div(stats["total"].replace(0, np.nan), axis=0)
    stats["majority"] = np.select([shares[g] > 0.5 for g in ("black", "latino", "white", "asian")],
                                  ["black", "latino", "white", "asian"], default=None)
    stats.loc[~(stats["total"] > 0), "majority"] = None
    low = stats["low_income_households"] / stats["households"].replace(0, np.nan)
    stats["band"] = pd.cut(low, [-np.inf, 0.25, 0.5, 0.75, np.inf], right=False,
                           labels=["lt25", "25to50", "50to75", "ge75"]).astype(object)
    return {"predictions": preds, "stats": stats[["department", "geoid", "majority", "band"]]}


def _pandas_case(frames: dict[str, pd.DataFrame], name: str, case: Case) -> pd.DataFrame:
    p, stats = frames["predictions"], frames["stats"]
    one = p[p["department"] == case.department]
    window = one[(one["date"] >= pd.Timestamp(case.start)) & (one["date"] <= pd.Timestamp(case.end))]
    if name == "per_block_group":
        return one.dropna(subset=["geoid"]).groupby("geoid", as_index=False)["count"].sum() \
            .rename(columns={"count": "predictions"})
    if name == "majority_share":
        joined = p.merge(stats, on=["department", "geoid"])
        joined["minority"] = joined["count"].where(joined["majority"].isin(["black", "latino"]))
        out = joined.groupby("department", as_index=False)[["minority", "count"]].sum()
        out["share"] = out["minority"] / out["count"]
        return out[["department", "share"]]
    if name == "income_band":
        joined = window.merge(stats, on=["department", "geoid"]).dropna(subset=["band"])
        return joined.groupby("band", as_index=False)["count"].sum().rename(columns={"count": "predictions"})
    if name == "per_day":
        return window.groupby("date", as_index=False)["count"].sum().rename(columns={"count": "predictions"})
    if name == "top_location":
        per = p.groupby(["department", "lat", "lon"], as_index=False)["count"].sum()
        per = per.sort_values(["department", "count", "lat", "lon"], ascending=[True, False, True, True])
        return per.drop_duplicates("department").rename(columns={"count": "predictions"}) \
            [["department", "lat", "lon", "predictions"]]
    raise KeyError(name)


def pandas_case(frames: dict[str, pd.DataFrame], name: str, case: Case) -> pd.DataFrame:
    frame = _pandas_case(frames, name, case)
    return frame.sort_values(frame.columns[0]).reset_index(drop=True)


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Equal row for row, up to dtypes and float rounding."""
    if a.shape != b.shape:
        return False
    for col in a.columns:
        x, y = a[col].to_numpy(), b[col].to_numpy()
        if np.issubdtype(np.asarray(x).dtype, np.number) and np.issubdtype(np.asarray(y).dtype, np.number):
            if not np.allclose(x.astype(float), y.astype(float), equal_nan=True):
                return False
        elif [str(pd.Timestamp(v).date()) if col == "date" else str(v) for v in x] != \
                [str(pd.Timestamp(v).date()) if col == "date" else str(v) for v in y]:
            return False
    return True
