"""import-sites: a newsroom's own CSV or GeoJSON list, checked like every other input."""
from __future__ import annotations

import json

from lib import cli
from lib.places import sitefile


def test_csv_rows_load_and_bad_rows_are_named_by_line(tiny_dir, tmp_path, capsys):
    listed = tmp_path / "our-sites.csv"
    listed.write_text("name,kind,lat,lon,department\n"
                      "Alpha Police Headquarters,police_station,33.005,-86.995,alpha\n"
                      ",jail,33.006,-86.985,alpha\n"
                      "Oak Towers,public_housing,north,-86.972,alpha\n"
                      "Somewhere,fire_station,33.001,-86.972,alpha\n"
                      "Elsewhere,court,33.001,-86.972,gamma\n"
                      "Riverside Court,public_housing,33.007,-86.983,\n")
    code = cli.main(["import-sites", str(tiny_dir), str(listed)])
    captured = capsys.readouterr()
    assert code == 0
    assert "our-sites.csv, line 3, column name: found a blank field; expected any text (required)" in captured.err
    assert "our-sites.csv, line 4, column lat: found 'north'; expected a number between -90 and 90" in captured.err
    assert "our-sites.csv, line 5, column kind: found 'fire_station'; expected one of police_station" in captured.err
    assert "our-sites.csv, line 6, column department: found 'gamma'; expected a department listed" in captured.err
    assert "1 police station, 1 public housing" in captured.out
    rows = (tiny_dir / "sites.csv").read_text().splitlines()
    assert rows[0] == "name,kind,lat,lon,department,address,source,source_id,retrieved,licence"
    assert rows[1] == "Alpha Police Headquarters,police_station,33.005,-86.995,alpha,,file our-sites.csv,,,"
    assert rows[2] == "Riverside Court,public_housing,33.007,-86.983,,,file our-sites.csv,,,"
    # importing the same list again adds nothing: each row lies on a listed site of its kind
    again = sitefile.import_sites(tiny_dir, listed)
    assert again.added.empty and again.near_listed == 2


def test_geojson_features_are_named_by_number(tiny_dir, tmp_path):
    listed = tmp_path / "housing.geojson"
    point = lambda lon, lat: {"type": "Point", "coordinates": [lon, lat]}  # noqa: E731
    listed.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": point(-86.993, 33.003),
         "properties": {"name": "Alpha Homes", "kind": "public_housing", "source": "housing authority",
                        "source_id": "AH-1"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[-86.99, 33.0], [-86.98, 33.0],
                                                                            [-86.98, 33.01], [-86.99, 33.0]]]},
         "properties": {"name": "Courthouse block", "kind": "court"}},
        {"type": "Feature", "geometry": None, "properties": {"name": "No point", "kind": "jail"}},
        {"type": "Feature", "geometry": point(-86.97, 33.001), "properties": {"kind": "school"}},
    ]}))
    written = sitefile.import_sites(tiny_dir, listed)
    messages = [p.message() for p in written.problems]
    assert messages == ["housing.geojson, feature 3, column lat: found a blank field; expected a number between -90 and 90 (required); "
                        "the row was set aside",
                        "housing.geojson, feature 3, column lon: found a blank field; expected a number between -180 and 180 (required); "
                        "the row was set aside",
                        "housing.geojson, feature 4, column name: found a blank field; expected any text (required); the row was set aside"]
    assert written.counts() == {"court": 1, "public_housing": 1}
    by_name = written.added.set_index("name")
    assert by_name.loc["Alpha Homes", "source"] == "housing authority"
    assert by_name.loc["Alpha Homes", "source_id"] == "AH-1"
    assert by_name.loc["Courthouse block", "source"] == "file housing.geojson"


def test_not_geojson_is_one_problem(tiny_dir, tmp_path):
    listed = tmp_path / "broken.geojson"
    listed.write_text('{"type": "FeatureCollection", "features": [')
    written = sitefile.import_sites(tiny_dir, listed)
    assert len(written.problems) == 1 and "not valid GeoJSON" in written.problems[0].message()
    assert not (tiny_dir / "sites.csv").exists()
