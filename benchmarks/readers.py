"""Many readers without browsers: `python -m benchmarks.readers [--readers 10 50] [--rounds 2] [--think S]
[--arrival burst|ramp] [--data DIR] [--browsers N] [--no-record]`.

Starts one app server on 127.0.0.1 (stopped at the end) on a warm cache and, for each count of readers in turn,
has that many sessions speak Streamlit's websocket protocol (benchmarks/streamlit_client.py) at once: each opens
the app (all at the same moment; reported apart, not in the percentiles), then walks the journey `--rounds` times,
all starting in the same instant (`--arrival burst`, the default and the worst case) or each at a random moment within
the first pause (`--arrival ramp`, with `--think`):
picks a department, opens every page, adds a majority filter, narrows the dates, opens an Audit tab, goes back to
the Overview and resets the filters. Every page and filter change is one interaction, timed from the request to
the server's final `script_finished`. Reports p50/p95 per interaction, errors (an exception shown on the page, a
compile error, a page not found, a timeout or a closed connection), the server's CPU time per interaction (from
/proc/PID/stat, every thread) and its peak resident memory (VmHWM) after each count, and the CPU this process used
(it shares the machine's cores with the server, as the browsers of benchmarks/load.py do).

`--browsers N` adds the cross-check: on the same server, N Chromium pages walk benchmarks/load.py's Overview journey
for `--browser-seconds`, then N protocol readers walk the same journey as long; the server's CPU per interaction
both ways says whether the simulated clicks cost the server what real ones do.

Before any count, one reader walks the journey once untimed, as the first reader of a warm server would (the
shared caches of st.cache_data and lib.ui.figure then hold the views of one department).
Goals (issue #24): p95 <= 1 s with 10 readers and <= 3 s with 50, no errors; peak memory under 600 MB.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import partial
from pathlib import Path

from benchmarks.load import cpu_seconds, percentile, real_data
from benchmarks.run import peak_rss_mb
from benchmarks.streamlit_client import ProtocolError, Reader
from tests.e2e.browser import REPO, start_server, stop_server

RESULTS = REPO / "benchmarks" / "RESULTS.md"
SECTION = "## Readers without a browser"
GOAL_P95_S = {10: 1.0, 50: 3.0}
GOAL_MEMORY_MB = 600
PAGES = ("map", "disparities", "accuracy", "audit", "sql", "data_methods")
MAJORITY = ("Black", "Latino", "White")
DATE_WINDOW_DAYS = 90


@dataclass
class Tally:
    """What one reader saw: seconds per interaction, bytes received per interaction, errors."""
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    bytes: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)

    def add(self, name: str, run) -> None:
        self.seconds[name].append(run.seconds)
        self.bytes[name].append(run.bytes)
        for shown in run.exceptions:
            self.errors.append(f"{name}: {shown}")
        if run.status not in ("finished", "fragment finished"):
            self.errors.append(f"{name}: {run.status}")

    @staticmethod
    def merge(tallies: list[Tally]) -> Tally:
        out = Tally()
        for t in tallies:
            for name, values in t.seconds.items():
                out.seconds[name].extend(values)
            for name, values in t.bytes.items():
                out.bytes[name].extend(values)
            out.errors.extend(t.errors)
        return out

    @property
    def interactions(self) -> int:
        return sum(len(v) for v in self.seconds.values())


def date_window(reader: Reader, rng: random.Random) -> tuple[date, date]:
    """A window of DATE_WINDOW_DAYS inside the Dates widget's range, at random."""
    first, last = (date.fromisoformat(d.replace("/", "-")) for d in reader.widget("Dates", "date_input").options)
    span = max((last - first).days - DATE_WINDOW_DAYS, 0)
    start = first + timedelta(days=rng.randint(0, span))
    return start, min(start + timedelta(days=DATE_WINDOW_DAYS), last)


async def timed_step(tally: Tally, rng: random.Random, think: float, name: str, action) -> None:
    """One interaction: await it, count it, then pause as a reader reads (0.5-1.5 x `think` seconds)."""
    tally.add(name, await action)
    if think:
        await asyncio.sleep(rng.uniform(0.5, 1.5) * think)


async def every_page(reader: Reader, tally: Tally, rng: random.Random, names: list[str], think: float) -> None:
    """The journey: every page, and the filter changes a reader makes on the way."""
    step = partial(timed_step, tally, rng, think)
    await step("pick a department", reader.choose("Department", [rng.choice(names)]))
    await step("open Map", reader.navigate("map"))
    await step("open Disparities", reader.navigate("disparities"))
    await step("add a majority filter", reader.choose("Majority group of residents", [rng.choice(MAJORITY)]))
    await step("open Accuracy", reader.navigate("accuracy"))
    if "Dates" in reader.widgets:
        await step("narrow the dates", reader.pick_dates("Dates", *date_window(reader, rng)))
    await step("open Audit", reader.navigate("audit"))
    tabs = reader.tab_labels()
    if len(tabs) > 1:
        await step("open an Audit tab", reader.open_tab(rng.choice(tabs[1:])))
    await step("open SQL", reader.navigate("sql"))
    await step("open Data & methods", reader.navigate("data_methods"))
    await step("back to Overview", reader.navigate(""))
    await step("reset filters", reader.click("Reset filters"))


async def overview_journey(reader: Reader, tally: Tally, rng: random.Random, names: list[str], think: float) -> None:
    """benchmarks/load.py's Chromium journey, step for step, for the cross-check."""
    step = partial(timed_step, tally, rng, think)
    await step("pick a department", reader.choose("Department", [rng.choice(names)]))
    await step("add a majority filter", reader.choose("Majority group of residents", [rng.choice(MAJORITY)]))
    await step("open Disparities", reader.navigate("disparities"))
    await step("back to Overview", reader.navigate(""))
    await step("reset filters", reader.click("Reset filters"))


JOURNEYS = {"every page": every_page, "overview": overview_journey}


@dataclass
class Start:
    """The starting gun: readers that have opened the app wait on it; the clock starts when all have."""
    event: asyncio.Event = field(default_factory=asyncio.Event)
    ready: int = 0
    deadline: float | None = None
    ramp: bool = False


async def one_reader(url: str, seed: int, names: list[str], journey: str, think: float, start: Start,
                     rounds: int | None) -> tuple[Tally, float | None]:
    """Open the app, wait for every reader to have opened it, then walk the journey `rounds` times (or, with no
    rounds, until the start's deadline). Returns the tally and the seconds the first visit took (None if it
    failed)."""
    rng, tally = random.Random(seed), Tally()
    first_visit = None
    reader = Reader(url)
    try:
        await reader.__aenter__()
        opened = await reader.open()
        first_visit = opened.seconds
        tally.errors += [f"first visit: {e}" for e in opened.exceptions]
    except (ProtocolError, OSError) as exc:
        tally.errors.append(f"first visit: {exc}")
    start.ready += 1
    await start.event.wait()
    if think and start.ramp:  # each arrives at a random moment of the first pause, not all in the same instant
        await asyncio.sleep(rng.uniform(0, think))
    done = 0
    while first_visit is not None and (done < rounds if rounds else time.monotonic() < start.deadline):
        try:
            await JOURNEYS[journey](reader, tally, rng, names, think)
        except (ProtocolError, OSError) as exc:  # a user-visible failure: count it and start afresh
            tally.errors.append(str(exc)[:300])
            await reader.close()
            reader = Reader(url)
            try:
                await reader.__aenter__()
                await reader.open()
            except (ProtocolError, OSError) as again:
                tally.errors.append(f"reconnect: {again}")
                break
        done += 1
    await reader.close()
    return tally, first_visit


async def crowd(url: str, readers: int, names: list[str], journey: str, think: float, server_pid: int,
                rounds: int | None = None, seconds: float | None = None, ramp: bool = False) -> dict:
    """`readers` sessions at once; the clock and the CPU counters start once all have opened the app. `ramp`:
    each reader's first interaction comes at a random moment within one pause instead of all at once."""
    start = Start(ramp=ramp)
    opening = time.monotonic()
    tasks = [asyncio.create_task(one_reader(url, seed, names, journey, think, start, rounds))
             for seed in range(readers)]
    while start.ready < readers:
        await asyncio.sleep(0.05)
    opened_in = time.monotonic() - opening
    server_before, own_before = cpu_seconds([server_pid]), cpu_seconds([os.getpid()])
    started = time.monotonic()
    start.deadline = started + seconds if seconds else None
    start.event.set()
    results = await asyncio.gather(*tasks)
    wall = time.monotonic() - started
    return {"readers": readers, "journey": journey, "arrival": "ramp" if ramp and think else "burst", "tally": Tally.merge([t for t, _ in results]), "wall": wall,
            "opened_in": opened_in, "first_visits": [f for _, f in results if f is not None],
            "server_cpu": cpu_seconds([server_pid]) - server_before,
            "own_cpu": cpu_seconds([os.getpid()]) - own_before,
            "peak_mb": peak_rss_mb(server_pid), "rss_mb": memory_mb(server_pid, "VmRSS")}


def memory_mb(pid: int | str, field_name: str) -> float:
    """A memory figure of /proc/PID/status (VmRSS, VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def top_departments(data_dir: Path, cache: Path, count: int = 8) -> list[str]:
    """The names the Department filter shows for the `count` departments with most predictions, as
    benchmarks/load.py's readers pick them."""
    from lib.analysis import overview
    from lib.data import load
    from lib.filters import Filters
    con = load.load(data_dir, cache_dir=cache).connect()
    try:
        return list(overview.department_summary(con, Filters())["name"].head(count))
    finally:
        con.close()


# -- report ----------------------------------------------------------------------------------------

def seconds_row(name: str, values: list[float], sizes: list[int] | None = None) -> str:
    size = f" {statistics.median(sizes) / 1024:,.0f} |" if sizes else " |"
    return (f"| {name} | {len(values)} | {statistics.median(values):.2f} | {percentile(values, 0.95):.2f} | "
            f"{max(values):.2f} |" + size)


def crowd_section(level: dict, cores: int) -> list[str]:
    tally, n = level["tally"], level["readers"]
    everything = [v for values in tally.seconds.values() for v in values]
    per_interaction = level["server_cpu"] / max(tally.interactions, 1)
    goal = GOAL_P95_S.get(n)
    p95 = percentile(everything, 0.95) if everything else float("nan")
    met = bool(everything) and not tally.errors and (goal is None or p95 <= goal)
    firsts = level["first_visits"]
    arrival = {"burst": "all starting at once", "ramp": "arrivals spread over the first pause"}[
        level.get("arrival", "burst")]
    lines = [f"### {n} readers, {level['journey']} journey, {arrival}", "",
             "| interaction | n | p50 (s) | p95 (s) | max (s) | median KB received |", "|---|---:|---:|---:|---:|---:|"]
    lines += [seconds_row(name, values, tally.bytes[name]) for name, values in tally.seconds.items()]
    if everything:
        lines.append(seconds_row("**all**", everything))
    lines += ["",
              f"First visits (all {n} sessions opening the app at once, not in the table): "
              + (f"median {statistics.median(firsts):.2f} s, slowest {max(firsts):.2f} s; " if firsts else "")
              + f"all open after {level['opened_in']:.1f} s. "
              f"Errors: {len(tally.errors)}"
              + ("" if not tally.errors else " — " + "; ".join(sorted(set(tally.errors))[:5])) + ". "
              f"{tally.interactions} interactions in {level['wall']:.0f} s: server CPU {level['server_cpu']:.0f} s, "
              f"**{per_interaction:.2f} s per interaction** (at most {cores / per_interaction if per_interaction else 0:.1f} "
              f"interactions a second on {cores} cores); this load generator {level['own_cpu']:.1f} s "
              f"({level['own_cpu'] / max(tally.interactions, 1):.2f} s per interaction) on the same cores. "
              f"Server memory after this count: peak (VmHWM) {level['peak_mb']:,.0f} MB, resident now "
              f"{level['rss_mb']:,.0f} MB."
              + (f" Goal (p95 <= {goal:g} s, no errors): **{'met' if met else 'NOT met'}** (p95 {p95:.2f} s)."
                 if goal else ""), ""]
    return lines


def report(args, data_dir: Path, levels: list[dict], cross: dict | None, load_avg: tuple) -> str:
    cores = os.cpu_count() or 1
    lines = [f"{SECTION} (benchmarks/readers.py) — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", "",
             f"`python -m benchmarks.readers {' '.join(args.argv)}`. One app server on 127.0.0.1, warm cache, data "
             f"`{data_dir}`; readers speak Streamlit's websocket protocol (no browser), each walking the journey "
             f"{args.rounds} time(s)"
             + (f", pausing {args.think:g} s on average (0.5–1.5×) after each interaction" if args.think
                else ", with no pause between interactions")
             + f". Machine: {cores} cores shared with other work (load average {load_avg[0]:.1f} before, "
             f"{load_avg[1]:.1f} after).", ""]
    for level in levels:
        lines += crowd_section(level, cores)
    if cross:
        browser, protocol = cross["browser"], cross["protocol"]
        b_per = browser["server"] / max(browser["interactions"], 1)
        p_per = protocol["server_cpu"] / max(protocol["tally"].interactions, 1)
        lines += [f"### Cross-check: {cross['users']} Chromium pages vs {cross['users']} protocol readers, "
                  "benchmarks/load.py's Overview journey, same server", "",
                  "| client | interactions | server CPU (s) | server CPU per interaction (s) | p50 (s) | p95 (s) | errors |",
                  "|---|---:|---:|---:|---:|---:|---:|",
                  f"| Chromium (benchmarks/load.py) | {browser['interactions']} | {browser['server']:.1f} | {b_per:.3f} | "
                  f"{browser['p50']:.2f} | {browser['p95']:.2f} | {browser['errors']} |",
                  f"| protocol readers | {protocol['tally'].interactions} | {protocol['server_cpu']:.1f} | {p_per:.3f} | "
                  + " | ".join(f"{percentile(_all(protocol), q):.2f}" for q in (0.5, 0.95))
                  + f" | {len(protocol['tally'].errors)} |", "",
                  f"Server CPU per interaction, protocol / Chromium: **{p_per / b_per if b_per else float('nan'):.2f}×** "
                  f"(Chromium's own CPU: {browser['browser']:.0f} s; the latencies differ because Chromium's pages "
                  "also draw each run and share the cores).", ""]
    return "\n".join(lines)


def _all(level: dict) -> list[float]:
    return [v for values in level["tally"].seconds.values() for v in values] or [float("nan")]


# -- main ------------------------------------------------------------------------------------------

async def _browsers(url: str, users: int, seconds: float, names: list[str], pid: int) -> dict:
    from benchmarks import load
    people, cpu = await load.drive(url, users, seconds, names, 0.0, pid)
    latencies, errors = load.summarise(people)
    everything = [v for values in latencies.values() for v in values] or [float("nan")]
    return {"interactions": len([v for values in latencies.values() for v in values]), "server": cpu["server"],
            "browser": cpu["browser"], "errors": len(errors), "p50": percentile(everything, 0.5),
            "p95": percentile(everything, 0.95)}


async def measure(url: str, pid: int, names: list[str], args) -> tuple[list[dict], dict | None]:
    warm = await crowd(url, 1, names, "every page", 0.0, pid, rounds=1)
    if warm["tally"].errors:
        raise SystemExit("the untimed first journey failed: " + "; ".join(warm["tally"].errors[:3]))
    levels = []
    for readers in args.readers:
        print(f"{readers} readers…", file=sys.stderr)
        levels.append(await crowd(url, readers, names, "every page", args.think, pid, rounds=args.rounds,
                                  ramp=args.arrival == "ramp"))
    cross = None
    if args.browsers:
        print(f"cross-check: {args.browsers} Chromium pages, then as many protocol readers…", file=sys.stderr)
        browser = await _browsers(url, args.browsers, args.browser_seconds, names, pid)
        protocol = await crowd(url, args.browsers, names, "overview", 0.0, pid, seconds=args.browser_seconds)
        cross = {"users": args.browsers, "browser": browser, "protocol": protocol}
    return levels, cross


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.readers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readers", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--rounds", type=int, default=2, help="journeys per reader (default 2)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause in seconds after each interaction (default 0: as fast as the server answers)")
    parser.add_argument("--arrival", choices=["burst", "ramp"], default="burst",
                        help="burst (default): every reader's first interaction in the same instant; ramp: each at "
                             "a random moment within the first pause (needs --think)")
    parser.add_argument("--data", help="data directory (default: the real data, imported once, as benchmarks/load.py)")
    parser.add_argument("--cache", help="cache directory (default: PP_CACHE_DIR, the app's own)")
    parser.add_argument("--browsers", type=int, default=0, help="cross-check with this many Chromium pages (default: none)")
    parser.add_argument("--browser-seconds", type=float, default=60)
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)

    from lib.data import load
    data_dir = Path(args.data) if args.data else real_data()
    cache = Path(args.cache) if args.cache else load.cache_root()
    names = top_departments(data_dir, cache)  # also builds the typed cache, before any clock starts
    with tempfile.TemporaryDirectory(prefix="pp-readers-") as work:
        server = start_server(data_dir, cache, Path(work) / "server.log")
        try:
            before = os.getloadavg()[0]
            levels, cross = asyncio.run(measure(server.url, server.process.pid, names, args))
            after = os.getloadavg()[0]
        finally:
            stop_server(server)
    text = report(args, data_dir, levels, cross, (before, after))
    print(text)
    if not args.no_record:
        with RESULTS.open("a") as out:
            out.write("\n" + text)
        print(f"appended to {RESULTS}", file=sys.stderr)
    return 0 if all(not level["tally"].errors for level in levels) else 1


if __name__ == "__main__":
    raise SystemExit(main())
