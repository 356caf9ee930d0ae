"""The typed cache's folders: one build per key at a time, a manifest checked on open, an atomic swap, cleanup.

Under the cache root, for each cache key:
    <key>                 a symbolic link to the key's current build (what readers open: a rebuild swaps the link
                          in one step, so a reader never sees a half-written or missing store)
    <key>.<id>/           one finished build: report.json, problems.parquet, tables/, manifest.json, last_used
    .<key>.lock           held (flock) while the key is built or evicted: the other loaders wait, then read it
    .build-<key>-<id>/    a build under way; left behind by a killed load, removed by the next build's cleanup

manifest.json lists every file of the build with its size, modification time and SHA-256, grouped by the stored
table it belongs to (lib/store/tables.py); a store whose files disagree with it (deleted, truncated, overwritten:
a file whose time changed is hashed again) is rebuilt.
Builds no longer linked are removed after GRACE_SECONDS (a reader that opened one keeps working meanwhile), and
whole keys, least recently used first, once the cache holds more than PP_CACHE_MAX_MB megabytes
(DEFAULT_BUDGET_MB by default).
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from pathlib import Path

from lib.store import tables as stored

MANIFEST = "manifest.json"
LAST_USED = "last_used"
BUILD_PREFIX = ".build-"
GRACE_SECONDS = 600
DEFAULT_BUDGET_MB = 4096
BUDGET_VARIABLE = "PP_CACHE_MAX_MB"
NOT_TABLE = ("report.json", "problems.parquet")

def budget_bytes() -> int:
    try:
        return int(float(os.environ.get(BUDGET_VARIABLE, DEFAULT_BUDGET_MB)) * 1024 ** 2)
    except ValueError:
        return DEFAULT_BUDGET_MB * 1024 ** 2


@contextlib.contextmanager
def locked(root: Path, key: str, wait: bool = True):
    """Hold the key's lock while the block runs; with wait=False, yield False at once when another holds it."""
    with open(root / f".{key}.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_build(root: Path, key: str) -> Path:
    work = root / f"{BUILD_PREFIX}{key}-{uuid.uuid4().hex[:8]}"
    work.mkdir()
    return work


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 ** 2):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(work: Path) -> None:
    """manifest.json: report.json, problems.parquet and the files of every declared stored table."""
    groups = {name: [work / name] for name in NOT_TABLE}
    for table in stored.TABLES:
        single = work / "tables" / f"{table.name}.parquet"
        folder = work / "tables" / table.name
        groups[table.name] = [single] if single.is_file() else sorted(p for p in folder.rglob("*") if p.is_file())
    files = {name: {path.relative_to(work).as_posix(): _entry(path) for path in paths}
             for name, paths in groups.items()}
    (work / MANIFEST).write_text(json.dumps({"files": files}, indent=1))


def _entry(path: Path) -> dict:
    stat = path.stat()
    return {"bytes": stat.st_size, "sha256": _sha256(path), "mtime_ns": stat.st_mtime_ns}


def problem(store: Path) -> str | None:
    """Why the store cannot be used as it is (None: every file is as its manifest says)."""
    try:
        manifest = json.loads((store / MANIFEST).read_text())
        groups = manifest["files"]
        for required in (*NOT_TABLE, *(t.name for t in stored.TABLES)):
            if required not in groups:
                return f"{required} is not in the manifest"
        for group in groups.values():
            for relative, expected in group.items():
                path = store / relative
                stat = path.stat()
                if stat.st_size != expected["bytes"]:
                    return f"{relative} has {stat.st_size:,} bytes, not {expected['bytes']:,}"
                # A file untouched since it was written is not hashed again (a warm start at 6 million
                # predictions would read every byte of the cache); one written since must hash as it did.
                if stat.st_mtime_ns != expected["mtime_ns"] and _sha256(path) != expected["sha256"]:
                    return f"{relative} is not the file that was written"
    except FileNotFoundError as exc:
        return f"{Path(exc.filename or '?').name} is missing"
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"the manifest could not be read ({exc})"
    return None


def table_files(store: Path) -> dict[str, dict[str, dict]]:
    """The manifest's files per table ({} when it cannot be read)."""
    try:
        return json.loads((store / MANIFEST).read_text())["files"]
    except (OSError, ValueError, KeyError):
        return {}


def publish(root: Path, key: str, work: Path) -> Path:
    """Make the finished build `work` the key's store in one step (the link is replaced, never removed)."""
    final = root / f"{key}.{uuid.uuid4().hex[:8]}"
    work.rename(final)
    link = root / key
    temporary = root / f".link-{key}-{uuid.uuid4().hex[:8]}"
    temporary.symlink_to(final.name)
    if link.is_dir() and not link.is_symlink():  # a store of an earlier layout
        shutil.rmtree(link)
    os.replace(temporary, link)
    touch(link)
    return link


def touch(store: Path) -> None:
    """Note that the store was used now (for least-recently-used eviction); a read-only cache is not an error."""
    with contextlib.suppress(OSError):
        (store / LAST_USED).touch()


def _last_used(build: Path) -> float:
    with contextlib.suppress(OSError):
        return (build / LAST_USED).stat().st_mtime
    with contextlib.suppress(OSError):
        return build.stat().st_mtime
    return 0.0


def _size(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
    return total


def _linked(root: Path) -> dict[str, Path]:
    """key -> the build its link points to."""
    links = {}
    for link in root.iterdir():
        if link.is_symlink():
            links[link.name] = root / os.readlink(link)
    return links


def clean(root: Path, keep: str | None = None, now: float | None = None) -> list[Path]:
    """Remove builds left by killed loads, builds no longer linked (after GRACE_SECONDS), and then whole keys,
    least recently used first, until the cache fits its budget (never `keep`, nor a key being built)."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(root.iterdir())
        links = _linked(root)
    except OSError:
        return removed
    current = set(links.values())
    for path in entries:
        if path.is_symlink() or not path.is_dir():
            continue
        if path.name.startswith(BUILD_PREFIX):
            key = path.name[len(BUILD_PREFIX):].rsplit("-", 1)[0]
            with locked(root, key, wait=False) as free:
                if free:  # nobody builds this key: the build was abandoned
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path)
        elif "." in path.name and path not in current and now - _mtime(path) > GRACE_SECONDS:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    sizes = {key: _size(build) for key, build in links.items()}
    total = sum(sizes.values())
    for key in sorted(links, key=lambda k: _last_used(links[k])):
        if total <= budget_bytes():
            break
        if key == keep:
            continue
        with locked(root, key, wait=False) as free:
            if free:
                forget(root, key)
                removed.append(links[key])
                total -= sizes[key]
    return removed


def _mtime(path: Path) -> float:
    with contextlib.suppress(OSError):
        return path.stat().st_mtime
    return 0.0


def forget(root: Path, key: str) -> None:
    """Remove the key's link and every build of it (the caller holds its lock, or nobody can use it any more)."""
    link = root / key
    with contextlib.suppress(OSError):
        target = root / os.readlink(link) if link.is_symlink() else None
        link.unlink()
        if target is not None:
            shutil.rmtree(target, ignore_errors=True)
    for build in root.glob(f"{key}.*"):
        shutil.rmtree(build, ignore_errors=True)

