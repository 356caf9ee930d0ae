"""benchmarks/compare_mode.py runs on a small data set and measures every view it names (the times themselves are
benchmarks, never asserted)."""
from __future__ import annotations

from benchmarks import compare_mode


def test_every_view_and_exclusion_is_measured(tiny_dir):
    rows = compare_mode.measure(tiny_dir, repeat=1, site=(36.005, -119.98467))
    # No exclusion: 3 compare views; each of the 4 exclusion sets: its build, the 3 views, Overview's, Disparities'
    # and Audit's with and without (the tiny data has no crime reports: no Accuracy row).
    assert len(rows) == 3 + 4 * 7
    assert [label for label, _, _ in rows[:3]] == ["none"] * 3
    assert {what for _, what, _ in rows} >= {"Overview: A and B's headlines", "Audit: with and without (A)",
                                            "build the exclusion's tables (first use only)"}
    assert all(wall >= 0 and cpu >= 0 for _, _, (wall, cpu) in rows)
    assert compare_mode.table(rows).splitlines()[0] == "| exclusion | what | wall ms | CPU ms |"
