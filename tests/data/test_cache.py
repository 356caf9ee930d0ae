"""The typed cache under concurrent loads, damage, a rebuild while served, a full or read-only folder, paths with
quotes, eviction and uploads (lib/store/cache.py, lib/data/load.py). The tiny fixture holds 7 prediction rows,
35 predictions, at 6 locations."""
from __future__ import annotations

import errno
import gc
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from lib.data import load, upload
from lib.db import scalar
from lib.store import cache
from tests.conftest import REPO
from tests.fixtures import write_tiny

TOTALS = "SELECT (SELECT sum(count) FROM predictions), (SELECT sum(count) FROM prediction_cells), " \
         "(SELECT count(*) FROM prediction_locations), (SELECT sum(count) FROM prediction_locations)"
EXPECTED = (35, 35, 6, 35)


def totals(dataset) -> tuple:
    con = dataset.connect()
    try:
        return tuple(con.execute(TOTALS).fetchone())
    finally:
        con.close()


def builds(root: Path) -> list[Path]:
    return [p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")]


def in_subprocess(code: str, cache_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PP_CACHE_DIR": str(cache_dir)})


def test_concurrent_loads_of_one_directory_build_it_once_and_agree(tmp_path, monkeypatch):
    data = write_tiny(tmp_path / "tiny")
    root = tmp_path / "cache"
    built = []
    original = load._build
    monkeypatch.setattr(load, "_build", lambda *a, **k: built.append(1) or original(*a, **k))
    code = (f"from lib.data import load; d = load.load({str(data)!r}); "
            f"print(tuple(d.connect().execute({TOTALS!r}).fetchone()))")
    processes = [subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True,
                                  env={**os.environ, "PP_CACHE_DIR": str(root)}) for _ in range(2)]
    results, errors = [], []

    def one():
        try:
            results.append(totals(load.load(data, root)))
        except Exception as exc:  # noqa: BLE001 - the test reports what a thread raised
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outputs = [p.communicate(timeout=300)[0].strip() for p in processes]
    assert errors == []
    assert results == [EXPECTED] * 5
    assert outputs == [str(EXPECTED)] * 2
    assert len(built) <= 1 and len(builds(root)) == 1


@pytest.mark.parametrize("damage", ["garbage report", "garbage problems", "truncated parquet", "deleted parquet",
                                    "deleted folder", "no manifest", "same size, other bytes"])
def test_a_damaged_cache_is_rebuilt_never_read_wrong(tmp_path, damage):
    data = write_tiny(tmp_path / "tiny")
    root = tmp_path / "cache"
    store = load.load(data, root).store
    locations = next((store / "tables" / "prediction_locations").glob("*/*.parquet"))
    predictions = next((store / "tables" / "predictions").glob("*/*.parquet"))
    if damage == "garbage report":
        (store / "report.json").write_text("{not json")
    elif damage == "garbage problems":
        (store / "problems.parquet").write_bytes(b"PAR1 garbage")
    elif damage == "truncated parquet":
        predictions.write_bytes(predictions.read_bytes()[:-100])
    elif damage == "deleted parquet":
        locations.unlink()
    elif damage == "deleted folder":
        shutil.rmtree(store / "tables" / "prediction_cells")
    elif damage == "no manifest":
        (store / cache.MANIFEST).unlink()
    else:
        predictions.write_bytes(bytes(reversed(predictions.read_bytes())))
    assert cache.problem(store) is not None
    again = load.load(data, root)
    assert cache.problem(again.store) is None
    assert again.rows["predictions"] == 7 and again.error_count == 0
    assert totals(again) == EXPECTED


def test_validate_while_the_app_serves_the_directory_keeps_its_cache_readable(tmp_path):
    data = write_tiny(tmp_path / "tiny")
    root = tmp_path / "cache"
    served = load.load(data, root)
    con = served.connect()
    done = subprocess.run([sys.executable, "-m", "lib.cli", "validate", str(data)], cwd=REPO, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PP_CACHE_DIR": str(root)})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert tuple(con.execute(TOTALS).fetchone()) == EXPECTED
    assert scalar(con, "SELECT count(*) FROM report_prediction_pairs") >= 0
    assert (served.store / "report.json").exists() and cache.problem(served.store) is None


def test_abandoned_builds_go_and_least_recently_used_keys_are_evicted_beyond_the_budget(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    first, second, third = (write_tiny(tmp_path / name) for name in ("first", "second", "third"))
    load.load(first, root)
    abandoned = root / f"{cache.BUILD_PREFIX}{load.cache_key(first)}-dead"
    (abandoned / "tables").mkdir(parents=True)
    (abandoned / "tables" / "half.parquet").write_bytes(b"x" * 100)
    one_store = sum(p.stat().st_size for p in builds(root)[0].rglob("*") if p.is_file())
    monkeypatch.setenv(cache.BUDGET_VARIABLE, str(2.5 * one_store / 1024 ** 2))
    load.load(second, root)
    assert not abandoned.exists()
    os.utime(root / load.cache_key(second) / cache.LAST_USED, (1, 1))  # second: the least recently used
    load.load(first, root)
    load.load(third, root)
    kept = {link.name for link in root.iterdir() if link.is_symlink()}
    assert kept == {load.cache_key(first), load.cache_key(third)}
    assert len(builds(root)) == 2


def test_an_unwritable_cache_folder_falls_back_to_a_temporary_one_with_a_warning(tmp_path):
    data = write_tiny(tmp_path / "tiny")
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    dataset = load.load(data, blocked / "cache")
    assert dataset.usable and dataset.error_count == 0
    assert totals(dataset) == EXPECTED
    [notice] = [m for m in dataset.problems["expected"] if "cache folder could not be written" in m]
    assert "PP_CACHE_DIR" in notice
    # the same process finds the temporary cache again instead of building afresh
    assert load.load(data, blocked / "cache").store == dataset.store


def test_a_full_cache_folder_falls_back_too(tmp_path, monkeypatch):
    data = write_tiny(tmp_path / "tiny")
    root = tmp_path / "cache"
    write = cache.write_manifest

    def full_under_root(work: Path) -> None:
        if work.parent == root:
            raise OSError(errno.ENOSPC, "No space left on device")
        write(work)

    monkeypatch.setattr(cache, "write_manifest", full_under_root)
    dataset = load.load(data, root)
    assert totals(dataset) == EXPECTED
    assert any("No space left on device" in m for m in dataset.problems["expected"])
    assert not list(root.glob(f"{cache.BUILD_PREFIX}*"))


def test_quotes_in_the_cache_and_data_paths_work(tmp_path):
    data = write_tiny(tmp_path / "O'Brien's data")
    dataset = load.load(data, tmp_path / "it's a cache")
    assert dataset.usable and dataset.error_count == 0
    assert totals(dataset) == EXPECTED
    assert load.load(data, tmp_path / "it's a cache").store == dataset.store


def test_an_upload_s_cache_goes_with_its_session(tmp_path):
    made = upload.new_folder()
    write_tiny(made)
    root = load.cache_root()
    key = load.cache_key(made)
    store = load.load(made).store
    assert store.exists()
    state = {"upload_owner": upload.FolderOwner(made)}
    state.pop("upload_owner")  # the session ends
    gc.collect()
    assert not made.exists()
    assert not (root / key).exists() and not list(root.glob(f"{key}.*"))


def test_a_file_in_another_encoding_leaves_no_converted_copy(tmp_path):
    data = write_tiny(tmp_path / "tiny")
    path = data / "pp_report_locations_geocoded.csv"
    path.write_bytes(path.read_bytes().replace(b"Far Rd", "Pe\u00f1a".encode("cp1252")))
    root = tmp_path / "cache"
    dataset = load.load(data, root)
    assert any("not UTF-8" in m for m in dataset.problems["expected"])
    assert not [p for p in root.rglob("*.csv")]
