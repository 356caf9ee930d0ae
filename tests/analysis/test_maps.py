"""Map layers: locations, thinning, view, block groups, hexagons, predicted-vs-reported, sites."""
from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from lib.analysis import maps
from lib.data import load
from lib.filters import Filters
from tests.fixtures import write_tiny

ALPHA = Filters(departments=("alpha",))

# Reports against tiny's dated predictions (shift A 06:15, B 09:15, C 16:45, D 19:45; 11 h 15 min each; 600 ft boxes):
#   box P1 33.005,-86.995: 2020-01-01 A (10 predictions), 2020-01-02 B (5)
#   box P2 33.005,-86.985: 2020-01-01 C (3)      box P3 33.005,-86.975: 2020-01-03 D (6)
#   box P4 33.05,-86.9: 2020-01-01 A (2)
REPORTS = """department,date,time,description,address,lat,lon
alpha,2020-01-01,10:00,in P1 during A,,33.0051,-86.9951
alpha,2020-01-02,02:00,in P2 during C (which began the evening before),,33.005,-86.985
alpha,2020-01-01,10:00,in P2 before its C shift,,33.005,-86.985
alpha,2020-01-03,12:00,far from every box,,33.02,-86.95
alpha,2020-01-04,06:00,P3 during D but 328 ft north of its centre,,33.0059,-86.975
alpha,2020-01-04,06:00,P3 during D 255 ft north of its centre,,33.0057,-86.975
alpha,2020-01-04,06:00,no coordinates,Somewhere,,
"""


@pytest.fixture
def reported_con(tmp_path):
    directory = write_tiny(tmp_path / "tiny")
    (directory / "crime_reports.csv").write_text(REPORTS)
    con = load.load(directory).connect()
    yield con
    con.close()


# -- locations and thinning -------------------------------------------------------------------

@pytest.mark.parametrize("stored", [True, False])  # summed at load (all time) or from the cells
def test_locations_aggregate_to_distinct_points_with_block_group_demographics(tiny_con, stored):
    loc = maps.locations(tiny_con, ALPHA, stored=stored).set_index(["lat", "lon"])
    assert len(loc) == 4
    first = loc.loc[(33.005, -86.995)]
    assert first["predictions"] == 15 and first["days"] == 2 and first["address"] == "1 First St"
    assert first["geoid"] == "010010000011" and first["residents"] == 100
    assert first["share_black"] == pytest.approx(0.6) and first["share_low_income"] == pytest.approx(32 / 40)
    outside = loc.loc[(33.05, -86.9)]
    assert outside["predictions"] == 2 and pd.isna(outside["geoid"]) and pd.isna(outside["residents"])
    assert list(loc["predictions"]) == sorted(loc["predictions"], reverse=True)


@pytest.mark.parametrize("f", [Filters(), Filters(majority=("black",)), Filters(top_brackets=("hh_lt_45k",))])
def test_the_locations_stored_at_load_are_those_summed_live(demo_con, tiny_con, f):
    for con, department in ((demo_con, "rivertonpdnj"), (tiny_con, "alpha")):
        for view in (f, replace(f, departments=(department,))):
            stored, live = maps.locations(con, view, stored=True), maps.locations(con, view, stored=False)
            assert len(stored) > 0 or view.selects_block_groups
            pd.testing.assert_frame_equal(stored, live, check_dtype=False)
    # a date filter is not answered from the stored sums
    everything = maps.locations(demo_con, f)
    dated = maps.locations(demo_con, replace(f, start=date(2019, 1, 1), end=date(2019, 1, 31)))
    assert 0 < dated["predictions"].sum() < everything["predictions"].sum()


def test_real_locations_stored_at_load_are_those_summed_live(real_con):
    # with departments whose predictions carry no dates (days NULL, not 0)
    stored, live = maps.locations(real_con, Filters(), stored=True), maps.locations(real_con, Filters(), stored=False)
    assert stored["days"].isna().any() and (stored["days"].dropna() > 0).all()
    pd.testing.assert_frame_equal(stored, live, check_dtype=False)


def test_thin_keeps_the_largest_locations_and_merges_the_rest_within_the_cap():
    rows = [{"department": "d", "name": "D", "lat": 40 + i * 0.0001, "lon": -74.0, "predictions": 100 - i,
             "address": None, "geoid": None} for i in range(40)]
    points = maps.thin(pd.DataFrame(rows), max_points=8)
    assert len(points.frame) <= 8
    assert points.kept == 6 and points.merged == 34 and points.locations == 40
    assert list(points.frame[points.frame["kind"] == "location"]["predictions"]) == [100, 99, 98, 97, 96, 95]
    assert points.frame["predictions"].sum() == sum(100 - i for i in range(40)) == points.predictions
    assert points.frame.loc[points.frame["kind"] == "cell", "locations"].sum() == 34
    assert "6 with the most predictions" in points.note() and "34 are merged" in points.note()


def test_thin_leaves_small_selections_alone(tiny_con):
    points = maps.prediction_points(tiny_con, Filters())
    assert len(points.frame) == points.locations == 6 and points.merged == 0
    assert points.note() == "Every one of the 6 prediction locations is drawn."


def test_real_data_never_exceeds_the_cap(real_con):
    everything = maps.prediction_points(real_con, Filters())
    assert everything.locations == 103_648
    assert len(everything.frame) <= maps.MAX_POINTS
    assert everything.frame["predictions"].sum() == everything.predictions == 6_280_691
    la = maps.prediction_points(real_con, Filters(departments=("la",)))
    assert la.locations == 19_234 and len(la.frame) <= maps.MAX_POINTS
    assert la.kept == maps.MAX_POINTS - int(maps.MAX_POINTS * maps.CELL_SHARE) and la.kept + la.merged == 19_234
    assert la.frame["predictions"].sum() == la.predictions


# -- view ---------------------------------------------------------------------------------------

def test_view_fits_the_department_and_goes_national_for_distant_ones(tiny_con):
    alpha = maps.view(tiny_con, ALPHA)
    assert alpha.bounds == pytest.approx((-87.0, 33.0, -86.96, 33.01))
    assert alpha.lon == pytest.approx(-86.98) and alpha.lat == pytest.approx(33.005, abs=1e-4)
    assert not alpha.national and 12 < alpha.zoom < 16
    both = maps.view(tiny_con, Filters())
    assert both.national and both.zoom < alpha.zoom


def test_fit_view_zoom_shows_the_whole_box():
    # The map (760 px wide beside its legends) shows 360 * 760 / (512 * 2**zoom) degrees of longitude.
    v = maps.fit_view(-75.0, 40.0, -74.0, 40.1)
    assert 1.0 <= 360 * 760 / (512 * 2 ** v.zoom) < 1.5


# -- block groups -------------------------------------------------------------------------------

def test_block_groups_rates_shares_and_rank_windows(tiny_con):
    bg = maps.block_groups(tiny_con, ALPHA).set_index("geoid")
    assert len(bg) == 4
    assert bg.loc["010010000011", "per_1000"] == pytest.approx(150.0)  # 15 predictions, 100 residents
    assert bg.loc["010010000012", "per_1000"] == pytest.approx(15.0)
    assert bg.loc["010010000013", "per_1000"] == pytest.approx(60.0)
    assert pd.isna(bg.loc["010010000014", "per_1000"])  # nobody lives in the park
    assert {"window", "rank", "n", "decile"} <= set(bg.columns)


def test_geojson_numbers_features_by_row(tiny_con):
    frame = maps.block_groups(tiny_con, Filters())
    collection = maps.geojson(frame)
    assert [f["id"] for f in collection["features"]] == [str(i) for i in range(6)]
    lats, lons = maps.rings(collection)
    assert lats.count(None) == 6 and len(lats) == 6 * 6  # one closed 5-point ring per square


def test_simplification_follows_the_zoom_and_keeps_every_block_group(tiny_con):
    # Half a pixel at the opening zoom: 0.5 * 360 / (512 * 2**zoom) degrees.
    assert maps.simplify_tolerance(maps.fit_view(-87, 33, -86.96, 33.01)) == pytest.approx(
        0.5 * 360 / (512 * 2 ** maps.fit_view(-87, 33, -86.96, 33.01).zoom))
    frame = maps.block_groups(tiny_con, Filters())
    # A tolerance three times the squares' width would erase them without preserve_topology: every block
    # group must stay, as a valid non-empty polygon.
    coarse = maps.geojson(frame, 0.03)
    import shapely
    shapes = [shapely.geometry.shape(f["geometry"]) for f in coarse["features"]]
    assert len(shapes) == 6 and all(s.is_valid and not s.is_empty and s.area > 0 for s in shapes)


def test_real_outlines_shrink_to_the_view_and_keep_all_6060(real_con):
    import json
    frame = maps.block_groups(real_con, Filters())
    national = maps.view(real_con, Filters())
    full = len(json.dumps(maps.geojson(frame, 0)))
    simplified = maps.geojson(frame, maps.simplify_tolerance(national))
    assert len(simplified["features"]) == 6060
    assert all(f["geometry"]["coordinates"] for f in simplified["features"])
    assert len(json.dumps(simplified)) < full / 2


def test_jurisdictions_are_the_union_of_each_departments_block_groups(tiny_con):
    import shapely
    frame = maps.block_groups(tiny_con, Filters())
    collection = maps.jurisdictions(frame)
    assert [f["id"] for f in collection["features"]] == ["alpha", "beta"]
    alpha, beta = (shapely.geometry.shape(f["geometry"]) for f in collection["features"])
    # Four 0.01-degree squares side by side make one 0.04 x 0.01 rectangle; beta's two make 0.02 x 0.01.
    assert alpha.geom_type == "Polygon" and alpha.area == pytest.approx(0.0004)
    assert alpha.bounds == pytest.approx((-87.0, 33.0, -86.96, 33.01))
    assert beta.area == pytest.approx(0.0002)
    assert collection["features"][0]["properties"] == {"name": "Alpha City, Ala."}


def test_outlines_stored_at_load_are_the_union_the_map_computes(tiny_con):
    import shapely
    stored = maps.stored_outlines(tiny_con)
    assert {d: n for d, (n, _) in stored.items()} == {"alpha": 4, "beta": 2}
    assert stored["alpha"][1].area == pytest.approx(0.0004) and stored["beta"][1].area == pytest.approx(0.0002)
    frame = maps.block_groups(tiny_con, Filters())
    for tolerance in (0.0, 0.003, maps.simplify_tolerance(maps.view(tiny_con, Filters()))):
        assert maps.jurisdictions(frame, tolerance, stored) == maps.jurisdictions(frame, tolerance)
    # A date window keeps every block group (with fewer predictions): the stored outline still serves.
    dated = maps.block_groups(tiny_con, Filters(start=date(2020, 1, 2), end=date(2020, 1, 2)))
    assert maps.jurisdictions(dated, 0.0, stored) == maps.jurisdictions(dated, 0.0)
    alpha = shapely.geometry.shape(maps.jurisdictions(frame, 0.0, stored)["features"][0]["geometry"])
    assert alpha.bounds == pytest.approx((-87.0, 33.0, -86.96, 33.01))


def test_a_department_with_all_its_block_groups_takes_the_stored_outline_and_a_filtered_one_its_selection(tiny_con):
    import shapely
    frame = maps.block_groups(tiny_con, Filters())
    marker = shapely.box(0, 0, 1, 1)
    drawn = maps.jurisdictions(frame, 0.0, {"alpha": (4, marker), "beta": (3, marker)})
    alpha, beta = (shapely.geometry.shape(f["geometry"]) for f in drawn["features"])
    assert alpha.equals(marker)
    assert beta.area == pytest.approx(0.0002)  # the stored count disagrees: dissolved from the frame
    # Majority Latino: alpha's 010010000013 (60 of 100) and beta's 060010000021 (170 of 300), one square each;
    # the outline of a filtered view is the union of the selected block groups, as it was before outlines were stored.
    latino = maps.block_groups(tiny_con, Filters(majority=("latino",)))
    drawn = maps.jurisdictions(latino, 0.0, maps.stored_outlines(tiny_con))
    assert drawn == maps.jurisdictions(latino, 0.0)
    assert [shapely.geometry.shape(f["geometry"]).area for f in drawn["features"]] == \
        [pytest.approx(0.0001), pytest.approx(0.0001)]


def test_department_areas_weigh_block_groups_by_residents_and_households(tiny_con):
    areas = maps.department_areas(maps.block_groups(tiny_con, Filters())).set_index("department")
    alpha = areas.loc["alpha"]
    # Alpha: 24 predictions inside its block groups, 400 residents; 90 of 400 Black, 78 of 170 households.
    assert alpha["predictions"] == 24 and alpha["residents"] == 400
    assert alpha["per_1000"] == pytest.approx(60.0)
    assert alpha["share_black"] == pytest.approx(90 / 400)
    assert alpha["share_black_latino"] == pytest.approx(180 / 400)
    assert alpha["share_low_income"] == pytest.approx(78 / 170)
    assert alpha["block_groups"] == 4 and pd.isna(alpha["window"])
    assert areas.loc["beta", "share_asian"] == pytest.approx(65 / 400)


def test_hexagon_size_follows_the_view():
    # Plainfield (about 6 km across) gets about 350 m, Los Angeles about 2.6 km, the country about 7 km.
    plainfield = maps.fit_view(-74.46, 40.59, -74.38, 40.65)
    la = maps.fit_view(-118.67, 33.70, -118.15, 34.34)
    country = maps.fit_view(-122.5, 26.6, -71.1, 47.2)
    assert maps.hex_resolution_for(plainfield) == 9
    assert maps.hex_resolution_for(la) == 7
    assert maps.hex_resolution_for(country) == 6
    # The rule: the finest size at least a fortieth of the view's width.
    width = (-74.38 + 74.46) * 111_000 * math.cos(math.radians(plainfield.lat))
    assert 2 * maps.HEX_METRES[9] >= width / 40 > 2 * maps.HEX_METRES[10]


def test_map_summary_names_the_key_figures(tiny_con):
    frame = maps.block_groups(tiny_con, ALPHA)
    points = maps.prediction_points(tiny_con, ALPHA)
    text = maps.map_summary(frame, points, maps.view(tiny_con, ALPHA))
    assert text == ("Map of Alpha City, Ala.: 26 predictions at 4 locations, over 4 block groups. Most predictions: "
                    "block group 1, tract 0.01 (010010000011), 15 (100 residents, 70% Black or Latino).")
    both = maps.map_summary(maps.block_groups(tiny_con, Filters()), maps.prediction_points(tiny_con, Filters()),
                            maps.view(tiny_con, Filters()))
    # Alpha: 24 predictions per 400 residents (60 per 1,000); Beta: 9 per 400 (22.5).
    assert both.endswith("Most predictions per 1,000 residents: Alpha City, Ala., 60 (all its block groups "
                         "together).")
    assert both.startswith("Map of 2 departments across the United States: ")
    # a department with block groups but no predictions is counted apart (Indianapolis in the real data)
    frame = maps.block_groups(tiny_con, Filters())
    frame.loc[frame["department"] != "alpha", "predictions"] = 0
    apart = maps.map_summary(frame, maps.prediction_points(tiny_con, Filters()), maps.view(tiny_con, Filters()))
    assert apart.startswith("Map of 1 department with predictions (2 with block groups) across the United States")


# -- hexagons -----------------------------------------------------------------------------------

def test_hexagons_sum_predictions_and_take_the_dominant_block_group(tiny_con):
    loc = maps.locations(tiny_con, ALPHA)
    hexes = maps.hexagons(loc, maps.block_groups(tiny_con, ALPHA), resolution=6)
    assert hexes.frame["predictions"].sum() == 26
    top = hexes.frame.iloc[0]
    # At ~7 km hexagons the whole of Alpha City's 4 km falls in one or two cells; the cell holding the
    # 15 predictions of A1 is described by A1.
    assert top["geoid"] == "010010000011" and top["per_1000"] == pytest.approx(150.0)


def test_hexagons_coarsen_to_stay_under_the_cap(tiny_con):
    loc = maps.locations(tiny_con, ALPHA)
    hexes = maps.hexagons(loc, maps.block_groups(tiny_con, ALPHA), resolution=10, max_cells=2)
    assert len(hexes.frame) <= 2 and hexes.resolution < 10 and hexes.requested == 10
    assert "coarser" in hexes.note()


def test_real_hexagons_stay_under_the_cap(real_con):
    loc = maps.locations(real_con, Filters())
    hexes = maps.hexagons(loc, maps.block_groups(real_con, Filters()), resolution=10)
    assert len(hexes.frame) <= maps.MAX_HEX_CELLS
    assert hexes.frame["predictions"].sum() == 6_280_691


# -- predicted versus reported --------------------------------------------------------------------

def test_hits_misses_and_false_alarms_by_hand(reported_con):
    c = maps.comparison(reported_con, Filters())
    assert c.mode == "matched"
    outcome = dict(zip(c.reports["description"], c.reports["outcome"]))
    assert outcome == {
        "in P1 during A": "hit",
        "in P2 during C (which began the evening before)": "hit",
        "in P2 before its C shift": "miss",
        "far from every box": "miss",
        "P3 during D but 328 ft north of its centre": "miss",
        "P3 during D 255 ft north of its centre": "hit",
    }
    assert (c.hits, c.misses, c.unplaced) == (3, 3, 1)
    # Only Alpha has reports: its 26 predictions, of which P1-A (10), P2-C (3) and P3-D (6) came true.
    assert c.predictions == 26 and c.false_alarms == 26 - 19
    boxes = c.boxes.set_index(["lat", "lon"])
    assert boxes.loc[(33.005, -86.995), "false_alarms"] == 5 and boxes.loc[(33.005, -86.995), "hit_predictions"] == 10
    assert boxes.loc[(33.05, -86.9), "false_alarms"] == 2
    assert "Hits: 3" in c.note() and "7 of 26 predictions" in c.note()


def test_reports_follow_the_date_filter(reported_con):
    from datetime import date
    c = maps.comparison(reported_con, Filters(start=date(2020, 1, 3)))
    assert (c.hits, c.misses) == (1, 2)


def test_no_reports_means_no_comparison(tiny_con):
    assert maps.comparison(tiny_con, Filters()).mode == "none"


def test_plainfield_uses_the_published_match(real_con):
    c = maps.comparison(real_con, Filters(departments=("plainfieldpdnj",)))
    assert c.mode == "carried" and c.false_alarms is None
    assert (c.hits, c.misses, c.unplaced) == (608, 2548, 69)
    assert c.predictions == 56_415 and len(c.boxes) == 570
    assert "cannot be classified one by one" in c.note()


def test_thinning_keeps_every_hit():
    reports = pd.DataFrame({"lat": [1.0] * 10, "lon": [1.0] * 10, "description": list("abcdefghij"),
                            "outcome": ["hit"] * 2 + ["miss"] * 8})
    boxes = pd.DataFrame({"lat": [1.0], "lon": [1.0], "predictions": [3], "hit_predictions": [1],
                          "false_alarms": [2]})
    c = maps._summarise("matched", reports, boxes, max_points=6)
    assert len(c.reports) <= 6 and (c.reports["outcome"] == "hit").sum() == 2
    assert (c.hits, c.misses) == (2, 8) and "of 10 located reports" in c.thinning()


# -- sites --------------------------------------------------------------------------------------

def test_sites_of_a_department(demo_con):
    published = pd.read_csv(maps.__file__.replace("lib/analysis/maps.py", "data/demo/sites.csv"))
    frame = maps.sites(demo_con, Filters(departments=("rivertonpdnj",)))
    assert len(frame) == (published["department"] == "rivertonpdnj").sum() > 0
    assert set(frame["label"]) <= set(maps.SITE_LABELS.values())
    assert math.isclose(frame["lat"].mean(), published[published["department"] == "rivertonpdnj"]["lat"].mean())


@pytest.mark.parametrize("filters", [Filters(), Filters(start=date(2020, 1, 2)), Filters(majority=("latino",)),
                                     Filters(departments=("beta",), start=date(2020, 1, 1), end=date(2020, 1, 31))])
def test_block_group_ranks_on_the_map_are_the_disparities_ranking(tiny_con, filters):
    from lib.analysis import disparities
    expected = disparities.block_group_ranks(tiny_con, filters).set_index(["department", "geoid"])
    frame = maps.block_groups(tiny_con, filters).set_index(["department", "geoid"])
    ranked = frame.dropna(subset=["rank"])
    assert sorted(ranked.index) == sorted(expected.index)
    for column in ("rank", "n", "decile"):  # decile: <NA> for a block group in none of The Markup's buckets
        assert ranked[column].fillna(0).astype(int).to_dict() == expected[column].fillna(0).astype(int).to_dict()
    assert ranked["window"].fillna("").to_dict() == expected["window"].fillna("").to_dict()
