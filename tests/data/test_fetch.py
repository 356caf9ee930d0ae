"""fetch: from a local folder, from a (local stand-in for) raw.githubusercontent.com, and offline."""
from __future__ import annotations

import functools
import json
import socket
import threading
import urllib.error
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from lib.data import fetch as fetch_module
from lib.data.fetch import FetchError, fetch, load_checksums, upstream_url

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"The Markup's published data is not at {SHARED}")


def quiet(line: str) -> None:
    pass


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def raw_server(tmp_path):
    """A local server laid out like raw.githubusercontent.com (<repo>/<commit>/<path>), linking to ../shared."""
    root = tmp_path / "raw"
    for relative in load_checksums():
        target = root / unquote(urlsplit(upstream_url(relative, "http://x")).path.lstrip("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(SHARED / relative)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_checksums_cover_exactly_the_files_the_importer_reads():
    checksums = load_checksums()
    assert len(checksums) == 83  # departments, 38 prediction files, 39 block-group files, 5 Plainfield files
    assert all(len(value) == 64 for value in checksums.values())


@needs_shared
def test_fetch_from_a_local_source(tmp_path):
    steps = []
    result = fetch(tmp_path / "data", source=SHARED, progress=lambda f, m: steps.append(f), echo=quiet)
    assert result.counts["pp_report_locations_geocoded.csv"] == 103_648
    assert not any("SHA-256" in w for w in result.warnings)
    assert steps[-1] == 1.0 and steps == sorted(steps)
    source = json.loads((tmp_path / "data" / "source.json").read_text(encoding="utf-8"))
    assert source["imported_from"] == str(SHARED)


@needs_shared
def test_download_verifies_and_imports(tmp_path, raw_server):
    _, base_url = raw_server
    steps = []
    result = fetch(tmp_path / "data", progress=lambda f, m: steps.append(m), echo=quiet, base_url=base_url)
    assert result.counts["census-block_group-race_ethnicity.csv"] == 6_060
    assert result.counts["crime_reports.csv"] == 3_225
    assert sum(m.startswith("Downloading ") for m in steps) == 83
    source = json.loads((tmp_path / "data" / "source.json").read_text(encoding="utf-8"))
    assert source["imported_from"] == base_url


@needs_shared
def test_download_that_differs_from_the_published_file_changes_nothing(tmp_path, raw_server):
    root, base_url = raw_server
    served = root / unquote(urlsplit(upstream_url("markup-plainfield/vague-addresses.csv", "http://x")).path[1:])
    served.unlink()
    served.write_text("address,reason\n", encoding="utf-8")
    with pytest.raises(FetchError, match="vague-addresses.csv as downloaded differs .* No data was changed."):
        fetch(tmp_path / "data", echo=quiet, base_url=base_url)
    assert not (tmp_path / "data").exists()


def test_offline_fetch_raises_a_plain_error_and_leaves_nothing(tmp_path):
    port = unused_port()
    with pytest.raises(FetchError) as caught:
        fetch(tmp_path / "data", echo=quiet, base_url=f"http://127.0.0.1:{port}", timeout=5)
    message = str(caught.value)
    assert message.startswith(f"Could not reach 127.0.0.1:{port}: ")
    assert message.endswith("No data was changed.")
    assert list(tmp_path.iterdir()) == []


def test_without_network_the_message_names_raw_githubusercontent(tmp_path, monkeypatch):
    def no_network(url, timeout):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    with pytest.raises(FetchError, match=r"^Could not reach raw\.githubusercontent\.com: .* No data was changed\.$"):
        fetch(tmp_path / "data", echo=quiet)
    assert list(tmp_path.iterdir()) == []


def test_upstream_urls_point_at_the_pinned_commits():
    assert upstream_url("markup-prediction-bias/departments.csv") == (
        "https://raw.githubusercontent.com/the-markup/investigation-prediction-bias/"
        "e1fa49fd014a97ee52eec40dcb5811926476a305/in/departments.csv")
    assert upstream_url("markup-plainfield/vague-addresses.csv") == (
        "https://raw.githubusercontent.com/the-markup/investigation-geolitica-plainfield/"
        "2c5aa954ac5c113d7804529803b0edfa0eb69d62/data/manual/vague-addresses.csv")
