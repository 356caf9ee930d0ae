"""Concurrent users: `python -m benchmarks.load [--users 10] [--seconds 60] [--data DIR] [--no-record]`.

Starts one app server on localhost (always stopped at the end), opens N pages in one headless Chromium, and has
each repeat a scripted filter journey on the Overview until the time is up: pick a department, add a majority
filter, open the Disparities page, come back, reset the filters. Each interaction's latency runs from the action
to the end of the script run it causes (read in the page as the moment stApp's script state returns to
notRunning). Reports median and p95 latency per interaction, errors (exception boxes, timeouts), and the
server's peak resident memory (VmHWM); appends the result to benchmarks/RESULTS.md.

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

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, IDLE_JS, RENDER_MS, REPO, start_server, stop_server

RESULTS = REPO / "benchmarks" / "RESULTS.md"
REAL_DIR = REPO / "benchmarks" / "data" / "real"
SHARED = REPO.parent / "shared" / "data"
GOAL_P95_S, GOAL_MEMORY_MB = 2.0, 1024
TIMEOUT_MS = 60_000

WATCH_JS = """() => { const app = document.querySelector('[data-testid="stApp"]');
    window.__ppRuns = 0; window.__ppIdleAt = null; window.__ppIdle = 0;
    if (window.__ppObserver) window.__ppObserver.disconnect();
    window.__ppObserver = new MutationObserver(() => {
        const state = app.getAttribute('data-test-script-state');
        if (state === 'running') window.__ppRuns += 1;
        else if (state === 'notRunning') window.__ppIdleAt = performance.now(); });
    window.__ppObserver.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    return performance.now(); }"""
SETTLED_JS = "() => window.__ppRuns > 0 && window.__ppIdleAt !== null && (" + IDLE_JS + ")()"


def real_data() -> Path:
    if not (REAL_DIR / "departments.csv").exists():
        from lib.data.markup import import_markup
        print(f"importing {SHARED} into {REAL_DIR}", file=sys.stderr)
        import_markup(SHARED, REAL_DIR, echo=lambda *a: None)
    return REAL_DIR


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class User:
    """One browser page repeating the journey; records (interaction, seconds) and errors."""

    def __init__(self, page, url: str, names: list[str], seed: int):
        self.page, self.url, self.names = page, url, names
        self.random = random.Random(seed)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    async def timed(self, name: str, action) -> None:
        started = await self.page.evaluate(WATCH_JS)
        try:
            await action()
            await self.page.wait_for_function(SETTLED_JS, polling=100, timeout=TIMEOUT_MS)
        except Exception as exc:
            raise RuntimeError(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}") from exc
        finished = await self.page.evaluate("() => window.__ppIdleAt")
        self.latencies[name].append((finished - started) / 1000)
        shown = await self.page.locator('[data-testid="stException"]').all_inner_texts()
        if shown:
            raise RuntimeError(f"{name}: exception box: {shown[0][:200]}")

    async def multiselect(self, label: str, option: str) -> None:
        box = self.page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
            has=self.page.get_by_role("combobox", name=label, exact=True)).first
        await box.get_by_role("combobox", name=label, exact=True).click()
        # The option list is virtualised (about ten rows are in the page): type to bring the option in.
        await self.page.keyboard.type(option)
        await self.page.get_by_role("option", name=option, exact=True).click()
        await self.page.keyboard.press("Escape")

    async def journey(self) -> None:
        page = self.page
        await self.timed("pick a department", lambda: self.multiselect("Department", self.random.choice(self.names)))
        await self.timed("add a majority filter",
                         lambda: self.multiselect("Majority group of residents",
                                                  self.random.choice(["Black", "Latino", "White"])))
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
            self.errors.append(f"first visit: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
            return False

    async def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            try:
                await self.journey()
            except Exception as exc:  # any failure is a user-visible error: count it, start the journey afresh
                self.errors.append(str(exc).splitlines()[0][:200])
                if not await self.open():
                    return


async def drive(url: str, users: int, seconds: float, names: list[str]) -> list[User]:
    from playwright.async_api import async_playwright
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            crowd = []
            for i in range(users):
                context = await browser.new_context(viewport={"width": 1400, "height": 1000})
                crowd.append(User(await context.new_page(), url, names, seed=i))
            # Sessions open before the clock starts: the journey is what is measured, not the first visit.
            opened = await asyncio.gather(*(u.open() for u in crowd))
            deadline = time.monotonic() + seconds
            await asyncio.gather(*(u.run(deadline) for u, ok in zip(crowd, opened) if ok))
            return crowd
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


def report(args, data_dir: Path, latencies, errors, peak_mb: float, load: tuple[float, float]) -> str:
    everything = [v for values in latencies.values() for v in values]
    p95 = percentile(everything, 0.95) if everything else float("nan")
    ok = bool(everything) and p95 < GOAL_P95_S and not errors and peak_mb < GOAL_MEMORY_MB
    lines = [
        f"## Concurrent users (benchmarks/load.py) — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        "",
        f"{args.users} browser pages in one headless Chromium against one app server on localhost, each repeating "
        f"the Overview filter journey for {args.seconds:g} s. Data: `{data_dir.name}` "
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
        f"Server peak resident memory (VmHWM): {peak_mb:,.0f} MB. "
        f"Goal (p95 < {GOAL_P95_S:g} s, no errors, memory < {GOAL_MEMORY_MB / 1024:g} GB): "
        f"**{'met' if ok else 'NOT met'}**.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--data", help="data directory (default: the real data, imported once)")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
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
        server = start_server(data_dir, cache, Path(work) / "server.log")
        try:
            before = os.getloadavg()[0]
            crowd = asyncio.run(drive(server.url, args.users, args.seconds, names))
            after = os.getloadavg()[0]
            peak_mb = peak_rss_mb(server.process.pid)
        finally:
            stop_server(server)
    latencies, errors = summarise(crowd)
    text = report(args, data_dir, latencies, errors, peak_mb, (before, after))
    print(text)
    if not args.no_record:
        with RESULTS.open("a") as out:
            out.write("\n" + text)
        print(f"appended to {RESULTS}", file=sys.stderr)
    return 0 if latencies and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
