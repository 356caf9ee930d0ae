"""The synthetic demo data: deterministic, complete, small, and carrying its planted features."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import shapely

from lib import schema
from lib.data import demo

COMMITTED = Path(__file__).resolve().parents[2] / "data" / "demo"
MAX_BYTES = 5_000_000
SMALL = 2000
FEET_100_METRES = 30.48
MIN_STATION_PREDICTIONS = 100
HOUSING_DAY_SHARE = 0.9


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("demo") / "demo"
    demo.generate(dest)
    return dest


@pytest.fixture(scope="module")
def predictions(fresh) -> pd.DataFrame:
    return pd.read_csv(fresh / "pp_report_locations_geocoded.csv")


@pytest.fixture(scope="module")
def block_groups(fresh) -> pd.DataFrame:
    collection = json.loads((fresh / "block_groups.geojson").read_text())
    return pd.DataFrame({
        "geoid": [f["properties"]["geoid"] for f in collection["features"]],
        "department": [f["properties"]["department"] for f in collection["features"]],
        "geometry": [shapely.geometry.shape(f["geometry"]) for f in collection["features"]],
    })


@pytest.fixture(scope="module")
def sites(fresh) -> pd.DataFrame:
    return pd.read_csv(fresh / "sites.csv")


def file_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def metres_between(lat, lon, lat0, lon0):
    return np.hypot((lat - lat0) * demo.METRES_PER_DEGREE,
                    (lon - lon0) * demo.METRES_PER_DEGREE * np.cos(np.radians(lat0)))


def with_block_group(points: pd.DataFrame, block_groups: pd.DataFrame) -> pd.Series:
    """The geoid of the block group (of the point's own department) containing each point."""
    geoid = pd.Series(None, index=points.index, dtype=object)
    for row in block_groups.itertuples():
        own = (points.department == row.department).to_numpy()
        inside = own & shapely.contains_xy(row.geometry, points.lon.to_numpy(), points.lat.to_numpy())
        geoid[inside] = row.geoid
    return geoid


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path):
    demo.generate(tmp_path / "a", predictions=SMALL, seed=3)
    demo.generate(tmp_path / "b", predictions=SMALL, seed=3)
    demo.generate(tmp_path / "c", predictions=SMALL, seed=4)
    assert file_bytes(tmp_path / "a") == file_bytes(tmp_path / "b")
    a, c = file_bytes(tmp_path / "a"), file_bytes(tmp_path / "c")
    assert a["pp_report_locations_geocoded.csv"] != c["pp_report_locations_geocoded.csv"]
    assert a["source.json"] != c["source.json"]


# A publisher's own per-block-group count is something the demo has no publisher for: the Disparities page
# offers ranking on it only where the data has one (The Markup's).
NOT_IN_THE_DEMO = {"block_group_counts.csv"}


def test_every_schema_file_is_present_with_canonical_columns(fresh):
    assert not (fresh / "block_group_counts.csv").exists()
    for spec in schema.FILES:
        if spec.file in NOT_IN_THE_DEMO:
            continue
        path = fresh / spec.file
        assert path.exists(), spec.file
        if spec.kind == "geojson":
            collection = json.loads(path.read_text())
            assert collection["type"] == "FeatureCollection"
            header = sorted({k for f in collection["features"] for k in f["properties"]})
        else:
            with path.open(newline="") as f:
                header = next(csv.reader(f))
        canonical = {c.name for c in spec.columns if not c.pattern}
        patterns = [c.pattern for c in spec.columns if c.pattern]
        for name in header:
            assert name in canonical or any(re.fullmatch(p, name) for p in patterns), (spec.file, name)
        assert {c.name for c in spec.columns if c.required} <= set(header), spec.file
    crime_header = next(csv.reader((fresh / "crime_reports.csv").open()))
    assert "has_prediction" not in crime_header and "num_predictions" not in crime_header


def test_source_describes_the_demo(fresh):
    source = json.loads((fresh / demo.SOURCE_FILE).read_text())
    assert source["kind"] == "demo"
    assert source["seed"] == 7 and source["predictions"] == demo.DEFAULT_PREDICTIONS


def test_committed_demo_equals_a_fresh_generate(fresh):
    assert file_bytes(COMMITTED) == file_bytes(fresh), "run: python -c 'from lib.data import demo; " \
        "from pathlib import Path; demo.generate(Path(\"data/demo\"))'"


def test_demo_directory_is_under_5_mb(fresh):
    assert sum(len(b) for b in file_bytes(fresh).values()) < MAX_BYTES
    assert sum(p.stat().st_size for p in COMMITTED.iterdir()) < MAX_BYTES


def test_block_groups_are_valid_plausible_and_apart(block_groups):
    assert all(g.is_valid for g in block_groups.geometry)
    assert (block_groups.geometry.map(lambda g: g.geom_type) == "MultiPolygon").any()
    assert block_groups.geoid.str.fullmatch(r"\d{12}").all()
    assert block_groups.geoid.str.startswith("06").any()
    assert block_groups.groupby("department").size().between(25, 60).all()
    cities = block_groups.groupby("department").geometry.agg(shapely.union_all)
    assert not any(a.intersects(b) for i, a in enumerate(cities) for b in cities.iloc[i + 1:])


def test_residents_are_segregated_with_mixed_and_empty_block_groups(fresh):
    race = pd.read_csv(fresh / "census-block_group-race_ethnicity.csv", dtype={"geoid": str})
    majority = race_majority(race)
    counts = majority.value_counts()
    assert counts["black"] >= 5 and counts["latino"] >= 5 and counts["white"] >= 5
    assert 1 <= counts["asian"] <= 2
    assert counts["none"] >= 3 and 2 <= counts["empty"] <= 3


def race_majority(race: pd.DataFrame) -> pd.Series:
    shares = race[list(demo.GROUPS)].div(race.total.clip(lower=1), axis=0)
    majority = shares.idxmax(axis=1).where(shares.max(axis=1) > 0.5, "none")
    return majority.where(race.total > 0, "empty")


def test_prediction_counts_by_type_match_the_predictions(fresh, predictions):
    counts = pd.read_csv(fresh / "prediction_counts_by_type.csv")
    actual = predictions.groupby(["department", "incident_type"]).size()
    assert counts.set_index(["department", "incident_type"]).predictions.sort_index().equals(actual.sort_index())


def test_geocoding_errors_are_planted(predictions, block_groups):
    manama = predictions[(predictions.lat - demo.MANAMA[0]).abs().lt(0.001)
                         & (predictions.lon - demo.MANAMA[1]).abs().lt(0.001)]
    assert len(manama) == 1 and manama.address.iloc[0] == demo.MANAMA_ADDRESS
    assert (predictions.address.str.endswith("Government Ave")
            & predictions.department.eq(manama.department.iloc[0])).sum() > 1
    assert ((predictions.lat == 0) & (predictions.lon == 0)).sum() == 1

    swapped = predictions[predictions.lat < -60]
    assert len(swapped) == 1
    back = swapped.rename(columns={"lat": "lon", "lon": "lat"})
    assert with_block_group(back, block_groups).notna().all()

    outside = predictions[with_block_group(predictions, block_groups).isna()
                          & predictions.lat.between(20, 50) & predictions.lon.lt(0)]
    cities = block_groups.groupby("department").geometry.agg(shapely.union_all)
    distance_km = [cities[r.department].distance(shapely.Point(r.lon, r.lat)) * 111 for r in outside.itertuples()]
    assert len(outside) >= 3 and max(distance_km) < 2


def test_each_police_station_draws_many_predictions(predictions, sites):
    stations = sites[sites.kind == "police_station"]
    assert len(stations) == len(demo.DEPARTMENTS)
    for station in stations.itertuples():
        own = predictions[predictions.department == station.department]
        near = metres_between(own.lat, own.lon, station.lat, station.lon) <= FEET_100_METRES
        assert near.sum() > MIN_STATION_PREDICTIONS, station.name


def test_a_public_housing_block_group_is_targeted_almost_every_day(predictions, sites, block_groups):
    predictions = predictions.assign(geoid=with_block_group(predictions, block_groups))
    housing = sites[sites.kind == "public_housing"].assign(geoid=lambda s: with_block_group(s, block_groups))
    for department, own in predictions.groupby("department"):
        days = own.date.nunique()
        covered = own.groupby("geoid").date.nunique() / days
        assert (covered[housing.geoid[housing.department == department]] > HOUSING_DAY_SHARE).any(), department


def test_predictions_per_resident_are_higher_where_most_residents_are_black_or_latino(fresh, predictions,
                                                                                        block_groups):
    race = pd.read_csv(fresh / "census-block_group-race_ethnicity.csv", dtype={"geoid": str})
    counts = predictions.assign(geoid=with_block_group(predictions, block_groups)).groupby("geoid").size()
    race = race.assign(predictions=race.geoid.map(counts).fillna(0), majority=race_majority(race))
    sums = race.groupby("majority")[["predictions", "total"]].sum()
    per_resident = sums.predictions / sums.total
    assert per_resident["black"] > per_resident["white"]
    assert per_resident["latino"] > per_resident["white"]

    race["black_latino"] = (race.black + race.latino) / race.total
    inhabited = race[race.total > 0]
    assert inhabited.predictions.corr(inhabited.black_latino, method="spearman") > 0.2


def test_about_half_a_percent_of_predictions_are_matched_by_a_report(fresh):
    shift_starts = " ".join(f"when '{s}' then {int(t[:2]) * 60 + int(t[3:])}" for s, t in schema.PREDPOL_SHIFTS.items())
    half_box = schema.BOX_FEET * 0.3048 / 2
    matched, total = duckdb.sql(f"""
        with p as (
            select row_number() over () as id, *, date::timestamp
                + to_minutes(case shift {shift_starts} end) as starts
            from read_csv('{fresh / "pp_report_locations_geocoded.csv"}')),
        r as (
            select *, date + time as at, unnest(string_split(predictable_type, '%')) as type
            from read_csv('{fresh / "crime_reports.csv"}') where predictable_type is not null and lat is not null)
        select count(distinct p.id), (select count(*) from p) from p join r
          on p.department = r.department and p.incident_type = r.type
         and abs(r.lat - p.lat) * {demo.METRES_PER_DEGREE} <= {half_box}
         and abs(r.lon - p.lon) * {demo.METRES_PER_DEGREE} * cos(radians(p.lat)) <= {half_box}
         and r.at >= p.starts and r.at < p.starts + to_minutes({schema.SHIFT_MINUTES})
    """).fetchall()[0]
    assert 0.002 < matched / total < 0.01


def test_crime_reports_carry_the_real_files_blemishes(fresh):
    reports = pd.read_csv(fresh / "crime_reports.csv")
    excluded = pd.read_csv(fresh / "excluded_addresses.csv")
    assert set(reports.department) == {d.slug for d in demo.DEPARTMENTS}
    assert reports.lat.isna().sum() > 0 and reports.duplicated().sum() > 0
    assert reports.address.isin(excluded.address).sum() > 0
    assert 0.85 <= reports.predictable_type.isna().mean() <= 0.9


def test_a_small_run_is_exact(tmp_path):
    # speed is measured by benchmarks/, never asserted here
    counts = demo.generate(tmp_path / "small", predictions=SMALL)
    assert counts["pp_report_locations_geocoded.csv"] == SMALL
    assert len(pd.read_csv(tmp_path / "small" / "pp_report_locations_geocoded.csv")) == SMALL
    assert not [p for p in tmp_path.iterdir() if p.name != "small"], "the temporary folder is left behind"


def test_the_national_shape_has_the_real_data_breadth(tmp_path, capsys):
    """`lib.cli demo --shape national`: 38 departments and 5,999 block groups (The Markup's data: 38 with
    predictions, 6,060 block groups), every block group with residents' rows, geoids unique, the three towns of
    the shipped demo among them."""
    from lib import cli
    assert cli.main(["demo", str(tmp_path / "national"), "--shape", "national", "--predictions", "5000"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["departments.csv"] == 38 and counts["pp_report_locations_geocoded.csv"] == 5000
    assert counts["block_groups.geojson"] == counts["census-block_group-race_ethnicity.csv"] == 35 * 168 + 119
    departments = pd.read_csv(tmp_path / "national" / "departments.csv")
    assert departments.department.is_unique and {d.slug for d in demo.DEPARTMENTS} <= set(departments.department)
    assert departments.name.str.endswith("(demo)").all()
    geoids = [f["properties"]["geoid"] for f in
              json.loads((tmp_path / "national" / "block_groups.geojson").read_text())["features"]]
    assert len(set(geoids)) == len(geoids) == 5999
    predictions = pd.read_csv(tmp_path / "national" / "pp_report_locations_geocoded.csv")
    assert predictions.department.nunique() == 38
    source = json.loads((tmp_path / "national" / demo.SOURCE_FILE).read_text())
    assert source["shape"] == "national" and source["predictions"] == 5000


def test_an_unknown_shape_or_too_few_predictions_for_the_shape_is_refused(tmp_path, capsys):
    from lib import cli
    with pytest.raises(ValueError, match="shape must be one of three, national"):
        demo.generate(tmp_path / "x", predictions=5000, shape="global")
    assert cli.main(["demo", str(tmp_path / "x"), "--shape", "national", "--predictions", "2000"]) == 2
    assert "predictions must be at least 2533 for the national shape" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
