"""import-markup and fetch write only into a new, empty or earlier-imported folder; anything else is refused
with exit 2 and left exactly as it was."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from lib import cli
from lib.data import fetch as fetch_module
from lib.data import markup
from lib.data.fetch import FetchError, fetch, load_checksums
from tests.data.test_markup import make_source, tree_hash

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"The Markup's published data is not at {SHARED}")


def test_import_markup_into_the_sources_parent_exits_2_and_deletes_nothing(tmp_path, capsys):
    src = make_source(tmp_path, [])
    before = tree_hash(tmp_path)
    assert cli.main(["import-markup", str(src), str(tmp_path)]) == 2
    assert "holds the source" in capsys.readouterr().err
    assert tree_hash(tmp_path) == before


def test_import_markup_into_a_folder_with_the_users_files_exits_2(tmp_path, capsys):
    src = make_source(tmp_path, [])
    dest = tmp_path / "home"
    (dest / "Documents").mkdir(parents=True)
    (dest / "Documents" / "story.docx").write_text("draft", encoding="utf-8")
    assert cli.main(["import-markup", str(src), str(dest)]) == 2
    err = capsys.readouterr().err
    assert "already holds files this tool did not write (Documents)" in err and "Nothing was changed." in err
    assert (dest / "Documents" / "story.docx").read_text(encoding="utf-8") == "draft"


def test_import_markup_into_the_current_folder_is_refused(tmp_path, monkeypatch, capsys):
    src = make_source(tmp_path, [])
    monkeypatch.chdir(tmp_path)
    before = tree_hash(tmp_path)
    assert cli.main(["import-markup", str(src), "."]) == 2
    assert tree_hash(tmp_path) == before


def test_import_markup_into_a_new_folder_says_where_and_what_next(tmp_path, capsys):
    src = make_source(tmp_path, [])
    assert cli.main(["import-markup", str(src), str(tmp_path / "new")]) == 0
    err = capsys.readouterr().err
    assert f"Wrote The Markup's data to {tmp_path / 'new'}" in err
    assert f"python -m lib.cli validate {tmp_path / 'new'}" in err


def test_fetch_refuses_a_foreign_destination_before_downloading(tmp_path, capsys, monkeypatch):
    def no_download(*args):
        raise AssertionError("downloaded although the destination is refused")

    monkeypatch.setattr(fetch_module, "_download", no_download)
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "keep.csv").write_text("a,b\n", encoding="utf-8")
    assert cli.main(["fetch", "--dest", str(dest)]) == 2
    assert "keep.csv" in capsys.readouterr().err
    assert [p.name for p in dest.iterdir()] == ["keep.csv"]


@needs_shared
def test_fetch_from_a_source_with_a_checksum_mismatch_fails_and_imports_nothing(tmp_path, monkeypatch, capsys):
    checksums = load_checksums()
    checksums["markup-plainfield/predictions_by_type.csv"] = "0" * 64
    fake = tmp_path / "checksums.json"
    fake.write_text(json.dumps(checksums), encoding="utf-8")
    monkeypatch.setattr(fetch_module, "CHECKSUMS_PATH", fake)
    with pytest.raises(FetchError, match="predictions_by_type.csv. Nothing was imported"):
        fetch(tmp_path / "data", source=SHARED, echo=lambda line: None)
    assert cli.main(["fetch", "--source", str(SHARED), "--dest", str(tmp_path / "data")]) == 1
    assert "SHA-256 mismatch" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()


@needs_shared
def test_fetch_ends_by_saying_where_it_wrote_and_what_to_run(tmp_path, capsys):
    assert cli.main(["fetch", "--source", str(SHARED), "--dest", str(tmp_path / "real")]) == 0
    err = capsys.readouterr().err
    assert f"Wrote The Markup's data to {tmp_path / 'real'}. Next:" in err
    assert f"PP_DATA_DIR={tmp_path / 'real'} streamlit run streamlit_app.py" in err
    assert (tmp_path / "real" / markup.MARKER).is_file()
