"""The load generator without browsers: its Streamlit protocol client against a tiny app served on 127.0.0.1,
and the numbers it reports, on hand-made values."""
from __future__ import annotations

import asyncio
import concurrent.futures
import os
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from benchmarks.load import percentile
from benchmarks.readers import Tally, crowd_section
from benchmarks.streamlit_client import ProtocolError, Reader, Run
from tests.e2e.browser import free_port

TINY_APP = '''
from datetime import date
import streamlit as st

def home():
    picked = st.multiselect("Fruit", ["apple", "pear", "plum"], key="fruit")
    st.markdown(f"picked={','.join(picked)}")
    days = st.date_input("Dates", (date(2020, 1, 1), date(2020, 12, 31)), min_value=date(2020, 1, 1),
                         max_value=date(2020, 12, 31), key="days")
    st.markdown(f"dates={days[0]}..{days[-1]}")
    st.markdown(f"query={st.query_params.get('x', '')}")
    one, two = st.tabs(["One", "Two"], on_change="rerun", key="tabs")
    st.markdown(f"two open={two.open}")
    if st.button("Boom"):
        raise ValueError("boom pressed")

def other():
    st.markdown("the other page")

st.navigation([st.Page(home, title="Home", default=True), st.Page(other, title="Other", url_path="other")]).run()
'''


@pytest.fixture(scope="module")
def tiny_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    (folder / "app.py").write_text(TINY_APP)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=folder, env=dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=20)


def test_reader_speaks_streamlit_protocol(tiny_server):
    async def walk():
        async with Reader(tiny_server, timeout=60) as reader:
            opened = await reader.open("", "x=7")
            assert opened.status == "finished" and not opened.exceptions
            assert "query=7" in opened.texts and "picked=" in opened.texts
            assert set(reader.pages) == {"", "other"}
            assert reader.widgets["Fruit"].options == ["apple", "pear", "plum"]
            assert reader.tab_labels() == ["One", "Two"]

            chosen = await reader.choose("Fruit", ["pear", "plum"])
            assert "picked=pear,plum" in chosen.texts and chosen.bytes > 0 and chosen.messages > 1
            dated = await reader.pick_dates("Dates", date(2020, 3, 1), date(2020, 5, 31))
            assert "dates=2020-03-01..2020-05-31" in dated.texts
            assert "picked=pear,plum" in dated.texts  # the earlier change is sent again, as the frontend does
            assert "two open=True" in (await reader.open_tab("Two")).texts

            assert (await reader.navigate("other")).texts == ["the other page"]
            back = await reader.navigate("")
            assert "query=7" in back.texts

            boom = await reader.click("Boom")
            assert boom.exceptions == ["ValueError: boom pressed"]
            assert not (await reader.choose("Fruit", [])).exceptions  # a trigger fires once

            with pytest.raises(ProtocolError, match="offers no"):
                await reader.choose("Fruit", ["kiwi"])
            with pytest.raises(ProtocolError, match="no page at /nowhere"):
                await reader.navigate("nowhere")
    # In a thread of its own: a session-wide Playwright (the browser tests) keeps an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, walk()).result()


def test_percentiles_on_hand_made_numbers():
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 0.5) == 11.0  # nearest rank: round(0.5 * 19) = 10 -> the 11th value
    assert percentile(values, 0.95) == 19.0  # round(0.95 * 19) = 18 -> the 19th value
    assert percentile([3.0, 1.0, 2.0], 0.95) == 3.0
    assert percentile([5.0], 0.95) == 5.0


def test_crowd_section_reports_percentiles_errors_and_cpu_per_interaction():
    tally = Tally()
    for seconds in (0.2, 0.4, 0.6, 0.8):
        tally.add("open Map", Run(seconds, 2048, 3, "finished", [], []))
    tally.add("reset filters", Run(1.5, 1024, 2, "finished", ["KeyError: 'x'"], []))
    level = {"readers": 10, "journey": "every page", "tally": tally, "wall": 10.0, "opened_in": 2.0,
             "first_visits": [1.0, 3.0], "server_cpu": 2.5, "own_cpu": 0.5, "peak_mb": 512.0, "rss_mb": 480.0}
    text = "\n".join(crowd_section(level, cores=2))
    assert text.startswith("### 10 readers, every page journey, all starting at once\n")
    assert "\n".join(crowd_section({**level, "arrival": "ramp"}, cores=2)).startswith(
        "### 10 readers, every page journey, arrivals spread over the first pause\n")
    assert "| open Map | 4 | 0.50 | 0.80 | 0.80 | 2 |" in text  # p50 is the median: (0.4 + 0.6) / 2
    assert "| **all** | 5 | 0.60 | 1.50 | 1.50 |" in text
    assert "Errors: 1 — reset filters: KeyError: 'x'." in text
    assert "**0.50 s per interaction** (at most 4.0 interactions a second on 2 cores)" in text
    assert "peak (VmHWM) 512 MB" in text
    assert "**NOT met** (p95 1.50 s)" in text
