"""What a reader's browser receives and waits for: per page and per Map interaction, the bytes of websocket frames
received and the time until the page is still, in headless Chromium, median of several runs on a warm cache.

    python -m benchmarks.browser --data /work/realdata [--runs 5] [--json out.json]

"Still": Streamlit's script state is notRunning and no skeleton shows, continuously for 1.5 s; the time is from
navigation (or from the interaction) to the start of that quiet spell. Each run opens a fresh browser context
(a new session, as a new reader, with an empty HTTP cache), then does the page's interactions in turn, each
measured on its own. The first run of every scenario is not counted: it warms the server's caches.

Three ways in, all per page: "open" is a full load from a typed or followed link by a first-time reader (an empty
HTTP cache: Streamlit's JavaScript bundle and every element's chunk fetched and compiled, a websocket opened, the
app script run from its top); "open, returning reader" is the same link opened in a new tab of the same browser
context after that first visit and its interactions (the HTTP cache and V8's code cache warm, a new session: the
issue's "warm cache"); "from sidebar" opens another page first (SQL; Overview for SQL itself), waits until still,
then clicks this page's link in the sidebar: Streamlit switches pages in the browser and only reruns the script. The
floor is the same three measurements on a one-line Streamlit app (and one with a single small Plotly chart) served the
same way in the same run, so a page's figure minus the floor is what this app adds. Each run of an app page is
followed by a run of the one-line floor, reported beside the page as the floor of the same minutes (the host's load
moves from minute to minute). Goals (#24): a Map interaction <= 1.5 MB and <= 1.5 s, any other page's interaction <=
300 KB, every page <= 2 s until still on the real data.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tests.e2e.browser import launch_browser, start_server, stop_server

QUIET_MS = 1500
STARTED_WITHIN_S = 15
TIMEOUT_MS = 180_000
MAP_BYTES_GOAL = 1.5e6
OTHER_BYTES_GOAL = 300e3
PAGE_SECONDS_GOAL = 2.0
MAP_INTERACTION_SECONDS_GOAL = 1.5
RETURNING = "open, returning reader"
PAGE_STEPS = ("open", RETURNING, "from sidebar")

# Installed before any page script: remembers the last moment the app was busy (a script running, or a skeleton
# waiting for an element), polled every 50 ms, so "still" is measured the same way for loads and interactions; and
# every message from the server counts as busy when it arrives, so a rerun quicker than the poll still takes until
# its last message (polling alone read such a rerun as 0.00 s).
BUSY_JS = """window.__ppBusyAt = performance.now();
const PpSocket = window.WebSocket;
window.WebSocket = class extends PpSocket {
    constructor(...args) { super(...args);
        this.addEventListener('message', () => { window.__ppBusyAt = performance.now(); }); } };
setInterval(() => { const app = document.querySelector('[data-testid="stApp"]');
    const busy = !app || app.getAttribute('data-test-script-state') !== 'notRunning'
        || [...document.querySelectorAll('[data-testid="stSkeleton"]')].some(e => e.checkVisibility());
    if (busy) window.__ppBusyAt = performance.now(); }, 50);"""


@dataclass
class Scenario:
    name: str
    path: str
    is_map: bool
    interactions: list[tuple[str, Callable]] = field(default_factory=list)
    start_path: str = "/sql"  # where "from sidebar" starts; the scenario's query string is added to it

    def sidebar_start(self) -> str:
        query = self.path.partition("?")[2]
        return self.start_path + (f"?{query}" if query else "")

    def sidebar_target(self) -> str:
        return self.path.partition("?")[0].strip("/")


class Meter:
    """Bytes of websocket frames the page received since the last reset."""

    def __init__(self, page):
        self.bytes = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._add))

    def _add(self, payload) -> None:
        self.bytes += len(payload)

    def take(self) -> int:
        value, self.bytes = self.bytes, 0
        return value


def wait_still(page, since_ms: float) -> float:
    """Seconds from `since_ms` (the page's performance clock) until the app went quiet for QUIET_MS."""
    page.wait_for_function(f"() => document.querySelector('[data-testid=\"stApp\"]') "
                           f"&& performance.now() - window.__ppBusyAt >= {QUIET_MS}", polling=100, timeout=TIMEOUT_MS)
    busy_at = page.evaluate("() => window.__ppBusyAt")
    return max(busy_at - since_ms, 0.0) / 1000


def interact(page, meter: Meter, action: Callable) -> tuple[int, float]:
    meter.take()
    start = page.evaluate("() => (window.__ppBusyAt = performance.now())")
    action(page)
    # On a loaded machine the rerun can begin more than a quiet spell after the click: wait until it shows (a
    # frame arrives or the app is seen busy) before waiting for quiet, so its bytes count for this step.
    deadline = time.monotonic() + STARTED_WITHIN_S
    while meter.bytes == 0 and page.evaluate(f"() => window.__ppBusyAt <= {start}") \
            and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    seconds = wait_still(page, start)
    return meter.take(), seconds


# -- interactions ---------------------------------------------------------------------------------

def click_button(label: str) -> Callable:
    return lambda page: page.locator('[data-testid="stMain"] button').filter(
        has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).first.click()


def choose(label: str, option: str) -> Callable:
    def act(page):
        box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
        box.locator('[role="combobox"]').first.click()
        page.get_by_role("option", name=option, exact=True).click()
    return act


def open_tab(name: str) -> Callable:
    return lambda page: page.get_by_role("tab", name=name).click()


def open_expander(label: str) -> Callable:
    """Click the expander whose label matches the regular expression `label`."""
    return lambda page: page.locator('[data-testid="stExpander"] summary').filter(
        has_text=re.compile(label)).first.click()


def sidebar_department(name: str) -> Callable:
    def act(page):
        box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Department", exact=True)
        box.click()
        box.fill(name)  # the list shows a window of its options: type to bring this one into it
        page.get_by_role("option", name=name, exact=True).click()
        page.keyboard.press("Escape")
    return act


def sidebar_page(url_path: str) -> Callable:
    """Click the sidebar's link to the page at `url_path` ('' is the default page)."""
    return lambda page: page.locator(f'[data-testid="stSidebarNav"] a[href$="/{url_path}"]').first.click()


def map_interactions() -> list[tuple[str, Callable]]:
    return [("colour: low-income share", choose("Colour block groups by", "Low-income households (share)")),
            ("layer: block groups off", click_button("Block groups")),
            ("tab: street map", open_tab("Street map")),
            ("tab: hexagons", open_tab("Hexagons in 3-D")),
            ("hexagon size: 1 km", click_button("1 km"))]


def scenarios(department: str, department_name: str) -> list[Scenario]:
    pick = [(f"sidebar: {department_name}", sidebar_department(department_name))]
    return [Scenario("Overview", "/", False, pick, start_path="/sql"),
            Scenario("Map, all departments", "/map", True, map_interactions() + pick),
            Scenario(f"Map, {department_name}", f"/map?dept={department}", True, map_interactions()),
            # the heaviest chart opened on demand (every department's block groups), then the department
            Scenario("Disparities", "/disparities", False,
                     [("open: block-group scatter", open_expander(r"Chart: the [\d,]+ block groups")), *pick]),
            Scenario("Accuracy", "/accuracy", False, pick),
            Scenario("Audit", "/audit", False, pick),
            Scenario("SQL", "/sql", False, [], start_path="/"),
            Scenario("Data & methods", "/data_methods", False, pick)]


FLOOR_APP = """import plotly.graph_objects as go
import streamlit as st


def first():
    st.write("Hello")


def chart():
    st.write("One chart")
    st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2])))


def sql():
    st.write("Another page")


st.navigation([st.Page(first, title="First", url_path="first", default=True),
               st.Page(chart, title="Chart", url_path="chart"),
               st.Page(sql, title="SQL", url_path="sql")]).run()
"""


def floor_scenarios() -> list[Scenario]:
    """What Streamlit itself costs on this machine: a one-line page, and one with a three-bar Plotly chart (the
    browser fetches and starts Plotly's 4.7 MB bundle for a page's first chart), each opened and reached from the
    sidebar (from a third page, as the app's pages are reached from SQL)."""
    return [Scenario("Floor: one-line Streamlit page", "/", False, [], start_path="/sql"),
            Scenario("Floor: one small Plotly chart", "/chart", False, [], start_path="/sql")]


def largest_department(data_dir: Path, cache_dir: Path) -> tuple[str, str]:
    """The department with the most block groups: the heaviest single-department map."""
    from lib.data import load
    con = load.load(data_dir, cache_dir=cache_dir).connect()
    row = con.execute("""SELECT s.department, d.name, count(*) AS n FROM block_group_stats s
                         JOIN departments d USING (department) GROUP BY ALL ORDER BY n DESC, 1 LIMIT 1""").fetchone()
    con.close()
    return row[0], row[1]


# -- running ----------------------------------------------------------------------------------------

def open_page(browser, url: str):
    """A fresh context (a new reader, empty HTTP cache) navigated to `url`: the page, its meter and its context."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(BUSY_JS)
    page = context.new_page()
    meter = Meter(page)
    page.goto(url, wait_until="commit")
    return context, page, meter


def reopen(context, url: str) -> tuple[int, float]:
    """A new tab of `context` (its HTTP and code caches as an earlier visit left them) opening `url`."""
    page = context.new_page()
    meter = Meter(page)
    page.goto(url, wait_until="commit")
    seconds = wait_still(page, 0.0)
    page.close()
    return meter.take(), seconds


def run_scenario(browser, server, scenario: Scenario, sidebar: bool = True) -> dict[str, tuple[int, float]]:
    context, page, meter = open_page(browser, server.url + scenario.path)
    try:
        seconds = wait_still(page, 0.0)
        out = {"open": (meter.take(), seconds)}
        for name, action in scenario.interactions:
            out[name] = interact(page, meter, action)
        page.close()  # the reader leaves and comes back later by the same link: a new session, the cache kept
        out[RETURNING] = reopen(context, server.url + scenario.path)
    finally:
        context.close()
    if sidebar:
        context, page, meter = open_page(browser, server.url + scenario.sidebar_start())
        try:
            wait_still(page, 0.0)
            out["from sidebar"] = interact(page, meter, sidebar_page(scenario.sidebar_target()))
        finally:
            context.close()
    return out


def start_floor_server(work: Path):
    """The one-line app served as the app is (same options, same Python), from a folder of its own."""
    folder = work / "floor"
    folder.mkdir()
    (folder / "streamlit_app.py").write_text(FLOOR_APP)
    return start_server(work, work / "cache", work / "floor.log", app_dir=folder)


def measure(data_dir: Path, runs: int, only: str = "", skip: str = "", log=print, interactions: bool = True,
            floor: bool = True) -> list[dict]:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from lib.data import load
    work = Path(tempfile.mkdtemp(prefix="pp-browser-"))
    cache = Path(os.environ.get("PP_CACHE_DIR") or work / "cache")
    load.load(data_dir, cache_dir=cache)
    department, name = largest_department(data_dir, cache)
    server = start_server(data_dir, cache, work / "server.log")
    floor_server = start_floor_server(work) if floor else None
    plan = [(floor_server, scenario) for scenario in floor_scenarios()] if floor else []
    for scenario in scenarios(department, name):
        if only.lower() in scenario.name.lower() and not (skip and skip.lower() in scenario.name.lower()):
            plan.append((server, scenario if interactions else Scenario(scenario.name, scenario.path,
                                                                        scenario.is_map, [], scenario.start_path)))
    rows = []
    try:
        with sync_playwright() as p:
            browser = launch_browser(p)
            for scenario_server, scenario in plan:
                samples: dict[str, list[tuple[int, float]]] = {}
                # On a shared host the load changes from minute to minute: each run of an app page is followed
                # by a run of the one-line floor, so every page has a floor from its own minutes to be read against.
                paired = floor_server if scenario_server is server else None
                floor_samples: dict[str, list[float]] = {}
                try:
                    run_scenario(browser, scenario_server, scenario)  # warms the server's caches; not counted
                    for _ in range(runs):
                        for step, value in run_scenario(browser, scenario_server, scenario).items():
                            samples.setdefault(step, []).append(value)
                        if paired:
                            for step, value in run_scenario(browser, paired, floor_scenarios()[0]).items():
                                floor_samples.setdefault(step, []).append(value[1])
                except PlaywrightError as error:  # one page failing must not lose the others' figures
                    log(f"{scenario.name}: stopped, {str(error).splitlines()[0]}", flush=True)
                    continue
                for step, values in samples.items():
                    row = {"page": scenario.name, "step": step, "is_map": scenario.is_map,
                           "bytes": statistics.median(v[0] for v in values),
                           "seconds": statistics.median(v[1] for v in values),
                           "bytes_runs": [v[0] for v in values], "seconds_runs": [round(v[1], 3) for v in values]}
                    if step in floor_samples:
                        row["floor_seconds"] = statistics.median(floor_samples[step])
                    row["goal_met"] = meets_goal(row)
                    rows.append(row)
                    floor_note = f"  (floor {row['floor_seconds']:.2f} s)" if "floor_seconds" in row else ""
                    log(f"{scenario.name:28} {step:34} {row['bytes'] / 1e3:9,.0f} KB {row['seconds']:6.2f} s"
                        f"  {'ok' if row['goal_met'] else 'MISSED'}{floor_note}", flush=True)
            browser.close()
    finally:
        stop_server(server)
        if floor_server:
            stop_server(floor_server)
    return rows


def meets_goal(row: dict) -> bool:
    if row["step"] in PAGE_STEPS:
        return row["seconds"] <= PAGE_SECONDS_GOAL
    if row["is_map"]:
        return row["bytes"] <= MAP_BYTES_GOAL and row["seconds"] <= MAP_INTERACTION_SECONDS_GOAL
    return row["bytes"] <= OTHER_BYTES_GOAL


def markdown(rows: list[dict]) -> str:
    lines = ["| Page | Step | KB received (median) | Seconds until still (median) | One-line floor, same minutes "
             "| ÷ floor | Goal |", "|---|---|--:|--:|--:|--:|---|"]
    for r in rows:
        if r["step"] in PAGE_STEPS:
            goal = f"≤ {PAGE_SECONDS_GOAL:g} s"
        elif r["is_map"]:
            goal = f"≤ {MAP_BYTES_GOAL / 1e6:g} MB, ≤ {MAP_INTERACTION_SECONDS_GOAL:g} s"
        else:
            goal = f"≤ {OTHER_BYTES_GOAL / 1e3:g} KB"
        floor = r.get("floor_seconds")
        paired = (f"{floor:.2f} | {r['seconds'] / floor:.1f}×" if floor and floor >= 0.05
                  else f"{floor:.2f} | —" if floor is not None else " | ")
        lines.append(f"| {r['page']} | {r['step']} | {r['bytes'] / 1e3:,.0f} | {r['seconds']:.2f} | {paired} | "
                     f"{goal}: {'met' if r['goal_met'] else '**missed**'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="an app data directory (e.g. /work/realdata)")
    parser.add_argument("--runs", type=int, default=5, help="measured runs per scenario (median; default 5)")
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    parser.add_argument("--only", default="", help="only the pages whose name contains this (e.g. Map)")
    parser.add_argument("--skip", default="", help="leave out the pages whose name contains this")
    parser.add_argument("--no-interactions", action="store_true",
                        help="only open each page and reach it from the sidebar")
    parser.add_argument("--no-floor", action="store_true", help="leave out the one-line Streamlit page")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"--data {args.data}: not a directory", file=sys.stderr)
        return 2
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()
    rows = measure(args.data, max(args.runs, 1), args.only, args.skip, interactions=not args.no_interactions,
                   floor=not args.no_floor)
    print(f"\n{started}, {args.runs} runs, load average before {load_before[0]:.1f}, "
          f"after {os.getloadavg()[0]:.1f}\n")
    print(markdown(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
