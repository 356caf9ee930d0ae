"""Audit analysis: hand-made fixtures with planted errors, the demo's planted errors, and the published figures."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import shapely

from lib import geo_math
from lib.analysis import audit
from lib.data import load
from lib.filters import Filters
from tests.fixtures import write_tiny

# the modules of lib/analysis/audit/, where a test replaces what they call
AUDIT_MODULES = (audit.shared, audit.site_checks, audit.addresses, audit.geocoding, audit.hotspots, audit.summary)

START = date(2020, 1, 1)
DAYS = 100
A1, A2, A3, A4 = "010010000011", "010010000012", "010010000013", "010010000014"
STATION = (33.005, -86.965)  # in A4, the park
HOUSING = (33.005, -86.975)  # in A3
FEET_100 = 100 / geo_math.FEET_PER_DEGREE_LAT
MANAMA = (26.2235, 50.5876)


def _day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


def write_audit_fixture(dest):
    """alpha used the software on 100 days (A1 every day). A2 is targeted on 91 days, A3 (around the
    public housing) on 89 and A4 (a park, with the police station) on exactly 90. Planted: a prediction 100 ft and one 1,000 ft north of a
    police station, a point in Manama, a swapped pair, a 0,0 point and a crime report with the longitude's
    minus sign dropped."""
    write_tiny(dest)
    rows = ["department,lat,lon,count,date,shift,incident_type,address"]
    rows += [f"alpha,33.005,-86.995,1,{_day(d)},A,Burglary,5 First St" for d in range(DAYS)]
    rows += [f"alpha,33.005,-86.985,1,{_day(d)},A,Burglary," for d in range(91)]
    rows += [f"alpha,{HOUSING[0]},{HOUSING[1]},1,{_day(d)},B,Burglary," for d in range(89)]
    rows += [f"alpha,33.002,-86.962,1,{_day(d)},C,Burglary," for d in range(90)]
    rows += [f"alpha,{STATION[0] + FEET_100},{STATION[1]},2,{_day(0)},A,Burglary,",
             f"alpha,{STATION[0] + 10 * FEET_100},{STATION[1]},3,{_day(0)},A,Burglary,",
             f"alpha,{MANAMA[0]},{MANAMA[1]},4,{_day(5)},A,Burglary,100 First St",
             f"alpha,-86.975,33.005,5,{_day(6)},A,Burglary,",  # a point of A3 with lat and lon swapped
             f"alpha,0,0,6,{_day(7)},A,Burglary,",
             "beta,36.005,-119.995,8,2020-02-01,A,Burglary,",
             "beta,36.005,-119.985,1,2020-02-02,B,Robbery|Aggravated Assault,"]
    (dest / "pp_report_locations_geocoded.csv").write_text("\n".join(rows) + "\n")
    (dest / "departments.csv").write_text(
        "department,name,state,first_prediction_date,final_prediction_date,usable,active\n"
        f'alpha,"Alpha City, Ala.",AL,{_day(0)},{_day(DAYS - 1)},TRUE,TRUE\n'
        'beta,"Beta Town, Calif.",CA,2020-02-01,2020-02-02,TRUE,FALSE\n')
    (dest / "sites.csv").write_text(
        "name,kind,lat,lon,department,address\n"
        f"Alpha Police HQ,police_station,{STATION[0]},{STATION[1]},alpha,1 Park Row\n"
        f"Alpha Homes,public_housing,{HOUSING[0]},{HOUSING[1]},alpha,9 Third St\n")
    (dest / "crime_reports.csv").write_text(
        "department,date,description,address,lat,lon\n"
        "alpha,2020-01-02,THEFT,\"New Providence Police, Alpha, AL\",33.004,-86.964\n"
        "alpha,2020-01-03,THEFT,\"12 Court Pl, Alpha, AL\",33.004,-86.994\n"
        "alpha,2020-01-04,THEFT,\"7 First St, Alpha, AL\",33.005,86.995\n")
    (dest / "excluded_addresses.csv").write_text(
        "address,reason\n\"Middlesex Cty Jail, Alpha, AL\",Other police department\n"
        "\"City Of Alpha, Alpha, AL\",Imprecise\n")
    return dest


@pytest.fixture
def con(tmp_path):
    dataset = load.load(write_audit_fixture(tmp_path / "audit"))
    connection = dataset.connect()
    yield connection
    connection.close()


# -- geometry helper -------------------------------------------------------------------------------

def test_box_contains_is_a_600_ft_square_for_scalars_and_arrays():
    lat, lon = 40.6, -74.4
    assert geo_math.box_contains(lat, lon, lat + FEET_100, lon)
    assert not geo_math.box_contains(lat, lon, lat + 10 * FEET_100, lon)
    east_299 = 299 / geo_math.feet_per_degree_lon(lat)
    east_301 = 301 / geo_math.feet_per_degree_lon(lat)
    got = geo_math.box_contains(lat, lon, np.array([lat, lat, lat]), np.array([lon + east_299, lon + east_301, lon]))
    assert got.tolist() == [True, False, True]
    assert geo_math.distance_feet(lat, lon, lat + FEET_100, lon) == pytest.approx(100, rel=1e-6)


# -- 1. hotspots that are not crime ----------------------------------------------------------------

def test_prediction_100_ft_from_a_station_is_an_artefact_and_1000_ft_is_not(con):
    table = audit.site_artefacts(con, Filters())
    station = table[table["site"] == "Alpha Police HQ"].iloc[0]
    assert station["predictions"] == 2  # the 100 ft prediction (count 2), not the 1,000 ft one (count 3)
    assert station["days"] == 1 and station["locations"] == 1
    total_alpha = 100 + 91 + 89 + 90 + 2 + 3 + 4 + 5 + 6
    assert station["share_of_department"] == pytest.approx(2 / total_alpha)


def test_an_added_site_takes_part_for_the_session_only(con):
    added = pd.DataFrame([{"name": "Annex", "kind": "court", "lat": 33.005, "lon": -86.985}])
    table = audit.site_artefacts(con, Filters(), added)
    annex = table[table["site"] == "Annex"].iloc[0]
    assert (annex["source"], annex["department"], annex["geoid"]) == ("added", "alpha", A2)
    assert annex["predictions"] == 91 and annex["days"] == 91
    assert "Annex" not in set(audit.site_artefacts(con, Filters())["site"])
    share = audit.artefact_share(con, Filters(), added).set_index("department").loc["alpha"]
    assert share["at_sites"] == 93


def test_artefact_share_counts_a_cell_near_a_site_at_a_named_address_once(tmp_path):
    d = write_audit_fixture(tmp_path / "audit")
    with (d / "pp_report_locations_geocoded.csv").open("a") as fh:
        # beside the station and naming it (both), and at A1 naming a jail (by name only)
        fh.write(f'alpha,{STATION[0] + FEET_100},{STATION[1]},7,{_day(1)},A,Burglary,"Alpha Police HQ, 1 Park Row"\n'
                 f'alpha,33.005,-86.995,4,{_day(2)},A,Burglary,"County Jail, Alpha, AL"\n')
    con = load.load(d).connect()
    share = audit.artefact_share(con, Filters()).set_index("department")
    alpha = share.loc["alpha"]
    assert (alpha["at_sites"], alpha["named_addresses"]) == (2 + 7, 7 + 4)
    assert alpha["artefact_predictions"] == 2 + 7 + 4
    assert alpha["department_predictions"] == 100 + 91 + 89 + 90 + 2 + 3 + 4 + 5 + 6 + 7 + 4
    assert alpha["share"] == pytest.approx(13 / 401)
    assert share.loc["beta", "artefact_predictions"] == 0 and share.loc["beta", "department_predictions"] == 9
    # a date filter narrows all three
    day = audit.artefact_share(con, Filters(start=date.fromisoformat(_day(1)), end=date.fromisoformat(_day(1))))
    day = day.set_index("department").loc["alpha"]
    assert (day["at_sites"], day["named_addresses"], day["artefact_predictions"]) == (7, 7, 7)
    con.close()


def test_one_view_shares_pieces_and_gives_the_same_tables(con, monkeypatch):
    apart = (audit.site_artefacts(con, Filters()), audit.artefact_share(con, Filters()),
             audit.persistent_hotspots(con, Filters()))
    sql = []
    for module in AUDIT_MODULES:
        for name in ("run", "query"):
            if hasattr(module, name):
                original = getattr(module, name)
                monkeypatch.setattr(module, name,
                                    lambda *a, _original=original, **k: sql.append(a[1]) or _original(*a, **k))
    with audit.one_view():
        shared = (audit.site_artefacts(con, Filters()), audit.artefact_share(con, Filters()),
                  audit.persistent_hotspots(con, Filters()))
    for one, other in zip(apart, shared):
        pd.testing.assert_frame_equal(one, other)
    # sites, site hits, department totals, days in use and has_dates once each; then the artefact share, the
    # named addresses (which the share adds) and the hotspots
    assert len(sql) == 8
    assert sum("audit_days_in_use" == text for text in sql) == 1
    sql.clear()
    audit.days_in_use(con, Filters())
    audit.days_in_use(con, Filters())
    assert len(sql) == 2  # outside one_view(), nothing is kept


def test_address_text_naming_police_or_jail_is_flagged_but_a_court_street_is_not(con):
    table = audit.address_artefacts(con, Filters())
    flagged = set(zip(table["source"], table["address"], table["word"]))
    assert ("crime reports", "New Providence Police, Alpha, AL", "POLICE") in flagged
    assert ("excluded addresses", "Middlesex Cty Jail, Alpha, AL", "JAIL") in flagged
    assert not any("Court Pl" in a for _, a, _ in flagged)
    assert len(table) == 2


def test_validate_site_explains_each_bad_input():
    site, errors = audit.validate_site(" Station 5 ", "police_station", "40.61", -74.41)
    assert errors == [] and site == {"name": "Station 5", "kind": "police_station", "lat": 40.61, "lon": -74.41}
    site, errors = audit.validate_site("", "bakery", "91", "west")
    assert site is None and len(errors) == 4
    assert any("name" in e for e in errors) and any("kind" in e for e in errors)
    assert any("Latitude must be between -90 and 90" in e for e in errors)
    assert any("Longitude must be a number" in e for e in errors)


# -- 2. sensitive places -----------------------------------------------------------------------------

def test_block_group_on_91_percent_of_days_is_listed_and_89_or_exactly_90_is_not(con):
    table = audit.everyday_block_groups(con, Filters())
    assert set(table["geoid"]) == {A1, A2}
    a2 = table.set_index("geoid").loc[A2]
    assert (a2["days_targeted"], a2["days_in_use"]) == (91, 100)
    assert a2["share_of_days"] == pytest.approx(0.91)
    assert a2["residents"] == 200 and a2["share_black"] == pytest.approx(0.1)
    days = audit.block_group_days(con, Filters()).set_index("geoid")["days_targeted"]
    assert days[A3] == 89 and days[A4] == 90


def test_sensitive_site_counts_its_box_and_its_block_group(con):
    table = audit.sensitive_sites(con, Filters())
    homes = table.set_index("site").loc["Alpha Homes"]
    assert (homes["predictions"], homes["days"]) == (89, 89)
    assert (homes["geoid"], homes["block_group_predictions"], homes["block_group_days"]) == (A3, 89, 89)
    assert homes["share_of_days"] == pytest.approx(0.89)
    assert homes["residents"] == 100 and homes["share_latino"] == pytest.approx(0.6)


# -- 3. geocoding -----------------------------------------------------------------------------------------

def test_manama_swapped_zero_and_sign_slip_are_caught(con):
    result = audit.geocoding_audit(con, Filters())
    points = result.points.set_index(["source", "lat", "lon"])
    manama = points.loc[("predictions", *MANAMA)]
    assert (manama["status"], manama["country_code"], manama["country"]) == ("abroad", "BH", "Bahrain")
    assert manama["distance_km"] > 10_000
    swapped = points.loc[("predictions", -86.975, 33.005)]
    assert (swapped["status"], swapped["corrected_geoid"]) == ("swapped", A3)
    assert points.loc[("predictions", 0.0, 0.0)]["status"] == "zero_zero"
    slip = points.loc[("crime reports", 33.005, 86.995)]
    assert slip["status"] == "abroad" and slip["correction"] == "minus sign restored to the longitude"
    assert slip["corrected_geoid"] == A1
    # the points by the station sit inside A4, so only the planted errors are outside
    assert set(result.points["status"]) == {"abroad", "swapped", "zero_zero"}


def test_the_summary_counts_points_inside_outside_and_records_without_coordinates(tmp_path):
    d = write_audit_fixture(tmp_path / "audit")
    with (d / "crime_reports.csv").open("a") as fh:
        fh.write("alpha,2020-01-05,THEFT,no place,,\nalpha,2020-01-06,THEFT,no place,,-86.99\n")
    (d / "patrols.csv").write_text("department,unit,start,end,lat,lon,address,kind,minutes\n"
                                   "alpha,1,2020-01-02 10:00,2020-01-02 10:20,33.005,-86.995,,HOTSPOT PATROL,20\n"
                                   "alpha,2,2020-01-02 11:00,2020-01-02 11:20,,,,HOTSPOT PATROL,20\n")
    con = load.load(d).connect()
    geo = audit.geocoding_audit(con, Filters(departments=("alpha",)))
    summary = geo.summary
    rows = {(r.source, r.status): (r.locations, r.records) for r in summary.itertuples()}
    # the farthest point of each status, in km from the block groups (the sign slip lies half a world away)
    farthest = summary.set_index(["source", "status"])["max_km"]
    slip = geo.points[(geo.points["source"] == "crime reports") & (geo.points["status"] == "abroad")]
    assert farthest[("crime reports", "abroad")] == slip["distance_km"].max() > 1000
    assert pd.isna(farthest[("crime reports", "inside")])
    # crime reports: two points inside (A4, A1), one abroad (the sign slip), two with no coordinates
    assert rows[("crime reports", "inside")] == (2, 2) and rows[("crime reports", "abroad")] == (1, 1)
    assert rows[("crime reports", "no_coordinates")] == (0, 2)
    assert rows[("patrols", "inside")] == (1, 1) and rows[("patrols", "no_coordinates")] == (0, 1)
    # predictions: the five block-group locations and the two by the station inside; Manama, 0,0, swapped out
    assert rows[("predictions", "inside")] == (6, 100 + 91 + 89 + 90 + 2)
    assert {s for (source, s) in rows if source == "predictions"} == {"inside", "abroad", "zero_zero", "swapped"}
    con.close()


def test_partial_coverage_needs_many_prediction_locations_just_outside():
    columns = ["department", "source", "status", "locations", "records", "predictions", "max_km"]
    summary = pd.DataFrame([
        ("a", "predictions", "inside", 900, 9000, 9000, None),
        ("a", "predictions", "nearby", 100, 500, 500, 3.2),  # 100 of 1,000 locations: 10%
        ("a", "predictions", "abroad", 0, 0, 0, 9000.0),
        ("a", "crime reports", "nearby", 5000, 5000, None, 4.0),  # only prediction locations count
        ("b", "predictions", "inside", 3000, 30000, 30000, None),
        ("b", "predictions", "nearby", 120, 600, 600, 1.0),  # 120 of 3,120: under 5%
        ("c", "predictions", "inside", 50, 500, 500, None),
        ("c", "predictions", "nearby", 50, 80, 80, 2.0),  # half, but fewer than 100 locations
        ("d", "predictions", "inside", 500, 4000, 4000, None),
        ("d", "predictions", "nearby", 200, 2000, 2000, 0.5),  # 200 of 700, the most predictions: first
    ], columns=columns)
    out = audit.partial_coverage(audit.Geocoding(summary.iloc[:0], summary, summary.iloc[:0], summary.iloc[:0]))
    assert out.to_dict("records") == [
        {"department": "d", "locations": 700, "predictions": 6000, "locations_nearby": 200,
         "predictions_nearby": 2000, "share_of_locations": pytest.approx(2 / 7), "max_km": 0.5},
        {"department": "a", "locations": 1000, "predictions": 9500, "locations_nearby": 100,
         "predictions_nearby": 500, "share_of_locations": 0.1, "max_km": 3.2}]
    assert audit.partial_coverage(audit.Geocoding(summary.iloc[:0], summary.iloc[:0], summary.iloc[:0],
                                                  summary.iloc[:0])).empty


@pytest.mark.parametrize("departments", [(), ("alpha",)])
def test_the_points_stored_at_load_are_what_the_live_check_finds(con, monkeypatch, departments):
    f = Filters(departments=departments, top_brackets=("hh_lt_45k",))  # block-group filters do not apply
    assert audit.shared._all_time(f) and not audit.shared._all_time(replace(f, start=date(2020, 1, 1)))
    stored = audit.geocoding_audit(con, f)
    monkeypatch.setattr(audit.geocoding, "_all_time", lambda f: False)
    live = audit.geocoding_audit(con, f)
    for name in ("points", "summary", "countries", "abroad"):
        a, b = getattr(stored, name), getattr(live, name)
        key = [c for c in ("source", "department", "status", "lat", "lon", "country_code") if c in a.columns]
        # (text columns may come back as str or object: the values must agree)
        pd.testing.assert_frame_equal(a.sort_values(key, ignore_index=True), b.sort_values(key, ignore_index=True),
                                      check_dtype=False)
    assert len(stored.points) == 4  # Manama, 0,0 and the swapped point (predictions), the sign slip (reports)
    # sites have no dates: a dated view reads them as stored, which must be what the live check counts
    dated = replace(f.places_and_time_only(), start=date(2020, 1, 1), end=date(2020, 12, 31))
    params = audit.geocoding._stored_params(dated, ("sites",))
    stored_sites, stored_counts = (audit.geocoding.run(con, f"SELECT * FROM {audit.geocoding._stored(table)}", params)
                                   for table in ("outside_points", "point_counts"))
    live_sites, live_counts = audit.geocoding._points(con, dated, "sites")
    pd.testing.assert_frame_equal(stored_sites, live_sites, check_dtype=False)
    pd.testing.assert_frame_equal(stored_counts, live_counts, check_dtype=False)
    assert stored_counts["locations"].sum() > 0


@pytest.mark.parametrize("f", [Filters(), Filters(departments=("alpha",), majority=("black", "latino"))])
def test_the_hotspots_ranked_from_the_stored_locations_are_those_counted_live(con, monkeypatch, f):
    stored = audit.persistent_hotspots(con, f, limit=3)
    monkeypatch.setattr(audit.hotspots, "_all_time", lambda f: False)
    live = audit.persistent_hotspots(con, f, limit=3)
    pd.testing.assert_frame_equal(stored, live, check_dtype=False)
    assert stored["days_targeted"].notna().all()
    if f.majority:  # the one location in each of A1 and A3, targeted on 100 and 89 of the 100 days
        assert stored["geoid"].tolist() == [A1, A3] and stored["days_targeted"].tolist() == [100, 89]
    else:
        assert len(stored) == 3


def test_points_abroad_carry_evidence_and_an_explanation(con):
    evidence = audit.geocoding_audit(con, Filters()).abroad.set_index("source")
    manama = evidence.loc["predictions"]
    assert manama["address"] == "100 First St" and manama["name"] == "Alpha City, Ala."
    assert manama["same_street_address"] == "5 First St" and manama["same_street_records"] == 100
    assert str(manama["first_date"])[:10] == _day(5)
    assert manama["explanation"].startswith("Most likely a geocoding error")
    assert "First St" in manama["explanation"]
    assert evidence.loc["crime reports"]["explanation"].startswith("Most likely a typing error")


def test_countries_summary_and_nearby_far_split():
    shapes = pd.DataFrame({"department": ["d"], "geoid": ["000000000001"],
                           "geometry": [shapely.box(-87.0, 33.0, -86.99, 33.01)]})
    points = pd.DataFrame({"department": ["d"] * 3, "lat": [33.005, 33.05, 34.0], "lon": [-87.01, -86.995, -87.0],
                           "geoid": [None] * 3})
    got = audit.classify_points(points, shapes)
    # 0.01 deg of longitude at 33 N is 0.93 km; 0.04 deg of latitude 4.4 km; 0.99 deg 110 km
    assert got["status"].tolist() == ["nearby", "nearby", "far"]
    assert got["distance_km"].round(1).tolist() == [0.9, 4.4, 110.1]


def test_street_name_normalises_numbers_towns_and_suffixes():
    assert audit.street_name("100 Government Avenue, Riverton, NJ") == "GOVERNMENT AVE"
    assert audit.street_name("Liberty St & West 3rd St, Plainfield, NJ") == "LIBERTY ST"
    assert audit.street_name(None) is None


def test_audit_summary_per_department(con):
    summary = {d["department"]: d for d in audit.audit_summary(con, Filters())}
    alpha = summary["alpha"]
    assert alpha["locations_total"] == 9 and alpha["outside_jurisdiction"] == 3
    assert alpha["outside_jurisdiction_predictions"] == 4 + 5 + 6
    assert alpha["outside_us"] == [{"lat": MANAMA[0], "lon": MANAMA[1], "country_code": "BH", "country": "Bahrain",
                                    "predictions": 4, "address": "100 First St"}]
    assert [p["predictions"] for p in alpha["zero_zero"]] == [6]
    assert [p["corrected_geoid"] for p in alpha["swapped"]] == [A3]
    assert alpha["site_artefacts"] == [{"site": "Alpha Police HQ", "kind": "police_station", "predictions": 2,
                                        "days": 1}]
    assert [b["geoid"] for b in alpha["persistent_block_groups"]] == [A1, A2]
    assert summary["beta"]["outside_jurisdiction"] == 0


# -- 4. periods -----------------------------------------------------------------------------------------

def test_quarter_overlap_of_the_top_block_groups(tmp_path):
    dest = write_tiny(tmp_path / "q")
    # Q1: A1 leads; Q2 and Q3: A3 leads. alpha has 4 block groups, so the top 10% is 1 block group.
    rows = ["department,lat,lon,count,date", "alpha,33.005,-86.995,5,2020-01-10", "alpha,33.005,-86.985,1,2020-02-10",
            "alpha,33.005,-86.995,1,2020-04-10", "alpha,33.005,-86.975,7,2020-05-10",
            "alpha,33.005,-86.975,2,2020-07-10"]
    (dest / "pp_report_locations_geocoded.csv").write_text("\n".join(rows) + "\n")
    con = load.load(dest).connect()
    table = audit.quarter_overlap(con, Filters(departments=("alpha",)))
    assert table["quarter"].astype(str).str[:10].tolist() == ["2020-01-01", "2020-04-01", "2020-07-01"]
    assert table["top_block_groups"].tolist() == [A1, A3, A3]
    assert table["overlap_share"].tolist()[1:] == [0.0, 1.0]
    monthly = audit.monthly_block_groups(con, Filters(), top=1)
    assert set(monthly["geoid"]) == {A3} and monthly["predictions"].sum() == 9


def test_time_parts_are_empty_without_dates(tiny_con, tmp_path):
    assert audit.has_dates(tiny_con, Filters())
    dest = write_tiny(tmp_path / "undated")
    (dest / "pp_report_locations_geocoded.csv").write_text("department,lat,lon,count\nalpha,33.005,-86.995,4\n")
    con = load.load(dest).connect()
    assert not audit.has_dates(con, Filters())
    assert audit.everyday_block_groups(con, Filters()).empty
    assert audit.persistent_hotspots(con, Filters())["predictions"].tolist() == [4]


# -- demo: every planted error is found --------------------------------------------------------------------

def test_demo_planted_errors_are_all_found(demo_con):
    result = audit.geocoding_audit(demo_con, Filters())
    points = result.points[result.points["source"] == "predictions"]
    by_status = points.groupby("department")["status"].agg(lambda s: sorted(s))
    assert by_status["rivertonpdnj"] == ["abroad", "nearby", "nearby"]
    assert by_status["cedarfallspdga"] == ["nearby", "nearby", "swapped"]
    assert by_status["lakesidepdca"] == ["nearby", "nearby", "zero_zero"]
    abroad = result.abroad.iloc[0]
    assert (abroad["country_code"], abroad["address"]) == ("BH", "100 Government Ave")
    assert abroad["same_street_records"] > 0
    assert (points.loc[points["status"] == "nearby", "distance_km"] < 2).all()

    stations = audit.site_artefacts(demo_con, Filters())
    stations = stations[stations["kind"] == "police_station"]
    assert len(stations) == 3 and (stations["predictions"] >= 100).all()

    everyday = audit.everyday_block_groups(demo_con, Filters())
    housing = audit.sensitive_sites(demo_con, Filters())
    housing = housing[housing["kind"] == "public_housing"]
    planted = housing[housing["share_of_days"] > 0.9]
    assert len(planted) == 3
    assert set(zip(planted["department"], planted["geoid"])) <= set(zip(everyday["department"], everyday["geoid"]))

    words = audit.address_artefacts(demo_con, Filters())
    assert "Middlesex Cty Jail, Riverton, NJ" in set(words["address"])


# -- real data: the published figures -------------------------------------------------------------------------

def test_real_outside_jurisdiction_counts(real_con):
    summary = {d["department"]: d for d in audit.audit_summary(real_con, Filters(departments=("cpso", "ocfl")))}
    cpso, ocfl = summary["cpso"], summary["ocfl"]
    assert (cpso["locations_total"], cpso["outside_jurisdiction"], cpso["outside_jurisdiction_predictions"]) \
        == (3626, 1985, 55107)
    assert (ocfl["outside_jurisdiction"], ocfl["outside_jurisdiction_predictions"]) == (4238, 258609)
    # outside the analysed block groups but inside the parish / county: all within about 10 km
    assert cpso["outside_nearby"] == 1985 and ocfl["outside_nearby"] == 4238
    assert cpso["outside_us"] == [] and cpso["persistent_block_groups"] == []


def test_real_plainfield_report_abroad_is_a_dropped_minus_sign(real_con):
    result = audit.geocoding_audit(real_con, Filters(departments=("plainfieldpdnj",)))
    abroad = result.abroad
    assert len(abroad) == 1
    row = abroad.iloc[0]
    assert (row["source"], row["country_code"]) == ("crime reports", "KG")
    assert row["correction"] == "minus sign restored to the longitude"
    # the block group it belongs in, named as a reader would say it, with the code after
    assert f"Plainfield, N.J.'s block group {row['corrected_geoid'][11]}, tract " in row["explanation"]
    assert f"Union County, N.J. ({row['corrected_geoid']})" in row["explanation"]
    words = audit.address_artefacts(real_con, Filters(departments=("plainfieldpdnj",)))
    excluded = set(words.loc[words["source"] == "excluded addresses", "address"])
    assert {"New Providence Police, Plainfield, NJ", "Middlesex Cty Jail, Plainfield, NJ"} <= excluded
