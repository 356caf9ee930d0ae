"""import_markup on The Markup's published data (../shared/data) and on small hand-made sources."""
from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from lib.data import markup
from lib.data.markup import MarkupImportError, import_markup

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"The Markup's published data is not at {SHARED}")

OUTPUT_FILES = (
    "departments.csv", "pp_report_locations_geocoded.csv", "census-block_group-race_ethnicity.csv",
    "census-block_group-household_income.csv", "block_group_counts.csv", "crime_reports.csv", "patrols.csv", "excluded_addresses.csv",
    "prediction_counts_by_type.csv", "block_groups.geojson",
)


def tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


@pytest.fixture(scope="session")
def imported(tmp_path_factory):
    """One import of the published data, shared by the tests that only read its output."""
    before = tree_hash(SHARED)
    dest = tmp_path_factory.mktemp("markup") / "data"
    lines: list[str] = []
    result = import_markup(SHARED, dest, echo=lines.append)
    return {"dest": dest, "result": result, "lines": lines, "src_hash_before": before}


@pytest.fixture(scope="session")
def table(imported):
    return lambda file: read_csv(imported["dest"] / file)


def test_writes_every_output_file_and_source_json(imported):
    names = {p.name for p in imported["dest"].iterdir()}
    assert names == {*OUTPUT_FILES, "source.json", markup.MARKER}
    assert list(imported["result"].counts) == [f for f in OUTPUT_FILES]


def test_departments_keep_all_39_rows_and_add_indianapolis(table, imported):
    columns, rows = table("departments.csv")
    assert columns == ["department", "name", "state", "ucr_id", "first_prediction_date", "final_prediction_date",
                       "confirmed_start", "confirmed_end", "usable", "active", "has_predictions"]
    assert len(rows) == 40
    by_slug = {r["department"]: r for r in rows}
    assert by_slug["alexandriapd"]["name"] == "Alexandria, La."
    assert by_slug["piscataway"]["name"] == "Piscataway, N.J."
    assert by_slug["alexandriapd"]["state"] == "LA"
    assert by_slug["alexandriapd"]["confirmed_end"] == ""  # "Current"
    assert by_slug["cpso"]["active"] == ""  # "UNKNOWN"
    assert by_slug["la"]["confirmed_end"] == "2020-04-15"
    assert (by_slug["reading"]["usable"], by_slug["reading"]["has_predictions"]) == ("false", "false")
    assert by_slug["indianapolis"]["name"] == "Indianapolis, Ind."
    assert (by_slug["indianapolis"]["usable"], by_slug["indianapolis"]["has_predictions"]) == ("false", "false")
    assert sum(r["has_predictions"] == "true" for r in rows) == 38
    assert any("indianapolis" in w for w in imported["result"].warnings)


def test_prediction_locations_are_all_kept(table):
    columns, rows = table("pp_report_locations_geocoded.csv")
    assert columns == ["department", "lat", "lon", "count"]
    assert len(rows) == 103_648
    assert sum(int(r["count"]) for r in rows) == 6_280_691


def test_census_tables_hold_every_block_group_with_geoids_as_text(table):
    race_columns, race = table("census-block_group-race_ethnicity.csv")
    income_columns, income = table("census-block_group-household_income.csv")
    assert race_columns == ["geoid", "department", "total", "white", "black", "latino", "asian"]
    assert income_columns == ["geoid", "department", "households", "low_income_households", "bracket_households",
                              "hh_lt_45k", "hh_45k_75k_or_100k_200k", "hh_75k_100k", "hh_gt_200k"]
    for rows in (race, income):
        assert len(rows) == 6_060
        assert len({(r["department"], r["geoid"]) for r in rows}) == 6_060
        assert all(re.fullmatch(r"\d{12}", r["geoid"]) for r in rows)
        assert any(r["geoid"].startswith("0") for r in rows)  # Alabama's state code is 01
    departments_per_geoid = Counter(r["geoid"] for r in race)
    assert sum(n > 1 for n in departments_per_geoid.values()) == 293


def test_plainfield_rows_gain_income_brackets(table):
    _, race = table("census-block_group-race_ethnicity.csv")
    _, income = table("census-block_group-household_income.csv")
    plainfield = [r for r in income if r["department"] == "plainfieldpdnj"]
    assert len(plainfield) == 35 and all(r["hh_lt_45k"] != "" for r in plainfield)
    assert all(r["hh_lt_45k"] == "" for r in income if r["department"] != "plainfieldpdnj")
    row = next(r for r in plainfield if r["geoid"] == "340390397004")
    assert (row["hh_lt_45k"], row["bracket_households"], row["low_income_households"]) == ("139", "470", "250")
    # the households in none of its three brackets ($45k-75k and $100k-200k, given only together): 470 less
    # 139 under $45k, 31 at $75k-100k and 0 over $200k
    assert (row["hh_75k_100k"], row["hh_gt_200k"], row["hh_45k_75k_or_100k_200k"]) == ("31", "0", "300")
    assert all(int(r["hh_45k_75k_or_100k_200k"]) == int(r["bracket_households"]) - sum(
        int(r[c]) for c in ("hh_lt_45k", "hh_75k_100k", "hh_gt_200k")) for r in plainfield)
    people = next(r for r in race if (r["department"], r["geoid"]) == ("plainfieldpdnj", "340390397004"))
    assert (people["total"], people["black"]) == ("1821", "941")


def test_block_groups_geojson_is_compact_and_matches_the_census_keys(imported, table):
    text = (imported["dest"] / "block_groups.geojson").read_text(encoding="utf-8")
    assert "\n" not in text and ", " not in text
    features = json.loads(text)["features"]
    assert len(features) == 6_060
    assert all(set(f["properties"]) == {"geoid", "department"} for f in features)
    assert {f["geometry"]["type"] for f in features} == {"Polygon", "MultiPolygon"}
    _, race = table("census-block_group-race_ethnicity.csv")
    assert {(f["properties"]["department"], f["properties"]["geoid"]) for f in features} == \
        {(r["department"], r["geoid"]) for r in race}
    decimals = re.findall(r"\.(\d+)", text[:200_000])
    assert max(len(d) for d in decimals) <= 6


def test_crime_reports_are_all_kept_with_iso_dates(table):
    columns, rows = table("crime_reports.csv")
    assert columns == ["department", "date", "time", "datetime", "description", "address", "lat", "lon",
                       "predictable_type", "has_prediction", "num_predictions", "prediction_type"]
    assert len(rows) == 3_225
    assert rows[0]["date"] == "2018-02-24" and rows[0]["time"] == "08:39:00"
    assert {r["department"] for r in rows} == {"plainfieldpdnj"}
    assert sum(r["lat"] == "" for r in rows) == 69
    assert {r["has_prediction"] for r in rows} == {"true", "false"}


def test_patrols_skip_only_rows_that_are_not_patrols_and_say_which(table, imported):
    with (SHARED / "markup-plainfield" / "plainfield_dosage.csv").open(newline="") as handle:
        records = [r for r in csv.DictReader(handle) if r["Started"].strip()]
    columns, rows = table("patrols.csv")
    assert columns == ["department", "unit", "start", "end", "lat", "lon", "address", "kind", "minutes"]
    assert len(rows) == len(records) == 411
    assert rows[0]["start"] == "2018-01-12 09:50:00"
    warnings = imported["result"].warnings
    assert "plainfield_dosage.csv: skipped 4 blank rows (lines 2, 3, 415, 416)" in warnings
    assert any(w.startswith("plainfield_dosage.csv: skipped 2 rows without start (lines 417, 418)") for w in warnings)


def test_excluded_addresses_read_past_the_byte_order_mark(table):
    columns, rows = table("excluded_addresses.csv")
    assert columns == ["address", "reason"]
    assert len(rows) == 40
    assert rows[0] == {"address": "City Of Plainfied, Plainfield, NJ", "reason": "Imprecise"}


def test_prediction_counts_by_type(table):
    columns, rows = table("prediction_counts_by_type.csv")
    assert columns == ["department", "incident_type", "window_start", "window_end", "predictions"]
    assert sum(int(r["predictions"]) for r in rows) == 23_760
    assert {(r["window_start"], r["window_end"]) for r in rows} == {("2018-02-25", "2018-12-18")}


def test_block_group_counts_keep_the_geojson_count_property(table):
    """The `count` of every 2021 block-group GeoJSON (null as 0, as The Markup's R code reads it), so the
    Disparities page can rank on it: a third figure beside the 6,280,691 centres and the 5,970,024 of the
    analysis window."""
    published = {}
    for path in (SHARED / markup.BIAS_DIR / "block_groups").glob("*-geojson-with-data.json"):
        department = path.name.removesuffix(markup.GEOJSON_SUFFIX)
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            published[(department, str(feature["properties"]["id"]))] = feature["properties"]["count"] or 0
    columns, rows = table("block_group_counts.csv")
    assert columns == ["department", "geoid", "predictions"]
    assert {(r["department"], r["geoid"]): int(r["predictions"]) for r in rows} == published
    assert sum(published.values()) == sum(int(r["predictions"]) for r in rows) > 5_000_000


def test_a_count_that_is_not_a_count_is_left_out_and_reported(tmp_path):
    features = [{"type": "Feature", "geometry": SQUARE, "properties": {
        "id": f"01073000100{i}", "client": "testpd", "total_estimate": 10, "total_estimate_household": 4,
        "count": count}} for i, count in enumerate([12, None, 2.5, "many"])]
    src = make_source(tmp_path, features,
                      DEPARTMENTS_HEADER + "testpd,Test,TX0000001,2019-01-01,2019-02-01,,Current,True,TRUE,1\n")
    result = import_markup(src, tmp_path / "out", echo=lambda line: None)
    _, rows = read_csv(tmp_path / "out" / "block_group_counts.csv")
    assert [(r["geoid"], r["predictions"]) for r in rows] == [("010730001000", "12"), ("010730001001", "0")]
    assert any(w.startswith("testpd-geojson-with-data.json: skipped 2 `count` values") and "lines 3, 4" in w
               for w in result.warnings)


def test_source_json_records_provenance(imported):
    source = json.loads((imported["dest"] / "source.json").read_text(encoding="utf-8"))
    assert source["kind"] == "real"
    assert [s["commit"] for s in source["sources"]] == ["e1fa49fd014a97ee52eec40dcb5811926476a305",
                                                        "2c5aa954ac5c113d7804529803b0edfa0eb69d62"]
    assert source["sources"][0]["licence"] == "BSD-3-Clause"
    assert source["imported_from"] == str(SHARED)
    assert source["date_range"] == ["2018-02-15", "2021-01-30"]
    assert source["warnings"] == imported["result"].warnings


def test_echo_prints_each_file_then_each_warning(imported):
    result = imported["result"]
    assert imported["lines"][:len(OUTPUT_FILES)] == [
        f"{file}: {count:,} {'features' if file.endswith('.geojson') else 'rows'}"
        for file, count in result.counts.items()]
    assert imported["lines"][len(OUTPUT_FILES):] == [f"warning: {w}" for w in result.warnings]


def test_source_is_left_unchanged(imported):
    assert tree_hash(SHARED) == imported["src_hash_before"]


# ---------------------------------------------------------------- small hand-made sources

DEPARTMENTS_HEADER = ("client,Client Name,UCR Department,first_prediction_date,final_prediction_date,"
                      "Confirmed Start Date ,Confirmed End Date,Usable,Active,EPSG\n")


def make_source(root: Path, features: list[dict], departments: str = DEPARTMENTS_HEADER) -> Path:
    bias = root / "src" / markup.BIAS_DIR
    (bias / "block_groups").mkdir(parents=True)
    (bias / "prediction_locations").mkdir()
    (bias / "departments.csv").write_text(departments, encoding="utf-8")
    collection = {"type": "FeatureCollection", "features": features}
    (bias / "block_groups" / "testpd-geojson-with-data.json").write_text(json.dumps(collection), encoding="utf-8")
    return root / "src"


SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [0, 1.123456789], [1, 1], [0, 0]]]}


def test_second_property_schema_alone_is_understood(tmp_path):
    props = {"department": "testpd", "geoid": 10730001001, "total_race_lb": "120", "black_lb": "80",
             "white_lb": None, "asian_lb": "3", "total_income_lb": "40", "lt_45k_lb": "25",
             "bw_75_100l_lb": "5", "gt_200k_lb": "1"}
    src = make_source(tmp_path, [{"type": "Feature", "properties": props, "geometry": SQUARE}],
                      DEPARTMENTS_HEADER + "testpd,Test,TX0000001,2019-01-01,2019-02-01,,Current,True,TRUE,1\n")
    import_markup(src, tmp_path / "out", echo=lambda line: None)
    _, race = read_csv(tmp_path / "out" / "census-block_group-race_ethnicity.csv")
    _, income = read_csv(tmp_path / "out" / "census-block_group-household_income.csv")
    assert race == [{"geoid": "010730001001", "department": "testpd", "total": "120", "white": "", "black": "80",
                     "latino": "", "asian": "3"}]
    assert income == [{"geoid": "010730001001", "department": "testpd", "households": "40",
                       "low_income_households": "", "bracket_households": "40", "hh_lt_45k": "25",
                       "hh_45k_75k_or_100k_200k": "9", "hh_75k_100k": "5", "hh_gt_200k": "1"}]
    geometry = json.loads((tmp_path / "out" / "block_groups.geojson").read_text())["features"][0]["geometry"]
    assert geometry["coordinates"][0][1] == [0, 1.123457]


def test_unreadable_source_leaves_no_destination(tmp_path):
    src = make_source(tmp_path, [], departments="slug,label\nx,y\n")
    with pytest.raises(MarkupImportError, match="departments.csv has no column for department"):
        import_markup(src, tmp_path / "out", echo=lambda line: None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]


def test_failure_while_writing_keeps_the_old_destination(tmp_path, monkeypatch):
    src = make_source(tmp_path, [])
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "departments.csv").write_text("old", encoding="utf-8")
    (dest / markup.MARKER).write_text("", encoding="utf-8")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(markup, "_write_geojson", fail)
    with pytest.raises(OSError, match="disk full"):
        import_markup(src, dest, echo=lambda line: None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "src"]
    assert sorted(p.name for p in dest.iterdir()) == [markup.MARKER, "departments.csv"]
    assert (dest / "departments.csv").read_text(encoding="utf-8") == "old"


def test_destination_inside_the_source_is_refused(tmp_path):
    src = make_source(tmp_path, [])
    with pytest.raises(MarkupImportError, match="never modified"):
        import_markup(src, src / "out", echo=lambda line: None)
    assert not (src / "out").exists()


# ---------------------------------------------------------------- destinations that hold the user's files

def quiet(line: str) -> None:
    pass


def test_an_import_replaces_an_earlier_import_of_its_own(tmp_path):
    src = make_source(tmp_path, [])
    dest = tmp_path / "out"
    import_markup(src, dest, echo=quiet)
    (dest / "departments.csv").write_text("stale", encoding="utf-8")
    import_markup(src, dest, echo=quiet)
    assert (dest / "departments.csv").read_text(encoding="utf-8").startswith("department,name,")
    assert (dest / markup.MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "src"]


def test_an_empty_destination_is_written(tmp_path):
    src = make_source(tmp_path, [])
    (tmp_path / "out").mkdir()
    import_markup(src, tmp_path / "out", echo=quiet)
    assert (tmp_path / "out" / "source.json").is_file()


@pytest.mark.parametrize("user_file", ["notes.txt", "thesis"])
def test_a_folder_holding_other_files_is_refused_and_left_alone(tmp_path, user_file):
    src = make_source(tmp_path, [])
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / user_file).write_text("mine", encoding="utf-8")
    before = tree_hash(tmp_path)
    with pytest.raises(markup.DestinationRefused, match=f"already holds files this tool did not write \\({user_file}\\)"):
        import_markup(src, dest, echo=quiet)
    assert tree_hash(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "src"]


def test_an_earlier_import_with_a_file_of_the_users_is_refused(tmp_path):
    src = make_source(tmp_path, [])
    dest = tmp_path / "out"
    import_markup(src, dest, echo=quiet)
    (dest / "sites.csv").write_text("mine", encoding="utf-8")
    with pytest.raises(markup.DestinationRefused, match="now also holds sites.csv"):
        import_markup(src, dest, echo=quiet)
    assert (dest / "sites.csv").read_text(encoding="utf-8") == "mine"


def test_the_parent_of_the_source_is_refused(tmp_path):
    src = make_source(tmp_path, [])
    before = tree_hash(tmp_path)
    with pytest.raises(markup.DestinationRefused, match="holds the source"):
        import_markup(src, tmp_path, echo=quiet)
    assert tree_hash(tmp_path) == before


def test_a_file_as_destination_is_refused(tmp_path):
    src = make_source(tmp_path, [])
    (tmp_path / "out").write_text("mine", encoding="utf-8")
    with pytest.raises(markup.DestinationRefused, match="is a file"):
        import_markup(src, tmp_path / "out", echo=quiet)
    assert (tmp_path / "out").read_text(encoding="utf-8") == "mine"
