"""Bring your own data: an uploaded .zip of a data directory, or its files one by one, into a private folder.

Every upload goes to a fresh folder made by tempfile.mkdtemp (outside the repository, unique per upload, so no
session can write into another's). Only the file names of the data contract (lib/schema.py) and source.json are
kept, under their canonical names; anything else is ignored with a notice. An archive is refused as a whole,
before anything is extracted, when an entry could land outside the folder (absolute path, '..', a drive letter),
is a symbolic link, or when the sizes it declares add up to more than MAX_UNCOMPRESSED or one entry expands
suspiciously (a zip bomb). Python's zipfile stops reading an entry at its declared size, so the declared sizes
bound what is written.
"""
from __future__ import annotations

import io
import re
import shutil
import stat
import tempfile
import time
import weakref
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable

from lib import schema
from lib.data import load
from lib.data.load import SOURCE_FILE

MAX_UNCOMPRESSED = 1024 ** 3          # 1 GiB of files once extracted
MAX_RATIO = 100                       # CSV and GeoJSON compress 5–20×; zip bombs 1,000× and more
RATIO_CHECK_FROM = 1024 ** 2          # tiny entries compress erratically and cannot be bombs
MAX_ENTRIES = 10_000
KNOWN = {name.lower(): name for name in [f.file for f in schema.FILES] + [SOURCE_FILE]}
PREFIX = "predpol-upload-"
DRIVE = re.compile(r"^[A-Za-z]:")


class Refused(Exception):
    """An upload that is not taken at all; the message says why, in plain words."""


@dataclass
class Upload:
    directory: Path
    kept: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.kept)


def new_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix=PREFIX))


def is_upload_folder(path: Path | str | None) -> bool:
    """True for folders this module made (so a session only ever deletes its own uploads)."""
    if not path:
        return False
    path = Path(path)
    return path.parent == Path(tempfile.gettempdir()) and path.name.startswith(PREFIX)


def discard(path: Path | str | None) -> None:
    """Delete an upload folder and its typed copy in the cache."""
    if is_upload_folder(path):
        load.forget(path)
        shutil.rmtree(path, ignore_errors=True)


class FolderOwner:
    """Held in a session's state: when Streamlit drops the session (the tab closed) and the state is
    garbage-collected, the upload folder and its cached tables go with it."""

    def __init__(self, path: Path | str):
        self.path = str(path)
        weakref.finalize(self, discard, self.path)


def purge_stale(max_age_hours: float = 24, root: Path | None = None) -> list[Path]:
    """Delete upload folders untouched for `max_age_hours` (left by a server that stopped before its sessions
    ended). Younger folders may belong to a live session of another server on this machine."""
    root = root or Path(tempfile.gettempdir())
    cutoff = time.time() - max_age_hours * 3600
    gone = []
    for folder in root.glob(f"{PREFIX}*"):
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                load.forget(folder)
                shutil.rmtree(folder, ignore_errors=True)
                gone.append(folder)
        except OSError:
            continue
    return gone


def receive(files: Iterable[tuple[str, bytes]], dest: Path | None = None) -> Upload:
    """Write the uploaded files (name, content) into `dest` (a new private folder by default).

    A .zip is unpacked; other files are kept when their name is one the data contract knows."""
    upload = Upload(dest or new_folder())
    total = 0
    try:
        for name, content in files:
            if PurePosixPath(_clean_name(name)).suffix.lower() == ".zip":
                total += _unzip(io.BytesIO(content), upload, MAX_UNCOMPRESSED - total)
                continue
            target = _canonical(name, upload)
            if target is None:
                continue
            total += len(content)
            if total > MAX_UNCOMPRESSED:
                raise Refused(f"the files add up to more than {MAX_UNCOMPRESSED / 1024 ** 3:g} GB")
            (upload.directory / target).write_bytes(content)
        if not upload.kept:
            raise Refused("none of the files is one this app reads. Expected: " +
                          ", ".join(f.file for f in schema.FILES) + f" (and optionally {SOURCE_FILE}).")
    except Refused as exc:
        upload.error = f"Upload refused: {exc}"
        _empty(upload.directory)
        upload.kept = []
    return upload


def _clean_name(name: str) -> str:
    return name.replace("\\", "/")


def _canonical(name: str, upload: Upload) -> str | None:
    """The contract's name for an uploaded file (matched on its last path part, ignoring case), or None."""
    base = PurePosixPath(_clean_name(name)).name
    target = KNOWN.get(base.lower())
    if target is None:
        upload.notices.append(f"Ignored {name!r}: not a file this app reads.")
        return None
    if target in upload.kept:
        raise Refused(f"two files are named {target}; upload one data directory at a time")
    upload.kept.append(target)
    return target


def unsafe_entry(name: str) -> bool:
    """An archive path that could be written outside the folder it is unpacked into."""
    clean = _clean_name(name)
    return (clean.startswith("/") or bool(DRIVE.match(clean)) or "\x00" in clean
            or ".." in clean.split("/"))


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _unzip(source, upload: Upload, room: int) -> int:
    """Check the whole archive, then extract its known files. Returns the bytes written."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise Refused("the .zip file could not be read (damaged, or not a zip archive)") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise Refused(f"the archive holds {len(entries):,} entries; at most {MAX_ENTRIES:,} are accepted")
        for info in entries:
            if unsafe_entry(info.filename):
                raise Refused(f"the entry {info.filename!r} points outside the folder it would be unpacked into")
            if _is_link(info):
                raise Refused(f"the entry {info.filename!r} is a symbolic link")
        files = [i for i in entries if not i.is_dir()]
        declared = sum(i.file_size for i in files)
        if declared > room:
            raise Refused(f"the archive would unpack to {declared / 1024 ** 2:,.0f} MB; at most "
                          f"{MAX_UNCOMPRESSED / 1024 ** 2:,.0f} MB are accepted")
        for info in files:
            if info.file_size >= RATIO_CHECK_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise Refused(f"the entry {info.filename!r} expands {info.file_size / max(info.compress_size, 1):,.0f} "
                              f"times, more than any data file does (a zip bomb?)")
        written = 0
        for info in files:
            parts = PurePosixPath(_clean_name(info.filename)).parts
            if parts[0] == "__MACOSX" or parts[-1].startswith("._"):
                continue  # macOS resource forks that Finder adds to every archive
            target = _canonical(info.filename, upload)
            if target is None:
                continue
            try:
                with archive.open(info) as src, open(upload.directory / target, "xb") as out:
                    shutil.copyfileobj(src, out, 1024 ** 2)
            except RuntimeError:
                raise Refused(f"the entry {info.filename!r} is encrypted") from None
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError) as exc:
                raise Refused(f"the entry {info.filename!r} could not be unpacked ({exc})") from None
            written += info.file_size
        return written


def _empty(directory: Path) -> None:
    for path in directory.iterdir():
        if path.is_file():
            path.unlink()
