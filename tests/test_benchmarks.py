"""The benchmark harness still runs end to end at a small size and writes its table (no timings asserted)."""
from __future__ import annotations

import re

from benchmarks import run, workloads


def test_harness_writes_the_results_table(tmp_path):
    out = tmp_path / "results.md"
    assert run.main(["--predictions", "50000", "--repeat", "1", "--out", str(out)]) == 0
    text = out.read_text()
    assert "50,000 synthetic predictions (lib.data.demo, seed 7, three shape; 3 departments, 119 block groups)" in text
    assert "`python -m benchmarks.run --predictions 50000 --repeat 1 --out" in text
    # how steady the machine was: the same loop timed before and after the run
    assert re.search(r"a fixed single-threaded Python loop took \d+\.\d\d s before it and \d+\.\d\d s after", text)
    for measure in ("Cold load", "Warm start", "overview: queries per interaction",
                    "overview: full script run per interaction", "Peak memory, app process (`streamlit run`",
                    "Peak memory, app process (`streamlit run`, 10 readers at once, each walking every page; issue #24)",
                    "Peak memory, cold-load process (issue #24)", "Cold load (issue #24, at 6M predictions)",
                    "Peak memory, harness process",
                    "DuckDB vs pandas"):
        assert measure in text, measure
    # every page appears in the AppTest table, and no page raised
    for page in workloads.PAGES:
        assert re.search(rf"^\| {page}( \(placeholder\))? \|.*\| none \|$", text, re.M), page
    # pandas and DuckDB agreed on every aggregation (the 'Same result' column; the speed goal row is not a test)
    agreement = re.findall(r"ms\) \| [\d.,]+× \| (yes|\*\*no\*\*) \|$", text, re.M)
    assert agreement and set(agreement) == {"yes"}


def test_only_the_ratio_prints_both_sides_of_every_aggregation(capsys):
    assert run.main(["--predictions", "50000", "--repeat", "1", "--only", "ratio"]) == 0
    text = capsys.readouterr().out
    from benchmarks.compare import LABELS
    for label in LABELS.values():
        assert re.search(rf"^\| {re.escape(label)} \| [\d,]+ ms .*\| [\d.,]+× \| yes \|$", text, re.M), label
    assert re.search(r"^smallest ratio [\d.,]+×$", text, re.M)


def test_national_checks_compare_the_stored_outlines_and_count_the_groups(tiny_dir, capsys):
    from benchmarks import national
    assert national.main(["outlines", "--data", str(tiny_dir)]) == 0
    text = capsys.readouterr().out
    # all departments, alpha, beta, and the majority Black or Latino block groups (alpha's two, beta's one)
    assert re.search(r"^\| all departments \| 6 \|", text, re.M)
    assert re.search(r"^\| majority Black or Latino block groups \| 3 \|", text, re.M)
    assert "Same collections with and without the stored outlines in all 4 views." in text
    assert national.main(["groups", "--data", str(tiny_dir), "--repeat", "1"]) == 0
    # alpha's four locations and beta's two
    assert re.search(r"^\| tiny \| 6 \| \d+ ms \| \d+ ms \| \d+ ms \| \d+ ms \|$", capsys.readouterr().out, re.M)


def test_rewriting_results_keeps_every_section_the_report_did_not_write():
    from benchmarks.run import other_tools_sections
    old = ("# Benchmark results\n\n## Goals\n| a |\n\n## Past one machine\ntext\n\n"
           "## Concurrent users (benchmarks/load.py) — 2026-11-28\nload table\n\n"
           "## Past one machine: 20M predictions, one department\nscale table\n\n"
           "## Memory and readers (issue #24, mem helper) — 2026-12-06\nmemory\n\n## Interactions\npages\n\n"
           "## Reading this run (hand-written)\nstale\n\n## Cold load at 6M, cold helper\nfigures\n")
    assert other_tools_sections(old) == ["## Concurrent users (benchmarks/load.py) — 2026-11-28\nload table\n",
                                         "## Past one machine: 20M predictions, one department\nscale table\n",
                                         "## Memory and readers (issue #24, mem helper) — 2026-12-06\nmemory\n",
                                         "## Cold load at 6M, cold helper\nfigures\n"]


def test_load_check_counts_cpu_time_of_live_processes_only():
    import os

    from benchmarks.load import cpu_seconds
    sum(i * i for i in range(200_000))  # some CPU time of our own
    assert cpu_seconds([os.getpid()]) > 0
    assert cpu_seconds([2 ** 22 + 1]) == 0


def test_load_report_against_a_server_elsewhere_says_what_it_did_not_measure():
    from argparse import Namespace
    from pathlib import Path

    from benchmarks.load import report
    args = Namespace(users=10, seconds=60.0, think=0.0, url="http://elsewhere:8501")
    latencies = {"pick a department": [0.4, 0.6, 1.0], "open Disparities": [1.2, 1.9]}
    cpu = {"wall": 60.0, "server": 0.0, "browser": 30.0}
    text = report(args, Path("data/demo"), latencies, [], None, (0.5, 1.0), cpu)
    assert "against the app server at http://elsewhere:8501" in text
    assert "| **all** | 5 | 1.00 | 1.90 | 1.90 |" in text
    assert "app server" not in text.split("CPU time")[1]  # no server CPU reported as zero
    assert "Chromium 30 s (6.00 s per interaction" in text
    assert "**met** (memory not checked here)" in text
    local = report(Namespace(users=10, seconds=60.0, think=0.0, url=None), Path("data/demo"), latencies,
                   ["pick a department: TimeoutError: (no message)"], 1100.0, (0.5, 1.0), {**cpu, "server": 5.0})
    assert "Server peak resident memory (VmHWM): 1,100 MB" in local and "**NOT met**." in local
    assert "app server 5 s (1.00 s per interaction)" in local


def test_peak_memory_is_the_measured_process_own():
    """A phase runs in a child process; its peak is its own, not the parent's (getrusage's ru_maxrss would
    report at least the parent's 300 MB here: Linux keeps it across exec)."""
    import subprocess
    import sys
    ballast = bytearray(300 << 20)
    ballast[::4096] = b"\1" * len(ballast[::4096])  # touch every page, so it is resident
    assert run.peak_rss_mb() >= 300
    child = subprocess.run([sys.executable, "-c", "from benchmarks.run import peak_rss_mb; print(peak_rss_mb())"],
                           capture_output=True, text=True, check=True, cwd=run.REPO)
    assert 5 < float(child.stdout) < 200
    del ballast


def test_the_ab_table_gives_medians_and_the_ratio_to_the_first_app(tmp_path, capsys):
    from benchmarks import ab
    results = {("/map", 0): [(3.0, 2.4), (2.8, 2.2), (3.2, 2.6)],   # medians 3.00 and 2.40
               ("/map", 1): [(2.0, 1.2), (1.8, 1.5), (1.9, 1.1)]}   # medians 1.90 and 1.20: 1.20 / 2.40 = 0.50
    table = ab.markdown(results, ["before", "after"]).splitlines()
    assert table[2] == "| `/map` | before | 3.00 | 2.40 | 1.00× |"
    assert table[3] == "| `/map` | after | 1.90 | 1.20 | 0.50× |"
    assert ab.main(["--data", str(tmp_path / "none"), "--apps", str(tmp_path), str(tmp_path)]) == 2
    assert "not a directory: " in capsys.readouterr().err
