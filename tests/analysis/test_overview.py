"""Overview figures: by hand on the tiny fixture, published counts on the real data."""
from __future__ import annotations

import json
from datetime import date

import pytest

from lib.analysis import overview
from lib.filters import Filters
from tests.conftest import SHARED_DATA


def test_headline_by_hand(tiny_con):
    h = overview.headline(tiny_con, Filters())
    assert (h["departments"], h["predictions"], h["locations"], h["block_groups"]) == (2, 35, 6, 6)
    assert h["residents"] == 800 and h["households"] == 310
    assert h["predictions_outside_shown"] == 2
    # majority Black or Latino: A1 (15), A3 (6), B1 (8) of the 33 predictions inside block groups
    assert h["share_predictions_black_latino_majority"] == pytest.approx(29 / 33)
    assert h["share_residents_black_latino_majority"] == pytest.approx(500 / 800)
    # more than half of households low-income: A1 (32/40), A3 (30/50)
    assert h["share_predictions_low_income_majority"] == pytest.approx(21 / 33)
    assert h["share_households_low_income_majority"] == pytest.approx(90 / 310)


def test_block_group_filters_leave_out_points_outside_every_block_group(tiny_con):
    h = overview.headline(tiny_con, Filters(departments=("alpha",), low_income=("ge75", "50to75")))
    assert h["predictions"] == 21 and h["block_groups"] == 2
    assert h["predictions_outside_shown"] == 0 and h["predictions_outside_all"] == 2


def test_date_and_type_filters(tiny_con):
    from datetime import date
    h = overview.headline(tiny_con, Filters(start=date(2020, 1, 2), end=date(2020, 1, 31)))
    assert h["predictions"] == 11  # 5 on Jan 2 + 6 on Jan 3
    assert overview.headline(tiny_con, Filters(incident_types=("Gun Crimes",)))["predictions"] == 5


def test_department_summary_by_hand(tiny_con):
    table = overview.department_summary(tiny_con, Filters()).set_index("department")
    alpha = table.loc["alpha"]
    assert alpha["predictions"] == 26 and alpha["predictions_outside"] == 2 and alpha["block_groups"] == 4
    assert alpha["predictions_per_1000"] == pytest.approx(1000 * 24 / 400)
    assert alpha["most_targeted_geoid"] == "010010000011"
    assert alpha["most_targeted_black_latino"] == pytest.approx(0.7)
    assert alpha["department_black_latino"] == pytest.approx(180 / 400)


def test_findings_are_computed_from_the_data(tiny_con):
    texts = [f.text for f in overview.findings(tiny_con, Filters())]
    assert any("87.9%" in t and "62.5%" in t and "1.4× their share" in t for t in texts)
    assert any("1 First St" in t and "15 predictions" in t for t in texts)
    beta_only = [f.text for f in overview.findings(tiny_con, Filters(departments=("beta",)))]
    assert beta_only != texts


def test_the_most_predicted_location_over_all_time_a_window_and_a_block_group_filter(tiny_con):
    # 1 First St: 10 + 5 predictions of alpha's 26 (all time, from the locations stored at load); on Jan 2 its 5
    # are alpha's only ones (from the cells); majority Black keeps block group 010010000011, which holds it alone.
    assert overview.top_location(tiny_con, Filters()) == {
        "where": "1 First St", "name": "Alpha City, Ala.", "predictions": 15, "share": pytest.approx(15 / 26)}
    dated = overview.top_location(tiny_con, Filters(start=date(2020, 1, 2), end=date(2020, 1, 2)))
    assert (dated["where"], dated["predictions"], dated["share"]) == ("1 First St", 5, pytest.approx(1.0))
    black = overview.top_location(tiny_con, Filters(majority=("black",)))
    assert (black["predictions"], black["share"]) == (15, pytest.approx(1.0))
    assert overview.top_location(tiny_con, Filters(departments=("beta",)))["where"] == "36.0050, -119.9950"


def test_narrowing_names_the_filter_that_empties(tiny_con):
    table = overview.narrowing(tiny_con, Filters(departments=("alpha",), majority=("asian",)), {"alpha": "Alpha"})
    assert list(table["filter"]) == ["no filter", "department", "race"]
    assert list(table["predictions"]) == [35, 26, 0]


def test_real_data_headline_matches_the_published_counts(real_con):
    h = overview.headline(real_con, Filters())
    assert h["predictions"] == 6_280_691
    assert h["locations"] == 103_648
    # The Markup's 6,060 block groups less Indianapolis's 597 (no predictions), each GEOID once
    geoids = set()
    for path in (SHARED_DATA / "markup-prediction-bias" / "block_groups").glob("*.json"):
        if not path.name.startswith("indianapolis"):
            geoids |= {f["properties"]["id"] for f in json.loads(path.read_text())["features"]}
    assert h["block_groups"] == len(geoids) < 6_060 - 597
    assert (h["departments"], h["departments_listed"]) == (38, 39)
    # 38% of predictions in majority Black or Latino block groups, where 38.1% of residents live: parity
    assert round(h["share_residents_black_latino_majority"], 3) == 0.381
    assert round(h["share_predictions_black_latino_majority"], 2) == 0.38
    texts = [f.text for f in overview.findings(real_con, Filters(), h, overview.department_summary(real_con, Filters()))]
    assert any("at parity with their share" in t and "Black or Latino" in t for t in texts)
    plainfield = overview.headline(real_con, Filters(departments=("plainfieldpdnj",)))
    assert plainfield["block_groups"] == 35
