"""The 20-million-prediction, one-department check (issue #9, "Past one machine").

`python -m benchmarks.scale [--predictions N] [--source DIR] [--repeat K] [--no-record] [--results FILE]`

The demo generator makes three departments, so asking it for 20 million predictions would make each
department bigger, which is not the question. This scales out instead: benchmarks/data/scaled-N holds
the source directory's files plus copies of its departments under new slugs (rivertonpdnj ->
rivertonpdnj_c1, "Riverton, N.J. (demo copy 1)"), added until the predictions reach N. The key
everywhere is (department, geoid), so the copies keep their block groups and coordinates. The
original departments' rows are left byte for byte as they were, so the measured department is the
one the source run measures.

Then, on the source and on the scaled directory alike, each phase in a fresh process: cold load
(time, peak memory), warm start, and every page workload (benchmarks/workloads.py) for the four
interactions on the source's largest department, with the peak memory of that process. Last, one
process times those workloads at both sizes in turn (phase_paired), for the ratios. Appends a section
to benchmarks/RESULTS.md unless --no-record.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from lib import schema
from lib.db import literal

REPO = Path(__file__).resolve().parents[1]
DATA_ROOT = REPO / "benchmarks" / "data"
DEFAULT_SOURCE = DATA_ROOT / "demo-6000000"
DEFAULT_PREDICTIONS = 20_000_000
DEFAULT_RESULTS = REPO / "benchmarks" / "RESULTS.md"
SOURCE_FILE = "source.json"
# Cloning streams the CSVs through DuckDB; this keeps it well under the app's 1 GB.
CLONE_MEMORY_LIMIT = "400MB"
# "Same time" read as: the 20M median within this factor of the 6M median, either way, or the two sizes' runs
# overlapping (see differs).
SAME_TIME = 1.25
# When the cold load runs out of DuckDB memory under lib.data.load's own limit, the cache is built
# again with this one, so the serving side (what this check is about) can still be measured.
RAISED_BUILD_LIMIT = "2GB"


# -- cloning ---------------------------------------------------------------------------------

def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _reader(con, path: Path) -> tuple[str, str, list[str]]:
    """read_csv(...) text for the file as DuckDB sniffs it (every column as text), its delimiter, its columns."""
    delimiter, quote = con.execute("SELECT Delimiter, Quote FROM sniff_csv(?)", [str(path)]).fetchall()[0]
    reader = (f"read_csv({literal(str(path))}, all_varchar = true, header = true, "
              f"delim = {literal(delimiter)}, quote = {literal(quote if quote != '(empty)' else '')})")
    columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
    return reader, delimiter, columns


def department_totals(con, source: Path) -> dict[str, int]:
    """Predictions per department of the source, in departments.csv order (departments without any left out)."""
    spec = schema.spec("predictions")
    reader, _, columns = _reader(con, source / spec.file)
    mapping, _ = schema.match_columns(spec, columns)
    count = f"coalesce(TRY_CAST({_quote(mapping['count'])} AS BIGINT), 1)" if "count" in mapping else "1"
    totals = dict(con.execute(f"SELECT trim({_quote(mapping['department'])}), sum({count}) FROM {reader} "
                              "GROUP BY 1").fetchall())
    reader, _, columns = _reader(con, source / schema.spec("departments").file)
    slug = _quote(schema.match_columns(schema.spec("departments"), columns)[0]["department"])
    order = [row[0] for row in con.execute(f"SELECT trim({slug}) FROM {reader}").fetchall()]
    return {d: int(totals[d]) for d in order if totals.get(d)}


def plan(totals: dict[str, int], predictions: int) -> list[tuple[str, str, int]]:
    """(original slug, copy slug, copy number) in the order added: round after round over the
    departments, until the total reaches `predictions`."""
    copies, total, k = [], sum(totals.values()), 0
    while total < predictions:
        k += 1
        for department, n in totals.items():
            if total >= predictions:
                break
            copies.append((department, f"{department}_c{k}", k))
            total += n
    return copies


def _append(dest: Path, part: Path) -> None:
    with dest.open("rb+") as out:
        out.seek(0, os.SEEK_END)
        if out.tell():
            out.seek(-1, os.SEEK_END)
            if out.read(1) != b"\n":
                out.write(b"\n")
        with part.open("rb") as rows:
            shutil.copyfileobj(rows, out, 1 << 22)
    part.unlink()


def _clone_csv(con, source: Path, dest: Path, spec: schema.FileSpec, copies: list[tuple[str, str, int]]) -> None:
    """dest = the source file unchanged, then each copied department's rows under its new slug."""
    shutil.copyfile(source, dest)
    reader, delimiter, columns = _reader(con, source)
    mapping, _ = schema.match_columns(spec, columns)
    if "department" not in mapping:
        return  # e.g. sites.csv without a department column: the loader fills it from the block groups
    slug = _quote(mapping["department"])
    for original, copy, k in copies:
        replaced = [f"{literal(copy)} AS {slug}"]
        if spec.table == "departments" and "name" in mapping:
            name = _quote(mapping["name"])
            replaced.append(f"CASE WHEN {name} LIKE '%)' THEN left({name}, length({name}) - 1) || ' copy {k})' "
                            f"ELSE {name} || ' (copy {k})' END AS {name}")
        part = dest.with_name(dest.name + ".part")
        con.execute(f"COPY (SELECT * REPLACE ({', '.join(replaced)}) FROM {reader} "
                    f"WHERE trim({slug}) = {literal(original)}) "
                    f"TO {literal(str(part))} (FORMAT csv, HEADER false, DELIMITER {literal(delimiter)})")
        _append(dest, part)


def _clone_geojson(source: Path, dest: Path, copies: list[tuple[str, str, int]]) -> None:
    collection = json.loads(source.read_text(encoding="utf-8-sig"))
    features = collection.get("features") or []
    keys = sorted({k for f in features for k in (f.get("properties") or {})})
    key = schema.match_columns(schema.spec("block_groups"), keys)[0].get("department")
    if key:
        by_department: dict[str, list] = {}
        for feature in features:
            by_department.setdefault(str((feature.get("properties") or {}).get(key, "")).strip(), []).append(feature)
        for original, copy, _ in copies:
            features += [{**f, "properties": {**f["properties"], key: copy}} for f in by_department.get(original, [])]
    dest.write_text(json.dumps(collection, separators=(",", ":")))


def clone(source: Path, dest: Path, predictions: int) -> dict:
    """Write `dest`: the source directory scaled out to at least `predictions` by copying departments.
    Returns what source.json records about it."""
    source, dest = Path(source), Path(dest)
    work = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{CLONE_MEMORY_LIMIT}'")
    try:
        totals = department_totals(con, source)
        copies = plan(totals, predictions)
        for path in sorted(p for p in source.iterdir() if p.is_file() and p.name != SOURCE_FILE):
            spec = schema.FILES_BY_NAME.get(path.name)
            if spec and spec.kind == "csv":
                _clone_csv(con, path, work / path.name, spec, copies)
            elif spec and spec.kind == "geojson":
                _clone_geojson(path, work / path.name, copies)
            else:
                shutil.copyfile(path, work / path.name)
    finally:
        con.close()
    original = json.loads((source / SOURCE_FILE).read_text(encoding="utf-8-sig")) \
        if (source / SOURCE_FILE).exists() else {}
    per_department = {**totals, **{copy: totals[original_slug] for original_slug, copy, _ in copies}}
    record = {**original,
              "title": f"{original.get('title', source.name)}, scaled out by copying departments",
              "generator": "python -m benchmarks.scale",
              "target_predictions": predictions, "predictions": sum(per_department.values()),
              "scaled_from": str(source.resolve()), "copies": {copy: o for o, copy, _ in copies},
              "department_predictions": per_department}
    (work / SOURCE_FILE).write_text(json.dumps(record, indent=2))
    shutil.rmtree(dest, ignore_errors=True)
    work.rename(dest)
    return record


def scaled_dir_for(source: Path, predictions: int, root: Path = DATA_ROOT) -> tuple[Path, dict]:
    """root/scaled-N, written once and reused while its source.json says N from this source."""
    dest = root / f"scaled-{predictions}"
    record_path = dest / SOURCE_FILE
    if record_path.exists():
        record = json.loads(record_path.read_text())
        if record.get("target_predictions") == predictions and record.get("scaled_from") == str(source.resolve()):
            return dest, record
    print(f"cloning departments of {source} up to {predictions:,} predictions in {dest}", file=sys.stderr)
    return dest, clone(source, dest, predictions)


# -- measuring (each phase in a fresh process) -----------------------------------------------

def phase_queries(data_dir: Path, cache_dir: Path, repeat: int, department: str) -> dict:
    """Warm start, then every page workload once per interaction on `department`: the process's peak memory
    after each page, and the answers (phase_paired times them)."""
    from benchmarks import workloads
    from benchmarks.run import _open, peak_rss_mb
    _, con, options = _open(data_dir, cache_dir)
    steps = workloads.interactions(con, options, department)
    out: dict = {"opened_mb": peak_rss_mb(), "peak_after": {},
                 "interactions": {s.name: s.filters.describe(options.departments, subject="Predictions")
                                  for s in steps}}
    for page, fn in workloads.available().items():
        for s in steps:
            fn(con, s.filters)
        out["peak_after"][page] = peak_rss_mb()
    out["answers"] = answers(con, steps)
    out["peak_mb"] = peak_rss_mb()
    return out


def answers(con, steps) -> dict[str, str]:
    """A digest of the Overview headline and the Disparities table per interaction: the measured
    department must give the same answers whatever else the data holds (but the headline's count of
    every prediction in the data, which is meant to grow)."""
    from lib.analysis import disparities, overview
    out = {}
    for s in steps:
        figures = {k: v for k, v in overview.headline(con, s.filters).items() if k != "predictions_in_data"}
        headline = json.dumps(figures, sort_keys=True)
        table = disparities.disparity_table(con, s.filters).round(9).to_csv(index=False)
        out[s.name] = hashlib.sha256((headline + table).encode()).hexdigest()[:12]
    return out


def differs(small: dict, large: dict) -> bool:
    """Whether one view's time changed with the data: its medians more than SAME_TIME apart and every run at one
    size slower than every run at the other (min, median, max of each; the runs are paired in time, so a
    host's drift cannot separate them). Noise alone puts a median past 1.25x on a 20 ms query now and then;
    with 5 runs a side it separates the two sets of runs once in 126 by chance."""
    ratio = large["median"] / small["median"]
    return (ratio > SAME_TIME and large["min"] > small["max"]) or (ratio < 1 / SAME_TIME and large["max"] < small["min"])


def phase_paired(small: tuple[Path, Path], large: tuple[Path, Path], repeat: int, department: str) -> dict:
    """Every page workload on `department` at both sizes in one process, each run at one size followed by
    one at the other, the order swapped every repeat: the host's speed drifts (this one's by a third within
    minutes), and timing the sizes in turn puts the drift on both sides alike. `small` and `large` are
    (data directory, cache directory) with the cache built."""
    from benchmarks import workloads
    from benchmarks.run import _open, cpu_seconds, summary, timed
    sides = {}
    for name, (data_dir, cache_dir) in (("small", small), ("large", large)):
        _, con, options = _open(data_dir, cache_dir)
        sides[name] = (con, {s.name: s.filters for s in workloads.interactions(con, options, department)})
    out: dict = {"small": {}, "large": {}}
    for page, fn in workloads.available().items():
        for step in sides["small"][1]:
            walls: dict = {"small": [], "large": []}
            cpus: dict = {"small": [], "large": []}
            for con, filters in sides.values():  # untimed: the first run in a process opens the files
                fn(con, filters[step])
            for r in range(repeat):
                for name in (("small", "large") if r % 2 == 0 else ("large", "small")):
                    con, filters = sides[name]
                    cpu = cpu_seconds()
                    walls[name].append(timed(fn, con, filters[step]))
                    cpus[name].append(cpu_seconds() - cpu)
            for name in out:
                out[name].setdefault(page, {})[step] = {**summary(walls[name]), "cpu": statistics.median(cpus[name])}
    return out


def phase_cold_raised(data_dir: Path, cache_dir: Path, repeat: int) -> dict:
    from benchmarks import run
    from lib.data import load
    load.BUILD_MEMORY_LIMIT = RAISED_BUILD_LIMIT
    return run.phase_cold(data_dir, cache_dir, repeat)


def _phase(name: str):
    from benchmarks import run
    phases = {"cold": run.phase_cold, "cold_raised": phase_cold_raised, "warm": run.phase_warm}
    if name in phases:
        return lambda data, cache, repeat, department: phases[name](data, cache, repeat)
    return phase_queries


def in_process(phase: str, data_dir: Path, cache_dir: Path, repeat: int, department: str,
               also: tuple[Path, Path] | None = None) -> dict:
    """One phase in a fresh process; `also` is the paired phase's second (data, cache)."""
    env = {**os.environ, "PP_CACHE_DIR": str(cache_dir)}
    extra = ["--also-data", str(also[0]), "--also-cache", str(also[1])] if also else []
    done = subprocess.run([sys.executable, "-m", "benchmarks.scale", "--phase", phase, "--data", str(data_dir),
                           "--cache", str(cache_dir), "--repeat", str(repeat), "--department", department, *extra],
                          cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"phase {phase} on {data_dir} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(data_dir: Path, cache_dir: Path, repeat: int, department: str) -> dict:
    """Cold load once (fresh cache), warm start `repeat` times, then the page workloads."""
    load = os.getloadavg()[0]
    failed = None
    try:
        cold = in_process("cold", data_dir, cache_dir, repeat, department)
    except RuntimeError as error:
        failed = next((line for line in str(error).splitlines() if "Error" in line), str(error)[-300:])
        print(f"{data_dir.name}: cold load failed ({failed}); building with DuckDB limit {RAISED_BUILD_LIMIT}",
              file=sys.stderr)
        shutil.rmtree(cache_dir, ignore_errors=True)
        cold = in_process("cold_raised", data_dir, cache_dir, repeat, department)
    cold["failed"] = failed
    print(f"{data_dir.name}: cold load {cold['seconds']:.1f} s, peak {cold['peak_mb']:,.0f} MB", file=sys.stderr)
    warms = [in_process("warm", data_dir, cache_dir, repeat, department) for _ in range(repeat)]
    queries = in_process("queries", data_dir, cache_dir, repeat, department)
    print(f"{data_dir.name}: pages measured, peak {queries['peak_mb']:,.0f} MB", file=sys.stderr)
    from benchmarks.run import summary
    from lib.data.load import load as load_dir
    dataset = load_dir(data_dir, cache_dir)
    return {"cold": cold, "warm": summary([w["seconds"] for w in warms]),
            "warm_peak_mb": max(w["peak_mb"] for w in warms), "queries": queries, "load_before": round(load, 2),
            "rows": dataset.rows, "errors": dataset.error_count,
            "cache_mb": sum(p.stat().st_size for p in dataset.store.rglob("*") if p.is_file()) / 2**20}


# -- report ----------------------------------------------------------------------------------

def _code_state() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.rstrip("\n") if done.returncode == 0 else ""
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = [line[3:] for line in git("status", "--porcelain", "--", "lib", "benchmarks").splitlines()
               if not line[3:].startswith("benchmarks/data")]
    return f"commit {commit}" + (f" plus uncommitted changes to {', '.join(changed)}" if changed else "")


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f}M" if n >= 1_000_000 else f"{n:,}"


def report(results: dict) -> str:
    from benchmarks.run import ms, secs
    m, small, large = results["machine"], results["source"], results["scaled"]
    record, department = results["record"], results["department"]
    n_small, n_large = sum(results["source_totals"].values()), record["predictions"]
    label_small, label_large = _size(n_small), _size(n_large)
    per = record["department_predictions"]
    lines = [
        "", "## Past one machine: 20M predictions, one department", "",
        f"Measured by `python -m benchmarks.scale --predictions {record['target_predictions']} --repeat "
        f"{results['repeat']}` on {m['date']} ({results['code']}). Machine: {m['cores']} cores, "
        f"{m['memory_gb']} GB; load average (1 min) {small['load_before']} before the {label_small} phases and "
        f"{large['load_before']} before the {label_large} phases (5-minute average at the end: "
        f"{m['load_average']}); above {m['cores']}, other work shared the cores and wall times are inflated.",
        "",
        f"Data: `{results['source_name']}` ({n_small:,} predictions, {len(results['source_totals'])} departments) "
        f"and `{Path(results['scaled_dir']).name}`, the same directory with its departments copied under new "
        f"slugs ({n_large:,} predictions, {len(per)} departments, {large['rows'].get('block_groups'):,} block "
        f"groups): " + ", ".join(f"{d} {n:,}" for d, n in per.items()) + ". "
        f"Both measured on the original `{department}` ({per[department]:,} predictions, byte-identical rows), "
        "each phase but the paired timing in a fresh process.",
        "",
        f"| Measure | {label_small} | {label_large} | Ratio |", "|---|---|---|---|",
        f"| Cold load (CSVs → typed cache) | {secs(small['cold']['seconds'])} | {secs(large['cold']['seconds'])} | "
        f"{large['cold']['seconds'] / small['cold']['seconds']:.2f}× |",
        f"| Cold load, CPU time | {secs(small['cold']['cpu_seconds'])} | {secs(large['cold']['cpu_seconds'])} | "
        f"{large['cold']['cpu_seconds'] / small['cold']['cpu_seconds']:.2f}× |",
        f"| Cold load, peak memory | {small['cold']['peak_mb']:,.0f} MB | {large['cold']['peak_mb']:,.0f} MB | "
        f"{large['cold']['peak_mb'] / small['cold']['peak_mb']:.2f}× |",
        f"| Typed cache on disk | {small['cache_mb']:,.0f} MB | {large['cache_mb']:,.0f} MB | "
        f"{large['cache_mb'] / small['cache_mb']:.2f}× |",
        f"| Warm start, median of {results['repeat']} | {secs(small['warm']['median'])} | "
        f"{secs(large['warm']['median'])} | {large['warm']['median'] / small['warm']['median']:.2f}× |",
        f"| Warm start, peak memory | {small['warm_peak_mb']:,.0f} MB | {large['warm_peak_mb']:,.0f} MB | "
        f"{large['warm_peak_mb'] / small['warm_peak_mb']:.2f}× |",
        f"| Pages process (warm start + every workload below), peak memory | {small['queries']['peak_mb']:,.0f} MB | "
        f"{large['queries']['peak_mb']:,.0f} MB | {large['queries']['peak_mb'] / small['queries']['peak_mb']:.2f}× |",
        f"| Load errors | {small['errors']} | {large['errors']} | |",
        "",
    ]
    for label, side in ((label_small, small), (label_large, large)):
        if side["cold"].get("failed"):
            lines += [f"**The cold load at {label} failed** under lib/data/load.py's DuckDB limit "
                      f"(BUILD_MEMORY_LIMIT): `{side['cold']['failed']}`. The cold-load figures above for {label} "
                      f"are a second build with the limit raised to {RAISED_BUILD_LIMIT} by this script (not the "
                      "app's setting), so the serving side could be measured.", ""]
    lines += [
        f"Per page and interaction: the lib calls the page makes (benchmarks/workloads.py), median (min–max) of "
        f"{results['repeat']} runs at each size, both sizes in one process and timed in turn (a run at one, then "
        f"one at the other, the order swapped every repeat, so a drift in the host's speed falls on both); "
        f"ratio = {label_large} median / {label_small} median, and the same for the process's CPU time (every "
        "DuckDB thread counted).",
        "",
        f"| Page | Interaction | {label_small} | {label_large} | Ratio | CPU ratio |",
        "|---|---|---|---|---|---|",
    ]
    ratios, cpu_ratios = [], []
    for page, steps in results["paired"]["small"].items():
        for step, a in steps.items():
            b = results["paired"]["large"][page][step]
            ratio, cpu_ratio = b["median"] / a["median"], b["cpu"] / a["cpu"] if a["cpu"] else float("nan")
            ratios.append(ratio)
            cpu_ratios.append(cpu_ratio)
            lines.append(f"| {page} | {step} | {ms(a['median'])} ({ms(a['min'])}–{ms(a['max'])}) | "
                         f"{ms(b['median'])} ({ms(b['min'])}–{ms(b['max'])}) | {ratio:.2f}× | {cpu_ratio:.2f}× |")
    peaks = ", ".join(f"{p} {small['queries']['peak_after'][p]:,.0f} / {large['queries']['peak_after'][p]:,.0f}"
                      for p in small["queries"]["peak_after"])
    differ = [s for s, digest in small["queries"]["answers"].items() if large["queries"]["answers"][s] != digest]
    changed = [f"{page} / {step}" for page, steps in results["paired"]["small"].items() for step, a in steps.items()
               if differs(a, results["paired"]["large"][page][step])]
    outside = sum(not 1 / SAME_TIME <= r <= SAME_TIME for r in ratios)
    peak = large["queries"]["peak_mb"]
    lines += [
        "",
        "Same answers for the measured department at both sizes (a digest of the Overview headline but its "
        "count of all predictions in the data, and of the Disparities table, per interaction): " + ("yes, for every interaction." if not differ else
                                                  f"**no**, they differ for: {', '.join(differ)}."),
        "",
        f"Peak memory of the pages process after each page ({label_small} / {label_large}, MB; it only grows): "
        f"{peaks}. After the warm start alone: {small['queries']['opened_mb']:,.0f} / "
        f"{large['queries']['opened_mb']:,.0f} MB.",
        "",
        f"- **Same per-interaction time for one department**: {'met' if not changed else '**not met**'} — "
        f"{label_large}/{label_small} ratio of medians {min(ratios):.2f}–{max(ratios):.2f}× (median "
        f"{statistics.median(ratios):.2f}×; CPU time {min(cpu_ratios):.2f}–{max(cpu_ratios):.2f}×, median "
        f"{statistics.median(cpu_ratios):.2f}×) over {len(ratios)} page × interaction pairs; {outside} outside "
        f"{SAME_TIME:g}× either way, " + (f"of which slower or faster in every run: {', '.join(changed)}."
                                           if changed else "none of them slower or faster in every run.")
        + " (\"Same\": medians within "
        f"{SAME_TIME:g}× either way, or the runs at the two sizes overlapping; benchmarks/scale.py, differs.)",
        f"- **App-process memory under 1 GB at {label_large}**: {'met' if peak < 1024 else '**not met**'} — "
        f"pages process peak {peak:,.0f} MB ({small['queries']['peak_mb']:,.0f} MB at {label_small}); "
        f"warm start {large['warm_peak_mb']:,.0f} MB; cold-load process {large['cold']['peak_mb']:,.0f} MB.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictions", type=int, default=DEFAULT_PREDICTIONS)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--repeat", type=int, default=5, help="runs per size and view; with 5, two unchanged sets of runs separate once in 126 (differs)")
    parser.add_argument("--no-record", action="store_true", help="print the section, do not append it")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument("--phase", choices=("cold", "cold_raised", "warm", "queries", "paired"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--also-data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--also-cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--department", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)
    if args.phase == "paired":
        result = phase_paired((args.data, args.cache), (args.also_data, args.also_cache), repeat, args.department)
        print(json.dumps(result, default=str))
        return 0
    if args.phase:
        print(json.dumps(_phase(args.phase)(args.data, args.cache, repeat, args.department), default=str))
        return 0

    from benchmarks.run import machine
    source = args.source.resolve()
    scaled, record = scaled_dir_for(source, args.predictions)
    con = duckdb.connect()
    totals = department_totals(con, source)
    con.close()
    # Copies tie with their original, so name the department rather than let the workload pick the largest.
    department = max(totals, key=totals.get)
    scratch = Path(tempfile.mkdtemp(prefix="pp-scale-"))
    try:
        small = measure(source, scratch / "source", repeat, department)
        scratch.with_suffix(".source.json").write_text(json.dumps(small, indent=1, default=str))
        large = measure(scaled, scratch / "scaled", repeat, department)
        paired = in_process("paired", source, scratch / "source", repeat, department, (scaled, scratch / "scaled"))
        print("both sizes timed in turn", file=sys.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results = {"machine": machine(), "repeat": repeat, "code": _code_state(), "department": department,
               "source_name": source.name, "source_totals": totals, "scaled_dir": str(scaled), "record": record,
               "source": small, "scaled": large, "paired": paired}
    raw = scratch.with_suffix(".json")
    raw.write_text(json.dumps(results, indent=1, default=str))
    print(f"raw results: {raw}", file=sys.stderr)
    text = report(results)
    print(text)
    if not args.no_record:
        with args.results.open("a") as out:
            out.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
