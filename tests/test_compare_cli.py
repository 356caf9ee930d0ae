"""python -m lib.cli compare, and --exclude on disparities and audit."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from lib import cli
from tests.test_cli import run_cli


def test_compare_prints_both_selections_as_json(tiny_dir, capsys):
    assert cli.main(["compare", str(tiny_dir), "--a", "dept=beta", "--b", "?dept=alpha&excl=artefacts",
                     "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["a"] == "Block groups in Beta Town, Calif." and out["b"] == "Block groups in Alpha City, Ala."
    assert out["link"] == "dept=beta&cmp=1&b_dept=alpha"
    figures = {row["figure"]: row for row in out["figures"]}
    assert (figures["predictions"]["a"], figures["predictions"]["b"]) == (9, 26)
    assert figures["per_1000_black_latino"]["words"].startswith(
        "B's majority Black or Latino block groups received 3.9× the predictions per resident of A's")
    assert out["exclusion_effects_a"] is None  # A's link has no excl: B's is not read


def test_compare_with_exclusions_as_text_and_a_sheet(tiny_dir, capsys, tmp_path):
    sheet = tmp_path / "comparison.html"
    assert cli.main(["compare", str(tiny_dir), "--a", "dept=alpha", "--b", "dept=beta&dept=nowhere",
                     "--exclude", "outside", "--html", str(sheet)]) == 0
    captured = capsys.readouterr()
    assert "Ignored unknown department in --b: 'nowhere'." in captured.err
    assert "Predictions: A 24, B 9. B had 0.38× (62% less) the predictions of A (9 against 24)." in captured.out
    assert "A without points outside the jurisdiction: Predictions: 26 → 24 (-7.7%)" in captured.out
    text = sheet.read_text()
    assert "<td>Predictions</td><td>24</td><td>9</td><td>B had 0.38× (62% less) the predictions of A" in text
    assert "<td>Predictions</td><td>points outside the jurisdiction</td><td>26 → 24 (-7.7%)</td>" in text
    assert "dept=alpha&amp;excl=outside&amp;cmp=1&amp;b_dept=beta" in text


def test_disparities_without_the_points_outside(tiny_dir, capsys, tmp_path):
    out = tmp_path / "table.csv"
    assert cli.main(["disparities", str(tiny_dir), "--exclude", "outside", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    # The 2 predictions outside alpha's block groups never enter a ranking: the table is the same.
    assert table.query("department == 'alpha' and group == 'black'")["share_most_targeted"].item() == \
        pytest.approx(0.6)
    err = capsys.readouterr().err
    assert "No exclusion takes out a prediction inside a block group here" in err
    assert "Nothing changes without points outside the jurisdiction — the 2 predictions it takes out lie in no " \
           "block group" in err


def test_an_unknown_exclusion_is_one_message(tiny_dir):
    result = run_cli("audit", str(tiny_dir), "--exclude", "artefacts,jails")
    assert result.returncode == 2
    assert "argument --exclude: unknown exclusion 'jails': expected a comma-separated list of artefacts, " \
           "outside, geocoding" in result.stderr
    assert "Traceback" not in result.stderr


def test_leaving_out_artefact_sites_of_data_without_any_says_so(tiny_dir, capsys):
    assert cli.main(["compare", str(tiny_dir), "--a", "dept=alpha", "--b", "dept=beta", "--exclude", "artefacts"]) == 0
    captured = capsys.readouterr()
    assert "Leaving out artefact sites takes out nothing here: this data's site list (sites.csv) has no police " \
           "station, jail, court or hospital with coordinates" in captured.err
    assert "Predictions: A 26, B 9." in captured.out
