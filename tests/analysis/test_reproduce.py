"""The reproduction against The Markup's published files (read from ../shared/data, never copied): the
checks issue #21 names, each against the published table itself."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from lib import cli
from lib.analysis import accuracy as acc
from lib.analysis import disparities as d
from lib.analysis import reproduce as r
from tests.conftest import SHARED_DATA

PUBLISHED = SHARED_DATA / r.BIAS / "published"


def test_carried_matches_count_only_what_can_be_of_the_type():
    # one report in two A/R boxes and a Gun Crimes box (3 predictions, one other type): at most 2, at least 1;
    # two reports in pure A/R boxes holding 5 predictions: 5 either way
    correct = pd.DataFrame({"counts_for": ["A|R", "A|R", "B"], "reports": [1, 2, 1], "predictions": [3, 5, 4],
                            "other_types": [1, 0, 2]})
    most, least = acc.carried_by_type(correct)
    assert most.to_dict() == {"A|R": 7, "B": 2} and least.to_dict() == {"A|R": 6, "B": 1}


def test_find_published_reads_the_environment_then_the_import_record(tmp_path, monkeypatch):
    root = tmp_path / "shared"
    (root / r.BIAS / "published").mkdir(parents=True)
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.delenv(r.ENV, raising=False)
    assert r.find_published(data) is None
    (data / "source.json").write_text(json.dumps({"imported_from": "../shared"}))
    assert r.find_published(data) == root.resolve()
    monkeypatch.setenv(r.ENV, str(root))
    assert r.find_published(None) == root.resolve()


@pytest.fixture(scope="module")
def table(real_con):
    return r.reproduction(real_con, SHARED_DATA)


@pytest.fixture(scope="module")
def side(real_con):
    return r.app_side(real_con, SHARED_DATA)


def test_race_correlations_match_the_published_ones(side):
    published = pd.read_csv(PUBLISHED / "race_corr_pred_count.csv").assign(
        group=lambda p: p["demo"].map(r.RACE_GROUPS))
    ours = d.spearman_by_department(side.ranked)
    pairs = published.merge(ours, on=["department", "group"])
    assert len(pairs) == 152
    assert ((pairs["spearman"] - pairs["value"]).abs() <= 0.05).sum() >= 140


def test_low_income_correlations_match_the_published_under_45k_ones(side):
    published = pd.read_csv(PUBLISHED / "income_corr_pred_count.csv").query("demo == 'Less than 45k'")
    ours = d.spearman_by_department(side.ranked).query("group == 'low_income'")
    pairs = published.merge(ours, on="department")
    assert len(pairs) == 38
    assert ((pairs["spearman"] - pairs["value"]).abs() <= 0.05).sum() >= 35


def test_per_department_deciles_are_within_two_points_on_average(side):
    published = pd.read_csv(PUBLISHED / "race_demo_comp_percentile.csv").assign(
        group=lambda p: p["demo"].map(r.RACE_GROUPS),
        decile=lambda p: p["prank_filter"].map({label: i + 1 for i, label in enumerate(r.DECILE_LABELS)}))
    pairs = published.merge(r.decile_shares(side), on=["department", "group", "decile"])
    assert len(pairs) == 1520
    assert (pairs["share"] - pairs["values"]).abs().mean() <= 0.02


def test_low_income_deciles_follow_the_method_and_only_the_counts_move_block_groups(side, table):
    """Their 0.024 mean absolute error misses 0.02; the published files show why: in every department decile
    whose four race shares agree exactly with The Markup's (the same block groups in the bucket), the
    low-income share agrees exactly too, so what differs is which block groups the counts put in a bucket."""
    label = {name: i + 1 for i, name in enumerate(r.DECILE_LABELS)}
    race = pd.read_csv(PUBLISHED / "race_demo_comp_percentile.csv").assign(
        group=lambda p: p["demo"].map(r.RACE_GROUPS), decile=lambda p: p["prank_filter"].map(label))
    income = pd.read_csv(PUBLISHED / "income_demo_comp_percentile.csv").query("demo == 'Less than 45k'").assign(
        group="low_income", decile=lambda p: p["prank_filter"].map(label))
    ours = r.decile_shares(side)
    race = race.merge(ours, on=["department", "group", "decile"])
    income = income.merge(ours, on=["department", "group", "decile"])
    assert len(race) == 1520 and len(income) == 380
    same_buckets = race.assign(off=(race["share"] - race["values"]).abs()).groupby(
        ["department", "decile"])["off"].max().loc[lambda off: off < 1e-9].index
    assert len(same_buckets) > 150
    in_same = income.set_index(["department", "decile"]).loc[same_buckets]
    assert ((in_same["share"] - in_same["values"]).abs() < 1e-9).all()
    # the per-department reconciliation gives every department beyond 0.02 the reason its counts differ
    errors = r.decile_errors(table)
    assert len(errors) == 38 and errors["income_off_where_race_same"].sum() == 0
    beyond = errors[(errors["income_mae"] > 0.02) | (errors["race_mae"] > 0.02)]
    assert len(beyond) > 0 and beyond["reason"].str.startswith("Counts differ").all()
    mae = (income["share"] - income["values"]).abs().mean()
    assert r.headline(table)["income_decile_mae"] == pytest.approx(mae)


# The issue's tolerances, per published table: correlations 0.05, per-department deciles 0.02, shares a
# point, counts exactly, rates to 0.05 points.
ISSUE_TOLERANCE = {"race_corr_pred_count.csv": 0.05, "income_corr_pred_count.csv": 0.05,
                   "race_demo_comp_percentile.csv": 0.02, "income_demo_comp_percentile.csv": 0.02}


@pytest.fixture(scope="module")
def geojson_table(real_con):
    return r.reproduction(real_con, SHARED_DATA, "geojson")


def test_the_disparities_page_default_is_the_count_closer_to_the_published_figures(table, geojson_table):
    """The page ranks on point in polygon by default and says why with these measures."""
    from lib import methods
    ours, theirs = r.headline(table), r.headline(geojson_table)
    assert ours["race_within"] > theirs["race_within"] and ours["race_decile_mae"] < theirs["race_decile_mae"]
    assert ours["income_decile_mae"] < theirs["income_decile_mae"]
    note = methods.disparity_counts_note("real", 1, "points")
    assert (f"{ours['race_within']} of their {ours['race_pairs']} race correlations within 0.05 "
            f"({theirs['race_within']} with the published `count`)") in note
    assert f"race deciles {ours['race_decile_mae']:.3f} off on average ({theirs['race_decile_mae']:.3f})" in note


@pytest.mark.parametrize("counts", list(r.COUNTS))
def test_no_figure_beyond_tolerance_is_left_without_a_reason(table, geojson_table, counts):
    both = table if counts == "all_time" else geojson_table
    tolerance = both["table"].map(ISSUE_TOLERANCE).fillna(
        both["measure"].map(lambda m: 0 if m.startswith(("count", "predictions", "departments")) else
                            0.0005 if m.startswith("rate") else 0.01))
    beyond = both[~(both["difference"].abs() <= tolerance + 1e-12)]  # NaN (not recomputable) counts as beyond
    assert len(beyond) > 100
    assert (beyond["reason"].str.strip().str.len() > 0).all()
    assert set(beyond["status"]) <= {r.DIFFERS, r.NOT_RECOMPUTABLE}


def test_every_published_figure_has_a_row_and_every_difference_a_reason(table):
    for path in sorted(PUBLISHED.glob("*.csv")):
        assert (table["table"] == path.name).sum() == len(pd.read_csv(path)), path.name
    race = table[table["table"] == "race_corr_pred_count.csv"]
    assert set(race["published"].round(12)) == set(pd.read_csv(PUBLISHED / "race_corr_pred_count.csv")["value"]
                                                   .round(12))
    beyond = table[table["status"] != r.MATCHES]
    assert (beyond["reason"].str.len() > 20).all()
    # unpublished inputs are shown as published, labelled, with no app value
    arrests = table[table["table"] == "arrests-per-capita.csv"]
    assert (arrests["status"] == r.NOT_RECOMPUTABLE).all() and arrests["app"].isna().all()


def test_jefferson_county_black_correlation_agrees_once_ties_keep_geoid_order(table):
    row = table[(table["table"] == "race_corr_pred_count.csv") & (table["figure"] == "jeffcomacc · African American")]
    assert row["status"].item() == r.MATCHES


def test_plainfield_window_shares_take_the_smaller_of_estimate_and_lower_bound(side):
    shares = r._window_shares(side).set_index(["department", "group", "window"])["share"]
    bounds = json.loads((SHARED_DATA / r.PLAINFIELD_DIR / "plainfieldpdnj-geojson-with-data.json").read_text())
    black = sum(float(f["properties"]["black_lb"]) for f in bounds["features"])
    total = sum(float(f["properties"]["total_race_lb"]) for f in bounds["features"])
    estimate = d.window_composition(side.ranked).set_index(["department", "group", "window"])["share"]
    assert shares[("plainfieldpdnj", "black", "total")] == pytest.approx(
        min(black / total, estimate[("plainfieldpdnj", "black", "total")]))
    # no Latino lower bound is published: the estimate stands
    assert shares[("plainfieldpdnj", "latino", "total")] == pytest.approx(
        estimate[("plainfieldpdnj", "latino", "total")])


def test_plainfield_funnel_and_per_type_rates(real_con, table):
    s = acc.accuracy(real_con, "plainfieldpdnj").summary
    assert [s[k] for k in ("reports_total", "reports_analysed", "reports_predictable", "reports_with_prediction",
                           "reports_correct_type", "predictions_matched", "predictions_total")] == [
        3225, 3066, 336, 62, 34, 64, 23760]
    by_type = {t["key"]: t for t in s["by_type"]}
    burglary = by_type[acc.type_key("Burglary - Residential|Burglary - NON-Residence")]
    assert (burglary["predictions_matched"], burglary["predictions_total"]) == (11, 10178)
    robbery = by_type[acc.type_key("Robbery|Aggravated Assault")]
    assert robbery["predictions_total"] == 5766
    # The Markup's 32 needs each prediction's type; the published reports bound it
    assert robbery["predictions_matched_at_least"] <= 32 <= robbery["predictions_matched"] < 42
    notebook = table[table["table"] == "pred-accuracy-assessment.ipynb"].set_index("figure")
    assert notebook.loc["Predictions without a patrol (headline denominator)", "published"] == 23631
    assert notebook.loc["Burglary predictions that came true", "status"] == r.MATCHES


PREDICTION_TYPE = {"Burglary - NON-Residence": "burglary", "Burglary - Residential": "burglary",
                   "Robbery": "robbery", "Aggravated Assault": "robbery", "Gun Crimes": "gun",
                   "Motor Vehicle Theft": "vehicle"}


@pytest.mark.parametrize("published_type, crimes, came_true", [
    ("Robbery|Aggravated Assault", lambda t: t.str.contains("Aggravated Assault|Robbery", na=False), 32),
    ("Burglary - Residential|Burglary - NON-Residence",
     lambda t: t == "Burglary - NON-Residence|Burglary - Residential", 11)])
def test_per_type_counts_are_bounded_by_the_published_reports_and_the_reconciliation_says_so(
        real_con, table, published_type, crimes, came_true):
    """The Markup counts a type's predictions whose box held a report of the type (notebook cells 107/109,
    145/147: crimes chosen by accurate_pred_type as there) in a predictions file they did not publish. The
    reports file gives, per report, how many boxes held it and the union of their types; each type listed
    held at least one box, so a report in boxes of k other types carries between 1 and num_preds - k."""
    kind = PREDICTION_TYPE[published_type.split("|")[0]]
    reports = pd.read_csv(SHARED_DATA / r.PLAINFIELD_DIR / "crime_with_predictions.csv", parse_dates=["date"])
    held = reports[reports["date"].between("2018-02-25", "2018-12-18") & crimes(reports["accurate_pred_type"])]
    types = held["actual_pred_type"].fillna("").str.split("|").map(
        lambda listed: {PREDICTION_TYPE[t] for t in listed if t})
    held, types = held[types.map(lambda t: kind in t)], types[types.map(lambda t: kind in t)]
    others = types.map(len) - 1
    least = int(held["num_preds"].where(others == 0, 1).sum())
    most = int((held["num_preds"] - others).sum())
    assert least <= came_true <= most and least < most  # the published file cannot say which
    s = acc.accuracy(real_con, "plainfieldpdnj").summary
    row = next(t for t in s["by_type"] if t["key"] == acc.type_key(published_type))
    assert (row["predictions_matched_at_least"], row["predictions_matched"]) == (least, most)
    assert row["reports_in_mixed_boxes"] == int((others > 0).sum())
    note = r.type_count_notes(s)[row["key"]]
    assert note.startswith(f"The Markup's {came_true} of {row['predictions_total']:,} ")
    assert f"between {least} and {most}" in note
    assert ("is the top of what the published reports allow" in note) == (came_true == most)
    figure = {"robbery": "Robbery / Aggravated Assault", "burglary": "Burglary"}[kind]
    reconciled = table[table["figure"] == f"{figure} predictions that came true"].iloc[0]
    assert reconciled["status"] == (r.MATCHES if came_true == most else r.DIFFERS)
    if came_true != most:
        assert reconciled["reason"] == note


def test_the_cli_writes_the_reproduction(real_dir, tmp_path):
    out = tmp_path / "reproduction.csv"
    assert cli.main(["reproduce", str(real_dir), "--published", str(SHARED_DATA), "--out", str(out)]) == 0
    written = pd.read_csv(out)
    assert list(written.columns) == r.COLUMNS
    assert (written["table"] == "race_corr_pred_count.csv").sum() == 152


def test_the_cli_says_where_it_looked_when_the_tables_are_missing(real_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(r.ENV, raising=False)
    assert cli.main(["reproduce", str(real_dir), "--published", str(tmp_path)]) == 1
    assert "markup-prediction-bias/published" in capsys.readouterr().err
