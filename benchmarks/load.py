"""Concurrent users: `python -m benchmarks.load [--users 10] [--seconds 60] [--think S] [--data DIR] [--url URL]
[--no-record]`.

Starts one app server on localhost (always stopped at the end), opens N pages in one headless Chromium, and has
each repeat a scripted filter journey on the Overview until the time is up: pick a department, add a majority
filter, open the Disparities page, come back, reset the filters. Each interaction's latency runs from the action
until the server has reported the script run it causes finished and the page has drawn it (script state
notRunning, no placeholder left); opening a list and typing in it are the user's time and not counted. Reports median and p95
latency per interaction, errors (exception boxes, timeouts), the server's peak resident memory (VmHWM), and
the CPU time the server and Chromium used (they share this machine's cores: which of them the users waited
for); appends the result to benchmarks/RESULTS.md. `--think S` pauses about S seconds after each
interaction, as a reader does; the default 0 clicks as fast as the page allows. `--url` drives a server
already running on another machine with the same data (then its memory and CPU are read there), so the
browsers do not take the server's cores: on one 2-core machine ten Chromium pages need more CPU than it has.

Default data: The Markup's real data, imported from ../shared/data into benchmarks/data/real (git-ignored).
Goal: p95 under 2 s with 10 users, no errors, peak memory under 1 GB.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.run import peak_rss_mb
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, IDLE_JS, RENDER_MS, REPO, start_server, stop_server

RESULTS = REPO / "benchmarks" / "RESULTS.md"
REAL_DIR = REPO / "benchmarks" / "data" / "real"
SHARED = REPO.parent / "shared" / "data"
GOAL_P95_S, GOAL_MEMORY_MB = 2.0, 1024
TIMEOUT_MS = 60_000
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
            ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}

# When the server's script run ends, the page may still be drawing it: resolved once stApp's script state is
# notRunning and no skeleton placeholder shows, checked on each change of the page (event-driven: ten pages
# polling the DOM every 100 ms, each poll forcing a layout, cost the shared CPU a measurable share of what
# they were measuring). The end of the run itself is read from the server's messages (User.on_frame), not
# from the script-state attribute: under load React can draw "running" and "not running" in one batch, and
# an observer of the attribute then sees no change at all.
DRAWN_JS = """() => new Promise(resolve => {
    const app = document.querySelector('[data-testid="stApp"]');
    const drawn = () => app.getAttribute('data-test-script-state') === 'notRunning'
        && ![...document.querySelectorAll('[data-testid="stSkeleton"]')].some(e => e.checkVisibility());
    if (drawn()) return resolve();
    const observer = new MutationObserver(() => { if (drawn()) { observer.disconnect(); resolve(); } });
    observer.observe(app, {attributes: true, childList: true, subtree: true}); })"""


def real_data() -> Path:
    if not (REAL_DIR / "departments.csv").exists():
        from lib.data.markup import import_markup
        print(f"importing {SHARED} into {REAL_DIR}", file=sys.stderr)
        import_markup(SHARED, REAL_DIR, echo=lambda *a: None)
    return REAL_DIR


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (those that have exited count nothing)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def chromium_pids() -> list[int]:
    pids = []
    for status in Path("/proc").glob("[0-9]*/comm"):
        try:
            if status.read_text().strip().startswith(("chrom", "headless_shell")):
                pids.append(int(status.parent.name))
        except OSError:
            continue
    return pids


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's message (a timeout's is empty)."""
    return (str(exc).splitlines() or ["(no message)"])[0][:160]


class User:
    """One browser page repeating the journey; records (interaction, seconds) and errors."""

    def __init__(self, page, url: str, names: list[str], seed: int, think: float = 0.0):
        self.page, self.url, self.names, self.think = page, url, names, think
        self.random = random.Random(seed)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.runs_finished = 0  # script runs the server reported finished to this page
        self.run_finished = asyncio.Event()
        page.on("websocket", lambda ws: ws.on("framereceived", self.on_frame))

    def on_frame(self, payload) -> None:
        """Counts the server's script_finished messages (a run cut short by a newer one does not count)."""
        if not isinstance(payload, bytes):
            return
        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
        except Exception:  # not a ForwardMsg: nothing to count
            return
        if message.WhichOneof("type") == "script_finished" and message.script_finished in FINISHED:
            self.runs_finished += 1
            self.run_finished.set()

    async def next_run_finished(self, after: int) -> None:
        while self.runs_finished <= after:
            self.run_finished.clear()
            await self.run_finished.wait()

    async def timed(self, name: str, action, prepare=None) -> None:
        """The latency of `action` (the click that changes something); `prepare` (opening a list, typing in
        it: the user's own time) runs before the clock starts."""
        if prepare is not None:
            await prepare()
        before, started = self.runs_finished, time.monotonic()
        try:
            await action()
            await asyncio.wait_for(self.next_run_finished(before), TIMEOUT_MS / 1000)
            await asyncio.wait_for(self.page.evaluate(DRAWN_JS), TIMEOUT_MS / 1000)
        except Exception as exc:
            raise RuntimeError(f"{name}: {type(exc).__name__}: {_first_line(exc)}") from exc
        self.latencies[name].append(time.monotonic() - started)
        shown = await self.page.locator('[data-testid="stException"]').all_inner_texts()
        if shown:
            raise RuntimeError(f"{name}: exception box: {shown[0][:200]}")
        if self.think:
            await asyncio.sleep(self.random.uniform(0.5, 1.5) * self.think)

    async def multiselect(self, name: str, label: str, option: str) -> None:
        """Open the sidebar's multiselect `label` and type `option` (the user's own time, not timed), then
        choose it (timed as `name`)."""
        async def find():
            box = self.page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
                has=self.page.get_by_role("combobox", name=label, exact=True)).first
            await box.get_by_role("combobox", name=label, exact=True).click()
            # The option list is virtualised (about ten rows are in the page): type to bring the option in.
            await self.page.keyboard.type(option)
            # Wait until the list is filtered: before, its first row is "Select all", and a click aimed at the
            # option while the list redraws can land there (seen with three pages at once).
            await self.page.get_by_role("option", name=option, exact=True).wait_for()
            await self.page.get_by_role("option", name="Select all", exact=True).wait_for(state="detached")

        async def choose():
            await self.page.get_by_role("option", name=option, exact=True).click()
            await self.page.keyboard.press("Escape")

        await self.timed(name, choose, prepare=find)

    async def journey(self) -> None:
        page = self.page
        await self.multiselect("pick a department", "Department", self.random.choice(self.names))
        await self.multiselect("add a majority filter", "Majority group of residents",
                               self.random.choice(["Black", "Latino", "White"]))
        await self.timed("open Disparities",
                         lambda: page.locator('[data-testid="stSidebarNav"] a[href$="/disparities"]').click())
        await self.timed("back to Overview",
                         lambda: page.locator('[data-testid="stSidebarNav"] a').first.click())
        await self.timed("reset filters", lambda: page.get_by_role("button", name="Reset filters").first.click())

    async def open(self) -> bool:
        """A first visit (every session at once: slow, and not part of the measure)."""
        try:
            await self.page.goto(self.url, wait_until="domcontentloaded", timeout=RENDER_MS)
            await self.page.wait_for_function("() => (" + IDLE_JS + ")()", polling=100, timeout=RENDER_MS)
            return True
        except Exception as exc:
            self.errors.append(f"first visit: {type(exc).__name__}: {_first_line(exc)}")
            return False

    async def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            try:
                await self.journey()
            except Exception as exc:  # any failure is a user-visible error: count it, start the journey afresh
                self.errors.append(_first_line(exc))
                if not await self.open():
                    return


async def drive(url: str, users: int, seconds: float, names: list[str], think: float = 0.0,
                server_pid: int | None = None) -> tuple[list[User], dict]:
    """The users' journeys; also the CPU time the server and Chromium used while they ran."""
    from playwright.async_api import async_playwright
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            crowd = []
            for i in range(users):
                # Reduced motion: the ten pages' "running" animations would otherwise draw on the two cores the
                # server has (a real reader's spinner runs on the reader's own machine): 3.5 -> 2.6 s of
                # Chromium CPU per interaction with ten users.
                context = await browser.new_context(viewport={"width": 1400, "height": 1000}, reduced_motion="reduce")
                crowd.append(User(await context.new_page(), url, names, seed=i, think=think))
            # Sessions open before the clock starts: the journey is what is measured, not the first visit.
            opened = await asyncio.gather(*(u.open() for u in crowd))
            browser_pids = chromium_pids()
            server_cpu, browser_cpu = cpu_seconds([server_pid] if server_pid else []), cpu_seconds(browser_pids)
            started = time.monotonic()
            deadline = started + seconds
            await asyncio.gather(*(u.run(deadline) for u, ok in zip(crowd, opened) if ok))
            cpu = {"wall": time.monotonic() - started,
                   "server": cpu_seconds([server_pid] if server_pid else []) - server_cpu,
                   "browser": cpu_seconds(browser_pids) - browser_cpu}
            return crowd, cpu
        finally:
            await browser.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(crowd: list[User]) -> tuple[dict[str, list[float]], list[str]]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors = []
    for user in crowd:
        for name, values in user.latencies.items():
            latencies[name].extend(values)
        errors.extend(user.errors)
    return latencies, errors


def report(args, data_dir: Path, latencies, errors, peak_mb: float | None, load: tuple[float, float],
           cpu: dict) -> str:
    """The Markdown section for RESULTS.md. `peak_mb` is None when the server runs elsewhere (--url): its
    memory and CPU are then not measured here, and the verdict says so."""
    everything = [v for values in latencies.values() for v in values]
    n_interactions = max(len(everything), 1)
    p95 = percentile(everything, 0.95) if everything else float("nan")
    ok = bool(everything) and p95 < GOAL_P95_S and not errors and (peak_mb is None or peak_mb < GOAL_MEMORY_MB)
    remote = peak_mb is None
    where = f"the app server at {args.url}" if remote else "one app server on localhost"
    server = ("Server: at its own address, its memory and CPU not measured here (read VmHWM in /proc/<pid>/status "
              "on its machine). " if remote else f"Server peak resident memory (VmHWM): {peak_mb:,.0f} MB. ")
    server_cpu = ("" if remote else f"app server {cpu['server']:.0f} s ({cpu['server'] / n_interactions:.2f} s per "
                  "interaction), ")
    lines = [
        f"## Concurrent users (benchmarks/load.py) — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        "",
        f"{args.users} browser page{'s' if args.users != 1 else ''} in one headless Chromium against {where}, "
        "each repeating "
        f"the Overview filter journey for {args.seconds:g} s"
        + (f", pausing {args.think:g} s on average (0.5-1.5x, at random) after each interaction as a reader would"
           if args.think else ", with no pause between interactions") + f". Data: `{data_dir.name}` "
        f"({'The Markup real data' if data_dir.resolve() == REAL_DIR.resolve() else data_dir}). "
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs (browser, server and any other work share them; "
        f"load average {load[0]:.1f} before, {load[1]:.1f} after), Python {platform.python_version()}.",
        "",
        "| interaction | n | median (s) | p95 (s) | max (s) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, values in latencies.items():
        lines.append(f"| {name} | {len(values)} | {statistics.median(values):.2f} | {percentile(values, 0.95):.2f} | "
                     f"{max(values):.2f} |")
    if everything:
        lines.append(f"| **all** | {len(everything)} | {statistics.median(everything):.2f} | {p95:.2f} | "
                     f"{max(everything):.2f} |")
    lines += [
        "",
        f"Errors: {len(errors)}" + ("" if not errors else " — " + "; ".join(e.rstrip(".") for e in sorted(set(errors))[:5])) + ". "
        + server +
        f"CPU time while the journeys ran ({cpu['wall']:.0f} s on {os.cpu_count()} cores, "
        f"{cpu['wall'] * (os.cpu_count() or 1):.0f} core-seconds): " + server_cpu + f"Chromium {cpu['browser']:.0f} s "
        f"({cpu['browser'] / n_interactions:.2f} s per interaction, typing included). "
        f"Goal (p95 < {GOAL_P95_S:g} s, no errors, memory < {GOAL_MEMORY_MB / 1024:g} GB): "
        f"**{'met' if ok else 'NOT met'}**" + (" (memory not checked here)" if remote else "") + ".",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--data", help="data directory (default: the real data, imported once)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause in seconds after each interaction (default 0: click as fast as the page allows)")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    parser.add_argument("--url", help="drive an app server already running elsewhere (e.g. http://host:8501) on the "
                                      "same data, instead of starting one here: so the browsers and the server "
                                      "need not share this machine's cores")
    args = parser.parse_args(argv)

    data_dir = Path(args.data) if args.data else real_data()
    from lib.analysis import overview
    from lib.data import load
    from lib.filters import Filters
    with tempfile.TemporaryDirectory(prefix="pp-load-") as work:
        cache = Path(work) / "cache"
        dataset = load.load(data_dir, cache_dir=cache)  # the typed cache is built once, before the clock starts
        con = dataset.connect()
        names = list(overview.department_summary(con, Filters())["name"].head(8))
        con.close()
        server = None if args.url else start_server(data_dir, cache, Path(work) / "server.log")
        try:
            before = os.getloadavg()[0]
            crowd, cpu = asyncio.run(drive(args.url.rstrip("/") if args.url else server.url, args.users,
                                           args.seconds, names, args.think, server and server.process.pid))
            after = os.getloadavg()[0]
            peak_mb = peak_rss_mb(server.process.pid) if server else None
        finally:
            if server:
                stop_server(server)
    latencies, errors = summarise(crowd)
    text = report(args, data_dir, latencies, errors, peak_mb, (before, after), cpu)
    print(text)
    if not args.no_record:
        with RESULTS.open("a") as out:
            out.write("\n" + text)
        print(f"appended to {RESULTS}", file=sys.stderr)
    return 0 if latencies and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
