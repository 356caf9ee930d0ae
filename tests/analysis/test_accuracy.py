"""Accuracy: hand-computed fixtures, The Markup's published Plainfield figures, and a brute-force check of
the spatial-temporal join on the demo data."""
from __future__ import annotations

import io
import json
import math
from contextlib import redirect_stdout
from datetime import date

import numpy as np
import pandas as pd
import pytest

from lib import schema
from lib.analysis import accuracy as acc
from lib.data import load
from tests.fixtures import write_tiny

# Alpha City's block groups run from lon -87.00 to -86.96, lat 33.00 to 33.01; its prediction window
# (departments.csv) is 2020-01-01 to 2020-01-03. At 33.005 N, 300 ft is 0.00082234 degrees of latitude
# and 0.00098058 degrees of longitude (sphere of mean Earth radius).
#   P1 (33.005, -86.995) Jan 1 shift A 06:15-17:30       Burglary                    1 prediction
#   P2 (33.005, -86.985) Jan 1 shift D 19:45-07:00 Jan 2 Robbery|Aggravated Assault  2
#   P3 (33.0055, -86.985) Jan 1 shift C 16:45-04:00 Jan 2 Gun Crimes (its box overlaps P2's: 182 ft apart) 1
#   P4 (33.005, -86.975) Jan 3 shift B 09:15-20:30       Motor Vehicle Theft         1
#   P5 (33.005, -86.995) Jan 2 shift B                   Burglary                    3 (nothing happens)
#   P6 (33.005, -86.995) Dec 31 2019 shift D             Burglary (before the window: never counted)
PREDICTIONS = """department,lat,lon,count,date,shift,incident_type,address
alpha,33.005,-86.995,1,2020-01-01,A,Burglary,1 First St
alpha,33.005,-86.985,2,2020-01-01,D,Robbery|Aggravated Assault,2 Second St
alpha,33.0055,-86.985,1,2020-01-01,C,Gun Crimes,3 Second St
alpha,33.005,-86.975,1,2020-01-03,B,Motor Vehicle Theft,4 Third St
alpha,33.005,-86.995,3,2020-01-02,B,Burglary,1 First St
alpha,33.005,-86.995,1,2019-12-31,D,Burglary,1 First St
beta,36.005,-119.995,8,2020-02-01,A,Burglary,
"""
# R6/R7 stand 91 ft north of P2 and 91 ft south of P3: inside both boxes.
REPORTS = """department,date,time,description,address,lat,lon,predictable_type
alpha,2020-01-01,06:15,BURGLARY,R1 shift A starts,33.005,-86.995,Burglary
alpha,2020-01-01,17:30,BURGLARY,R2 shift A has ended,33.005,-86.995,Burglary
alpha,2020-01-01,17:29,ROBBERY,R3 wrong type,33.005,-86.995,Robbery|Aggravated Assault
alpha,2020-01-01,12:00,BURGLARY,R4 290 ft north,33.0057949,-86.995,Burglary
alpha,2020-01-01,12:00,BURGLARY,R5 310 ft east,33.005,-86.9939867,Burglary
alpha,2020-01-02,02:00,AGGRAVATED ASSAULT - FIREARM,R6 two boxes,33.00525,-86.985,Aggravated Assault|Robbery%Gun Crimes
alpha,2020-01-02,05:00,SHOTS FIRED,R7 after shift C,33.00525,-86.985,Gun Crimes
alpha,2020-01-01,01:00,BURGLARY,R8 in P6 only,33.005,-86.995,Burglary
alpha,2020-01-01,12:00,BURGLARY,R4 290 ft north,33.0057949,-86.995,Burglary
alpha,2020-01-01,12:00,BURGLARY,R10 no coordinates,,,Burglary
alpha,2020-01-01,12:00,BURGLARY,R11 outside the city,33.05,-86.9,Burglary
alpha,2020-01-03,10:00,STOLEN AUTO,"City Of Alpha, Alpha, AL",33.005,-86.975,Motor Vehicle Theft
alpha,2020-01-04,10:00,STOLEN AUTO,R13 after the window,33.005,-86.975,Motor Vehicle Theft
alpha,2020-01-01,12:00,THEFT,R14 unpredictable,33.005,-86.995,
alpha,2020-01-03,20:29,STOLEN AUTO,R15 shift B last minute,33.005,-86.975,Motor Vehicle Theft
beta,2020-02-01,07:00,BURGLARY,beta report,36.005,-119.995,Burglary
"""
EXCLUDED = 'address,reason\n"city of alpha, alpha, al",Imprecise\n'
# T1 in P5's box during its shift; T2 at P1 before its shift; T3 at P2 as its overnight shift ends
# (the patrol starts the day after the prediction's date).
PATROLS = """department,unit,start,end,lat,lon,address,kind,minutes
alpha,1,2020-01-02 10:00,2020-01-02 10:20,33.005,-86.995,1 First St,HOTSPOT PATROL,20
alpha,2,2020-01-01 05:00,2020-01-01 06:00,33.005,-86.995,1 First St,HOTSPOT PATROL,60
alpha,3,2020-01-02 06:50,2020-01-02 07:10,33.005,-86.985,2 Second St,HOTSPOT PATROL,20
"""

# The published-match layout (Plainfield's): undated prediction totals, the match carried by the reports.
CARRIED_REPORTS = """department,date,time,description,address,lat,lon,predictable_type,has_prediction,num_predictions,prediction_type
alpha,2020-01-01,10:00,ROBBERY,C1,33.005,-86.995,Aggravated Assault|Robbery,TRUE,3,Aggravated Assault|Gun Crimes|Robbery
alpha,2020-01-01,11:00,AGG ASSAULT FIREARM,C2,33.005,-86.995,Aggravated Assault|Robbery%Gun Crimes,TRUE,1,Gun Crimes
alpha,2020-01-02,10:00,BURGLARY,C3,33.005,-86.995,Burglary - NON-Residence|Burglary - Residential,TRUE,2,Motor Vehicle Theft
alpha,2020-01-02,11:00,STOLEN AUTO,C4,33.005,-86.995,Motor Vehicle Theft,FALSE,0,
alpha,2020-01-03,10:00,THEFT,C5,33.005,-86.995,,TRUE,1,Burglary - NON-Residence|Burglary - Residential
alpha,2020-01-01,10:00,ROBBERY,C1,33.005,-86.995,Aggravated Assault|Robbery,TRUE,3,Aggravated Assault|Gun Crimes|Robbery
"""
CARRIED_COUNTS = """department,incident_type,window_start,window_end,predictions
alpha,Burglary - Residential|Burglary - NON-Residence,2020-01-01,2020-01-03,50
alpha,Robbery|Aggravated Assault,2020-01-01,2020-01-03,30
alpha,Motor Vehicle Theft,2020-01-01,2020-01-03,15
alpha,Gun Crimes,2020-01-01,2020-01-03,5
"""


def write_joined(d):
    """The join fixture's data directory (also opened by page tests)."""
    d = write_tiny(d)
    (d / "pp_report_locations_geocoded.csv").write_text(PREDICTIONS)
    (d / "crime_reports.csv").write_text(REPORTS)
    (d / "excluded_addresses.csv").write_text(EXCLUDED)
    (d / "patrols.csv").write_text(PATROLS)
    return d


def write_carried(d):
    """The published-match fixture's data directory (also opened by page tests)."""
    d = write_tiny(d)
    (d / "pp_report_locations_geocoded.csv").write_text("department,lat,lon,count\nalpha,33.005,-86.995,100\n"
                                                        "beta,36.005,-119.995,8\n")
    (d / "crime_reports.csv").write_text(CARRIED_REPORTS)
    (d / "prediction_counts_by_type.csv").write_text(CARRIED_COUNTS)
    return d


@pytest.fixture
def joined(tmp_path):
    con = load.load(write_joined(tmp_path / "joined")).connect()
    yield con
    con.close()


@pytest.fixture
def carried(tmp_path):
    con = load.load(write_carried(tmp_path / "carried")).connect()
    yield con
    con.close()


# -- types and the interval --------------------------------------------------------------------------

def test_types_compare_as_sets_of_subtypes():
    assert acc.type_key("Robbery|Aggravated Assault") == acc.type_key("Aggravated Assault|Robbery")
    assert acc.alternatives("Aggravated Assault|Robbery%Gun Crimes") == [
        frozenset({"Aggravated Assault", "Robbery"}), frozenset({"Gun Crimes"})]
    assert acc.matched_alternative("Aggravated Assault|Robbery", "Aggravated Assault|Gun Crimes|Robbery") == \
        frozenset({"Aggravated Assault", "Robbery"})
    assert acc.matched_alternative("Aggravated Assault|Robbery%Gun Crimes", "Gun Crimes") == frozenset({"Gun Crimes"})
    # every sub-type must be among the predictions' types
    assert acc.matched_alternative("Aggravated Assault|Robbery", "Robbery") is None
    assert acc.matched_alternative(None, "Robbery") is None
    keys = ["Burglary - NON-Residence|Burglary - Residential", "Aggravated Assault|Robbery", "Gun Crimes"]
    assert acc.attribute(frozenset({"Gun Crimes"}), keys) == "Gun Crimes"
    assert acc.attribute(frozenset({"Robbery"}), keys) == "Aggravated Assault|Robbery"


def test_success_rate_interval_is_the_beta_quantiles():
    # Beta(1, n+1) has the closed form quantile 1 - (1 - q) ** (1 / (n + 1)).
    result = acc.success_rate(0, 10)
    assert result["rate"] == 0
    assert result["ci95"][0] == pytest.approx(1 - 0.975 ** (1 / 11))
    assert result["ci95"][1] == pytest.approx(1 - 0.025 ** (1 / 11))
    # Beta(n+1, 1): the mirror image
    assert acc.success_rate(10, 10)["ci95"][0] == pytest.approx(0.025 ** (1 / 11))
    assert acc.success_rate(3, 0) == {"rate": None, "ci95": None}
    assert acc.success_rate(None, 10) == {"rate": None, "ci95": None}


# -- the join, by hand ---------------------------------------------------------------------------

def test_join_fixture_funnel(joined):
    s = acc.accuracy_summary(joined, "alpha")
    assert s["match_method"] == acc.JOIN
    assert s["window"] == ["2020-01-01", "2020-01-03"]
    assert s["reports_total"] == 15
    assert s["left"] == {"exact duplicate rows": 1, "outside the analysis window": 1, "no coordinates": 1,
                         "outside the department's block groups": 1, "at an excluded address": 1}
    assert s["reports_analysed"] == 10
    assert s["reports_predictable"] == 9
    assert s["reports_with_prediction"] == 6      # R1 R3 R4 R6 R7 R15
    assert s["reports_correct_type"] == 4         # R1 R4 R6 R15
    assert [step["reports"] for step in s["funnel"]] == [15, 10, 9, 6, 4]
    assert s["share_of_reports_predicted"] == pytest.approx(4 / 9)


def test_join_fixture_pairs_cover_shift_and_box_edges(joined):
    result = acc.accuracy(joined, "alpha")
    window = (date(2020, 1, 1), date(2020, 1, 3))
    by_address = acc.reports(joined, "alpha", window).set_index("line")["address"]
    pairs = acc.report_prediction_pairs(joined, "alpha", window)
    found = sorted((by_address[r], p) for r, p in zip(pairs["report_line"], pairs["prediction_line"]))
    # prediction lines: P1 2, P2 3, P3 4, P4 5 (file lines, header = 1)
    assert found == sorted([("R1 shift A starts", 2), ("R3 wrong type", 2), ("R4 290 ft north", 2),
                            ("R6 two boxes", 3), ("R6 two boxes", 4), ("R7 after shift C", 3),
                            ("R15 shift B last minute", 5)])
    row = acc.matched_reports(joined, result).set_index("address").loc["R6 two boxes"]
    assert row["num_predictions"] == 3
    assert row["prediction_type"] == "Aggravated Assault|Gun Crimes|Robbery"


def test_join_fixture_success_rates(joined):
    result = acc.accuracy(joined, "alpha")
    s = result.summary
    # P1 (R1, R4; counted once), P2 and P3 (both by R6, through different alternatives), P4 (R15)
    assert list(acc.came_true(joined, result)["prediction_line"]) == [2, 3, 4, 5]
    assert s["predictions_matched"] == 1 + 2 + 1 + 1
    assert s["predictions_total"] == 1 + 2 + 1 + 1 + 3
    assert s["success_rate"] == pytest.approx(5 / 8)
    by_type = {t["type"]: (t["predictions_matched"], t["predictions_total"]) for t in s["by_type"]}
    assert by_type == {"Burglary": (1, 4), "Robbery|Aggravated Assault": (2, 2), "Gun Crimes": (1, 1),
                       "Motor Vehicle Theft": (1, 1)}
    burglary = next(t for t in s["by_type"] if t["type"] == "Burglary")
    # burglary reports analysed: R1 R2 R4 R5 R8; caught by a burglary box: R1 R4
    assert (burglary["reports_of_type"], burglary["reports_correct_type"]) == (5, 2)


def test_join_fixture_patrol_dosage(joined):
    result = acc.accuracy(joined, "alpha")
    dosage = acc.patrol_dosage(joined, result)
    # T1 visits P5 (3 predictions, none came true), T3 visits P2 (2, came true); T2 came before P1's shift
    assert dosage["patrolled"]["predictions"] == 5 and dosage["patrolled"]["came_true"] == 2
    assert dosage["not_patrolled"]["predictions"] == 3 and dosage["not_patrolled"]["came_true"] == 3
    minutes = acc.patrol_minutes(joined, "alpha", (date(2020, 1, 1), date(2020, 1, 3)))
    assert dict(zip(minutes["geoid"], minutes["patrol_minutes"])) == {"010010000011": 80, "010010000012": 20}


def test_daily_counts(joined):
    daily = acc.daily_counts(joined, "alpha", (date(2020, 1, 1), date(2020, 1, 3)))
    # Jan 1: R1 R2 R3 R4 R5 R8 R14 (R14 unpredictable); Jan 2: R6 R7; Jan 3: R15. Predictions 1+2+1, 3, 1.
    assert list(daily["reports"]) == [7, 2, 1]
    assert list(daily["predictable_reports"]) == [6, 2, 1]
    assert list(daily["predictions"]) == [4, 3, 1]


def test_a_narrower_window_drops_reports_and_predictions(joined):
    s = acc.accuracy_summary(joined, "alpha", (date(2020, 1, 3), date(2020, 1, 3)))
    assert s["reports_analysed"] == 1              # R15 (R12 is excluded, R13 after)
    assert (s["predictions_matched"], s["predictions_total"]) == (1, 1)


@pytest.mark.parametrize("window, expected", [
    # Jan 1 alone: R6 and R7 (Jan 2) fall outside, so P2 and P3, caught only by R6, did not come true; R8 fell in
    # P6's box (Dec 31) alone. Analysed R1 R2 R3 R4 R5 R8 R14; in a box R1 R3 R4; of its type R1 R4; P1 came true.
    ((date(2020, 1, 1), date(2020, 1, 1)), (7, 6, 3, 2, 1, 1 + 2 + 1)),
    # Jan 2 and 3: R6 and R7 are in the window but the boxes that held them (P2, P3) are dated Jan 1; R15 in P4.
    ((date(2020, 1, 2), date(2020, 1, 3)), (3, 3, 1, 1, 1, 3 + 1)),
])
def test_a_window_that_cuts_an_overnight_shift_recounts_its_edges(joined, window, expected):
    s = acc.accuracy_summary(joined, "alpha", window)
    assert (s["reports_analysed"], s["reports_predictable"], s["reports_with_prediction"], s["reports_correct_type"],
            s["predictions_matched"], s["predictions_total"]) == expected


# -- what the page keeps -------------------------------------------------------------------------------

def test_page_view_keeps_the_figures_and_the_long_tables_row_counts(joined):
    result = acc.accuracy(joined, "alpha")
    view = acc.page_view(joined, "alpha")
    assert view.summary == result.summary
    assert view.matched_rows == len(acc.matched_reports(joined, result)) == 6  # R1 R3 R4 R6 R7 R15
    assert view.came_true_rows == len(acc.came_true(joined, result)) == 4  # P1 to P4
    # the first rows of a long table, fetched from the view's result when the page opens it
    first = acc.matched_table(joined, view.result, 2)
    assert list(first.columns) == acc.MATCHED_COLUMNS
    pd.testing.assert_frame_equal(first, acc.matched_table(joined, result).head(2))
    pd.testing.assert_frame_equal(acc.came_true_table(joined, view.result, 2), acc.came_true_table(joined, result).head(2))
    assert list(view.daily["reports"]) == [7, 2, 1]
    assert view.dosage["patrolled"]["predictions"] == 5
    assert view.kinds["reports"].sum() == result.summary["reports_analysed"]
    # analysed: BURGLARY R1 R2 R4 R5 R8; one each of ROBBERY, AGGRAVATED ASSAULT - FIREARM, SHOTS FIRED, STOLEN AUTO
    # (R15) and THEFT (R14, of a kind never predicted)
    kinds = view.kinds.set_index("description")
    assert (view.kinds["description"].iloc[0], kinds.loc["BURGLARY", "reports"]) == ("BURGLARY", 5)
    assert kinds.loc["BURGLARY", "share"] == pytest.approx(0.5)
    assert not kinds.loc["THEFT", "predicted_kind"] and kinds.loc["STOLEN AUTO", "predicted_kind"]
    assert len(kinds) == 6


# -- the published match, by hand --------------------------------------------------------------------

def test_carried_fixture(carried):
    s = acc.accuracy_summary(carried, "alpha")
    assert s["match_method"] == acc.CARRIED
    assert s["window"] == ["2020-01-01", "2020-01-03"]
    assert (s["reports_total"], s["left"]["exact duplicate rows"], s["reports_analysed"]) == (6, 1, 5)
    assert (s["reports_predictable"], s["reports_with_prediction"], s["reports_correct_type"]) == (4, 3, 2)
    assert (s["predictions_matched"], s["predictions_total"]) == (4, 100)
    assert s["success_rate"] == pytest.approx(0.04)
    # the headline counts every prediction in the boxes (3 + 1); per type only those that can be of the type:
    # the robbery's 3 boxes were A/R and Gun Crimes, so at most 2 and at least 1 were A/R
    by_type = {t["key"]: (t["predictions_matched_at_least"], t["predictions_matched"], t["predictions_total"])
               for t in s["by_type"]}
    assert by_type == {"Burglary - NON-Residence|Burglary - Residential": (0, 0, 50),
                       "Aggravated Assault|Robbery": (1, 2, 30), "Motor Vehicle Theft": (0, 0, 15),
                       "Gun Crimes": (1, 1, 5)}
    assert not s["types_exact"]


def test_published_totals_do_not_split_to_another_window(carried):
    s = acc.accuracy_summary(carried, "alpha", (date(2020, 1, 1), date(2020, 1, 2)))
    assert s["predictions_total"] is None and s["success_rate"] is None
    assert s["reports_correct_type"] == 2


def test_no_crime_reports(tiny_con):
    assert acc.departments_with_reports(tiny_con).empty
    s = acc.accuracy_summary(tiny_con, "alpha")
    assert s["match_method"] is None
    assert s["reports_total"] == 0 and s["reports_predictable"] == 0
    assert s["reports_with_prediction"] is None and s["success_rate"] is None


# -- types spelled in every way, through the join ------------------------------------------------------

# Four predictions at one point, Jan 1 shift A (lines 2-5); five reports there at noon, one per type spelling.
TYPED_PREDICTIONS = """department,lat,lon,count,date,shift,incident_type,address
alpha,33.005,-86.995,1,2020-01-01,A, Aggravated Assault | Robbery ,Q1
alpha,33.005,-86.995,2,2020-01-01,A,Gun Crimes,Q2
alpha,33.005,-86.995,1,2020-01-01,A,,Q3 no type
alpha,33.005,-86.995,1,2020-01-01,a,Robbery,Q4
"""
TYPED_REPORTS = """department,date,time,description,address,lat,lon,predictable_type
alpha,2020-01-01,12:00,ROBBERY,A sub-types in the other order,33.005,-86.995,Robbery|Aggravated Assault
alpha,2020-01-01,12:00,AGG ASSAULT FIREARM,B two alternatives,33.005,-86.995,Aggravated Assault|Robbery%Gun Crimes
alpha,2020-01-01,12:00,ROBBERY,C one sub-type,33.005,-86.995,Robbery
alpha,2020-01-01,12:00,SHOTS FIRED,D whitespace,33.005,-86.995, Gun Crimes |
alpha,2020-01-01,12:00,STOLEN AUTO,E no such box,33.005,-86.995,Motor Vehicle Theft
"""


@pytest.fixture
def typed(tmp_path):
    d = write_tiny(tmp_path / "typed")
    (d / "pp_report_locations_geocoded.csv").write_text(TYPED_PREDICTIONS)
    (d / "crime_reports.csv").write_text(TYPED_REPORTS)
    con = load.load(d).connect()
    yield con
    con.close()


def per_row(con, department: str) -> tuple[dict, dict]:
    """The type rule applied pair by pair in Python, as the method reads: each report's prediction types
    (type_key of the union over its pairs) and, per prediction, the reports of a type it predicted."""
    result = acc.accuracy(con, department)
    window = result.scope.window
    pairs = acc.report_prediction_pairs(con, department, window)
    every = acc.reports(con, department, window)
    types = dict(zip(every["line"], every["predictable_type"]))
    ptypes = {}
    for report, group in pairs.groupby("report_line"):
        ptypes[report] = acc.type_key(frozenset().union(*(acc.subtypes(p) for p in group["incident_type"])))
    caught = {}
    for report, prediction, ptype in zip(pairs["report_line"], pairs["prediction_line"], pairs["incident_type"]):
        if acc.matched_alternative(types[report], None if pd.isna(ptype) else ptype) is not None:
            caught.setdefault(prediction, set()).add(report)
    return ptypes, {p: len(r) for p, r in caught.items()}


def test_types_in_every_spelling_through_the_join(typed):
    result = acc.accuracy(typed, "alpha")
    s = result.summary
    by_address = acc.matched_reports(typed, result).set_index("address")
    # every report falls in all four boxes: 5 predictions, types the union of the sub-types
    assert set(by_address["num_predictions"]) == {5}
    assert set(by_address["prediction_type"]) == {"Aggravated Assault|Gun Crimes|Robbery"}
    assert by_address["counts_for"].dropna().to_dict() == {
        "A sub-types in the other order": "Aggravated Assault|Robbery", "B two alternatives": "Aggravated Assault|Robbery",
        "C one sub-type": "Robbery", "D whitespace": "Gun Crimes"}
    assert pd.isna(by_address.loc["E no such box", "counts_for"])
    # Q1 caught A, B (its first alternative) and C; Q2 caught B (its second) and D; Q3 has no type; Q4 caught C
    true = acc.came_true(typed, result)
    assert dict(zip(true["prediction_line"], true["reports"])) == {2: 3, 3: 2, 5: 1}
    assert (s["predictions_matched"], s["predictions_total"], s["reports_correct_type"]) == (4, 5, 4)
    by_type = {t["key"]: t["predictions_matched"] for t in s["by_type"]}
    assert by_type == {"Aggravated Assault|Robbery": 1, "Gun Crimes": 2, "(no type)": 0, "Robbery": 1}


@pytest.mark.parametrize("where", ["typed", "joined"])
def test_sql_aggregation_equals_the_rule_pair_by_pair(where, request):
    con = request.getfixturevalue(where)
    result = acc.accuracy(con, "alpha")
    ptypes, caught = per_row(con, "alpha")
    matched, true = acc.matched_reports(con, result), acc.came_true(con, result)
    assert dict(zip(matched["line"], matched["prediction_type"])) == ptypes
    assert dict(zip(true["prediction_line"], true["reports"])) == caught
    assert caught  # not vacuous


@pytest.mark.parametrize("department", ["rivertonpdnj", "lakesidepdca"])
def test_demo_sql_aggregation_equals_the_rule_pair_by_pair(demo_con, department):
    result = acc.accuracy(demo_con, department)
    ptypes, caught = per_row(demo_con, department)
    matched, true = acc.matched_reports(demo_con, result), acc.came_true(demo_con, result)
    assert dict(zip(matched["line"], matched["prediction_type"])) == ptypes
    assert dict(zip(true["prediction_line"], true["reports"])) == caught
    assert len(caught) > 10


# -- The Markup's Plainfield figures -----------------------------------------------------------------

def test_plainfield_published_figures(real_con):
    s = acc.accuracy_summary(real_con, "plainfieldpdnj")
    assert s["match_method"] == acc.CARRIED
    assert s["window"] == ["2018-02-25", "2018-12-18"]
    assert s["reports_total"] == 3225
    assert s["left"]["exact duplicate rows"] == 0
    assert s["reports_total"] - s["left"]["outside the analysis window"] == 3199
    assert s["reports_analysed"] == 3066
    assert s["reports_predictable"] == 336
    assert s["reports_with_prediction"] == 62
    assert s["reports_correct_type"] == 34
    assert s["predictions_matched"] == 64
    assert s["predictions_total"] == 23760
    assert s["share_of_reports_predicted"] == pytest.approx(34 / 336)
    assert round(s["success_rate"] * 100, 2) == 0.27
    assert s["success_rate_ci95"][0] < 64 / 23760 < s["success_rate_ci95"][1] < 0.005
    assert len(s["by_type"]) == 4
    # per type only predictions that can be of the type: 9 of the 64 sat in boxes of another type beside them
    assert sum(t["predictions_matched"] for t in s["by_type"]) == 55
    assert sum(t["predictions_total"] for t in s["by_type"]) == 23760


def test_cli_prints_the_figures(real_dir):
    from lib.cli import main
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["accuracy", str(real_dir), "--department", "plainfieldpdnj", "--json"]) == 0
    s = json.loads(out.getvalue())
    assert {k: s[k] for k in ("reports_total", "reports_analysed", "reports_predictable", "reports_with_prediction",
                              "reports_correct_type", "predictions_matched", "predictions_total")} == {
        "reports_total": 3225, "reports_analysed": 3066, "reports_predictable": 336, "reports_with_prediction": 62,
        "reports_correct_type": 34, "predictions_matched": 64, "predictions_total": 23760}
    assert len(s["success_rate_ci95"]) == 2 and len(s["by_type"]) == 4


# -- the demo: the join against brute force ---------------------------------------------------------

def brute_force(con, department: str, window: tuple[date, date] | None = None) -> dict:
    """The method written plainly in pandas and numpy, every report against every prediction."""
    first, last = window or con.execute("SELECT first_prediction_date, final_prediction_date FROM departments "
                                        "WHERE department = $d", {"d": department}).fetchall()[0]
    raw = con.execute("SELECT * FROM crime_reports WHERE department = $d ORDER BY line", {"d": department}).df()
    distinct = raw.drop_duplicates(subset=[c for c in raw.columns if c != "line"])
    excluded = {a.strip().lower() for a in con.execute("SELECT address FROM excluded_addresses").df()["address"]}
    days = pd.to_datetime(distinct["date"]).dt.date
    kept = distinct[(days >= first) & (days <= last) & distinct["lat"].notna() & distinct["lon"].notna()
                    & distinct["geoid"].notna() & ~distinct["address"].fillna("").str.strip().str.lower().isin(excluded)]
    candidates = kept[kept["predictable_type"].notna()]
    preds = con.execute("SELECT line, lat, lon, count, date, shift, incident_type FROM predictions "
                        "WHERE department = $d AND date BETWEEN $a AND $b", {"d": department, "a": first, "b": last}).df()
    start_minutes = {k: int(v[:2]) * 60 + int(v[3:]) for k, v in schema.PREDPOL_SHIFTS.items()}
    starts = (pd.to_datetime(preds["date"]) + pd.to_timedelta(preds["shift"].map(start_minutes), unit="min")).to_numpy()
    ends = starts + np.timedelta64(schema.SHIFT_MINUTES, "m")
    feet = math.pi * 6_371_008.8 / 0.3048 / 180
    plat, plon = preds["lat"].to_numpy(), preds["lon"].to_numpy()
    pairs = set()
    for row in candidates.itertuples():
        when = np.datetime64(pd.Timestamp.combine(row.date, row.time))
        inside = ((np.abs(row.lat - plat) * feet <= 300) & (np.abs(row.lon - plon) * feet * np.cos(np.radians(plat)) <= 300)
                  & (starts <= when) & (when < ends))
        pairs.update((row.line, int(line)) for line in preds["line"].to_numpy()[inside])
    ptype = dict(zip(preds["line"], preds["incident_type"]))
    pcount = dict(zip(preds["line"], preds["count"]))
    rtype = dict(zip(candidates["line"], candidates["predictable_type"]))

    def fits(report_type: str, prediction_types: set[str]) -> bool:
        return any(set(a.split("|")) <= prediction_types for a in report_type.split("%"))

    with_prediction = {r for r, _ in pairs}
    correct = {r for r in with_prediction
               if fits(rtype[r], set().union(*(set(ptype[p].split("|")) for q, p in pairs if q == r)))}
    true = {p for r, p in pairs if fits(rtype[r], set(ptype[p].split("|")))}
    return {"pairs": pairs, "reports_analysed": len(kept), "reports_predictable": len(candidates),
            "reports_with_prediction": len(with_prediction), "reports_correct_type": len(correct),
            "predictions_matched": int(sum(pcount[p] for p in true)), "predictions_total": int(preds["count"].sum())}


@pytest.mark.parametrize("department", ["rivertonpdnj", "lakesidepdca", "cedarfallspdga"])
def test_demo_join_equals_brute_force(demo_con, department):
    expected = brute_force(demo_con, department)
    result = acc.accuracy(demo_con, department)
    s = result.summary
    assert s["match_method"] == acc.JOIN
    window = tuple(date.fromisoformat(d) for d in s["window"])
    pairs = acc.report_prediction_pairs(demo_con, department, window)
    assert set(zip(pairs["report_line"], pairs["prediction_line"])) == expected["pairs"]
    assert len(expected["pairs"]) > 20  # the demo plants matches: the check is not vacuous
    for key in ("reports_analysed", "reports_predictable", "reports_with_prediction", "reports_correct_type",
                "predictions_matched", "predictions_total"):
        assert s[key] == expected[key], key
    assert s["success_rate"] < 0.01


def test_demo_join_in_a_shorter_window_equals_brute_force(demo_con):
    # The pairs are joined once over all time when the data loads; a window filters them. Five months
    # inside Riverton's window (Feb 2018 to Jan 2019), so reports and predictions on both sides of each edge
    # are left out.
    window = (date(2018, 4, 20), date(2018, 9, 24))
    expected = brute_force(demo_con, "rivertonpdnj", window)
    result = acc.accuracy(demo_con, "rivertonpdnj", window)
    pairs = acc.report_prediction_pairs(demo_con, "rivertonpdnj", window)
    assert set(zip(pairs["report_line"], pairs["prediction_line"])) == expected["pairs"]
    assert len(expected["pairs"]) > 20
    for key in ("reports_analysed", "reports_predictable", "reports_with_prediction", "reports_correct_type",
                "predictions_matched", "predictions_total"):
        assert result.summary[key] == expected[key], key
