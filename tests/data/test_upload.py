"""Uploads: known files land in a fresh private folder; unsafe or oversized archives are refused whole."""
from __future__ import annotations

import io
import stat
import tempfile
import zipfile
from pathlib import Path

import pytest

from lib.data import load, upload
from tests.fixtures import write_tiny

REPO = Path(__file__).resolve().parents[2]
TINY_FILES = ["block_groups.geojson", "census-block_group-household_income.csv",
              "census-block_group-race_ethnicity.csv", "departments.csv", "pp_report_locations_geocoded.csv",
              "source.json"]


def zipped(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tiny_zip(tmp_path: Path, folder: str = "mydata/", extra: dict[str, bytes] | None = None) -> bytes:
    source = write_tiny(tmp_path / "tiny-src")
    entries = {folder + p.name: p.read_bytes() for p in sorted(source.iterdir())}
    return zipped({**entries, **(extra or {})})


@pytest.fixture
def folders():
    made = []
    yield made
    for path in made:
        upload.discard(path)


def receive(files, folders):
    result = upload.receive(files)
    folders.append(result.directory)
    return result


def test_a_valid_zip_becomes_a_usable_data_directory(tmp_path, folders):
    data = tiny_zip(tmp_path, extra={"__MACOSX/mydata/._departments.csv": b"\x00\x05",
                                     "mydata/README.txt": b"notes", "mydata/run.sh": b"rm -rf /"})
    result = receive([("my data.zip", data)], folders)
    assert result.ok and sorted(result.kept) == TINY_FILES
    assert sorted(p.name for p in result.directory.iterdir()) == TINY_FILES
    assert result.notices == ["Ignored 'mydata/README.txt': not a file this app reads.",
                              "Ignored 'mydata/run.sh': not a file this app reads."]
    # a fresh folder in the system's temporary directory, never in the repository
    assert result.directory.parent == Path(tempfile.gettempdir()) and REPO not in result.directory.parents
    dataset = load.load(result.directory)
    assert dataset.usable and dataset.rows["predictions"] == 7 and dataset.rows["block_groups"] == 6


def test_every_upload_gets_its_own_folder(tmp_path, folders):
    first = receive([("a.zip", tiny_zip(tmp_path))], folders)
    second = receive([("a.zip", tiny_zip(tmp_path / "b"))], folders)
    assert first.directory != second.directory and first.ok and second.ok


@pytest.mark.parametrize("entry", [
    "../departments.csv",
    "mydata/../../departments.csv",
    "/etc/departments.csv",
    "..\\departments.csv",
    "C:\\temp\\departments.csv",
    "C:departments.csv",
])
def test_zip_slip_entries_refuse_the_whole_archive(tmp_path, folders, entry):
    data = tiny_zip(tmp_path, extra={entry: b"department,name\nx,y\n"})
    result = receive([("evil.zip", data)], folders)
    assert not result.ok and result.error.startswith("Upload refused: the entry")
    assert "points outside the folder" in result.error
    assert list(result.directory.iterdir()) == []
    assert not (result.directory.parent / "departments.csv").exists()


def test_a_symbolic_link_refuses_the_archive(tmp_path, folders):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("mydata/departments.csv")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    result = receive([("link.zip", buffer.getvalue())], folders)
    assert result.error == "Upload refused: the entry 'mydata/departments.csv' is a symbolic link"
    assert list(result.directory.iterdir()) == []


def test_an_archive_declaring_more_than_the_limit_is_refused_before_extraction(tmp_path, folders, monkeypatch):
    data = tiny_zip(tmp_path)
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    monkeypatch.setattr(upload, "MAX_UNCOMPRESSED", declared - 1)
    result = receive([("big.zip", data)], folders)
    assert not result.ok and "would unpack to" in result.error
    assert list(result.directory.iterdir()) == []
    monkeypatch.setattr(upload, "MAX_UNCOMPRESSED", declared)
    assert receive([("big.zip", data)], folders).ok


def test_a_zip_bomb_is_refused_by_its_compression_ratio(folders):
    bomb = zipped({"departments.csv": b"0" * (8 * 1024 ** 2)})   # 8 MB of zeros packs into ~8 kB
    info = zipfile.ZipFile(io.BytesIO(bomb)).infolist()[0]
    assert info.file_size / info.compress_size > upload.MAX_RATIO
    result = receive([("bomb.zip", bomb)], folders)
    assert not result.ok and "zip bomb" in result.error
    assert list(result.directory.iterdir()) == []


def test_a_damaged_zip_is_refused_with_a_message(folders):
    result = receive([("broken.zip", b"PK\x03\x04 not really a zip")], folders)
    assert result.error == "Upload refused: the .zip file could not be read (damaged, or not a zip archive)"


def test_two_files_with_the_same_name_are_refused(tmp_path, folders):
    data = tiny_zip(tmp_path, extra={"other/departments.csv": b"department,name\nx,y\n"})
    result = receive([("two.zip", data)], folders)
    assert result.error == "Upload refused: two files are named departments.csv; upload one data directory at a time"


def test_single_files_are_kept_under_their_sanitised_names(tmp_path, folders):
    source = write_tiny(tmp_path / "src")
    files = [("C:\\Users\\me\\Departments.CSV", (source / "departments.csv").read_bytes()),
             ("../../etc/cron.d/pp_report_locations_geocoded.csv",
              (source / "pp_report_locations_geocoded.csv").read_bytes()),
             ("evil.sh", b"#!/bin/sh")]
    files += [(name, (source / name).read_bytes()) for name in
              ("census-block_group-race_ethnicity.csv", "census-block_group-household_income.csv",
               "block_groups.geojson")]
    result = receive(files, folders)
    assert result.ok
    assert sorted(p.name for p in result.directory.iterdir()) == sorted(TINY_FILES[:-1])
    assert result.notices == ["Ignored 'evil.sh': not a file this app reads."]
    assert load.load(result.directory).usable


def test_nothing_known_is_an_error_naming_the_expected_files(folders):
    result = receive([("photo.jpg", b"\xff\xd8")], folders)
    assert not result.ok and result.error.startswith("Upload refused: none of the files is one this app reads.")
    assert "departments.csv" in result.error


def test_discard_only_removes_upload_folders(tmp_path):
    keep = tmp_path / "mine"
    keep.mkdir()
    upload.discard(keep)
    assert keep.exists()
    made = upload.new_folder()
    upload.discard(made)
    assert not made.exists()


def test_a_session_s_upload_folder_goes_when_its_owner_is_collected():
    import gc
    made = upload.new_folder()
    (made / "departments.csv").write_text("department\n")
    state = {"upload_owner": upload.FolderOwner(made)}
    assert made.exists()
    state.pop("upload_owner")  # what Streamlit's end of a session amounts to: its state is dropped
    gc.collect()
    assert not made.exists()


def test_stale_upload_folders_are_purged_and_young_ones_kept(tmp_path):
    import os
    import time
    old, young, other = (tmp_path / f"{upload.PREFIX}old", tmp_path / f"{upload.PREFIX}young", tmp_path / "mine")
    for folder in (old, young, other):
        folder.mkdir()
    two_days_ago = time.time() - 48 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    os.utime(other, (two_days_ago, two_days_ago))
    assert upload.purge_stale(24, root=tmp_path) == [old]
    assert not old.exists() and young.exists() and other.exists()
