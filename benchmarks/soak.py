"""Soak check (not a test): many sessions at once against one local Streamlit server, as a public app sees them.

    python -m benchmarks.soak --sessions 10 --seconds 300 [--data data/demo]

It starts `streamlit run streamlit_app.py` on 127.0.0.1 only, then drives each session over Streamlit's own
websocket protocol (the BackMsg/ForwardMsg protobufs the browser sends and receives, through the `websockets`
client Streamlit's server already installs: no browser, no extra dependency). Every session mixes, at random:
- filter clicks: a sidebar multiselect changed on the Overview, Disparities or Map page (an ordinary page run);
- heavy console queries on the SQL page (a 2.5 GB result, a cross join stopped by the time limit);
- downloads of the console's CSV (the deferred download the browser asks for, then the file over HTTP).

It reports the server's peak memory (VmHWM, and the largest VmRSS seen), the errors (an exception element on a
page, a failed download, a dropped connection; goal 0), and the p50/p95 time of an ordinary page run, overall and
while at least one heavy query or download was in flight.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg, BackendOperationRequest, DeferredFileRequestPayload
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

REPO = Path(__file__).resolve().parents[1]
ORDINARY_PAGES = ("", "disparities", "map")  # "" is the default page (Overview)
FILTER_KEYS = ("flt_majority", "flt_low_income")
HEAVY_QUERIES = (
    "SELECT repeat('x', 2500) AS s FROM range(1000000)",
    "SELECT count(*) FROM range(1000000000000) a, range(1000) b",
    "SELECT a.department, sum(a.count * b.count) AS n FROM predictions a JOIN predictions b USING (department) "
    "GROUP BY ALL",
)
RUN_TIMEOUT = 120.0
FINISHED_EARLY = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


@dataclass
class Tally:
    ordinary: list[tuple[float, bool]] = field(default_factory=list)  # (seconds, a heavy action was in flight)
    heavy: list[float] = field(default_factory=list)
    downloads: list[tuple[float, int]] = field(default_factory=list)  # (seconds, bytes)
    errors: list[str] = field(default_factory=list)
    in_flight: int = 0


class Session:
    """One browser tab, as far as the server can tell."""

    def __init__(self, port: int, tally: Tally, rng: random.Random):
        self.port, self.tally, self.rng = port, tally, rng
        self.ws = None
        self.session_id = ""
        self.widgets: dict[str, object] = {}  # user key -> element proto (with its id and options)
        self.states: dict[str, WidgetState] = {}
        self.page = ""

    async def open(self) -> None:
        self.ws = await connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],
                                max_size=None)
        await self.run_page("")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def send(self, message: BackMsg) -> None:
        await self.ws.send(message.SerializeToString())

    async def run_page(self, page: str, states: dict[str, WidgetState] | None = None) -> float:
        """One script run (and the reruns it asks for) of `page`; returns its seconds."""
        if page != self.page:
            self.states = {}  # the widgets of another page are not sent back, as in the browser
        self.page = page
        self.states.update(states or {})
        self.widgets = {}  # what this run draws: a button of an earlier run cannot be clicked
        started = time.monotonic()
        await self.send(BackMsg(rerun_script=ClientState(
            page_name=page, query_string="", widget_states=WidgetStates(widgets=list(self.states.values())))))
        await self._until_finished()
        return time.monotonic() - started

    async def _until_finished(self) -> None:
        deadline = time.monotonic() + RUN_TIMEOUT
        while True:
            message = await self._receive(max(0.1, deadline - time.monotonic()))
            forward = ForwardMsg()
            forward.ParseFromString(message)
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                self.session_id = forward.new_session.initialize.session_id
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                self._note(forward.delta.new_element)
            elif kind == "script_finished" and forward.script_finished != FINISHED_EARLY:
                return

    async def _receive(self, timeout: float) -> bytes:
        try:
            return await asyncio.wait_for(self.ws.recv(), timeout)
        except ConnectionClosed as exc:
            raise ConnectionError(f"the server closed the websocket ({exc})") from exc

    def _note(self, element) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.tally.errors.append(f"page {self.page or 'overview'}: {element.exception.type}: "
                                     f"{element.exception.message[:200]}")
            return
        proto = getattr(element, kind)
        element_id = getattr(proto, "id", "")
        if isinstance(element_id, str) and element_id.startswith("$$ID-"):
            self.widgets[element_id.split("-", 2)[2]] = proto

    def state(self, key: str, **value) -> dict[str, WidgetState]:
        return {key: WidgetState(id=self.widgets[key].id, **value)}

    async def filter_click(self) -> None:
        page = self.rng.choice(ORDINARY_PAGES)
        if page != self.page or not self.widgets:
            await self.run_page(page)
        key = self.rng.choice(FILTER_KEYS)
        options = list(self.widgets[key].options)
        chosen = self.rng.sample(options, k=self.rng.randint(0, min(2, len(options))))
        heavy_now = self.tally.in_flight > 0
        seconds = await self.run_page(page, self.state(key, string_array_value={"data": chosen}))
        self.tally.ordinary.append((seconds, heavy_now or self.tally.in_flight > 0))

    async def heavy_query(self) -> None:
        if self.page != "sql" or "sql_text" not in self.widgets:
            await self.run_page("sql")
        states = {**self.state("sql_text", string_value=self.rng.choice(HEAVY_QUERIES)),
                  **self.state("sql_run", trigger_value=True)}
        self.tally.in_flight += 1
        try:
            self.tally.heavy.append(await self.run_page("sql", states))
        finally:
            self.tally.in_flight -= 1
        self.states.pop("sql_run", None)  # a trigger is sent once, as the browser does

    async def download(self) -> None:
        await self.heavy_query()
        button = self.widgets.get("sql_dl_csv")
        if button is None or not button.deferred_file_id:
            return  # the query was stopped: nothing to download
        self.tally.in_flight += 1
        started = time.monotonic()
        try:
            request_id = f"soak-{self.rng.random()}"
            await self.send(BackMsg(backend_operation_request=BackendOperationRequest(
                request_id=request_id, session_id=self.session_id,
                deferred_file=DeferredFileRequestPayload(file_id=button.deferred_file_id))))
            url = await self._download_url(request_id)
            size = await asyncio.to_thread(_http_size, f"http://127.0.0.1:{self.port}{url}")
            self.tally.downloads.append((time.monotonic() - started, size))
        finally:
            self.tally.in_flight -= 1

    async def _download_url(self, request_id: str) -> str:
        while True:
            message = await self._receive(RUN_TIMEOUT)
            forward = ForwardMsg()
            forward.ParseFromString(message)
            if forward.WhichOneof("type") == "backend_operation_response":
                response = forward.backend_operation_response
                if response.request_id == request_id:
                    if response.error_msg:
                        raise RuntimeError(f"download: {response.error_msg}")
                    return response.deferred_file.url


def _http_size(url: str) -> int:
    with urllib.request.urlopen(url, timeout=RUN_TIMEOUT) as response:
        size = 0
        while chunk := response.read(1 << 20):
            size += len(chunk)
        return size


async def drive(number: int, port: int, until: float, tally: Tally) -> None:
    rng = random.Random(number)
    session = Session(port, tally, rng)
    try:
        await session.open()
        while time.monotonic() < until:
            action = rng.choices([session.filter_click, session.heavy_query, session.download], [6, 3, 1])[0]
            try:
                await action()
            except (KeyError, IndexError) as exc:  # a widget this page run did not draw
                tally.errors.append(f"session {number}: {action.__name__}: widget {exc} not found")
                await session.run_page(session.page)
            await asyncio.sleep(rng.uniform(0.2, 1.0))  # a reader's pause
    except (ConnectionError, asyncio.TimeoutError, OSError, RuntimeError) as exc:
        tally.errors.append(f"session {number}: {type(exc).__name__}: {exc}")
    finally:
        await session.close()


# ---------------------------------------------------------------- the server and its memory

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, data: Path, cache: Path, log) -> subprocess.Popen:
    env = {**os.environ, "PP_DATA_DIR": str(data), "PP_CACHE_DIR": str(cache)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("the server did not answer within 120 s")


def memory_mb(pid: int, field_name: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class MemoryWatch(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_rss, self.stopped = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.25):
            try:
                self.peak_rss = max(self.peak_rss, memory_mb(self.pid, "VmRSS"))
            except OSError:
                return


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(tally: Tally, watch: MemoryWatch, hwm: float, sessions: int, seconds: float) -> dict:
    times = [s for s, _ in tally.ordinary]
    during = [s for s, heavy in tally.ordinary if heavy]
    ms = lambda v: None if v is None else round(v * 1000)  # noqa: E731
    return {
        "sessions": sessions, "seconds": seconds,
        "peak_server_memory_mb": round(max(hwm, watch.peak_rss)), "peak_rss_seen_mb": round(watch.peak_rss),
        "errors": len(tally.errors), "error_samples": tally.errors[:10],
        "ordinary_runs": len(times), "ordinary_p50_ms": ms(statistics.median(times) if times else None),
        "ordinary_p95_ms": ms(percentile(times, 0.95)),
        "ordinary_runs_during_heavy": len(during), "ordinary_p95_during_heavy_ms": ms(percentile(during, 0.95)),
        "heavy_queries": len(tally.heavy), "heavy_p95_ms": ms(percentile(tally.heavy, 0.95)),
        "downloads": len(tally.downloads), "largest_download_mb": round(max((b for _, b in tally.downloads),
                                                                           default=0) / 2**20, 1),
    }


async def soak(port: int, sessions: int, seconds: float) -> Tally:
    tally = Tally()
    # One page run first builds the typed cache: concurrent cold loads are the loader's own check, not this one's.
    warm = Session(port, tally, random.Random(0))
    await warm.open()
    await warm.close()
    until = time.monotonic() + seconds
    await asyncio.gather(*(drive(n, port, until, tally) for n in range(sessions)))
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--data", default=str(REPO / "data" / "demo"))
    parser.add_argument("--out", help="also write the summary as JSON to this file")
    args = parser.parse_args(argv)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="soak-cache-") as cache, \
            tempfile.NamedTemporaryFile("w+", prefix="soak-server-", suffix=".log", delete=False) as log:
        server = start_server(port, Path(args.data).resolve(), Path(cache), log)
        watch = MemoryWatch(server.pid)
        watch.start()
        try:
            tally = asyncio.run(soak(port, args.sessions, args.seconds))
            hwm = memory_mb(server.pid, "VmHWM")
        finally:
            watch.stopped.set()
            server.terminate()
            server.wait(timeout=30)
    result = summary(tally, watch, hwm, args.sessions, args.seconds)
    result["server_log"] = log.name
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0 if not tally.errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
