"""The command line: exit codes, reports on stdout, no tracebacks."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from lib import cli

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib.cli", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600)


def test_validate_clean_directory_exits_zero_and_lists_warnings(tiny_dir, capsys):
    assert cli.main(["validate", str(tiny_dir)]) == 0
    out = capsys.readouterr().out
    assert "predictions: 7 rows loaded" in out
    assert "pp_report_locations_geocoded.csv, line 6, column lat/lon" in out


def test_validate_invalid_directory_exits_non_zero_with_line_and_column(tiny_dir, capsys):
    path = tiny_dir / "pp_report_locations_geocoded.csv"
    path.write_text(path.read_text().replace("alpha,33.005,-86.985,3", "alpha,33.005,-86.985,three"))
    assert cli.main(["validate", str(tiny_dir)]) == 1
    out = capsys.readouterr().out
    assert "ERROR" in out and "line 4, column count: found 'three'; expected a whole number" in out
    assert "predictions: 6 rows loaded, 1 set aside" in out


def test_missing_required_file_is_one_message_not_a_traceback(tiny_dir):
    (tiny_dir / "block_groups.geojson").unlink()
    result = run_cli("validate", str(tiny_dir))
    assert result.returncode == 1
    assert "block_groups.geojson: required file is missing" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_missing_directory_is_a_message(tmp_path):
    result = run_cli("validate", str(tmp_path / "nope"))
    assert result.returncode == 1 and "does not exist" in result.stdout
    assert "Traceback" not in result.stderr


def test_demo_command_writes_a_loadable_directory(tmp_path, capsys):
    assert cli.main(["demo", str(tmp_path / "d"), "--predictions", "1000", "--seed", "3"]) == 0
    assert '"pp_report_locations_geocoded.csv": 1000' in capsys.readouterr().out
    assert cli.main(["validate", str(tmp_path / "d")]) == 0


def test_analysis_on_an_unusable_directory_exits_one_with_the_report(tiny_dir, capsys):
    (tiny_dir / "departments.csv").unlink()
    result = run_cli("disparities", str(tiny_dir))
    assert result.returncode == 1 and "departments.csv: required file is missing" in result.stdout


def test_disparities_ranks_on_the_published_counts_when_asked(tiny_dir, tmp_path, capsys):
    from tests.pages.test_disparities_page import PUBLISHED_COUNTS
    assert cli.main(["disparities", str(tiny_dir), "--counts", "published"]) == 2
    assert "has no published per-block-group counts" in capsys.readouterr().err
    (tiny_dir / "block_group_counts.csv").write_text(PUBLISHED_COUNTS)
    shares = {}
    for counts in ("points", "published"):
        out = tmp_path / f"{counts}.csv"
        assert cli.main(["disparities", str(tiny_dir), "--counts", counts, "--out", str(out)]) == 0
        table = pd.read_csv(out)
        shares[counts] = table[table["group"] == "black"].set_index("department")["share_most_targeted"]
    # By hand (tests/pages/test_disparities_page.py): on the published counts alpha's most-targeted block group is
    # A2 (20 of 200 Black) and beta's is B1 (30 of 300).
    assert shares["published"].round(6).to_dict() == {"alpha": 0.1, "beta": 0.1}
    assert shares["points"].round(6).to_dict() != shares["published"].round(6).to_dict()
