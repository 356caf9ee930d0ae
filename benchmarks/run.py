"""Benchmark harness: `python -m benchmarks.run [--predictions N] [--shape three|national] [--data DIR] [--out FILE]
[--repeat K] [--only cold|sessions|ratio]`.

Generates (lib.data.demo) or reuses benchmarks/data/demo-N (national-N for the national shape), or measures the data
directory DIR as it is (the real data included), then measures, each as median / min / max:
cold load (CSVs to the typed cache, fresh cache directory), warm start (cache present, to a usable
connection), the lib queries behind each page for four typical filter changes, each page's full script
run through AppTest, the peak resident memory of each process, the same aggregations done with pandas reading the
CSVs, and the served app's peak memory, first with one browser opening every page in every state, then with
SESSIONS readers at once (benchmarks/readers.py's protocol readers) each walking every page. Writes a Markdown
report (benchmarks/RESULTS.md by default).

Every phase runs in its own Python process so one phase's memory never inflates another's peak:
the "app" process is what a Streamlit server holds after the data is loaded.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA_ROOT = REPO / "benchmarks" / "data"
DEFAULT_OUT = REPO / "benchmarks" / "RESULTS.md"
PAST_ONE_MACHINE = REPO / "benchmarks" / "past_one_machine.md"
DEFAULT_PREDICTIONS = 6_000_000
SEED = 7
LIBRARIES = ("duckdb", "pandas", "pyarrow", "numpy", "streamlit", "plotly", "shapely")
GOALS = {"query": 0.25, "page": 1.5, "warm": 2.0, "cold": 30.0, "memory_mb": 1024, "ratio": 5.0}
# Issue #24 (Community Cloud's 690 MB at the low end): the served app with SESSIONS readers and a cold load, at
# 6M predictions; the real data's cold load tighter. Its cold-load time goal is for 6M.
CLOUD_GOALS = {"sessions_mb": 600, "cold_mb": 600, "real_cold_mb": 400, "cold": 20.0}
SESSIONS = 10


def summary(seconds: list[float]) -> dict:
    return {"median": statistics.median(seconds), "min": min(seconds), "max": max(seconds), "runs": len(seconds)}


def cpu_seconds() -> float:
    """CPU time of this process, every DuckDB thread included: on a busy machine, wall time
    measures the neighbours too, this does not."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb(pid: int | str = "self") -> float:
    """Peak resident memory of a process so far, in MB (Linux's VmHWM). Not getrusage's ru_maxrss: Linux keeps
    that across exec, so every phase's child process reported at least the harness's own peak at the fork (a
    warm start read 446 MB in the scale check's 6M and 20M children alike, where VmHWM reads about 200 MB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


# -- data -----------------------------------------------------------------------------------

def data_dir_for(predictions: int, shape: str = "three") -> Path:
    """benchmarks/data/demo-N (national-N for the national shape), generated once and reused while its source.json
    says N."""
    from lib.data import demo
    directory = DATA_ROOT / (f"demo-{predictions}" if shape == demo.DEFAULT_SHAPE else f"{shape}-{predictions}")
    source = directory / "source.json"
    if source.exists() and json.loads(source.read_text()).get("predictions") == predictions:
        return directory
    print(f"generating {predictions:,} predictions ({shape} shape) in {directory}", file=sys.stderr)
    demo.generate(directory, predictions=predictions, seed=SEED, shape=shape)
    return directory


def data_kind(data_dir: Path) -> str:
    """source.json's kind ("demo", "real"), or "" for a directory without one."""
    source = data_dir / "source.json"
    try:
        return str(json.loads(source.read_text()).get("kind", ""))
    except (OSError, ValueError, AttributeError):
        return ""


# -- phases (each in its own process) ---------------------------------------------------------

def phase_cold(data_dir: Path, cache_dir: Path, repeat: int) -> dict:
    from lib.data import load
    cpu = cpu_seconds()
    seconds = timed(load.load, data_dir, cache_dir)
    return {"seconds": seconds, "cpu_seconds": cpu_seconds() - cpu, "peak_mb": peak_rss_mb()}


def _open(data_dir: Path, cache_dir: Path):
    from lib.data import load
    from lib.filters import filter_options
    dataset = load.load(data_dir, cache_dir)
    con = dataset.connect()
    return dataset, con, filter_options(con)


def phase_warm(data_dir: Path, cache_dir: Path, repeat: int) -> dict:
    cpu = cpu_seconds()
    seconds = timed(_open, data_dir, cache_dir)
    return {"seconds": seconds, "cpu_seconds": cpu_seconds() - cpu, "peak_mb": peak_rss_mb()}


@contextmanager
def _apptest_navigation():
    """AppTest forgets the st.navigation flag between runs (the workaround tests/conftest.py applies)."""
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.pages_manager import PagesManager

    class NavigationPagesManager(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    app_test.PagesManager = NavigationPagesManager
    try:
        yield
    finally:
        app_test.PagesManager = PagesManager


def _set_filters(at, f, options) -> None:
    at.multiselect(key="flt_departments").set_value(list(f.departments))
    if options.brackets:
        at.multiselect(key="flt_brackets").set_value(list(f.top_brackets))
    at.multiselect(key="flt_majority").set_value(list(f.majority))
    if options.first_date:
        at.date_input(key="flt_dates").set_value((f.start or options.first_date, f.end or options.last_date))


def phase_app(data_dir: Path, cache_dir: Path, repeat: int) -> dict:
    import streamlit as st

    from benchmarks import compare, workloads
    from tests.apptest import run_app

    os.environ["PP_CACHE_DIR"] = str(cache_dir)
    dataset, con, options = _open(data_dir, cache_dir)
    steps = workloads.interactions(con, options)
    out: dict = {"interactions": {s.name: s.filters.describe(options.departments, subject="Predictions")
                                  for s in steps},
                 "queries": {}, "pages": {}, "duckdb": {}}
    live = workloads.available()
    for page, fn in live.items():
        out["queries"][page] = {s.name: summary([timed(fn, con, s.filters) for _ in range(repeat)])
                                for s in steps}
    out.update(_duckdb_cases(con, repeat))
    with _apptest_navigation():
        for view in [*workloads.PAGES, *workloads.OPEN_VIEWS]:
            page, state = workloads.OPEN_VIEWS.get(view, (view, {}))
            at = run_app(data_dir, page=f"pages/{page}.py")
            if state:
                for key, value in state.items():
                    at.session_state[key] = value
                at.run()
            record: dict = {"built": view in live or page == "sql", "errors": [e.value for e in at.exception]}
            seconds: dict[str, list[float]] = {s.name: [] for s in steps}
            for _ in range(repeat):
                # Each replay of the four changes starts from empty caches, so a change misses every cache
                # keyed on what it changed; a result that does not depend on it (Accuracy's, on an income
                # filter) is reused, as in the app.
                st.cache_data.clear()
                for s in steps:
                    _set_filters(at, s.filters, options)
                    seconds[s.name].append(timed(at.run))
                    record["errors"] += [e.value for e in at.exception]
            record.update({name: summary(values) for name, values in seconds.items()})
            out["pages"][view] = record
    out["peak_mb"] = peak_rss_mb()
    return out


def _duckdb_cases(con, repeat: int) -> dict:
    from benchmarks import compare
    case = compare.case_for(con)
    return {"duckdb": {name: summary([timed(compare.duckdb_case, con, name, case) for _ in range(repeat)])
                       for name in compare.DUCKDB},
            "case": {"department": case.department, "start": str(case.start), "end": str(case.end)}}


def phase_duckdb(data_dir: Path, cache_dir: Path, repeat: int) -> dict:
    """The DuckDB side of the pandas comparison alone (phase_app measures it too, among the pages)."""
    _, con, _ = _open(data_dir, cache_dir)
    return _duckdb_cases(con, repeat)


def phase_pandas(data_dir: Path, cache_dir: Path, repeat: int) -> dict:
    from benchmarks import compare
    start = time.perf_counter()
    frames = compare.pandas_read(data_dir)
    read_seconds = time.perf_counter() - start
    _, con, _ = _open(data_dir, cache_dir)
    case = compare.case_for(con)
    out = {"read_seconds": read_seconds, "cases": {}, "agree": {}}
    for name in compare.DUCKDB:
        out["cases"][name] = summary([timed(compare.pandas_case, frames, name, case) for _ in range(repeat)])
        out["agree"][name] = compare.same(compare.pandas_case(frames, name, case),
                                          compare.duckdb_case(con, name, case))
    out["peak_mb"] = peak_rss_mb()
    return out


def phase_server(data_dir: Path, cache_dir: Path, repeat: int) -> dict:
    """The app as it is served: `streamlit run` on the warm cache, one headless Chromium opening every page in every state of the four changes, as readers following shared
    links (a new session each). Reports the server process's peak resident memory (VmHWM)."""
    from urllib.parse import urlencode

    from playwright.sync_api import sync_playwright

    from benchmarks import workloads
    from tests.e2e.browser import exceptions, launch_browser, open_page, start_server, stop_server

    dataset, con, options = _open(data_dir, cache_dir)
    steps = workloads.interactions(con, options)
    con.close()
    views, errors = 0, []
    with tempfile.TemporaryDirectory(prefix="pp-bench-server-") as work:
        server = start_server(data_dir, cache_dir, Path(work) / "server.log")
        try:
            with sync_playwright() as p:
                browser = launch_browser(p)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                for name in workloads.PAGES:
                    for s in steps:
                        query = urlencode(s.filters.to_query_params(), doseq=True)
                        open_page(page, server, ("/" if name == "overview" else f"/{name}") + f"?{query}")
                        errors += exceptions(page)
                        views += 1
                browser.close()
            peak = peak_rss_mb(server.process.pid)
        finally:
            stop_server(server)
    return {"peak_mb": peak, "views": views, "errors": errors}


def phase_sessions(data_dir: Path, cache_dir: Path, repeat: int) -> dict:
    """The app as it is served, SESSIONS readers at once (benchmarks/readers.py: Streamlit's websocket protocol, no
    browser) each walking every page with filter changes once, after one reader has walked it alone. Reports the
    server's peak resident memory (VmHWM), the readers' p95 and the errors they saw."""
    import asyncio

    from benchmarks import readers
    from benchmarks.load import percentile
    from tests.e2e.browser import start_server, stop_server

    names = readers.top_departments(data_dir, cache_dir)
    with tempfile.TemporaryDirectory(prefix="pp-bench-sessions-") as work:
        server = start_server(data_dir, cache_dir, Path(work) / "server.log")
        try:
            async def walk():
                await readers.crowd(server.url, 1, names, "every page", 0.0, server.process.pid, rounds=1)
                return await readers.crowd(server.url, SESSIONS, names, "every page", 0.0, server.process.pid,
                                           rounds=1)
            level = asyncio.run(walk())
        finally:
            stop_server(server)
    tally = level["tally"]
    everything = [v for values in tally.seconds.values() for v in values]
    return {"peak_mb": level["peak_mb"], "sessions": SESSIONS, "interactions": tally.interactions,
            "p95": percentile(everything, 0.95) if everything else None, "errors": sorted(set(tally.errors)),
            "server_cpu_per_interaction": level["server_cpu"] / max(tally.interactions, 1)}


PHASES = {"cold": phase_cold, "warm": phase_warm, "app": phase_app, "duckdb": phase_duckdb, "pandas": phase_pandas,
          "server": phase_server, "sessions": phase_sessions}


def in_process(phase: str, data_dir: Path, cache_dir: Path, repeat: int) -> dict:
    """Run one phase in a fresh Python process; its last stdout line is the JSON result."""
    env = {**os.environ, "PP_CACHE_DIR": str(cache_dir)}
    done = subprocess.run([sys.executable, "-m", "benchmarks.run", "--phase", phase, "--data", str(data_dir),
                           "--cache", str(cache_dir), "--repeat", str(repeat)],
                          cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"phase {phase} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- report ------------------------------------------------------------------------------------

# The sections this report writes (with past_one_machine.md's "## Past one machine") and the hand-written reading
# of an earlier run of it: replaced when the report is rewritten. Every other section (other tools' dated runs,
# hand-written readings of them) is kept as it is.
HARNESS_SECTIONS = ("## Goals", "## Interactions", "## DuckDB vs pandas", "## Reading this run")
PAST_ONE_MACHINE_HEADING = "## Past one machine"


def other_tools_sections(text: str) -> list[str]:
    """The sections of an earlier RESULTS.md that this report did not write."""
    sections = re.split(r"\n(?=## )", text)[1:]  # the first piece is the report's title and header
    return [s.rstrip("\n") + "\n" for s in sections
            if not s.startswith(HARNESS_SECTIONS) and s.split("\n", 1)[0] != PAST_ONE_MACHINE_HEADING]


def machine() -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gb": round(memory, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "libraries": {name: version(name) for name in LIBRARIES},
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load_average": round(os.getloadavg()[1], 1)}


def speed_check() -> float:
    """Seconds a fixed single-threaded Python loop takes: the machine's speed at that moment. Run before and
    after the phases, it shows whether other work on the host slowed the run (on a steady machine they match)."""
    start, total = time.perf_counter(), 0
    for i in range(5_000_000):
        total += i
    return time.perf_counter() - start


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def spread(s: dict, unit=ms) -> str:
    return f"{unit(s['median'])} ({unit(s['min'])}–{unit(s['max'])})"


def secs(seconds: float) -> str:
    return f"{seconds:,.2f} s"


def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def report(results: dict) -> str:
    m, n, app, pandas = results["machine"], results["predictions"], results["app"], results["pandas"]
    cold, warm = results["cold"], results["warm"]
    what = (f"{n:,} synthetic predictions (lib.data.demo, seed {SEED}, {results['shape']} shape; "
            if results["kind"] == "demo" else f"the data directory `{results['data_dir']}` ({results['kind'] or 'no source.json'}: "
            f"{n:,} predictions, ")
    lines = [
        "# Benchmark results",
        "",
        f"Measured by `python -m benchmarks.run {results['command']}` on "
        f"{m['date']}: {what}"
        f"{results['departments']} departments, {results['block_groups']} block groups). All figures come from "
        "this one run; each is the median (min–max) of the runs shown.",
        "",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB memory, Python {m['python']}, "
        f"{m['platform']}. " + ", ".join(f"{k} {v}" for k, v in m["libraries"].items()) + ". "
        f"Steadiness: load average {m['load_before']} (1 minute) on {m['cores']} cores before the run; a fixed "
        f"single-threaded Python loop took {m['loop_before']:.2f} s before it and {m['loop_after']:.2f} s after "
        "(equal on a steady machine; this host's speed varies with its neighbours' work, so compare figures "
        "within one run, and read wall times near a goal with that in mind).",
        "",
        "## Goals",
        "",
        "| Measure | Goal | Measured | Met |",
        "|---|---|---|---|",
        f"| Cold load (CSVs → typed cache) | < {GOALS['cold']:.0f} s | {spread(cold, secs)} | "
        f"{verdict(cold['median'] < GOALS['cold'])} |",
        f"| Cold load, CPU time of the process | — | {spread(results['cold_cpu'], secs)} | — |",
        f"| Warm start (cache present → usable connection) | < {GOALS['warm']:.0f} s | {spread(warm, secs)} | "
        f"{verdict(warm['median'] < GOALS['warm'])} |",
        f"| Warm start, CPU time of the process | — | {spread(results['warm_cpu'], secs)} | — |",
    ]
    for page, per in app["queries"].items():
        worst = max(per.values(), key=lambda s: s["median"])
        lines.append(f"| {page}: queries per interaction (slowest of {len(per)}) | < {ms(GOALS['query'])} | "
                     f"{spread(worst)} | {verdict(worst['median'] < GOALS['query'])} |")
    for page, record in app["pages"].items():
        if not record["built"]:
            continue
        runs = {k: v for k, v in record.items() if isinstance(v, dict)}
        worst = max(runs.values(), key=lambda s: s["median"])
        lines.append(f"| {page}: full script run per interaction (slowest) | < {GOALS['page']} s | "
                     f"{spread(worst, secs)} | {verdict(worst['median'] < GOALS['page'] and not record['errors'])} |")
    served = results["server"]
    lines.append(f"| Peak memory, app process (`streamlit run`, every page × every interaction in a browser, "
                 f"{served['views']} views) | < 1 GB | {served['peak_mb']:,.0f} MB | "
                 f"{verdict(served['peak_mb'] < GOALS['memory_mb'] and not served['errors'])} |")
    sessions = results["sessions"]
    lines.append(f"| Peak memory, app process (`streamlit run`, {sessions['sessions']} readers at once, each walking "
                 f"every page; issue #24) | < {CLOUD_GOALS['sessions_mb']} MB | {sessions['peak_mb']:,.0f} MB "
                 f"({sessions['interactions']} interactions, p95 {sessions['p95'] or float('nan'):.2f} s, "
                 f"{len(sessions['errors'])} errors) | "
                 f"{verdict(sessions['peak_mb'] < CLOUD_GOALS['sessions_mb'] and not sessions['errors'])} |")
    lines.append(f"| Peak memory, harness process (every query above and every page through AppTest, in one "
                 f"process; not a server) | — | {app['peak_mb']:,.0f} MB | — |")
    lines.append(f"| Peak memory, cold-load process | < 1 GB | {results['cold_peak_mb']:,.0f} MB | "
                 f"{verdict(results['cold_peak_mb'] < GOALS['memory_mb'])} |")
    cold_mb = CLOUD_GOALS["real_cold_mb" if results["kind"] == "real" else "cold_mb"]
    lines.append(f"| Peak memory, cold-load process (issue #24{', real data' if results['kind'] == 'real' else ''}) | "
                 f"< {cold_mb} MB | {results['cold_peak_mb']:,.0f} MB | {verdict(results['cold_peak_mb'] < cold_mb)} |")
    lines.append(f"| Cold load (issue #24, at 6M predictions) | ≤ {CLOUD_GOALS['cold']:.0f} s | {spread(cold, secs)} | "
                 f"{verdict(cold['median'] <= CLOUD_GOALS['cold'])} |")
    ratios = _ratios(app, pandas)
    lines.append(f"| DuckDB vs pandas, same aggregations (smallest ratio) | ≥ {GOALS['ratio']:.0f}× | "
                 f"{min(ratios.values()):,.1f}× | {verdict(min(ratios.values()) >= GOALS['ratio'])} |")
    if sessions["errors"]:
        lines += ["", f"Errors the {sessions['sessions']} readers saw: " + "; ".join(sessions["errors"][:5])[:600] + "."]
    waiting = [p for p, r in app["pages"].items() if not r["built"]]
    if waiting:
        lines += ["", f"Not measured yet (page still a placeholder, no lib/analysis module): {', '.join(waiting)}."]

    lines += ["", "## Interactions", "",
              "Each page is replayed through four filter changes, each from the previous state:", ""]
    lines += [f"- **{name}**: {words}" for name, words in app["interactions"].items()]
    steps = list(app["interactions"])
    lines += ["", "### Queries per page (lib/analysis calls the page makes for one view, no Streamlit and no cache)", "",
              "| Page | " + " | ".join(steps) + " |", "|---" * (len(steps) + 1) + "|"]
    for page, per in app["queries"].items():
        lines.append(f"| {page} | " + " | ".join(spread(per[s]) for s in steps) + " |")
    lines += ["", "### Full script run per page (AppTest: streamlit_app.py + the page; caches emptied before each replay "
              "of the four changes, so each change misses the caches keyed on what it changed)",
              "", "| Page | " + " | ".join(steps) + " | Errors |", "|---" * (len(steps) + 2) + "|"]
    for page, record in app["pages"].items():
        label = page if record["built"] else f"{page} (placeholder)"
        errors = "; ".join(sorted(set(record["errors"])))[:200] or "none"
        lines.append(f"| {label} | " + " | ".join(spread(record[s], secs) for s in steps) + f" | {errors} |")

    case = app["case"]
    lines += ["", "## DuckDB vs pandas", "",
              f"The same aggregations, department `{case['department']}`, window {case['start']} to {case['end']}. "
              "pandas works as the original analysis did: read the CSVs, place each distinct location in its block "
              "group (the same point-in-polygon code the loader uses), then group in memory. "
              f"pandas read + placement took {secs(pandas['read_seconds'])} once "
              f"(peak {pandas['peak_mb']:,.0f} MB); DuckDB reads the typed cache (warm start "
              f"{secs(warm['median'])}). Results were checked equal on both sides.", "",
              "| Aggregation | DuckDB | pandas (in memory) | Ratio | Same result |", "|---|---|---|---|---|"]
    lines += _comparison_rows(app, pandas)
    total_duck = warm["median"] + sum(s["median"] for s in app["duckdb"].values())
    total_pandas = pandas["read_seconds"] + sum(s["median"] for s in pandas["cases"].values())
    lines += ["", f"From files to all five answers: DuckDB (warm start + queries) {secs(total_duck)}, pandas "
              f"(read + place + group) {secs(total_pandas)}: {total_pandas / total_duck:,.1f}×."]
    return "\n".join(lines) + "\n"


def _ratios(duck: dict, pandas: dict) -> dict[str, float]:
    return {k: pandas["cases"][k]["median"] / duck["duckdb"][k]["median"] for k in duck["duckdb"]}


def _comparison_rows(duck: dict, pandas: dict) -> list[str]:
    from benchmarks.compare import LABELS
    ratios = _ratios(duck, pandas)
    return [f"| {LABELS[name]} | {spread(s)} | {spread(pandas['cases'][name])} | {ratios[name]:,.1f}× | "
            f"{'yes' if pandas['agree'][name] else '**no**'} |" for name, s in duck["duckdb"].items()]


def only(phase: str, data_dir: Path, repeat: int = 1) -> int:
    """One figure of the harness, on a quiet host in a minute or two instead of the whole run: the phase in its own
    process on a fresh cache (built first, untimed, for the sessions)."""
    load_before = os.getloadavg()[0]
    scratch = Path(tempfile.mkdtemp(prefix="pp-bench-"))
    try:
        if phase in ("sessions", "ratio"):
            in_process("warm", data_dir, scratch, 1)
        if phase == "ratio":
            result = {"duckdb": in_process("duckdb", data_dir, scratch, repeat),
                      "pandas": in_process("pandas", data_dir, scratch, repeat)}
        else:
            result = in_process(phase, data_dir, scratch, 1)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    where = f"{data_dir} (load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after)"
    if phase == "ratio":
        duck, pandas = result["duckdb"], result["pandas"]
        case = duck["case"]
        print("\n".join([f"DuckDB vs pandas on {where}, department {case['department']}, window {case['start']} to "
                         f"{case['end']}, median of {repeat}; pandas read + placement {pandas['read_seconds']:.2f} s "
                         f"once", "", "| Aggregation | DuckDB | pandas (in memory) | Ratio | Same result |",
                         "|---|---|---|---|---|", *_comparison_rows(duck, pandas), "",
                         f"smallest ratio {min(_ratios(duck, pandas).values()):,.1f}×"]))
    elif phase == "cold":
        print(f"cold load of {where}: peak {result['peak_mb']:,.0f} MB, {result['seconds']:.1f} s wall, "
              f"{result['cpu_seconds']:.1f} s CPU")
    else:
        print(f"{result['sessions']} sessions at once on {where}: server peak {result['peak_mb']:,.0f} MB, "
              f"{result['interactions']} interactions, p95 {result['p95'] or float('nan'):.2f} s, server CPU "
              f"{result['server_cpu_per_interaction']:.3f} s per interaction, errors: {result['errors'] or 'none'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictions", type=int, default=DEFAULT_PREDICTIONS)
    parser.add_argument("--shape", choices=["three", "national"], default="three",
                        help="the generated data's departments: the demo's three towns, or 38 nationwide")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help="measure this data directory (the real data included) instead of "
                                                  "generated data")
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=["cold", "sessions", "ratio"],
                        help="measure one figure and print it, writing no report: cold (cold load's peak memory and "
                             f"time, fresh cache), sessions (served app's peak with {SESSIONS} readers at once) or "
                             "ratio (DuckDB vs pandas, the same aggregations, --repeat times each)")
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.data, args.cache, repeat), default=str))
        return 0
    if args.only:
        return only(args.only, args.data.resolve() if args.data else data_dir_for(args.predictions, args.shape),
                    repeat)

    data_dir = args.data.resolve() if args.data else data_dir_for(args.predictions, args.shape)
    steady = {"load_before": round(os.getloadavg()[0], 1), "loop_before": speed_check()}
    scratch = Path(tempfile.mkdtemp(prefix="pp-bench-"))
    try:
        colds = []
        for run in range(repeat):
            cache = scratch / f"cache-{run}"
            shutil.rmtree(scratch / f"cache-{run - 1}", ignore_errors=True)
            colds.append(in_process("cold", data_dir, cache, repeat))
            print(f"cold load {run + 1}/{repeat}: {colds[-1]['seconds']:.1f} s", file=sys.stderr)
        warms = [in_process("warm", data_dir, cache, repeat) for _ in range(repeat)]
        print("warm start done; measuring pages", file=sys.stderr)
        app = in_process("app", data_dir, cache, repeat)
        print("pages done; measuring pandas", file=sys.stderr)
        pandas = in_process("pandas", data_dir, cache, repeat)
        print("pandas done; measuring the app server's memory", file=sys.stderr)
        served = in_process("server", data_dir, cache, repeat)
        print(f"measuring the app server's memory with {SESSIONS} readers at once", file=sys.stderr)
        sessions = in_process("sessions", data_dir, cache, repeat)
        from lib.data import load
        dataset = load.load(data_dir, cache)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    steady["loop_after"] = speed_check()
    results = {
        "machine": {**machine(), **steady}, "predictions": dataset.rows.get("predictions"), "repeat": repeat,
        "command": " ".join(sys.argv[1:] if argv is None else argv), "kind": data_kind(data_dir),
        "data_dir": data_dir, "shape": args.shape, "sessions": sessions,
        "departments": dataset.rows.get("departments"), "block_groups": dataset.rows.get("block_groups"),
        "cold": summary([c["seconds"] for c in colds]), "cold_peak_mb": max(c["peak_mb"] for c in colds),
        "warm": summary([w["seconds"] for w in warms]), "app": app, "pandas": pandas, "server": served,
        "cold_cpu": summary([c["cpu_seconds"] for c in colds]), "warm_cpu": summary([w["cpu_seconds"] for w in warms]),
    }
    text = report(results)
    if args.out.resolve() == DEFAULT_OUT and PAST_ONE_MACHINE.exists():
        text += "\n" + PAST_ONE_MACHINE.read_text()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    kept = other_tools_sections(args.out.read_text()) if args.out.exists() else []
    args.out.write_text(text + "".join("\n" + section for section in kept))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
