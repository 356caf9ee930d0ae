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


def rerun_and_wait(page, action, timeout_ms: int = RENDER_MS) -> None:
    """Do `action` (a widget change), then wait for the rerun it starts to finish.

    The script state flips to running only after the browser sends the widget's new value, so wait
    for that flip first and then for idle. A short run can flip to running and back in one batch of
    changes: then only a change's old value shows it ran."""
    # The whole document is watched, not the stApp element found now: when Streamlit draws stApp anew (a
    # change that also rewrites the URL did so once in CI under load), the flip happens on a new element.
    page.evaluate("""() => { window.__ppRuns = 0;
        const APP = '[data-testid="stApp"]';
        if (window.__ppObserver) window.__ppObserver.disconnect();
        window.__ppObserver = new MutationObserver(records => {
            for (const r of records) {
                if (r.type === 'attributes' && (r.target.getAttribute('data-test-script-state') === 'running'
                                                || r.oldValue === 'running')) window.__ppRuns += 1;
                if (r.type === 'childList' && [...r.addedNodes].some(n => n.nodeType === 1
                        && (n.matches(APP) || n.querySelector(APP)))) window.__ppRuns += 1;
            } });
        window.__ppObserver.observe(document.body, {subtree: true, childList: true, attributes: true,
                                                    attributeOldValue: true,
                                                    attributeFilter: ['data-test-script-state']}); }""")
    action()
    page.wait_for_function("() => window.__ppRuns > 0", timeout=timeout_ms)
    wait_until_idle(page, timeout_ms)


def open_page(page, server: Server, path: str = "/", timeout_ms: int = RENDER_MS) -> None:
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


def metric_value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _multiselect(page, label: str):
    return page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has=page.get_by_role("combobox", name=label, exact=True)).first


def multiselect_tags(page, label: str) -> list[str]:
    """The chosen values of the sidebar multiselect labelled `label`, as displayed."""
    return [t.strip() for t in _multiselect(page, label).locator("[data-tag] [title]").all_inner_texts()]


def pick_option(page, label: str, option: str) -> None:
    """Choose `option` in the sidebar multiselect labelled `label`, and wait for the rerun."""
    def choose():
        _multiselect(page, label).get_by_role("combobox", name=label, exact=True).click()
        page.get_by_role("option", name=option, exact=True).click()
        page.keyboard.press("Escape")

    rerun_and_wait(page, choose)


# The main column neither scrolls sideways nor clips text: what a reader at this width cannot see. Tables, charts
# and code scroll inside themselves by design and are left out; tab and pill rows scroll (overflow auto) too.
# Inside a Plotly chart, which draws its text in SVG and clips nothing itself: a label, title or legend entry
# reaching past the chart's edges is cut off, and one under the chart's tool buttons (which show on a touch or a
# hover) is hidden by them.
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
    return {overflow: Math.max(main.scrollWidth - main.clientWidth, inner.scrollWidth - inner.clientWidth),
            clipped: [...new Set(clipped)], under_tools: [...new Set(hidden)]};
}"""


def layout_problems(page) -> dict:
    """{'overflow': pixels the main column scrolls sideways, 'clipped': texts cut off by their container (a chart's
    by the chart's edges), 'under_tools': chart texts a chart's tool buttons cover}."""
    return page.evaluate(LAYOUT_JS)
