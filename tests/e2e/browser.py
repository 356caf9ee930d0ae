"""Driving the app in a real browser: start and stop an app server, wait for Streamlit, read and set widgets.

Shared by the e2e tests (tests/e2e/conftest.py) and the concurrent-user check (benchmarks/load.py).
Nothing is installed here: Debian's chromium is at /usr/bin/chromium and Playwright's package drives it.
Every server runs in its own process group so stopping it stops everything it started.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import expect
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
STARTUP_SECONDS = 60
RENDER_MS = 180_000  # a bound on waiting, not a speed test: shared CI machines can be slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path
    data_dir: Path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def start_server(data_dir: Path, cache_dir: Path, log: Path, port: int | None = None,
                 env: dict[str, str] | None = None, app_dir: Path = REPO) -> Server:
    """`streamlit run streamlit_app.py` in `app_dir` (this app unless told) on a free port (with `env` added to its
    environment); returns once /_stcore/health answers."""
    port = port or free_port()
    env = dict(os.environ, PP_DATA_DIR=str(data_dir), PP_CACHE_DIR=str(cache_dir),
               STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", **(env or {}))
    out = log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         # Source edits during a run must not change what the browser sees (no "file changed" prompt).
         "--server.fileWatcherType", "none"],
        cwd=app_dir, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    out.close()
    server = Server(f"http://127.0.0.1:{port}", process, log, data_dir)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app server exited with {process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise RuntimeError(f"the app server did not answer within {STARTUP_SECONDS} s:\n{server.log_tail()}")


def stop_server(server: Server) -> None:
    """Kill the server's whole process group (Streamlit may have children)."""
    if server.process.poll() is None:
        try:
            os.killpg(server.process.pid, signal.SIGTERM)
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)
        except ProcessLookupError:
            pass


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# -- waiting on Streamlit ------------------------------------------------------------------

IDLE_JS = """() => { const app = document.querySelector('[data-testid="stApp"]');
    const idle = app && app.getAttribute('data-test-script-state') === 'notRunning'
        && ![...document.querySelectorAll('[data-testid="stSkeleton"]')].some(e => e.checkVisibility());
    window.__ppIdle = idle ? (window.__ppIdle || 0) + 1 : 0;
    return window.__ppIdle >= 3; }"""


def wait_until_idle(page, timeout_ms: int = RENDER_MS) -> None:
    """Until the script run has finished and its elements are drawn: stApp's script state is notRunning and no
    skeleton placeholder shows (one in a tab not shown stays forever), on three polls in a row (a run can
    follow a run)."""
    page.evaluate("() => { window.__ppIdle = 0; }")
    page.wait_for_function(IDLE_JS, polling=150, timeout=timeout_ms)


class _Runs:
    """What a page's websocket carried, in order: "ask" (the browser asked for a rerun), "start" (a full script
    run began), "done" (a run or fragment run finished; one cut short for a newer rerun is left out)."""

    def __init__(self, page):
        self.events: list[str] = []
        page.on("websocket", self._watch)

    def _watch(self, socket) -> None:
        socket.on("framesent", self._sent)
        socket.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        if isinstance(payload, bytes) and BackMsg.FromString(payload).WhichOneof("type") == "rerun_script":
            self.events.append("ask")

    def _received(self, payload) -> None:
        if not isinstance(payload, bytes):
            return
        msg = ForwardMsg.FromString(payload)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.events.append("start")
        elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self.events.append("fragment" if msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                               else "done")

    def ran_since(self, mark: int) -> bool:
        """Since event `mark`: a rerun was asked for, and then a full run started and finished, or a fragment
        run finished."""
        after = self.events[mark:]
        if "ask" not in after:
            return False
        after = after[after.index("ask"):]
        if "fragment" in after:
            return True
        return "start" in after and "done" in after[after.index("start"):]


_RUNS: dict = {}  # page -> _Runs, for pages opened by open_page


def rerun_and_wait(page, action, timeout_ms: int = RENDER_MS) -> None:
    """Do `action` (a widget change), then wait for the rerun it starts to finish and its elements to be drawn.

    The rerun is followed on the websocket (the browser's request, the server's start and finish), not on
    stApp's script-state attribute: when the start and the finish arrive together (under load they do), React
    draws them in one batch and the attribute never shows "running"."""
    runs = _RUNS.get(page)
    assert runs is not None, "rerun_and_wait follows pages opened with open_page"
    mark = len(runs.events)
    action()
    deadline = time.monotonic() + timeout_ms / 1000
    while not runs.ran_since(mark):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no rerun finished within {timeout_ms} ms after the change "
                               f"(websocket events since: {runs.events[mark:]})")
        page.wait_for_timeout(100)  # Playwright delivers the websocket events while it waits
    wait_until_idle(page, timeout_ms)


def open_page(page, server: Server, path: str = "/", timeout_ms: int = RENDER_MS) -> None:
    if page not in _RUNS:
        _RUNS[page] = _Runs(page)
    page.goto(server.url + path, wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    wait_until_idle(page, timeout_ms)


def screenshot(page, name: str) -> Path:
    """The whole page: Streamlit scrolls inside stMain and the sidebar, so grow the viewport to their content
    (again while the content keeps growing, as charts re-lay out at the new size)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = size["height"]
    for _ in range(4):
        needed = page.evaluate("""() => Math.max(...['stMain', 'stSidebarContent'].map(id => {
                                      const e = document.querySelector(`[data-testid="${id}"]`);
                                      return e ? e.scrollHeight : 0; }))""")
        if needed <= height:
            break
        height = min(int(needed), 16000)
        page.set_viewport_size({"width": size["width"], "height": height})
        page.wait_for_timeout(400)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, timeout=RENDER_MS)
    page.set_viewport_size(size)
    return path


def exceptions(page) -> list[str]:
    return page.locator('[data-testid="stException"]').all_inner_texts()


def metric(page, label: str):
    """The value element of the metric labelled `label` (for expect(), which retries until a rerun has drawn it)."""
    return page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)).first.locator(
        '[data-testid="stMetricValue"]')


def metric_value(page, label: str) -> str:
    return metric(page, label).inner_text().strip()


def _multiselect(page, label: str):
    return page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has=page.get_by_role("combobox", name=label, exact=True)).first


def multiselect_tags(page, label: str) -> list[str]:
    """The chosen values of the sidebar multiselect labelled `label`, as displayed."""
    return [t.strip() for t in _multiselect(page, label).locator("[data-tag] [title]").all_inner_texts()]


def pick_option(page, label: str, option: str, timeout_ms: int = RENDER_MS) -> None:
    """Choose `option` in the sidebar multiselect labelled `label`, wait for the rerun, and until its tag shows."""
    def choose():
        _multiselect(page, label).get_by_role("combobox", name=label, exact=True).click()
        page.get_by_role("option", name=option, exact=True).click()
        page.keyboard.press("Escape")

    rerun_and_wait(page, choose, timeout_ms)
    expect(_multiselect(page, label).locator("[data-tag] [title]").filter(has_text=option).first).to_be_visible(
        timeout=timeout_ms)


# The main column neither scrolls sideways nor clips text: what a reader at this width cannot see. Tables, charts
# and code scroll inside themselves by design and are left out; tab and pill rows scroll (overflow auto) too.
# Inside a Plotly chart, which draws its text in SVG and clips nothing itself: a label, title or legend entry
# reaching past the chart's edges is cut off, and one under the chart's tool buttons (which show on a touch or a
# hover) is hidden by them. A table's toolbar, shown the same way above the table, hides the text it lies over.
LAYOUT_JS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const inner = document.querySelector('[data-testid="stMainBlockContainer"]') || main;
    const skip = '[data-testid="stDataFrame"], [data-testid="stPlotlyChart"], [data-testid="stCode"], pre, '
        + '[data-testid="stTable"], [data-testid="stDeckGlJsonChart"], [role="tablist"], [data-testid="stSidebar"]';
    const clipped = [];
    for (const el of main.querySelectorAll('p, span, label, h1, h2, h3, h4, h5, li, button, div')) {
        if (el.closest(skip) || !el.checkVisibility() || !el.textContent.trim()) continue;
        const style = getComputedStyle(el);
        const oneLine = style.textOverflow === 'ellipsis' || style.whiteSpace === 'nowrap';
        // a container that merely hides overflow is not text: only one-line text or a text leaf counts
        if (el.tagName === 'DIV' && !oneLine && [...el.children].some(c => c.textContent.trim())) continue;
        const hides = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
        if (hides && el.scrollWidth > el.clientWidth + 1) clipped.push(el.textContent.trim().slice(0, 80));
    }
    const meets = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const hidden = [];
    for (const chart of main.querySelectorAll('[data-testid="stPlotlyChart"]')) {
        if (!chart.checkVisibility()) continue;
        const edge = chart.getBoundingClientRect();
        const tools = [...chart.querySelectorAll('.modebar-btn')].map(b => b.getBoundingClientRect())
            .filter(r => r.width > 0);
        for (const text of chart.querySelectorAll('svg text')) {
            const words = text.textContent.trim();
            const r = text.getBoundingClientRect();
            if (!words || r.width === 0 || getComputedStyle(text).visibility === 'hidden') continue;
            // a trace's text (a bar's value) is clipped to its plot area unless the trace says otherwise
            const subplot = text.closest('[clip-path]') && text.closest('.cartesianlayer .subplot');
            const area = subplot && chart.querySelector(`.draglayer .${subplot.classList[1]} .nsewdrag`);
            const frame = area ? area.getBoundingClientRect() : edge;
            if (r.left < frame.left - 2 || r.right > frame.right + 2) clipped.push('chart: ' + words.slice(0, 80));
            else if (tools.some(t => meets(t, r))) hidden.push(words.slice(0, 80));
        }
    }
    // a table's toolbar shows, on a hover or a touch, in the 44 px above the table: over the text just above it
    for (const bar of main.querySelectorAll('[data-testid="stDataFrame"] [data-testid="stElementToolbar"]')) {
        const table = bar.closest('[data-testid="stElementContainer"]');
        if (!table || !table.checkVisibility()) continue;
        const r = bar.getBoundingClientRect();
        const texts = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
        for (let node = texts.nextNode(); node; node = texts.nextNode()) {
            if (!node.textContent.trim() || table.contains(node) || !node.parentElement.checkVisibility()) continue;
            const range = document.createRange();
            range.selectNodeContents(node);
            if ([...range.getClientRects()].some(line => meets(line, r)))
                hidden.push('table: ' + node.parentElement.textContent.trim().slice(-80));
        }
    }
    return {overflow: Math.max(main.scrollWidth - main.clientWidth, inner.scrollWidth - inner.clientWidth),
            clipped: [...new Set(clipped)], under_tools: [...new Set(hidden)]};
}"""


def layout_problems(page) -> dict:
    """{'overflow': pixels the main column scrolls sideways, 'clipped': texts cut off by their container (a chart's
    by the chart's edges), 'under_tools': chart texts a chart's tool buttons cover, and texts a table's toolbar
    covers ('table: …')}."""
    return page.evaluate(LAYOUT_JS)
