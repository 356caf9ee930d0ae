"""The Data & methods page: provenance of the data in use, the dictionary from the schema, the methods, and
uploads that become the data of one session only."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lib import methods, schema, ui
from lib.data import load, upload
from lib.store import in_dependency_order
from tests.apptest import assert_no_exception, metrics, run_app
from tests.fixtures import write_tiny

PAGE = "pages/data_methods.py"


def markdown_text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def zip_of(directory: Path, only: list[str] | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.iterdir()):
            if only is None or path.name in only:
                archive.write(path, f"upload/{path.name}")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload_files(at, files: list[tuple[str, bytes, str]]):
    at.file_uploader[0].set_value(files).run()
    at.button(key="upload_check").click().run()
    assert_no_exception(at)
    return at


# -- pure parts --------------------------------------------------------------------------------------

def test_provenance_of_the_tiny_fixture(tiny):
    rows = dict(methods.provenance(tiny))
    assert rows == {"Kind": "Hand-made test data", "Title": "Tiny hand-made fixture",
                    "Data directory": str(tiny.data_dir)}
    files = methods.files_frame(tiny).set_index("file")
    assert files.loc["pp_report_locations_geocoded.csv", "rows"] == 7
    assert files.loc["block_groups.geojson", "rows"] == 6
    assert files.loc["crime_reports.csv", "status"] == "absent"
    assert methods.sources_frame(tiny.source).empty


def test_a_folder_without_source_json_says_provenance_is_unknown(tmp_path):
    directory = write_tiny(tmp_path / "d")
    (directory / "source.json").unlink()
    rows = dict(methods.provenance(load.load(directory)))
    assert rows["Kind"].startswith("Unknown: the folder has no source.json")


def test_provenance_of_the_real_data(real):
    rows = dict(methods.provenance(real, dated=False))
    assert rows["Kind"] == "Real published data"
    # the departments' span, not dates of the predictions, which have none (as the Audit page says)
    assert "Predictions dated" not in rows
    assert rows["Prediction period"].startswith("2018-02-15 to 2021-01-30 (")
    assert "the predictions themselves have no dates" in rows["Prediction period"]
    assert rows["Imported from"].endswith("shared/data")
    sources = methods.sources_frame(real.source)
    assert sources["repository"].tolist() == ["the-markup/investigation-prediction-bias",
                                              "the-markup/investigation-geolitica-plainfield"]
    assert sources["commit"].tolist() == ["e1fa49fd014a97ee52eec40dcb5811926476a305",
                                          "2c5aa954ac5c113d7804529803b0edfa0eb69d62"]
    assert sources["licence"].tolist() == ["BSD-3-Clause", "not stated"]


def test_the_dictionary_is_the_schema():
    everything = methods.dictionary()
    assert len(everything) == sum(len(f.columns) for f in schema.FILES)
    departments = methods.dictionary("departments.csv")
    assert departments["column"].tolist() == [c.name for c in schema.spec("departments").columns]
    lat = methods.dictionary("pp_report_locations_geocoded.csv").set_index("column").loc["lat"]
    assert (lat["type"], lat["unit"], lat["aliases"]) == ("float", "degrees", "latitude, y")


# -- the page --------------------------------------------------------------------------------------

def test_the_page_on_the_demo_data(demo):
    at = run_app(demo.data_dir, page=PAGE)
    assert_no_exception(at)
    text = markdown_text(at)
    assert "**Kind:** Synthetic demo data (not real)" in text and "**Random seed:** 7" in text
    assert ui.MARKUP_METHOD_2021 in text and ui.MARKUP_METHOD_2023 in text
    headers = [h.value for h in at.main.header]
    assert headers == ["The data in use", "Bring your own data", "How each page works",
                       "Reproducing The Markup's figures", "Limitations", "Data dictionary", "Tables stored at load"]
    # the demo was not imported from The Markup's files: the section says how to point at them
    assert any("PP_MARKUP_PUBLISHED" in i.value for i in at.info)
    [stored] = [d.value for d in at.dataframe if "built from" in d.value.columns]
    assert list(stored["table"]) == [t.name for t in in_dependency_order()]
    assert stored.set_index("table").loc["predictions", "rows"] == demo.rows["predictions"]
    labels = [e.label for e in at.expander]
    for spec in schema.FILES:
        assert any(label.startswith(f"`{spec.file}`") for label in labels), spec.file
    for method in methods.METHODS:
        assert any(label.startswith(f"**{method.page}**") for label in labels), method.page
    for title, _ in methods.LIMITATIONS:
        assert f"**{title}.**" in text
    # the validator's report of the demo's planted geocoding errors
    assert f"**{demo.warning_count:,} warnings**" in text


def test_the_page_on_the_real_data_shows_sources_and_import_notes(real):
    at = run_app(real.data_dir, page=PAGE)
    assert_no_exception(at)
    frames = [d.value for d in at.dataframe]
    sources = next(f for f in frames if "repository" in f.columns)
    assert "the-markup/investigation-geolitica-plainfield" in sources["repository"].tolist()
    notes = next(e for e in at.expander if e.label.endswith("notes from the import"))
    assert notes.label == f"{len(real.source['warnings'])} notes from the import"
    # the reproduction finds the published tables where the data was imported from
    shown = metrics(at)
    assert shown["Race correlations within 0.05"] == "140 of 152"
    assert shown["Low-income correlations within 0.05"] == "35 of 38"
    summary = next(f for f in frames if "figures" in f.columns)
    assert summary.set_index("table").loc["race_corr_pred_count.csv", "figures"] == 152
    # the deciles, department by department, each off one with the reason its counts differ
    by_department = next(f for f in frames if "buckets_moved" in f.columns)
    assert len(by_department) == 38
    off = by_department[by_department["income_mae"] > 0.02]
    assert len(off) and off["reason"].str.startswith("Counts differ").all()
    assert "its low-income share agrees exactly too" in markdown_text(at)
    # the reader chooses the counts: the GeoJSON `count` property reproduces fewer correlations
    at.radio(key="reproduce_counts").set_value("geojson").run()
    assert_no_exception(at)
    geojson = int(metrics(at)["Race correlations within 0.05"].split()[0])
    assert geojson < 140


def test_an_uploaded_zip_becomes_the_data_of_that_session_only(demo, tmp_path):
    tiny_zip = zip_of(write_tiny(tmp_path / "tiny"))
    mine = run_app(demo.data_dir, page=PAGE)
    upload_files(mine, [("my-data.zip", tiny_zip, "application/zip")])
    chosen = Path(mine.session_state["data_dir"])
    assert upload.is_upload_folder(chosen) and (chosen / "departments.csv").exists()
    assert any("this session's data now" in s.value for s in mine.success)
    assert "**Kind:** Hand-made test data" in markdown_text(mine)

    mine.switch_page("pages/overview.py").run()
    assert metrics(mine)["Predictions"] == "35"

    theirs = run_app(demo.data_dir)
    assert_no_exception(theirs)
    assert metrics(theirs)["Predictions"] == f"{demo.rows['predictions']:,}" == "45,000"
    assert "data_dir" not in theirs.session_state

    mine.switch_page(PAGE).run()
    mine.button(key="upload_back").click().run()
    assert_no_exception(mine)
    assert not mine.session_state["data_dir"] and not chosen.exists()
    assert "**Kind:** Synthetic demo data (not real)" in markdown_text(mine)


def test_single_files_can_be_uploaded(demo, tmp_path):
    source = write_tiny(tmp_path / "tiny")
    at = run_app(demo.data_dir, page=PAGE)
    upload_files(at, [(p.name, p.read_bytes(), "text/csv") for p in sorted(source.iterdir())])
    assert upload.is_upload_folder(at.session_state["data_dir"])
    upload.discard(at.session_state["data_dir"])


def test_a_zip_slip_archive_is_refused_and_the_data_stays(demo, tmp_path):
    evil = zip_of(write_tiny(tmp_path / "tiny"), extra={"../../departments.csv": b"department,name\nx,y\n"})
    at = run_app(demo.data_dir, page=PAGE)
    upload_files(at, [("evil.zip", evil, "application/zip")])
    assert at.error[0].value == ("Upload refused: the entry '../../departments.csv' points outside the folder it "
                                 "would be unpacked into")
    assert "data_dir" not in at.session_state
    assert "**Kind:** Synthetic demo data (not real)" in markdown_text(at)


def test_files_that_fail_the_checks_show_the_report_and_the_data_stays(demo, tmp_path):
    partial = zip_of(write_tiny(tmp_path / "tiny"), only=["departments.csv", "pp_report_locations_geocoded.csv"],
                     extra={"upload/notes.txt": b"hello"})
    at = run_app(demo.data_dir, page=PAGE)
    upload_files(at, [("partial.zip", partial, "application/zip")])
    assert at.info[0].value == "Ignored 'upload/notes.txt': not a file this app reads."
    assert at.error[0].value.startswith("These files cannot be used yet")
    messages = " ".join(e.value for e in at.error)
    assert "census-block_group-race_ethnicity.csv: required file is missing" in messages
    assert "**Kind:** Synthetic demo data (not real)" in markdown_text(at)


def test_every_problem_is_sent_only_once_its_expander_is_open(real):
    """Closed, the expander drew its 10,000-row table all the same: 1.7 MB per visit of the real data's page."""
    at = run_app(real.data_dir, page=PAGE)
    assert_no_exception(at)
    assert len(real.problems) > 0
    every = next(e for e in at.expander if e.label == "Every problem, with its line and column")
    assert len(every.dataframe) == 0 and len(every.button) == 0


def test_the_dictionary_tables_are_sent_only_once_opened(demo):
    at = run_app(demo.data_dir, page=PAGE)
    assert_no_exception(at)
    departments = next(e for e in at.expander if e.label.startswith("`departments.csv`"))
    assert len(departments.dataframe) == 0
    at.session_state["dictionary_departments.csv"] = True
    at.run()
    departments = next(e for e in at.expander if e.label.startswith("`departments.csv`"))
    assert list(departments.dataframe[0].value["column"]) == list(methods.dictionary("departments.csv")["column"])
