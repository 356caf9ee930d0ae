"""Fetch The Markup's published files at the pinned commits, check them, and import them.

markup_checksums.json lists every file import_markup reads, by its path in a folder laid out
like ../shared/data, with its SHA-256. After a deliberate change of the pinned commits,
regenerate it with `python -c "from lib.data.fetch import write_checksums; write_checksums(PATH)"`
where PATH holds the files at the new commits.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable
from urllib.parse import quote, urlsplit

from lib.data.markup import (BIAS_DIR, PLAINFIELD_DIR, SOURCES, ImportResult, check_destination, import_markup,
                              input_files)

RAW_BASE = "https://raw.githubusercontent.com"
CHECKSUMS_PATH = Path(__file__).with_name("markup_checksums.json")
TIMEOUT_SECONDS = 30
DOWNLOAD_SHARE = 0.9  # of the progress bar; the import takes the rest

# Local path (or folder prefix) -> path in the upstream repository.
UPSTREAM_PATHS = {
    f"{BIAS_DIR}/departments.csv": "in/departments.csv",
    f"{BIAS_DIR}/block_groups/": "datasheets/geojson/",
    f"{BIAS_DIR}/prediction_locations/": "out/pred_count_by_dept/",
    f"{PLAINFIELD_DIR}/crime_with_predictions.csv": "data/processed/crime_with_predictions.csv",
    f"{PLAINFIELD_DIR}/plainfield_dosage.csv": "data/inputs/plainfield_dosage.csv",
    f"{PLAINFIELD_DIR}/plainfieldpdnj-geojson-with-data.json": "data/inputs/plainfieldpdnj-geojson-with-data.json",
    f"{PLAINFIELD_DIR}/vague-addresses.csv": "data/manual/vague-addresses.csv",
    f"{PLAINFIELD_DIR}/predictions_by_type.csv": "data/charts/predictions_by_type.csv",
}

Progress = Callable[[float, str], None]


class FetchError(Exception):
    """The data could not be fetched; the message says why and that nothing was changed."""


def fetch(dest: Path, source: Path | None = None, progress: Progress | None = None,
          echo: Callable[[str], None] = print, *, base_url: str = RAW_BASE,
          timeout: float = TIMEOUT_SECONDS) -> ImportResult:
    """Download (or take from SOURCE) The Markup's files, verify them and import them into DEST.

    DEST is refused up front unless it is new, empty or an earlier import (markup.DestinationRefused), and
    only replaced once everything has been downloaded, checked and converted. A file that differs from the
    published version stops the fetch (FetchError) whether downloaded or taken from SOURCE.
    """
    report = progress or (lambda fraction, message: None)
    check_destination(dest, source)
    expected = load_checksums()
    if source is not None:
        source = Path(source)
        report(0.0, f"Checking files in {source}")
        warnings = _local_warnings(source, expected)
        report(DOWNLOAD_SHARE, "Importing")
        result = import_markup(source, dest, echo, origin=str(source), warnings=warnings)
    else:
        with tempfile.TemporaryDirectory(prefix="markup-download-") as folder:
            _download_all(Path(folder), expected, base_url, timeout, report)
            report(DOWNLOAD_SHARE, "Importing")
            result = import_markup(Path(folder), dest, echo, origin=base_url)
    report(1.0, "Done")
    return result


def load_checksums() -> dict[str, str]:
    return json.loads(CHECKSUMS_PATH.read_text(encoding="utf-8"))


def write_checksums(folder: Path) -> None:
    folder = Path(folder)
    sums = {path.relative_to(folder).as_posix(): sha256(path) for path in input_files(folder)}
    CHECKSUMS_PATH.write_text(json.dumps(dict(sorted(sums.items())), indent=1) + "\n", encoding="utf-8")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def upstream_url(relative: str, base_url: str = RAW_BASE) -> str:
    folder = relative.split("/", 1)[0]
    source = next(s for s in SOURCES if s["folder"] == folder)
    prefix = next(p for p in UPSTREAM_PATHS if relative == p or (p.endswith("/") and relative.startswith(p)))
    upstream = UPSTREAM_PATHS[prefix] + relative[len(prefix):]
    return f"{base_url.rstrip('/')}/{source['repository']}/{source['commit']}/{quote(upstream)}"


def _local_warnings(source: Path, expected: dict[str, str]) -> list[str]:
    missing = [rel for rel in expected if not (source / rel).is_file()]
    differing = [rel for rel in expected if rel not in missing and sha256(source / rel) != expected[rel]]
    if differing:
        raise FetchError(f"{len(differing)} file(s) in {source} differ from the published versions "
                         f"(SHA-256 mismatch): {', '.join(differing)}. Nothing was imported; to convert files you "
                         "changed on purpose, use `python -m lib.cli import-markup SOURCE DEST`.")
    warnings = []
    if missing:
        warnings.append(f"{len(missing)} published file(s) are missing from {source}: {', '.join(missing)}")
    return warnings


def _download_all(folder: Path, expected: dict[str, str], base_url: str, timeout: float, report: Progress) -> None:
    for number, (relative, checksum) in enumerate(expected.items()):
        report(DOWNLOAD_SHARE * number / len(expected), f"Downloading {relative}")
        content = _download(upstream_url(relative, base_url), timeout)
        if hashlib.sha256(content).hexdigest() != checksum:
            raise FetchError(f"{relative} as downloaded differs from the published version (SHA-256 mismatch). "
                             "No data was changed.")
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def _download(url: str, timeout: float) -> bytes:
    host = urlsplit(url).netloc
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        raise FetchError(f"{host} answered {error.code} {error.reason} for {url}. No data was changed.") from error
    except urllib.error.URLError as error:
        raise FetchError(f"Could not reach {host}: {error.reason}. No data was changed.") from error
    except OSError as error:  # timeouts and dropped connections while reading
        raise FetchError(f"Could not reach {host}: {error}. No data was changed.") from error
