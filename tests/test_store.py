"""The stored-table declarations (lib/store/tables.py) and what reads them: the build order, the connection, the
cache manifest, `python -m lib.cli tables` and the README's generated section."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lib import db
from lib.cli import main
from lib.data import load
from lib.store import build, cache, describe, tables
from lib.store.tables import Table
from tests.conftest import REPO
from tests.fixtures import write_tiny


def test_the_readme_section_is_generated_from_the_declarations():
    text = (REPO / "README.md").read_text()
    assert describe.readme_section(text) == describe.markdown(), \
        "README's stored tables are out of date: run python -m lib.cli tables --readme README.md"


def test_each_table_comes_after_its_inputs_and_a_missing_input_is_named():
    order = [t.name for t in tables.in_dependency_order()]
    assert sorted(order) == sorted(t.name for t in tables.TABLES)
    for t in tables.TABLES:
        assert all(order.index(i) < order.index(t.name) for i in t.inputs), t.name
    assert order.index("report_prediction_pairs") < order.index("report_matches") < len(order)
    with pytest.raises(ValueError, match=r"orphan \(needs nowhere\)"):
        tables.in_dependency_order((Table("orphan", "nothing", ("nowhere",), sql="prediction_days"),))


def test_every_builder_exists():
    for t in tables.TABLES:
        if t.sql:
            assert (db.SQL_DIR / f"{t.sql}.sql").exists(), t.name
        for reference in (t.function, t.parameters):
            if reference:
                assert callable(build.resolve(reference)), reference
        assert t.raw or bool(t.sql) != bool(t.function), t.name


def test_no_loading_module_imports_analysis_and_analysis_never_imports_the_loader():
    def imports(path: Path) -> set[str]:
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        return found
    for path in (REPO / "lib" / "data").glob("*.py"):
        assert not {m for m in imports(path) if m.startswith("lib.analysis")}, path
    for path in (REPO / "lib" / "analysis").rglob("*.py"):
        assert "lib.data.load" not in imports(path), path


def test_the_tables_command_lists_every_table_with_its_rows_and_bytes(tmp_path, capsys):
    data = write_tiny(tmp_path / "tiny")
    assert main(["tables", str(data), "--csv"]) == 0
    import io
    import pandas as pd
    listed = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("table")
    assert list(listed.index) == [t.name for t in tables.in_dependency_order()]
    assert listed.loc["predictions", "rows"] == 7
    assert listed.loc["prediction_locations", "rows"] == 6  # the fixture's six places
    assert listed.loc["departments", "rows"] == 2
    assert (listed["bytes"] > 0).all()
    assert listed.loc["report_matches", "built from"] == "report_prediction_pairs"


def test_a_table_added_by_one_declaration_is_built_stored_and_listed(tmp_path, monkeypatch):
    per_day = Table("predictions_per_day", "the predictions summed per department and day", ("prediction_days",),
                    sql="prediction_days_total", partition="department")
    sql_dir = tmp_path / "sql"
    sql_dir.mkdir()
    for path in db.SQL_DIR.glob("*.sql"):
        (sql_dir / path.name).write_text(path.read_text())
    (sql_dir / "prediction_days_total.sql").write_text(
        "SELECT department, date, CAST(sum(count) AS BIGINT) AS count FROM prediction_days GROUP BY ALL")
    monkeypatch.setattr(db, "SQL_DIR", sql_dir)
    db.sql.cache_clear()
    monkeypatch.setattr(tables, "TABLES", (*tables.TABLES, per_day))
    try:
        dataset = load.load(write_tiny(tmp_path / "tiny"), tmp_path / "cache")
        con = dataset.connect()
        assert con.execute("SELECT sum(count), count(*) FROM predictions_per_day").fetchone() == (35, 5)  # alpha on 3 days, beta on 2
        assert "predictions_per_day" in cache.table_files(dataset.store)
        assert "predictions_per_day" in list(describe.stored_tables()["table"])
    finally:
        db.sql.cache_clear()
