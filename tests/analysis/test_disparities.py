"""The Markup's disparity method step by step on hand-made frames and the tiny fixture, and against the
published per-department correlations and mean compositions on the real data."""
from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from lib import cli
from lib.analysis import disparities as d
from lib.filters import Filters
from tests.conftest import SHARED_DATA

PUBLISHED = SHARED_DATA / "markup-prediction-bias" / "published"
PUBLISHED_GROUPS = {"African American": "black", "Latino": "latino", "White": "white", "Asian": "asian"}


def frame(predictions, totals, black=None, department="x") -> pd.DataFrame:
    n = len(predictions)
    black = black if black is not None else [0] * n
    return pd.DataFrame({"department": department, "geoid": [f"g{i:02d}" for i in range(1, n + 1)],
                         "predictions": predictions, "total": [float(t) for t in totals],
                         "black": [float(b) for b in black]})


# -- steps 2 and 3 ------------------------------------------------------------------------------

@pytest.mark.parametrize("n, w", [(10, 0), (12, 1), (19, 1), (20, 1), (30, 2), (35, 2), (50, 2), (70, 4),
                                  (90, 4), (110, 6)])
def test_window_size_rounds_halves_to_even_like_r(n, w):
    assert d.window_size(n) == w


def test_window_bounds_follow_the_method():
    # n = 35: w = 2, middle 17, offset 1
    assert d.window_bounds(35, 1) == {"most": (33, 35), "median": (16, 18), "least": (1, 3)}
    # exactly w block groups at the minimum: still ranks 1 … 1 + w
    assert d.window_bounds(35, 2)["least"] == (1, 3)
    # more than w at the minimum: ranks c − w … c
    assert d.window_bounds(35, 10)["least"] == (8, 10)


def test_ties_keep_geoid_order_whatever_the_population():
    # The Markup's second sort key is a constant string: ties keep the census order (GEOID), not population.
    ranked = d.rank_block_groups(frame([5, 5, 0, 0, 0], [100, 200, 50, 50, 300]))
    assert ranked.set_index("geoid")["rank"].to_dict() == {"g01": 5, "g02": 4, "g03": 3, "g04": 2, "g05": 1}
    assert set(ranked["n"]) == {5}


def test_a_department_of_twelve_block_groups_with_many_at_the_minimum():
    # n = 12 < 20: w = round(0.6) = 1; four block groups share the minimum (0) so c = 4 > w and the least
    # targeted window is ranks 3 … 4: the two most populous of the zero-prediction block groups.
    predictions = [50, 40, 30, 20, 10, 9, 8, 7, 0, 0, 0, 0]
    totals = [100] * 8 + [10, 40, 30, 20]
    out = d.label_windows(d.rank_block_groups(frame(predictions, totals))).set_index("geoid")
    assert out.loc[["g01", "g02"], "window"].tolist() == ["most", "most"]
    assert out.loc["g01", "rank"] == 12 and out.loc["g02", "rank"] == 11
    # median: floor(12 / 2) = 6 ± floor(1 / 2) = 0 -> rank 6, the seventh-most predicted
    assert out.index[out["in_median"]].tolist() == ["g07"]
    # zeros in GEOID order: g09 rank 4, g10 3, g11 2, g12 1
    assert sorted(out.index[out["in_least"]]) == ["g09", "g10"]
    assert out.loc["g12", "window"] is None
    assert out["window_size"].unique().tolist() == [1]
    # buckets at the count deciles: cuts 0, 0, 0, 2.1, 7.4, 8.5, 9.6, 17, 28, 39, 50; the zeros equal the
    # 10th and 20th percentiles and so fall in no bucket; 7 lies between the 30th (2.1) and 40th (7.4).
    assert out["decile"].fillna(0).tolist() == [10, 10, 9, 8, 7, 6, 5, 4, 0, 0, 0, 0]


def test_few_at_the_minimum_uses_the_bottom_ranks():
    out = d.label_windows(d.rank_block_groups(frame([9, 8, 7, 6, 5, 4, 3, 2, 1, 1, 1], [10] * 11)))
    # n = 11: w = round(0.55) = 1; three at the minimum (1) > w: least = ranks 2 … 3
    assert sorted(out.loc[out["in_least"], "rank"]) == [2, 3]
    out = d.label_windows(d.rank_block_groups(frame([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1], [10] * 11)))
    # one at the minimum (0) <= w: least = ranks 1 … 2
    assert sorted(out.loc[out["in_least"], "rank"]) == [1, 2]


# -- steps 4 to 6 and exposure on the tiny fixture ------------------------------------------------
# alpha: A1 15 predictions (100 people, 60 Black), A3 6 (100, 10 Black), A2 3 (200, 20 Black), A4 0 (nobody).
# n = 4, w = 0: most = A1 (rank 4), median = rank 2 = A2, least: one block group at the minimum -> rank 1 = A4.

def test_disparity_table_on_the_tiny_fixture(tiny_con):
    table = d.disparity_table(tiny_con, Filters())
    assert list(table.columns) == d.TABLE_COLUMNS
    assert len(table) == 10 and table["group"].tolist()[:5] == ["black", "latino", "white", "asian", "low_income"]
    alpha = table[table["department"] == "alpha"].set_index("group")
    assert alpha.loc["black", "share_most_targeted"] == pytest.approx(0.6)
    assert alpha.loc["black", "share_median"] == pytest.approx(0.1)
    assert math.isnan(alpha.loc["black", "share_least_targeted"])  # nobody lives in the park A4
    assert alpha.loc["black", "share_total"] == pytest.approx(90 / 400)
    assert alpha.loc["low_income", "share_most_targeted"] == pytest.approx(32 / 40)
    assert alpha.loc["low_income", "share_total"] == pytest.approx(78 / 170)
    # ranks 4, 2, 3 (A1, A2, A3) against Black shares .6, .1, .1: rho = 1.5 / sqrt(2 × 1.5)
    assert alpha.loc["black", "spearman"] == pytest.approx(1.5 / math.sqrt(3))
    assert alpha.loc["latino", "spearman"] == pytest.approx(0.0)  # .1, .1, .6 against ranks 4, 2, 3
    # exposure: Black (60×.15 + 20×.015 + 10×.06) / 90 = .11 against 24 / 400 = .06
    assert alpha.loc["black", "exposure_ratio"] == pytest.approx(0.11 / 0.06)
    assert alpha.loc["white", "exposure_ratio"] == pytest.approx((6.45 / 190) / 0.06)
    assert alpha["block_groups"].unique().tolist() == [4] and alpha["window"].unique().tolist() == [0]
    beta = table[table["department"] == "beta"].set_index("group")
    assert beta.loc["black", "share_most_targeted"] == pytest.approx(30 / 300)  # B1
    assert beta.loc["black", "share_median"] == pytest.approx(5 / 100)  # B2 (also the least targeted)
    assert beta.loc["black", "share_least_targeted"] == pytest.approx(5 / 100)
    assert beta["spearman"].isna().all()  # two block groups: no correlation


def test_block_group_ranks_interface_and_overlapping_windows(tiny_con):
    ranks = d.block_group_ranks(tiny_con, Filters())
    for column in ("department", "geoid", "predictions", "total", "rank", "n", "window", "decile"):
        assert column in ranks.columns
    by = ranks.set_index("geoid")
    assert by.loc["010010000011", ["rank", "window", "decile"]].tolist() == [4, "most", 10]
    # alpha's counts 0, 3, 6, 15 cut at 0, 0.9, 1.8, 2.7, 3.6, 4.5, 5.4, 6.9, 9.6, 12.3, 15
    assert by.loc["010010000012", ["rank", "window", "decile"]].tolist() == [2, "median", 4]
    assert by.loc["010010000013", ["rank", "decile"]].tolist() == [3, 7] and by.loc["010010000013", "window"] is None
    assert by.loc["010010000014", ["predictions", "rank", "window"]].tolist() == [0, 1, "least"]
    # beta's B2 is both the median and the least-targeted block group; `window` names the first
    assert by.loc["060010000022", ["window", "in_median", "in_least"]].tolist() == ["median", True, True]


def test_the_date_filter_changes_the_counts_and_so_the_ranking(tiny_con):
    ranks = d.block_group_ranks(tiny_con, Filters(start=date(2020, 1, 2))).set_index("geoid")
    # from Jan 2: A1 keeps 5 of its 15, A3 its 6, A2 none: A3 is now the most targeted
    assert ranks.loc["010010000013", ["predictions", "rank"]].tolist() == [6, 4]
    assert ranks.loc["010010000011", ["predictions", "rank"]].tolist() == [5, 3]
    assert ranks.loc["010010000012", ["predictions", "rank"]].tolist() == [0, 2]


def test_block_group_filters_restrict_the_ranking_and_departments_without_predictions_drop(tiny_con):
    ranks = d.block_group_ranks(tiny_con, Filters(majority=("latino",)))
    assert sorted(ranks["geoid"]) == ["010010000013", "060010000021"] and ranks["n"].tolist() == [1, 1]
    assert d.block_group_ranks(tiny_con, Filters(departments=("beta",), start=date(2020, 1, 1),
                                                 end=date(2020, 1, 31))).empty
    assert d.disparity_table(tiny_con, Filters(majority=("asian",), departments=("alpha",))).empty


def test_decile_composition_and_means(tiny_con):
    ranked = d.ranked_block_groups(tiny_con, Filters())
    deciles = d.decile_composition(ranked)
    alpha = deciles[(deciles["department"] == "alpha") & (deciles["group"] == "black")].set_index("decile")
    # counts 0, 3, 6, 15 fall in buckets 1, 4, 7, 10; the other six are empty
    assert alpha.index.tolist() == list(range(1, 11))
    assert alpha.loc[alpha["block_groups"] > 0].index.tolist() == [1, 4, 7, 10]
    assert alpha.loc[[4, 7, 10], "share"].tolist() == pytest.approx([0.1, 0.1, 0.6])
    assert math.isnan(alpha.loc[1, "share"])  # A4, nobody
    means = d.mean_deciles(deciles)
    # decile 10 holds A1 (Black 60%) in alpha and B1 (Black 10%) in beta
    assert means[(means["group"] == "black") & (means["decile"] == 10)]["share"].item() == pytest.approx(0.35)


def test_across_departments_and_readings(tiny_con):
    table = d.disparity_table(tiny_con, Filters())
    summary = d.across_departments(table).set_index("group")
    # Black: alpha .6 > .225 and beta .1 > 35/400; White: alpha .2 < .475, beta 90/300 = .3 < 310/400
    assert summary.loc["black", ["departments", "most_above_total", "most_above_median"]].tolist() == [2, 2, 2]
    assert summary.loc["white", "most_above_total"] == 0
    assert summary.loc["black", "mean_most_targeted"] == pytest.approx((0.6 + 0.1) / 2)
    assert summary.loc["black", "correlations"] == 1  # beta has only two block groups
    alpha = table[table["department"] == "alpha"]
    assert d.composition_reading(alpha, "Alpha City") == (
        "In Alpha City, Black residents make up 60% of the most-targeted block groups, against 22% of the whole "
        "jurisdiction; White residents, 20% against 48%.")
    assert d.exposure_reading(alpha[["department", "group", "exposure_ratio"]], "Alpha City") == (
        "In Alpha City, the average Black resident lived where PredPol made 1.8 times as many predictions per "
        "resident as the average resident's block group got; the average White resident, 0.6 times.")
    assert d.across_reading(d.across_departments(table)) == (
        "Of 2 departments, the most-targeted block groups held a larger share than the jurisdiction as a whole "
        "of: Black residents in 2, Latino residents in 1, White residents in 0.")


def test_scatter_points_and_reading(tiny_con):
    ranked = d.ranked_block_groups(tiny_con, Filters(departments=("alpha",)))
    points = d.scatter_points(ranked, "black").set_index("geoid")
    assert "010010000014" not in points.index  # nobody lives there
    assert points.loc["010010000011", ["share", "predictions_per_1000"]].tolist() == pytest.approx([0.6, 150])
    # Black shares .6, .1, .1 against 150, 15, 60 per 1,000: rho = 0.866
    assert d.scatter_reading(points.reset_index(), "black") == (
        "Across 3 block groups with residents, the larger the share of residents who are Black, the more "
        "predictions per resident PredPol tended to make (Spearman correlation +0.87).")


def test_income_brackets_are_added_when_asked(demo_con):
    table = d.disparity_table(demo_con, Filters(), brackets=True)
    assert {"hh_lt_45k", "hh_gt_200k"} <= set(table["group"])
    assert set(d.disparity_table(demo_con, Filters())["group"]) == set(d.GROUPS)


def test_the_average_over_departments_keeps_only_groups_every_department_has():
    nan = float("nan")
    rows = [("a", "black", 0.6, 0.2), ("b", "black", 0.2, 0.1), ("a", "low_income", 0.5, 0.4),
            ("b", "low_income", 0.3, 0.2), ("a", "hh_lt_45k", 0.7, 0.5), ("b", "hh_lt_45k", nan, nan),
            ("a", "hh_gt_200k", 0.0, 0.1), ("b", "hh_gt_200k", nan, nan)]
    table = pd.DataFrame(rows, columns=["department", "group", "share_most_targeted", "share_total"]).assign(
        share_median=nan, share_least_targeted=nan, spearman=nan, exposure_ratio=nan)
    assert d.mean_table(table).set_index("group")["departments"].to_dict() == {
        "black": 2, "low_income": 2, "hh_lt_45k": 1, "hh_gt_200k": 1}
    wide, note = d.every_department_mean(table, {"a": "Alpha City, Ala."})
    assert list(wide["group"]) == ["black", "low_income"]
    assert wide.set_index("group").loc["low_income", "share_most_targeted"] == pytest.approx(0.4)
    assert note == ("The household-income brackets (under $45k, over $200k) are given for Alpha City, Ala. only, so "
                    "they are left out of this average of 2 departments; choose Alpha City, Ala. in the Department "
                    "list above to see them.")
    both = table.fillna({"share_most_targeted": 0.1, "share_total": 0.1})
    wide, note = d.every_department_mean(both)
    assert len(wide) == 4 and note is None


def test_the_cli_writes_one_row_per_department_and_group(tiny_dir, tmp_path):
    out = tmp_path / "d.csv"
    assert cli.main(["disparities", str(tiny_dir), "--department", "alpha", "--out", str(out)]) == 0
    written = pd.read_csv(out)
    assert list(written.columns) == d.TABLE_COLUMNS and len(written) == 5
    assert written.set_index("group").loc["black", "share_most_targeted"] == pytest.approx(0.6)


# -- the real data against The Markup's published results -----------------------------------------

@pytest.fixture(scope="module")
def real_table(real_con):
    return d.disparity_table(real_con, Filters())


def test_correlations_agree_with_the_published_ones(real_table):
    published = pd.read_csv(PUBLISHED / "race_corr_pred_count.csv")
    published["group"] = published["demo"].map(PUBLISHED_GROUPS)
    pairs = real_table.merge(published, on=["department", "group"])
    assert len(pairs) == 38 * 4
    close = ((pairs["spearman"] - pairs["value"]).abs() <= 0.05).mean()
    assert close >= 0.80, close
    clear = pairs[pairs["value"].abs() > 0.1]
    same_sign = (np.sign(clear["spearman"]) == np.sign(clear["value"])).mean()
    assert same_sign >= 0.95, same_sign


def test_low_income_correlations_agree_with_the_published_under_45k_ones(real_table):
    # The Markup's "Less than 45k" column is the free-lunch eligibility count, our low-income households.
    published = pd.read_csv(PUBLISHED / "income_corr_pred_count.csv")
    published = published[published["demo"] == "Less than 45k"]
    pairs = real_table[real_table["group"] == "low_income"].merge(published, on="department")
    assert len(pairs) == 38
    assert ((pairs["spearman"] - pairs["value"]).abs() <= 0.05).mean() >= 0.8


def test_mean_shares_order_most_median_least_as_published(real_table):
    means = d.mean_table(real_table).set_index("group")
    published = pd.read_csv(PUBLISHED / "race_demo_comp_all.csv")
    published = published.assign(group=published["demo"].map(PUBLISHED_GROUPS)).pivot(
        index="group", columns="prank_filter", values="mean_val")
    for group in ("black", "latino"):
        row = means.loc[group]
        assert row["share_most_targeted"] > row["share_median"] > row["share_least_targeted"]
        assert published.loc[group, "in_max_tb"] > published.loc[group, "in_med_tb"] > published.loc[group, "in_min_tb"]
    white = means.loc["white"]
    assert white["share_most_targeted"] < white["share_median"] < white["share_least_targeted"]


def test_departments_with_a_larger_most_targeted_share_match_the_published_counts(real_table):
    published = pd.read_csv(PUBLISHED / "race_at_prank_gt_total.csv")
    published = published[published["prank_filter"] == "in_max_tb"].assign(
        group=lambda p: p["demo"].map(PUBLISHED_GROUPS)).set_index("group")["num_jur"]
    summary = d.across_departments(real_table).set_index("group")
    assert (summary["departments"] == 38).all()
    for group, count in published.items():
        assert abs(summary.loc[group, "most_above_total"] - count) <= 3, group
