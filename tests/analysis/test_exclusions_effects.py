"""Exclusions on the Audit and the accuracy method, and sites added in a session as artefact sites: what is left
out is exactly what a brute-force box test finds, and every figure changes by exactly that (tests/fixtures.py,
tests/analysis/test_accuracy.py's fixtures)."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lib import cli, geo_math, schema
from lib.analysis import accuracy, audit, exclusions
from lib.analysis import exclusions_effects as effects
from lib.filters import Filters
from tests.analysis.test_accuracy import carried, joined  # noqa: F401 (fixtures)
from tests.analysis.test_compare import what_if  # noqa: F401 (fixture)


def _boxed(predictions: pd.DataFrame, sites) -> np.ndarray:
    """Brute force: each prediction whose 600 ft box holds one of `sites` ((lat, lon))."""
    inside = np.zeros(len(predictions), dtype=bool)
    for lat, lon in sites:
        inside |= geo_math.box_contains(predictions["lat"], predictions["lon"], lat, lon)
    return inside


def _predictions(con) -> pd.DataFrame:
    return con.execute("SELECT department, line, lat, lon, geoid, count FROM main.predictions").df()


def _artefact_sites(con) -> list[tuple[float, float]]:
    sites = con.execute("SELECT kind, lat, lon FROM main.sites").df()
    return list(sites[sites["kind"].isin(schema.ARTEFACT_SITE_KINDS)][["lat", "lon"]].itertuples(index=False))


def test_audit_figures_change_by_exactly_the_predictions_in_the_artefacts_boxes(what_if):  # noqa: F811
    predictions = _predictions(what_if)
    gone = predictions[_boxed(predictions, _artefact_sites(what_if))]
    frame = effects.audit_effects(what_if, Filters(exclude=("artefacts",))).set_index("figure")
    # Station (15), jail (3), hospital (8): 26 of 39 predictions at 3 of the 7 locations.
    assert gone["count"].sum() == 26 and len(gone[["department", "lat", "lon"]].drop_duplicates()) == 3
    assert frame.loc["predictions", "with"] == 39 and frame.loc["predictions", "change"] == -gone["count"].sum()
    assert frame.loc["locations_checked", "with"] == 7 and frame.loc["locations_checked", "without"] == 7 - 3
    # Every artefact prediction sat in one of those boxes: none is left, and no site draws any.
    assert (frame.loc["artefact_predictions", "with"], frame.loc["artefact_predictions", "without"]) == (26, 0)
    assert (frame.loc["artefact_sites_hit", "with"], frame.loc["artefact_sites_hit", "without"]) == (3, 0)
    assert frame.loc["predictions", "words"] == "39 → 13 (-66.7%)"
    # Outside the block groups (99 Far Rd, 2; 0,0, 4) the points stay.
    assert frame.loc["outside_predictions", "words"] == "unchanged"


def test_audit_page_tables_without_the_points_outside(what_if):  # noqa: F811
    f = Filters(exclude=("outside",))
    frame = effects.audit_effects(what_if, f).set_index("figure")
    assert (frame.loc["outside_locations", "with"], frame.loc["outside_locations", "without"]) == (2, 0)
    assert (frame.loc["outside_predictions", "with"], frame.loc["outside_predictions", "without"]) == (6, 0)
    assert (frame.loc["zero_zero", "with"], frame.loc["zero_zero", "without"]) == (1, 0)
    assert frame.loc["locations_checked", "without"] == 5 and frame.loc["predictions", "without"] == 33
    # What the Audit page's tabs read on the honouring cursor: the stored points and counts, less the outside.
    cursor = exclusions.cursor(what_if, f.exclude)
    geo = audit.geocoding_audit(cursor, f)
    assert geo.points[geo.points["source"] == "predictions"].empty
    inside = geo.summary[(geo.summary["source"] == "predictions") & (geo.summary["status"] == "inside")]
    assert inside["predictions"].sum() == 33


def test_an_added_police_station_counts_as_an_artefact_site(what_if):  # noqa: F811
    # Beside B2's prediction (36.005, -119.985; 1): a station 100 ft east, added in the session (the link's
    # site=). A school added there is no artefact, and an artefact site added nowhere near takes out nothing.
    added = [("Added HQ", "police_station", 36.005, -119.98467), ("A school", "school", 36.005, -119.985),
             ("Far jail", "jail", 10.0, 10.0)]
    sites = exclusions.added_artefacts(added)
    assert sites == ((10.0, 10.0), (36.005, -119.98467))
    predictions = _predictions(what_if)
    boxed = _boxed(predictions, _artefact_sites(what_if) + list(sites))
    cursor = exclusions.cursor(what_if, ["artefacts"], sites)
    kept = set(cursor.execute("SELECT department, line FROM predictions").fetchall())
    assert kept == set(zip(predictions[~boxed]["department"], predictions[~boxed]["line"]))
    assert predictions[~boxed]["count"].sum() == 13 - 1
    # Its own schema: the data's sites alone still leave that prediction in.
    assert exclusions.schema_name(["artefacts"], sites) != exclusions.schema_name(["artefacts"])
    assert exclusions.cursor(what_if, ["artefacts"]).execute("SELECT sum(count) FROM predictions").fetchall() == [(13,)]
    f = Filters(exclude=("artefacts",), exclude_sites=sites)
    assert "with 2 sites added in this session" in f.describe()
    assert effects.audit_effects(what_if, f).set_index("figure").loc["predictions", "without"] == 12


def test_no_artefact_site_says_so_and_where_to_add_one(tiny_con):
    assert exclusions.notices(tiny_con, ["artefacts"]) == [exclusions.NO_ARTEFACT_SITES]
    assert "Add a site" in exclusions.NO_ARTEFACT_SITES
    assert exclusions.notices(tiny_con, ["artefacts"], ((33.005, -86.995),)) == []
    assert exclusions.notices(tiny_con, ["outside"]) == []


def test_what_an_exclusion_takes_out_decides_whether_it_is_recomputed(what_if, tiny_con):  # noqa: F811
    # Outside: alpha's 99 Far Rd and 0,0; beta has nothing outside. The tiny data lists no site.
    assert exclusions.takes_out(what_if, ["outside"], departments=("alpha",))
    assert not exclusions.takes_out(what_if, ["outside"], departments=("beta",))
    assert not exclusions.takes_out(tiny_con, ["artefacts"])
    assert exclusions.takes_out(tiny_con, ["artefacts"], ((36.005, -119.98467),))
    frame = effects.audit_effects(what_if, Filters(departments=("beta",), exclude=("outside",)))
    # (beta has one quarter: no share kept to compare, "not available")
    assert set(frame["words"]) == {"unchanged", "not available"}
    assert frame.set_index("figure").loc["predictions", "with"] == 9


def test_accuracy_without_an_added_station_by_hand(joined):  # noqa: F811
    # A station added at P2 (33.005, -86.985): its box and P3's (182 ft north) hold it; P1, P4, P5, P6 stay.
    sites = exclusions.added_artefacts([("HQ", "police_station", 33.005, -86.985)])
    predictions = _predictions(joined)
    boxed = predictions[_boxed(predictions, sites)]
    assert sorted(boxed["line"]) == [3, 4] and boxed["count"].sum() == 3
    frame = effects.accuracy_effects(joined, "alpha", None, ["artefacts"], sites).set_index("figure")
    # In the window 8 predictions, 3 of them P2's and P3's; P2 and P3 came true (by R6), P1 and P4 stay true.
    assert (frame.loc["predictions_total", "with"], frame.loc["predictions_total", "without"]) == (8, 8 - 3)
    assert (frame.loc["predictions_matched", "with"], frame.loc["predictions_matched", "without"]) == (5, 2)
    assert frame.loc["success_rate", "without"] == pytest.approx(2 / 5)
    assert frame.loc["success_rate", "words"] == "-22.50 percentage points (62.50% → 40.00%)"
    # R6 and R7 fell only in P2's and P3's boxes: R1 R3 R4 R15 are left in a box, R1 R4 R15 of its type.
    assert (frame.loc["reports_with_prediction", "without"], frame.loc["reports_correct_type", "without"]) == (4, 3)
    cursor = exclusions.cursor(joined, ["artefacts"], sites)
    result = accuracy.accuracy(cursor, "alpha")
    assert sorted(accuracy.matched_table(cursor, result)["address"]) == sorted(
        ["R1 shift A starts", "R3 wrong type", "R4 290 ft north", "R15 shift B last minute"])
    assert list(accuracy.came_true(cursor, result)["prediction_line"]) == [2, 5]
    # T3's patrol visited P2, now left out: only T1's visit to P5 (3 predictions) is left.
    assert accuracy.patrol_dosage(cursor, result)["patrolled"]["predictions"] == 3


def test_a_published_match_says_what_it_leaves_in_doubt(carried):  # noqa: F811
    sites = exclusions.added_artefacts([("HQ", "police_station", 33.005, -86.995)])
    window = accuracy.analysis_window(carried, "alpha")
    limits = effects.carried_match_limits(carried, "alpha", window, ["artefacts"], sites)
    # All 100 undated predictions stand there; C1 (merged), C2 and C3 are matched reports in its box (3 + 1 + 2).
    assert limits == {"left_out_predictions": 100, "reports": 3, "report_predictions": 6}
    frame = effects.accuracy_effects(carried, "alpha", window, ["artefacts"], sites).set_index("figure")
    assert frame.loc["predictions_matched", "words"] == "unchanged"  # published: no location to leave out


def test_cli_audit_without_the_points_outside(tmp_path, capsys):
    from tests.analysis.test_compare import SITES
    from tests.fixtures import write_tiny
    dest = write_tiny(tmp_path / "cli")
    (dest / "sites.csv").write_text(SITES)
    assert cli.main(["audit", str(dest), "--department", "alpha"]) == 0
    before = {d["department"]: d for d in json.loads(capsys.readouterr().out)}
    assert cli.main(["audit", str(dest), "--department", "alpha", "--exclude", "outside,artefacts"]) == 0
    captured = capsys.readouterr()
    after = {d["department"]: d for d in json.loads(captured.out)}
    # alpha: 26 predictions; station 15 and jail 3 in artefact boxes, 99 Far Rd's 2 outside: 6 left.
    assert (before["alpha"]["predictions_total"], after["alpha"]["predictions_total"]) == (26, 26 - 15 - 3 - 2)
    assert (before["alpha"]["outside_jurisdiction"], after["alpha"]["outside_jurisdiction"]) == (1, 0)
    assert [s["predictions"] for s in before["alpha"]["site_artefacts"]] == [15, 3]
    assert after["alpha"]["site_artefacts"] == []
    assert "Predictions in the selection: 26 → 6 (-76.9%)" in captured.err
    assert "Predictions outside the block groups: 2 → 0 (-100.0%)" in captured.err


def test_on_the_real_data(real_con):
    from lib.analysis import compare
    # Orange County (ocfl): 4,238 of its 12,296 prediction locations, with 258,609 of its 827,938 predictions, lie
    # outside its block groups (the Audit's geocoding tab); leaving them out takes exactly those.
    frame = effects.audit_effects(real_con, Filters(departments=("ocfl",), exclude=("outside",))).set_index("figure")
    assert (frame.loc["outside_locations", "with"], frame.loc["outside_predictions", "with"]) == (4_238, 258_609)
    assert frame.loc["predictions", "change"] == -258_609 and frame.loc["locations_checked", "without"] == 8_058
    assert exclusions.notices(real_con, ["artefacts"]) == [exclusions.NO_ARTEFACT_SITES]
    # The points outside lie in no block group, and the data lists no site: no exclusion can move the finding.
    survival = compare.finding_survival(real_con, Filters(), ["artefacts", "outside", "geocoding"]).summary
    assert set(survival["removed_inside"]) == {0} and set(survival["removed"]) == {0, 316_735}
    assert compare.survival_verdict(survival).startswith("No exclusion takes out a prediction inside a block group")
    # Plainfield's police headquarters added as in a session (819 predictions in its box: tests/analysis/
    # test_sites.py): the finding holds, and no Plainfield correlation changes sign.
    sites = exclusions.added_artefacts([("Plainfield PD", "police_station", 40.61805, -74.41935)])
    f = Filters(departments=("plainfieldpdnj",), exclude=("artefacts",), exclude_sites=sites)
    survival = compare.finding_survival(real_con, f, f.exclude).summary
    assert set(survival["removed_inside"]) == {819}
    assert compare.survival_verdict(survival) == (
        "Averaged over departments, the finding (the sign of the median correlation, the most- against the "
        "least-targeted share) **holds for every group**; no department's correlation changes sign.")


def test_site_lists_are_capped_and_the_idle_one_makes_room(what_if, monkeypatch):  # noqa: F811
    # A link's site list names a schema of its own: a public server keeps at most MAX_SITE_SCHEMAS of them.
    monkeypatch.setattr(exclusions, "MAX_SITE_SCHEMAS", 2)
    monkeypatch.setattr(exclusions, "_LAST_USED", {})
    clock = [1000.0]
    monkeypatch.setattr(exclusions.time, "monotonic", lambda: clock[0])
    lists = [((36.005, -119.98467 + i / 1000),) for i in range(3)]
    for sites in lists[:2]:
        assert exclusions.admit(what_if, ["artefacts"], sites) == (sites, [])
        clock[0] += 10
    # Both kept lists were used within IDLE_SECONDS: the third is not counted, and the reader is told.
    assert exclusions.admit(what_if, ["artefacts"], lists[2]) == ((), [exclusions.SITE_LISTS_BUSY])
    assert len(exclusions._site_schemas(what_if)) == 2
    # Once the first has been idle long enough it is dropped for the third; a kept list is reused, not rebuilt.
    clock[0] += exclusions.IDLE_SECONDS
    exclusions.admit(what_if, ["artefacts"], lists[1])
    assert exclusions.admit(what_if, ["artefacts"], lists[2]) == (lists[2], [])
    kept = set(exclusions._site_schemas(what_if))
    assert kept == {exclusions.schema_name(["artefacts"], s) for s in lists[1:]}
    # The data's own exclusions never count against the cap.
    assert exclusions.admit(what_if, ["outside"], lists[0]) == (lists[0], [])
    assert set(exclusions._site_schemas(what_if)) == kept
