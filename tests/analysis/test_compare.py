"""Compare and what-if exclusions on the tiny fixture, every figure computed by hand (tests/fixtures.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from lib import geo_math, schema
from lib.analysis import compare, exclusions, overview
from lib.data import load
from lib.filters import FilterOptions, Filters
from tests.fixtures import write_tiny

ALPHA, BETA = Filters(departments=("alpha",)), Filters(departments=("beta",))


def test_figures_of_one_selection_by_hand(tiny_con):
    # alpha: 26 predictions, 2 outside; A1 (majority Black) 15 and A3 (majority Latino) 6 over 200 residents;
    # A2 3 over 200 (A4: nobody). Low income: A1 32/40 and A3 30/50 are mostly low-income.
    f = compare.figures(tiny_con, ALPHA)
    assert f["predictions"] == 26 and f["block_groups"] == 4 and f["residents"] == 400
    assert f["per_1000"] == pytest.approx(1000 * 24 / 400)
    assert f["per_1000_black_latino"] == pytest.approx(1000 * 21 / 200)
    assert f["per_1000_other"] == pytest.approx(1000 * 3 / 200)
    assert f["share_black_latino"] == pytest.approx(21 / 24)
    assert f["share_low_income"] == pytest.approx(21 / 24)
    # beta: B1 (majority Latino, 300 people) 8, B2 (majority Asian, 100) 1; no block group mostly low-income.
    g = compare.figures(tiny_con, BETA)
    assert (g["predictions"], g["block_groups"], g["residents"]) == (9, 2, 400)
    assert g["per_1000_black_latino"] == pytest.approx(1000 * 8 / 300)
    assert g["per_1000_other"] == pytest.approx(1000 * 1 / 100)
    assert g["share_low_income"] == 0.0


def test_a_against_b_differences_and_words(tiny_con):
    pair = compare.headline_pair(tiny_con, BETA, ALPHA).set_index("figure")
    assert pair.loc["predictions", "difference"] == 26 - 9
    assert pair.loc["predictions", "ratio"] == pytest.approx(26 / 9)
    assert pair.loc["predictions", "words"] == "B had 2.9× the predictions of A (26 against 9)."
    rate = pair.loc["per_1000_black_latino"]
    assert rate["ratio"] == pytest.approx(105 / (8000 / 300))
    assert rate["words"] == ("B's majority Black or Latino block groups received 3.9× the predictions per resident "
                             "of A's (105.0 against 26.7).")
    assert pair.loc["share_black_latino", "difference"] == pytest.approx(21 / 24 - 8 / 9)
    assert pair.loc["share_black_latino", "direction"] == "lower in B"
    assert pair.loc["share_black_latino", "words"] == (
        "Majority Black or Latino block groups drew 1 percentage point less of B's predictions than of A's "
        "(88% against 89%).")
    assert pair.loc["residents", "words"] == "The same in A and B (400)."
    reverse = compare.headline_pair(tiny_con, ALPHA, BETA).set_index("figure")
    assert reverse.loc["predictions", "words"] == "B had 0.35× (65% less) the predictions of A (9 against 26)."
    assert reverse.loc["share_low_income", "words"] == (
        "Mostly low-income block groups drew 88 percentage points less of B's predictions than of A's "
        "(0% against 88%).")


def test_words_when_a_figure_is_missing_or_zero():
    assert compare.difference_words("per_1000_black_latino", None, 12.0) == \
        "Not available for A: no residents or no predictions there."
    assert compare.difference_words("predictions", 0, 5) == "None in A, 5 in B."
    assert compare.difference_words("share_low_income", 0.401, 0.404) == "About the same in A and B (40% and 40%)."


def test_finding_pair_lines_up_both_selections(tiny_con):
    pair = compare.finding_pair(tiny_con, ALPHA, BETA).set_index("group")
    # alpha ranks A1 (15) > A3 (6) > A2 (3) > A4 (0): window w = round(0.2) = 0, so the most-targeted window is
    # rank 4 alone (A1: 60 of 100 Black) and the least-targeted rank 1 (A4: nobody, no share).
    assert pair.loc["black", "mean_most_targeted_a"] == pytest.approx(0.6)
    assert pair.loc["latino", "mean_most_targeted_b"] == pytest.approx(170 / 300)
    assert pair.loc["black", "words"].startswith("Black residents — A: 60% of the most-targeted")


def test_finding_pair_ranks_both_selections_on_the_chosen_counts(tiny_dir):
    from lib.analysis.disparities import PUBLISHED
    from tests.pages.test_disparities_page import PUBLISHED_COUNTS
    (tiny_dir / "block_group_counts.csv").write_text(PUBLISHED_COUNTS)
    con = load.load(tiny_dir).connect()
    # On the published counts alpha's most-targeted block group is A2 (20 of 200 Black), not A1 (60 of 100), and
    # beta's is B1 (30 of 300 Black).
    pair = compare.finding_pair(con, ALPHA, BETA, PUBLISHED).set_index("group")
    assert pair.loc["black", "mean_most_targeted_a"] == pytest.approx(0.1)
    assert pair.loc["black", "mean_most_targeted_b"] == pytest.approx(0.1)
    assert compare.finding_pair(con, ALPHA, BETA).set_index("group").loc["black", "mean_most_targeted_a"] == \
        pytest.approx(0.6)
    con.close()


# -- exclusions -------------------------------------------------------------------------------------

SITES = """name,kind,lat,lon,department,address
Station,police_station,33.0051,-86.9951,alpha,1 First St
Jail (291 ft north of a box centre),jail,33.0058,-86.985,alpha,2 First St
Court (365 ft north: outside the box),court,33.0060,-86.975,alpha,3 First St
School (not an artefact),school,33.005,-86.975,alpha,4 First St
Hospital,hospital,36.005,-119.9952,beta,5 Second St
"""


@pytest.fixture
def what_if(tmp_path):
    dest = write_tiny(tmp_path / "what-if")
    with (dest / "pp_report_locations_geocoded.csv").open("a") as out:
        out.write("alpha,0,0,4,2020-01-01,A,Burglary,\n")  # a failed geocode: outside, and flagged
    (dest / "sites.csv").write_text(SITES)
    con = load.load(dest).connect()
    yield con
    con.close()


def _lines(con) -> set:
    return set(con.execute("SELECT department, line FROM predictions").fetchall())


def test_artefact_exclusion_removes_exactly_the_predictions_a_brute_force_box_test_finds(what_if):
    predictions = what_if.execute("SELECT department, line, lat, lon, count FROM predictions").df()
    sites = what_if.execute("SELECT kind, lat, lon FROM sites").df()
    artefacts = sites[sites["kind"].isin(schema.ARTEFACT_SITE_KINDS)]
    inside = np.zeros(len(predictions), dtype=bool)
    for site in artefacts.itertuples():
        inside |= geo_math.box_contains(predictions["lat"], predictions["lon"], site.lat, site.lon)
    kept = predictions[~inside]
    cursor = exclusions.cursor(what_if, ["artefacts"])
    assert _lines(cursor) == set(zip(kept["department"], kept["line"]))
    # Station (15), jail (3) and hospital (8) boxes: 39 - 26 = 13 left; the court is 365 ft away, the school
    # is no artefact.
    assert kept["count"].sum() == 13
    for table in ("predictions", "prediction_cells", "prediction_days", "prediction_locations"):
        assert cursor.execute(f"SELECT sum(count) FROM {table}").fetchall()[0][0] == 13, table
    assert overview.headline(cursor, Filters())["predictions"] == 13
    # The original tables are untouched, for this cursor's database and any other cursor.
    assert what_if.execute("SELECT sum(count) FROM prediction_days").fetchall()[0][0] == 39


def test_outside_and_geocoding_exclusions(what_if):
    outside = exclusions.cursor(what_if, ["outside"])
    # Outside every block group: 99 Far Rd (2) and 0,0 (4).
    assert outside.execute("SELECT sum(count), count(*) FILTER (WHERE geoid IS NULL) FROM predictions").fetchall() \
        == [(33, 0)]
    flagged = exclusions.cursor(what_if, ["geocoding"])
    # The geocoding audit flags 0,0 (zero_zero); 99 Far Rd is only nearby.
    assert flagged.execute("SELECT sum(count) FROM prediction_days").fetchall()[0][0] == 35
    every = exclusions.cursor(what_if, ["geocoding", "artefacts", "outside"])
    assert every.execute("SELECT sum(count) FROM prediction_days").fetchall()[0][0] == 39 - 26 - 6
    assert exclusions.schema_name(["outside", "artefacts"]) == "without_artefacts_outside"


def test_exclusion_effects_say_with_and_without(what_if):
    effects = compare.exclusion_effects(what_if, Filters(), ["artefacts", "outside"])
    rows = effects.set_index(["reasons", "figure"])
    assert rows.loc[("artefacts", "predictions"), "with"] == 39
    assert rows.loc[("artefacts", "predictions"), "without"] == 13
    assert rows.loc[("artefacts", "predictions"), "words"] == "39 → 13 (-66.7%)"
    assert rows.loc[("outside", "predictions"), "without"] == 33
    assert rows.loc[("artefacts,outside", "predictions"), "without"] == 7
    assert rows.loc[("outside", "per_1000"), "words"] == "unchanged"
    assert list(dict.fromkeys(effects["exclusion"])) == ["artefact sites", "points outside the jurisdiction",
                                                         "all of these"]


def test_finding_survival_reads_the_sign_of_each_correlation(what_if):
    survival = compare.finding_survival(what_if, Filters(departments=("alpha",)), ["artefacts"])
    black = survival.summary.set_index("group").loc["black"]
    # alpha with all predictions ranks A1 (15) > A3 (6) > A2 (3) (A4 has nobody and does not enter), Black shares
    # 60%, 10%, 10%: ranks (3, 2, 1) against share ranks (3, 1.5, 1.5), rho = 1.5 / sqrt(2 × 1.5) = 0.866.
    # Without the station's and the jail's boxes A1 and A2 have none: A3 (6) > A1 (0) > A2 (0) (ties in GEOID
    # order), shares 10%, 60%, 10%: ranks (3, 2, 1) against share ranks (1.5, 3, 1.5), rho = 0 — no longer positive.
    assert black["median_spearman_with"] == pytest.approx(1.5 / math.sqrt(3))
    assert black["median_spearman_without"] == pytest.approx(0.0)
    assert not black["correlation_holds"] and black["sign_flips"] == 1
    assert "does not hold without artefact sites" in black["words"]
    alpha = survival.departments.set_index(["department", "group"]).loc[("alpha", "black")]
    assert alpha["spearman_with"] == pytest.approx(1.5 / math.sqrt(3)) and alpha["sign_kept"] == False  # noqa: E712
    # The most-targeted window (w = 0: rank 4 alone) is A1 (60% Black) with all predictions, A3 (10%) without.
    assert alpha["share_most_targeted_with"] == pytest.approx(0.6)
    assert alpha["share_most_targeted_without"] == pytest.approx(0.1)


def test_the_survival_sentence_says_when_an_exclusion_cannot_change_the_finding(what_if):
    outside = compare.finding_survival(what_if, Filters(departments=("alpha",)), ["outside"]).summary
    # alpha's 2 predictions at 99 Far Rd and 4 at 0,0 lie in no block group: nothing the finding counts changes.
    assert set(outside["removed"]) == {6} and set(outside["removed_inside"]) == {0}
    assert compare.survival_verdict(outside).startswith("No exclusion takes out a prediction inside a block group")
    assert compare.survival_lines(outside) == [
        "Nothing changes without points outside the jurisdiction — the 6 predictions it takes out lie in no block "
        "group, and the correlations and shares count only predictions inside block groups."]
    artefacts = compare.finding_survival(what_if, Filters(departments=("alpha",)), ["artefacts"]).summary
    # The station's and the jail's boxes (18 predictions, inside A1 and A2) take alpha's Black correlation from
    # +0.87 to 0 (test_finding_survival_reads_the_sign_of_each_correlation) and its Latino one from 0 to +0.87:
    # A3 (60% Latino) then ranks first, x = (3, 2, 1) against y = (3, 1.5, 1.5), rho = 1.5 / sqrt(2 × 1.5).
    assert set(artefacts["removed_inside"]) == {18}
    assert compare.survival_verdict(artefacts) == (
        "Averaged over departments, the finding (the sign of the median correlation, the most- against the "
        "least-targeted share) **does not hold for 2 of 5 group–exclusion pairs**; 2 department correlations "
        "change sign.")
    assert len(compare.survival_lines(artefacts)) == 5


def test_exclusions_travel_in_the_link():
    options = FilterOptions(departments={"alpha": "Alpha"})
    f, notices = Filters.from_query_params({"excl": ["outside", "artefacts", "nonsense"]}, options)
    assert f.exclude == ("artefacts", "outside")
    assert notices == ["Ignored unknown exclusion in the link: 'nonsense'."]
    assert f.to_query_params() == {"excl": ["artefacts", "outside"]}
    assert "leaving out predictions whose 600 ft box holds" in f.describe()


def test_selection_b_reads_the_prefixed_keys():
    options = FilterOptions(departments={"alpha": "Alpha", "beta": "Beta"})
    params = compare.params_of("https://x.app/?dept=alpha&cmp=1&b_dept=beta&b_majority=black&b_dept=zz&excl=outside")
    b, notices = compare.selection_b(params, options)
    assert b == Filters(departments=("beta",), majority=("black",), exclude=("outside",))
    assert notices == ["Ignored unknown department in the link for selection B: 'zz'."]
    assert compare.b_query_params(b) == {"b_dept": ["beta"], "b_majority": ["black"]}
    a, _ = Filters.from_query_params(params, options)
    assert compare.link(a, b) == "dept=alpha&excl=outside&cmp=1&b_dept=beta&b_majority=black"


def test_the_datasheet_on_an_excluding_cursor_leaves_the_points_outside_out(tiny, tiny_con):
    from lib.datasheet import datasheet_html
    from tests.test_datasheet import figures
    f = Filters(departments=("alpha",), exclude=("outside",))
    shown = figures(datasheet_html(tiny, exclusions.cursor(tiny_con, f.exclude), f))
    # alpha's 26 predictions less the 2 outside every block group; 3 locations left.
    assert shown["predictions"] == "24" and shown["locations"] == "3" and shown["predictions_outside"] == "0"
