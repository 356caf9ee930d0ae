"""Sites against predictions on The Markup's real data: a small hand-made site list for Plainfield, N.J.,
checked against a brute-force count of the predictions whose 600 ft box holds each site."""
from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from lib import geo_math
from lib.analysis import sites
from lib.data import load
from lib.filters import Filters

PLAINFIELD = "plainfieldpdnj"
# Addresses are public records; the points are where The Markup's Plainfield crime reports geocode them
# (Richmond Towers: 510 East Front St as recorded; police headquarters and municipal court: 200 East 4th St,
# between the recorded points of 153 and 217 East 4th St).
SITES_CSV = """name,kind,lat,lon,address,source
Plainfield Police Division and Municipal Court,police_station,40.61805,-74.41935,"200 E 4th St, Plainfield, NJ",
Richmond Towers (Housing Authority of Plainfield),public_housing,40.624568,-74.417153,"510 E Front St, Plainfield, NJ",
"""
SITE_POINTS = {"police_station": (40.61805, -74.41935), "public_housing": (40.624568, -74.417153)}


@pytest.fixture(scope="module")
def plainfield(real_dir, tmp_path_factory):
    data = tmp_path_factory.mktemp("plainfield-sites") / "data"
    shutil.copytree(real_dir, data)
    (data / "sites.csv").write_text(SITES_CSV)
    dataset = load.load(data)
    con = dataset.connect()
    yield dataset, con
    con.close()


@pytest.fixture(scope="module")
def predictions(plainfield):
    """Every prediction location of Plainfield with its predictions, from the raw typed table."""
    _, con = plainfield
    return con.execute("SELECT lat, lon, geoid, CAST(count AS BIGINT) AS n FROM predictions WHERE department = $d",
                       {"d": PLAINFIELD}).df()


def _brute(predictions: pd.DataFrame, lat: float, lon: float) -> int:
    inside = geo_math.box_contains(predictions["lat"].to_numpy(), predictions["lon"].to_numpy(), lat, lon)
    return int(predictions.loc[inside, "n"].sum())


def test_predictions_in_each_site_box_match_a_brute_force_count(plainfield, predictions):
    _, con = plainfield
    table = sites.site_table(con, Filters(departments=(PLAINFIELD,)))
    assert table["kind"].tolist() == ["police_station", "public_housing"]
    total = int(predictions["n"].sum())
    for row in table.itertuples(index=False):
        lat, lon = SITE_POINTS[row.kind]
        expected = _brute(predictions, lat, lon)
        assert expected > 0
        assert row.predictions == expected
        assert row.share_of_department == pytest.approx(expected / total)
    # the published figures were checked by hand once: 819 predictions at police headquarters, 562 at Richmond Towers
    assert table["predictions"].tolist() == [819, 562]


def test_best_rank_among_the_most_predicted_places(plainfield, predictions):
    _, con = plainfield
    table = sites.site_table(con, Filters(departments=(PLAINFIELD,))).set_index("kind")
    places = predictions.groupby(["lat", "lon"], as_index=False)["n"].sum()
    places["rank"] = places["n"].rank(method="min", ascending=False).astype(int)
    for kind, (lat, lon) in SITE_POINTS.items():
        near = geo_math.box_contains(places["lat"].to_numpy(), places["lon"].to_numpy(), lat, lon)
        best = int(places.loc[near, "rank"].min())
        assert table.loc[kind, "best_place_rank"] == best
        assert table.loc[kind, "among_most_predicted"] == (best <= sites.TOP_PLACES)


def test_kind_totals_per_department_and_overall(plainfield, predictions):
    _, con = plainfield
    f = Filters(departments=(PLAINFIELD,))
    table = sites.site_table(con, f)
    totals = sites.kind_totals(con, f, table)
    mine = totals[totals["department"] == PLAINFIELD].set_index("kind")
    assert mine.loc["police_station", "predictions_at_sites"] == _brute(predictions, *SITE_POINTS["police_station"])
    assert mine.loc["public_housing", "sites"] == 1
    assert mine.loc["public_housing", "department_predictions"] == int(predictions["n"].sum())
    overall = totals[totals["department"].isna()].set_index("kind")
    assert overall.loc["public_housing", "predictions_at_sites"] == 562


def test_the_markup_housing_measure_beside_ours(plainfield, predictions):
    """housing.R: developments in the most-targeted 5% of areas and above the median, applied to block groups.
    Beside Richmond Towers, a development added for the session at the busiest location of the most-targeted
    block group."""
    _, con = plainfield
    f = Filters(departments=(PLAINFIELD,))
    # brute force: every block group of Plainfield with its predictions (zero when none), ranked as The Markup did
    residents = con.execute("SELECT geoid, total FROM race WHERE department = $d", {"d": PLAINFIELD}).df()
    per_bg = predictions.dropna(subset=["geoid"]).groupby("geoid")["n"].sum()
    residents["n"] = residents["geoid"].map(per_bg).fillna(0).astype(int)
    ordered = residents.sort_values(["n", "total", "geoid"], ascending=[False, False, True]).reset_index(drop=True)
    window = int(round(len(ordered) * 0.05))
    most = set(ordered["geoid"].head(window + 1))  # ranks n - w .. n inclusive
    median = float(np.median(residents["n"]))
    top = predictions[predictions["geoid"] == ordered["geoid"].iloc[0]].groupby(["lat", "lon"], as_index=False)[
        "n"].sum().sort_values("n", ascending=False).iloc[0]
    added = pd.DataFrame([{"name": "Test development", "kind": "public_housing", "lat": top["lat"],
                           "lon": top["lon"]}])
    table = sites.site_table(con, f, added)
    housing = table[table["kind"] == "public_housing"]
    assert len(housing) == 2
    measure = sites.housing_targeting(con, f, table).set_index("department", drop=False)
    row = measure.loc[PLAINFIELD]
    assert row["developments"] == 2
    assert row["in_most_targeted"] == int(housing["geoid"].isin(most).sum())
    assert row["in_most_targeted"] >= 1
    above = residents.set_index("geoid").loc[housing["geoid"], "n"] > median
    assert row["above_median"] == int(above.sum())
    assert row["share_in_most_targeted"] == pytest.approx(row["in_most_targeted"] / 2)
    expected = [_brute(predictions, lat, lon) for lat, lon in zip(housing["lat"], housing["lon"])]
    assert row["predictions"] == sum(expected)
    assert row["drew_predictions"] == sum(1 for n in expected if n > 0)


def test_provenance_says_where_the_list_came_from(plainfield):
    _, con = plainfield
    table = sites.site_table(con, Filters(departments=(PLAINFIELD,)))
    assert sites.provenance(table) == ["2 from sites.csv with no source given (entered by hand)."]
    assert sites.headline(table, {PLAINFIELD: "Plainfield, N.J."}) == (
        "Plainfield, N.J.: 1 police station (819 predictions in their boxes, 1 with any), 1 public-housing "
        "development (562 predictions in their boxes, 1 with any).")
