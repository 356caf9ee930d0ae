"""Hostile or careless input files: each becomes a problem naming file, line (or feature), column, value and
what was expected, and the good rows still load. Every case here was a traceback or a silent loss before."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lib.data import load
from lib.data.problems import problems_from_frame
from tests.fixtures import PREDICTIONS

PREDICTIONS_FILE = "pp_report_locations_geocoded.csv"
GEOJSON = "block_groups.geojson"


def messages(dataset) -> list[str]:
    return [p.message() for p in problems_from_frame(dataset.problems)]


def set_count(tiny_dir, line: int, value: str) -> None:
    lines = PREDICTIONS.splitlines()
    fields = lines[line - 1].split(",")
    fields[3] = value
    lines[line - 1] = ",".join(fields)
    (tiny_dir / PREDICTIONS_FILE).write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("value", ["inf", "1e300", "9223372036854775808", "-inf"])
def test_a_count_too_large_for_a_whole_number_is_set_aside_with_its_line(tiny_dir, value):
    set_count(tiny_dir, 2, value)  # alpha's 10 predictions at A1
    dataset = load.load(tiny_dir)
    assert (f"{PREDICTIONS_FILE}, line 2, column count: found {value!r}; expected a whole number at least 1"
            in "\n".join(messages(dataset)))
    assert dataset.rows["predictions"] == 6
    assert dataset.connect().execute("SELECT sum(count) FROM predictions").fetchone()[0] == 35 - 10


@pytest.mark.parametrize("value", ["", "nan", "NaN"])
def test_a_blank_or_nan_count_is_reported_not_read_as_null(tiny_dir, value):
    set_count(tiny_dir, 8, value)  # beta's 1 prediction at B2
    dataset = load.load(tiny_dir)
    found = "found a blank field" if value == "" else f"found {value!r}"
    assert any(m.startswith(f"{PREDICTIONS_FILE}, line 8, column count: {found}; expected a whole number "
                            "at least 1 (not blank") for m in messages(dataset))
    assert dataset.rows["predictions"] == 6
    assert dataset.connect().execute("SELECT count(*) FROM predictions WHERE count IS NULL").fetchone()[0] == 0


def test_a_field_over_128_kb_loads_with_its_line_numbers(tiny_dir):
    long_address = "x" * 200_000
    (tiny_dir / PREDICTIONS_FILE).write_text(PREDICTIONS.replace("1 First St", long_address, 1) + "\n")
    dataset = load.load(tiny_dir)
    assert dataset.rows["predictions"] == 7
    assert f"{PREDICTIONS_FILE}, line 9: blank line; skipped" in messages(dataset)
    con = dataset.connect()
    assert con.execute("SELECT max(length(address)) FROM predictions").fetchone()[0] == 200_000


def test_a_repeated_header_column_is_reported_and_the_first_is_read(tiny_dir):
    lines = PREDICTIONS.splitlines()
    lines = [lines[0] + ",count"] + [line + ",99" for line in lines[1:]]
    (tiny_dir / PREDICTIONS_FILE).write_text("\n".join(lines) + "\n")
    dataset = load.load(tiny_dir)
    assert (f"{PREDICTIONS_FILE}, line 1, column count: found 'count'; expected each column once, but the header "
            "names it 2 times (columns 4, 9); column 4 was read and the others ignored") in messages(dataset)
    assert dataset.connect().execute("SELECT sum(count) FROM predictions").fetchone()[0] == 35


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_are_read_and_reported_as_utf16(tiny_dir, encoding):
    text = PREDICTIONS.replace("1 First St", "1 Fïrst St")
    (tiny_dir / PREDICTIONS_FILE).write_bytes(text.encode(encoding))
    dataset = load.load(tiny_dir)
    assert dataset.rows["predictions"] == 7
    found = messages(dataset)
    assert any(m.startswith(f"{PREDICTIONS_FILE}: the file is UTF-16 text; expected UTF-8") for m in found)
    assert not any("missing required column" in m for m in found)
    con = dataset.connect()
    assert con.execute("SELECT count(*) FROM predictions WHERE address = '1 Fïrst St'").fetchone()[0] == 2


# ---------------------------------------------------------------- GeoJSON

def edit_features(tiny_dir, edit) -> None:
    collection = json.loads((tiny_dir / GEOJSON).read_text())
    edit(collection["features"])
    (tiny_dir / GEOJSON).write_text(json.dumps(collection))


BOW_TIE = {"type": "Polygon",  # A1's square with two corners swapped: its edges cross at the centre
           "coordinates": [[[-87.0, 33.0], [-86.99, 33.01], [-86.99, 33.0], [-87.0, 33.01], [-87.0, 33.0]]]}


def test_a_bow_tie_polygon_is_repaired_and_kept(tiny_dir):
    edit_features(tiny_dir, lambda features: features[0].update(geometry=BOW_TIE))
    dataset = load.load(tiny_dir)
    assert dataset.rows["block_groups"] == 6
    assert any(m.startswith(f"{GEOJSON}, feature 1, column geometry: found '010010000011'; expected a valid polygon "
                            "(Self-intersection") and "repaired" in m for m in messages(dataset))
    con = dataset.connect()
    # The repaired bow tie is two triangles, half the square: its area is what every later step reads.
    area = con.execute("SELECT area_km2 FROM block_groups WHERE geoid = '010010000011'").fetchone()[0]
    square = con.execute("SELECT area_km2 FROM block_groups WHERE geoid = '010010000012'").fetchone()[0]
    assert area == pytest.approx(square / 2, rel=1e-3)


@pytest.mark.parametrize("text, shown", [("NaN", "nan"), ("Infinity", "inf"), ("-Infinity", "-inf"),
                                         ("1e400", "inf")])
def test_coordinates_that_are_not_finite_set_the_feature_aside(tiny_dir, text, shown):
    raw = (tiny_dir / GEOJSON).read_text()
    (tiny_dir / GEOJSON).write_text(raw.replace("[-87.0, 33.0]", f"[{text}, 33.0]", 1))
    dataset = load.load(tiny_dir)
    assert (f"{GEOJSON}, feature 1, column geometry: found {shown!r}; expected finite longitude and latitude numbers"
            in "\n".join(messages(dataset)))
    assert dataset.rows["block_groups"] == 5
    assert dataset.rows["predictions"] == 7


@pytest.mark.parametrize("coordinates", [[], [[]]])
def test_empty_coordinates_set_the_feature_aside(tiny_dir, coordinates):
    edit_features(tiny_dir, lambda features: features[0]["geometry"].update(coordinates=coordinates))
    dataset = load.load(tiny_dir)
    assert any(m.startswith(f"{GEOJSON}, feature 1, column geometry: found '010010000011'; expected a polygon with "
                            "at least one ring") for m in messages(dataset))
    assert dataset.rows["block_groups"] == 5


def test_a_feature_that_is_a_string_is_set_aside(tiny_dir):
    edit_features(tiny_dir, lambda features: features.__setitem__(0, "Feature"))
    dataset = load.load(tiny_dir)
    assert (f"{GEOJSON}, feature 1: found 'Feature'; expected a GeoJSON Feature object; the feature was set aside"
            in messages(dataset))
    assert dataset.rows["block_groups"] == 5


def test_a_geometry_that_is_a_string_is_set_aside(tiny_dir):
    edit_features(tiny_dir, lambda features: features[1].update(geometry="POLYGON((0 0, 1 0, 1 1, 0 0))"))
    dataset = load.load(tiny_dir)
    assert (f"{GEOJSON}, feature 2, column geometry: found 'POLYGON((0 0, 1 0, 1 1, 0 0))'; expected a GeoJSON "
            "geometry object; the feature was set aside") in messages(dataset)
    assert dataset.rows["block_groups"] == 5


def test_deeply_nested_geojson_is_one_message(tiny_dir):
    (tiny_dir / GEOJSON).write_text('{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000
                                    + "}")
    dataset = load.load(tiny_dir)
    assert f"{GEOJSON}: JSON nested too deeply to read; expected a GeoJSON FeatureCollection" in "\n".join(
        messages(dataset))
    assert dataset.rows["predictions"] == 7


# ---------------------------------------------------------------- source.json

@pytest.mark.parametrize("text, message", [
    ("[1, 2]", "source.json: found 'list'; expected a JSON object"),
    ('{"kind": "real", "sources": "the-markup"}', "source.json: found 'the-markup'; expected sources to be a list"),
    ("[" * 100_000 + "]" * 100_000, "source.json: JSON nested too deeply to read"),
], ids=["a list", "sources a string", "nested 100,000 deep"])
def test_a_source_json_of_the_wrong_shape_is_a_warning(tiny_dir, text, message):
    (tiny_dir / "source.json").write_text(text)
    dataset = load.load(tiny_dir)
    assert any(m.startswith(message) for m in messages(dataset))
    assert isinstance(dataset.source, dict) and isinstance(dataset.source.get("sources", []), list)
    assert dataset.rows["predictions"] == 7


def test_validate_reports_the_wrong_shapes_without_a_traceback(tiny_dir):
    (tiny_dir / "source.json").write_text('{"sources": "x"}')
    edit_features(tiny_dir, lambda features: features.__setitem__(0, "Feature"))
    set_count(tiny_dir, 2, "inf")
    result = subprocess.run([sys.executable, "-m", "lib.cli", "validate", str(tiny_dir)], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "line 2, column count: found 'inf'" in result.stdout
    assert "feature 1: found 'Feature'" in result.stdout
