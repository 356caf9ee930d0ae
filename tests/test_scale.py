"""benchmarks/scale.py scales a data directory out by copying departments (no timings asserted)."""
from __future__ import annotations

import json

from benchmarks import scale
from lib.data import load
from tests.conftest import DEMO_DIR


def test_tiny_doubled_by_copying_both_departments(tiny_dir, tmp_path):
    scaled, record = scale.scaled_dir_for(tiny_dir, 70, root=tmp_path)
    assert scaled == tmp_path / "scaled-70"
    # alpha has 26 predictions and beta 9 (tests/fixtures.py): one copy of each makes 70
    assert record["department_predictions"] == {"alpha": 26, "beta": 9, "alpha_c1": 26, "beta_c1": 9}
    assert record["predictions"] == 70 and record["copies"] == {"alpha_c1": "alpha", "beta_c1": "beta"}
    # the original rows come first, byte for byte
    for name in ("departments.csv", "pp_report_locations_geocoded.csv", "census-block_group-race_ethnicity.csv"):
        assert (scaled / name).read_bytes().startswith((tiny_dir / name).read_bytes()), name

    dataset = load.load(scaled)
    assert dataset.error_count == 0
    con = dataset.connect()
    rows = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    assert rows("SELECT department, name FROM departments ORDER BY department") == [
        ("alpha", "Alpha City, Ala."), ("alpha_c1", "Alpha City, Ala. (copy 1)"),
        ("beta", "Beta Town, Calif."), ("beta_c1", "Beta Town, Calif. (copy 1)")]
    assert rows("SELECT department, sum(count) FROM predictions GROUP BY 1 ORDER BY 1") == [
        ("alpha", 26), ("alpha_c1", 26), ("beta", 9), ("beta_c1", 9)]
    # the copy keeps its block groups, census rows and point placement: A1 has 15 predictions
    assert rows("SELECT count(*) FROM block_groups WHERE department = 'alpha_c1'") == [(4,)]
    assert rows("SELECT black, total FROM race WHERE department = 'alpha_c1' AND geoid = '010010000011'") == [
        (60, 100)]
    assert rows("SELECT sum(count) FROM predictions WHERE department = 'alpha_c1' AND geoid = '010010000011'") \
        == [(15,)]
    con.close()


def test_demo_doubled_with_every_department_file(tmp_path):
    source = json.loads((DEMO_DIR / "source.json").read_text())["predictions"]
    scaled, record = scale.scaled_dir_for(DEMO_DIR, 2 * source, root=tmp_path)
    assert record["predictions"] == 2 * source
    assert sorted(record["copies"]) == ["cedarfallspdga_c1", "lakesidepdca_c1", "rivertonpdnj_c1"]
    original, doubled = load.load(DEMO_DIR), load.load(scaled)
    assert doubled.error_count == 0
    for table in ("departments", "predictions", "race", "income", "block_groups", "crime_reports",
                  "prediction_counts", "patrols", "sites"):
        assert doubled.rows[table] == 2 * original.rows[table], table
    # excluded_addresses has no department column: copied as it is
    assert doubled.rows["excluded_addresses"] == original.rows["excluded_addresses"]
    con = doubled.connect()
    assert con.execute("SELECT name FROM departments WHERE department = 'rivertonpdnj_c1'").fetchall() == [
        ("Riverton, N.J. (demo copy 1)",)]
    con.close()
    # a second call with the same size reuses the folder rather than writing it again
    stamp = (scaled / "pp_report_locations_geocoded.csv").stat().st_mtime_ns
    assert scale.scaled_dir_for(DEMO_DIR, 2 * source, root=tmp_path)[0] == scaled
    assert (scaled / "pp_report_locations_geocoded.csv").stat().st_mtime_ns == stamp


def test_plan_adds_whole_departments_round_after_round():
    totals = {"a": 50, "b": 30, "c": 20}
    assert scale.plan(totals, 100) == []
    assert scale.plan(totals, 230) == [("a", "a_c1", 1), ("b", "b_c1", 1), ("c", "c_c1", 1), ("a", "a_c2", 2)]


def test_paired_timing_runs_the_sizes_in_turn(tiny_dir, tmp_path, monkeypatch):
    """phase_paired times each workload at one size, then the other, swapping the order every repeat, after
    an untimed run at each; every run reads the measured department at its own size."""
    from benchmarks import run, workloads
    scaled, _ = scale.scaled_dir_for(tiny_dir, 70, root=tmp_path)
    calls = []

    def page(con, f):
        calls.append((con.execute("SELECT count(*) FROM departments").fetchall()[0][0], f.departments))

    monkeypatch.setattr(workloads, "available", lambda: {"page": page})
    clock = iter(range(1000))
    monkeypatch.setattr(run, "timed", lambda fn, *args: (fn(*args), next(clock))[1])
    out = scale.phase_paired((tiny_dir, tmp_path / "small"), (scaled, tmp_path / "large"), 3, "alpha")
    # 2 departments in the source, 4 in the scaled copy; each interaction: untimed small, large, then timed
    # (small, large), (large, small), (small, large)
    sizes = [n for n, _ in calls]
    assert sizes[:8] == [2, 4, 2, 4, 4, 2, 2, 4] and len(sizes) == 4 * 8
    assert {d for _, d in calls} == {("alpha",)}
    # the timed values reach each side in the order they ran: 0, 3, 4 at the small size and 1, 2, 5 at the large
    assert out["small"]["page"]["department"]["median"] == 3 and out["large"]["page"]["department"]["median"] == 2
    assert set(out["small"]["page"]) == {"department", "income bracket", "race filter", "date range"}


def test_a_view_changed_only_past_the_band_and_in_every_run():
    run = lambda lo, mid, hi: {"min": lo, "median": mid, "max": hi}  # noqa: E731
    # 79 -> 99 ms is 1.25x+, but the runs overlap (73-99 against 82-103): noise, not the data
    assert not scale.differs(run(0.073, 0.079, 0.099), run(0.082, 0.099, 0.103))
    # every run at the large size slower than every run at the small one, by more than 1.25x
    assert scale.differs(run(0.020, 0.022, 0.024), run(0.030, 0.032, 0.035))
    # ... or faster
    assert scale.differs(run(0.030, 0.032, 0.035), run(0.020, 0.022, 0.024))
    # separated but within the band: the same time
    assert not scale.differs(run(0.020, 0.021, 0.022), run(0.023, 0.025, 0.026))
