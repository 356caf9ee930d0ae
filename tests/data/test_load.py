"""Every validation rule on small broken files made here, and the load -> query round trip."""
from __future__ import annotations

import hashlib

import pytest

from lib.data import load
from lib.data.problems import ERROR, WARNING
from lib.db import scalar

PRED = "pp_report_locations_geocoded.csv"
RACE = "census-block_group-race_ethnicity.csv"


def problems_of(dataset, severity=None):
    frame = dataset.problems
    if severity:
        frame = frame[frame["severity"] == severity]
    return frame.to_dict("records")


def rewrite(path, old, new):
    path.write_text(path.read_text().replace(old, new))


def test_clean_fixture_loads_everything(tiny):
    assert tiny.usable
    assert tiny.rows["predictions"] == 7
    assert tiny.rows["block_groups"] == 6
    assert tiny.error_count == 0
    # the one point outside every block group is a warning, not an error, and is kept
    [warning] = problems_of(tiny, WARNING)
    assert warning["line"] == 6 and warning["file"] == PRED and "outside every block group" in warning["expected"]
    assert warning["expected"].startswith("expected a point inside Alpha City, Ala. (alpha)'s block groups")


def test_point_in_polygon_assigns_geoids_and_keeps_outside_points(tiny_con):
    rows = tiny_con.execute("SELECT geoid, sum(count) FROM predictions GROUP BY geoid ORDER BY geoid").fetchall()
    assert rows == [("010010000011", 15), ("010010000012", 3), ("010010000013", 6), ("060010000021", 8),
                    ("060010000022", 1), (None, 2)]
    assert scalar(tiny_con, "SELECT sum(count) FROM predictions") == 35


def test_points_are_placed_a_few_departments_at_a_time_with_the_same_block_groups(tiny_dir, tmp_path, monkeypatch):
    whole = load.load(tiny_dir, tmp_path / "whole").connect()
    monkeypatch.setattr(load, "PLACE_CHUNK", 1)  # every department on its own
    apart = load.load(tiny_dir, tmp_path / "apart").connect()
    query = "SELECT line, department, geoid FROM predictions ORDER BY line"
    assert whole.execute(query).fetchall() == apart.execute(query).fetchall()
    assert scalar(apart, "SELECT count(geoid) FROM predictions") == 6  # alpha's point outside stays without one
    whole.close(), apart.close()


def test_departments_are_packed_into_runs_of_at_most_the_limit():
    counts = [("a", 300_000), ("b", 300_000), ("c", 100_000), ("d", 900_000), ("e", 1)]
    assert load._chunks(counts, 500_000) == [["a"], ["b", "c"], ["d"], ["e"]]
    assert load._chunks([], 500_000) == []


def test_values_are_trimmed_and_words_for_no_value_read_as_missing(tiny_dir):
    # spaces around values, "N/A", " null ", "Unknown" and an empty field: trimmed text, or no value
    rewrite(tiny_dir / PRED, "alpha,33.005,-86.995,10,2020-01-01,A,Burglary,1 First St",
            " alpha , 33.005 ,-86.995,  10 , 2020-01-01 , null ,  Burglary ,N/A")
    rewrite(tiny_dir / PRED, "alpha,33.005,-86.995,5,2020-01-02,B,Gun Crimes,1 First St",
            "alpha,33.005,-86.995,5,2020-01-02,Unknown,Gun Crimes,  1 First St  ")
    dataset = load.load(tiny_dir)
    assert dataset.error_count == 0 and dataset.rows["predictions"] == 7
    rows = dataset.connect().execute("SELECT department, lat, count, date, shift, incident_type, address "
                                     "FROM predictions WHERE line IN (2, 3) ORDER BY line").fetchall()
    assert [r[:3] + r[4:] for r in rows] == [("alpha", 33.005, 10, None, "Burglary", None),
                                             ("alpha", 33.005, 5, None, "Gun Crimes", "1 First St")]
    assert str(rows[0][3]) == "2020-01-01"


def test_missing_required_file_is_one_clear_message(tiny_dir):
    (tiny_dir / RACE).unlink()
    dataset = load.load(tiny_dir)
    assert not dataset.usable
    assert RACE in dataset.missing_files
    [error] = [p for p in problems_of(dataset, ERROR) if p["file"] == RACE]
    assert "required file is missing" in error["expected"]


def test_missing_required_column_names_the_column_and_aliases(tiny_dir):
    rewrite(tiny_dir / PRED, "department,lat,lon", "department,latitude_x,lon")
    dataset = load.load(tiny_dir)
    assert not dataset.usable
    [error] = [p for p in problems_of(dataset, ERROR) if p["file"] == PRED]
    assert error["line"] == 1 and error["column"] == "lat"
    assert "latitude" in error["expected"]


def test_wrong_type_and_out_of_range_rows_are_set_aside_with_line_and_column(tiny_dir):
    rewrite(tiny_dir / PRED, "alpha,33.005,-86.985,3", "alpha,95.5,-86.985,3")
    rewrite(tiny_dir / PRED, "beta,36.005,-119.985,1", "beta,36.005,-119.985,one")
    dataset = load.load(tiny_dir)
    errors = {(p["line"], p["column"]): p for p in problems_of(dataset, ERROR)}
    assert errors[(4, "lat")]["value"] == "95.5"
    assert "between -90 and 90" in errors[(4, "lat")]["expected"]
    assert errors[(8, "count")]["value"] == "one"
    assert "a whole number" in errors[(8, "count")]["expected"]
    assert dataset.rows["predictions"] == 5
    assert dataset.rejected["predictions"] == 2


def test_count_defaults_to_one_and_must_be_positive(tiny_dir):
    (tiny_dir / PRED).write_text("department,lat,lon\nalpha,33.005,-86.995\nalpha,33.005,-86.985\n")
    con = load.load(tiny_dir).connect()
    assert scalar(con, "SELECT sum(count) FROM predictions") == 2
    (tiny_dir / PRED).write_text("department,lat,lon,count\nalpha,33.005,-86.995,0\n")
    dataset = load.load(tiny_dir)
    [error] = problems_of(dataset, ERROR)
    assert error["column"] == "count" and "at least 1" in error["expected"]


def test_duplicate_key_is_set_aside(tiny_dir):
    path = tiny_dir / RACE
    path.write_text(path.read_text() + "010010000011,alpha,5,1,1,1,1\n")
    dataset = load.load(tiny_dir)
    [error] = problems_of(dataset, ERROR)
    assert error["line"] == 8 and "duplicate of line 2" in error["expected"]
    assert dataset.rows["race"] == 6


def test_unknown_department_is_an_error(tiny_dir):
    rewrite(tiny_dir / PRED, "beta,36.005,-119.985", "gamma,36.005,-119.985")
    dataset = load.load(tiny_dir)
    [error] = problems_of(dataset, ERROR)
    assert error["line"] == 8 and error["value"] == "gamma" and "departments.csv" in error["expected"]


def test_empty_file_is_an_error(tiny_dir):
    (tiny_dir / PRED).write_text("")
    dataset = load.load(tiny_dir)
    assert any("empty" in p["expected"] and p["file"] == PRED for p in problems_of(dataset, ERROR))
    assert not dataset.usable


def test_header_only_file_is_reported(tiny_dir):
    (tiny_dir / PRED).write_text("department,lat,lon,count\n")
    dataset = load.load(tiny_dir)
    assert any("no rows" in p["expected"] for p in problems_of(dataset))


def test_windows_1252_is_decoded_with_a_warning_naming_the_line(tiny_dir):
    path = tiny_dir / PRED
    text = path.read_text().replace("99 Far Rd", "99 Peña Rd")
    path.write_bytes(text.encode("cp1252"))
    dataset = load.load(tiny_dir)
    [warning] = [p for p in problems_of(dataset, WARNING) if "UTF-8" in p["expected"]]
    assert warning["line"] == 6 and "cp1252" in warning["expected"]
    con = dataset.connect()
    assert scalar(con, "SELECT address FROM predictions WHERE line = 6") == "99 Peña Rd"


@pytest.mark.parametrize("data, bad_line", [
    ("a,b\nx,Peña\n".encode(), None),  # 'ñ' split across two chunks: valid
    (b"a,b\nx,P\xc3" + b"abc\n" + b"y,ok\n", 2),  # half a character ending a chunk, then a plain ASCII chunk: not UTF-8
    (b"a,b\nx,ok\xc3", 2),  # the file ends half-way through a character
    (b"a,b\nx,ok\nx,\xff\n", 3),
])
def test_the_byte_scan_finds_the_first_line_that_is_not_utf8_across_chunks(tmp_path, monkeypatch, data, bad_line):
    from lib.data import csvfile
    monkeypatch.setattr(csvfile, "CHUNK", 4)  # chunks of 4 bytes: 'ñ' (2 bytes) straddles one
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    scan = csvfile.scan_bytes(path)
    assert scan.first_bad_utf8_line == bad_line and scan.newlines == data.count(b"\n")


def test_semicolon_delimited_file_is_read_with_a_warning(tiny_dir):
    path = tiny_dir / RACE
    path.write_text(path.read_text().replace(",", ";"))
    dataset = load.load(tiny_dir)
    [warning] = [p for p in problems_of(dataset, WARNING) if p["file"] == RACE]
    assert "semicolons" in warning["expected"]
    assert dataset.rows["race"] == 6


def test_blank_line_is_a_warning_and_later_lines_keep_their_numbers(tiny_dir):
    rewrite(tiny_dir / PRED, "alpha,33.005,-86.985,3", "\nalpha,33.005,-86.985,x")
    dataset = load.load(tiny_dir)
    [blank] = [p for p in problems_of(dataset, WARNING) if "blank" in p["expected"]]
    assert blank["line"] == 4
    [error] = problems_of(dataset, ERROR)
    assert error["line"] == 5 and error["column"] == "count"


def test_bom_trailing_spaces_case_and_aliases_are_accepted_silently(tiny_dir):
    (tiny_dir / PRED).write_bytes("\ufeffClient , Latitude,LNG ,Pred_Count\nalpha,33.005,-86.995,4\n".encode())
    dataset = load.load(tiny_dir)
    assert dataset.error_count == 0 and dataset.warning_count == 0
    assert scalar(dataset.connect(), "SELECT sum(count) FROM predictions") == 4


def test_structural_errors_name_the_line(tiny_dir):
    rewrite(tiny_dir / PRED, "beta,36.005,-119.985,1,2020-02-02,B,Robbery|Aggravated Assault,",
            "beta,36.005")
    dataset = load.load(tiny_dir)
    [error] = problems_of(dataset, ERROR)
    assert error["line"] == 8
    assert dataset.rows["predictions"] == 6


def test_eleven_digit_geoid_gets_its_leading_zero_back(tiny_dir):
    rewrite(tiny_dir / RACE, "010010000011,alpha", "10010000011,alpha")
    con = load.load(tiny_dir).connect()
    assert scalar(con, "SELECT total FROM race WHERE geoid = '010010000011'") == 100


def test_bad_geoid_is_an_error(tiny_dir):
    rewrite(tiny_dir / RACE, "010010000011,alpha", "0100100000AB,alpha")
    dataset = load.load(tiny_dir)
    [error] = problems_of(dataset, ERROR)
    assert error["column"] == "geoid" and "12-digit" in error["expected"]


def test_geojson_feature_problems_name_the_feature(tiny_dir):
    path = tiny_dir / "block_groups.geojson"
    rewrite(path, '"type": "Polygon"', '"type": "Point"')
    dataset = load.load(tiny_dir)
    errors = [p for p in problems_of(dataset, ERROR) if p["file"] == "block_groups.geojson"]
    assert errors[0]["unit"] == "feature" and errors[0]["line"] == 1
    assert "Polygon or MultiPolygon" in errors[0]["expected"]


def test_departments_file_of_the_markup_shape_loads(tiny_dir):
    (tiny_dir / "departments.csv").write_text(
        "client,Client Name,UCR Department,first_prediction_date,final_prediction_date,Confirmed Start Date ,"
        "Confirmed End Date,Usable,Active,EPSG\n"
        'alpha,"Alpha City, Ala. ",AL0010200,2020-01-01,2020-01-03,2019-09-01,Current,True,TRUE,26929\n'
        'beta,"Beta Town, Calif.",CA0100100,2020-02-01,2020-02-02,2018-05-01,2019-04-30,True,UNKNOWN,26945\n')
    dataset = load.load(tiny_dir)
    assert dataset.error_count == 0
    rows = dataset.connect().execute(
        "SELECT department, confirmed_start, confirmed_end, active FROM departments ORDER BY 1").fetchall()
    assert str(rows[0][1]) == "2019-09-01" and rows[0][2] is None and rows[0][3] is True
    assert str(rows[1][2]) == "2019-04-30" and rows[1][3] is None


def test_user_files_are_never_modified(tiny_dir):
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tiny_dir.iterdir()}
    path = tiny_dir / PRED
    path.write_bytes(path.read_bytes().replace(b"Far Rd", "Pe\u00f1a".encode("cp1252")))
    before[PRED] = hashlib.sha256(path.read_bytes()).hexdigest()
    load.load(tiny_dir)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tiny_dir.iterdir()}
    assert after == before


def test_cache_is_reused_until_a_file_changes(tiny_dir):
    first = load.load(tiny_dir)
    stamp = (first.store / "report.json").stat().st_mtime_ns
    again = load.load(tiny_dir)
    assert again.store == first.store and (again.store / "report.json").stat().st_mtime_ns == stamp
    rewrite(tiny_dir / PRED, "alpha,33.005,-86.975,6", "alpha,33.005,-86.975,7")
    changed = load.load(tiny_dir)
    assert changed.store != first.store
    assert scalar(changed.connect(), "SELECT sum(count) FROM predictions") == 36


def test_missing_directory_is_reported_not_raised(tmp_path):
    dataset = load.load(tmp_path / "nope")
    assert not dataset.usable
    assert "does not exist" in problems_of(dataset)[0]["expected"]


@pytest.mark.parametrize("table", ["crime_reports", "patrols", "sites", "excluded_addresses", "prediction_counts",
                                   "block_group_counts"])
def test_absent_optional_files_give_empty_tables(tiny_con, table):
    assert scalar(tiny_con, f"SELECT count(*) FROM {table}") == 0


def test_records_keep_their_line_numbers_when_read_in_parallel_with_departments_checked(tmp_path):
    """Each record's line is its place in the file, also when DuckDB reads a large file on several threads and
    checks departments (a `NOT IN (SELECT ...)` there once made rowid follow a join's order, not the file's)."""
    import duckdb
    from lib import schema
    from lib.data.csvfile import read_checked
    rows = 1_500_000  # several of DuckDB's CSV buffers, so that threads read parts of the file at once
    path = tmp_path / "predictions.csv"
    with open(path, "w") as out:
        out.write("department,lat,lon,count\n")
        out.writelines(f"a,40.5,-74.4,{line}\n" for line in range(2, rows + 2))
    con = duckdb.connect()
    con.execute("SET threads = 4")
    con.execute("CREATE TABLE known AS SELECT 'a' AS department")
    result = read_checked(con, schema.spec("predictions"), path, tmp_path, departments="known")
    assert result.rows == rows
    assert scalar(con, f"SELECT count(*) FROM {result.table} WHERE count <> _line") == 0
