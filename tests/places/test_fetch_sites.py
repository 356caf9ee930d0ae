"""fetch-sites end to end against recorded Overpass and ArcGIS answers served from 127.0.0.1."""
from __future__ import annotations

import csv
import re

import pytest

from lib import cli
from lib.places import http, sitefile, sources
from lib.places.http import PlacesError
from tests.places.recorded import Recorded, ok, slow

OVERPASS_PATH = "/api/interpreter"
HUD_PATH = "/arcgis/rest/services/Public_Housing_Developments/FeatureServer/0/query"

# Overpass API JSON (https://wiki.openstreetmap.org/wiki/Overpass_API/Overpass_QL#out): nodes carry lat/lon; ways
# and relations, asked with `out center`, a center object.
OVERPASS_ALPHA = {"version": 0.6, "generator": "Overpass API", "osm3s": {"copyright": "ODbL"}, "elements": [
    {"type": "node", "id": 101, "lat": 33.005, "lon": -86.995,
     "tags": {"amenity": "police", "name": "Alpha Police Headquarters", "addr:housenumber": "1",
              "addr:street": "First St", "addr:city": "Alpha City"}},
    {"type": "node", "id": 102, "lat": 33.008, "lon": -86.962, "tags": {"amenity": "police"}},
    {"type": "way", "id": 201, "center": {"lat": 33.006, "lon": -86.985},
     "nodes": [1, 2, 3, 1], "tags": {"amenity": "prison", "name": "Alpha County Jail"}},
    {"type": "relation", "id": 301, "center": {"lat": 33.004, "lon": -86.975},
     "members": [], "tags": {"amenity": "courthouse", "name": "Alpha Municipal Court"}},
    {"type": "way", "id": 202, "tags": {"amenity": "prison", "name": "No centre given"}},
    {"type": "node", "id": 103, "lat": 33.002, "lon": -86.99, "tags": {"amenity": "hospital", "name": "Not asked"}},
]}
OVERPASS_BETA = {"version": 0.6, "elements": [
    {"type": "node", "id": 104, "lat": 36.005, "lon": -119.995, "tags": {"amenity": "police", "name": "Beta PD"}},
]}


def _hud_feature(object_id: int, lat: float, lon: float, name: str, code: str) -> dict:
    return {"type": "Feature", "id": object_id, "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"OBJECTID": object_id, "PROJECT_NAME": name, "DEVELOPMENT_CODE": code,
                           "STD_ADDR": f"{object_id} Main St", "STD_CITY": "ALPHA CITY", "STD_ST": "AL"}}


# ArcGIS feature service `query` with f=geojson: a FeatureCollection; more pages while exceededTransferLimit.
HUD_ALPHA = [
    {"type": "FeatureCollection", "exceededTransferLimit": True, "features": [
        _hud_feature(1, 33.003, -86.993, "Alpha Homes", "AL001000001"),
        _hud_feature(2, 33.007, -86.983, "Riverside Court", "AL001000002")]},
    {"type": "FeatureCollection", "properties": {"exceededTransferLimit": False}, "features": [
        _hud_feature(3, 33.001, -86.972, "Oak Towers", "AL001000003")]},
]
HUD_BETA = {"type": "FeatureCollection", "features": []}


def services(overrides=None):
    """Recorded answers for both services, by department (beta's box lies at 36°N, alpha's at 33°N)."""
    overrides = overrides or {}

    def answer(method, path, query, body):
        if path in overrides:
            return overrides[path](method, path, query, body)
        if path == OVERPASS_PATH:
            south = float(re.search(r"\]\((-?[\d.]+),", body["data"]).group(1))
            return ok(OVERPASS_BETA if south > 35 else OVERPASS_ALPHA)
        if path == HUD_PATH:
            south = float(query["geometry"].split(",")[1])
            if south > 35:
                return ok(HUD_BETA)
            return ok(HUD_ALPHA[int(query["resultOffset"]) // 2])
        return 404, {}, b"not found"
    return answer


def _urls(server):
    return {"overpass": server.url + OVERPASS_PATH, "hud": server.url + HUD_PATH}


def _rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_fetch_writes_every_kind_with_its_source(tiny_dir):
    with Recorded(services()) as server:
        written = sitefile.fetch_sites(tiny_dir, **_urls(server))
    assert written.counts() == {"court": 1, "jail": 1, "police_station": 3, "public_housing": 3}
    rows = _rows(tiny_dir / "sites.csv")
    assert len(rows) == 8
    by_id = {r["source_id"]: r for r in rows}
    assert by_id["node/101"]["name"] == "Alpha Police Headquarters"
    assert by_id["node/101"]["address"] == "1 First St, Alpha City"
    assert by_id["node/102"]["name"] == "Police station (OSM node/102)"
    assert (by_id["way/201"]["lat"], by_id["way/201"]["lon"]) == ("33.006", "-86.985")
    assert by_id["relation/301"]["kind"] == "court"
    assert by_id["node/104"]["department"] == "beta"
    assert by_id["AL001000003"]["department"] == "alpha"
    assert {r["source"] for r in rows} == {"osm", "hud"}
    assert by_id["AL001000002"]["licence"] == sources.HUD_LICENCE
    assert by_id["node/101"]["licence"] == sources.OSM_LICENCE
    assert all(len(r["retrieved"]) == 10 for r in rows)
    # two HUD pages for alpha (offsets 0 and 2), one for beta; one Overpass request per department
    hud = [r for r in server.requests if r[1] == HUD_PATH]
    assert sorted(int(r[2]["resultOffset"]) for r in hud) == [0, 0, 2]
    assert all(r[2]["f"] == "geojson" for r in hud)
    assert len([r for r in server.requests if r[1] == OVERPASS_PATH]) == 2
    assert all(r[4] == http.USER_AGENT for r in server.requests)


def test_the_sites_load_and_a_second_fetch_adds_nothing(tiny_dir):
    from lib.data import load
    with Recorded(services()) as server:
        sitefile.fetch_sites(tiny_dir, **_urls(server))
        again = sitefile.fetch_sites(tiny_dir, **_urls(server), use_cache=False)
    assert again.added.empty and again.already_listed == 8
    dataset = load.load(tiny_dir)
    assert dataset.rows["sites"] == 8
    assert dataset.problems.empty or not (dataset.problems["file"] == "sites.csv").any()


def test_user_rows_are_kept_as_they_are(tiny_dir):
    (tiny_dir / "sites.csv").write_text(
        "name,kind,latitude,longitude,note\n"
        "Our own station,police_station,33.00501,-86.99501,typed by hand\n"
        "Shelter,other,33.009,-86.961,\n")
    with Recorded(services()) as server:
        written = sitefile.fetch_sites(tiny_dir, kinds=("police", "public_housing"), **_urls(server))
    # node/101 lies 4 ft from the user's own station: the user's row stands for it
    assert written.near_listed == 1
    assert written.counts() == {"police_station": 2, "public_housing": 3}
    lines = (tiny_dir / "sites.csv").read_text().splitlines()
    assert lines[0] == "name,kind,latitude,longitude,note,department,address,source,source_id,retrieved,licence"
    assert lines[1] == "Our own station,police_station,33.00501,-86.99501,typed by hand,,,,,,"
    assert lines[2] == "Shelter,other,33.009,-86.961,,,,,,,"
    assert len(lines) == 1 + 2 + 5


@pytest.mark.parametrize("failure", ["429", "timeout", "malformed", "500", "hud_second_page", "offline"])
def test_a_failed_fetch_changes_nothing_and_says_why(tiny_dir, failure):
    before = "name,kind,lat,lon\nOur own station,police_station,33.005,-86.995\n"
    (tiny_dir / "sites.csv").write_text(before)
    waits = []
    overrides = {
        "429": {OVERPASS_PATH: lambda *a: (429, {"Retry-After": "3"}, b"rate limited")},
        "timeout": {OVERPASS_PATH: lambda *a: slow(2.0, OVERPASS_ALPHA)},
        "malformed": {HUD_PATH: lambda *a: (200, {"Content-Type": "application/json"}, b'{"type": "Featu')},
        "500": {HUD_PATH: lambda *a: (503, {}, b"down")},
        "hud_second_page": {HUD_PATH: lambda m, p, q, b: ok(HUD_ALPHA[0]) if q["resultOffset"] == "0"
                            else (400, {}, b"bad offset")},
        "offline": {},
    }[failure]
    with Recorded(services(overrides)) as server:
        urls = _urls(server)
        if failure == "offline":
            urls = {"overpass": "http://127.0.0.1:9/api/interpreter", "hud": "http://127.0.0.1:9/query"}
        with pytest.raises(PlacesError) as caught:
            sitefile.fetch_sites(tiny_dir, **urls, timeout=0.5, retries=2, sleep=waits.append)
    message = str(caught.value)
    assert "nothing was changed" in message.lower()
    expected = {"429": "HTTP 429", "timeout": "did not answer within 0.5 seconds", "malformed": "not JSON",
                "500": "HTTP 503", "hud_second_page": "HTTP 400", "offline": "could not be reached"}[failure]
    assert expected in message
    assert (tiny_dir / "sites.csv").read_text() == before
    assert not list(tiny_dir.glob(".sites-*"))
    if failure == "429":
        assert waits == [3.0, 3.0]  # Retry-After honoured on each of the two retries
    if failure == "500":
        assert waits == [2.0, 4.0]  # no Retry-After: exponential backoff


def test_a_429_then_success_backs_off_and_writes(tiny_dir):
    calls = []

    def busy_once(method, path, query, body):
        calls.append(1)
        if len(calls) == 1:
            return 429, {"Retry-After": "1"}, b"slow down"
        return ok(OVERPASS_ALPHA)
    waits = []
    with Recorded(services({OVERPASS_PATH: busy_once})) as server:
        written = sitefile.fetch_sites(tiny_dir, kinds=("police",), departments=("alpha",), **_urls(server),
                                       sleep=waits.append)
    assert waits == [1.0]
    assert written.counts() == {"police_station": 2}


def test_cached_answers_keep_their_retrieval_day(tiny_dir, monkeypatch):
    with Recorded(services()) as server:
        sitefile.fetch_sites(tiny_dir, kinds=("police",), departments=("beta",), **_urls(server))
        first = len(server.requests)
        (tiny_dir / "sites.csv").unlink()
        written = sitefile.fetch_sites(tiny_dir, kinds=("police",), departments=("beta",), **_urls(server))
    assert len(server.requests) == first  # answered from the cache
    assert written.added["retrieved"].tolist() == [written.added["retrieved"].iloc[0]]
    cached = list(http.cache_dir().glob("*.json"))
    assert cached


def test_cli_fetch_sites_prints_counts_and_sources(tiny_dir, capsys):
    with Recorded(services()) as server:
        code = cli.main(["fetch-sites", str(tiny_dir), "--kinds", "police,jail,court,public_housing",
                         "--overpass-url", server.url + OVERPASS_PATH, "--hud-url", server.url + HUD_PATH])
    out = capsys.readouterr().out
    assert code == 0
    assert "3 police station" in out and "3 public housing" in out and "1 jail" in out and "1 court" in out
    assert "OpenStreetMap" in out and "ODbL" in out and "HUD" in out and "can be incomplete" in out


def test_cli_fetch_sites_failure_is_one_sentence(tiny_dir, capsys):
    code = cli.main(["fetch-sites", str(tiny_dir), "--source", "osm", "--overpass-url",
                     "http://127.0.0.1:9/api/interpreter"])
    captured = capsys.readouterr()
    assert code == 1
    assert "could not be reached" in captured.err and "Traceback" not in captured.err
    assert not (tiny_dir / "sites.csv").exists()


def test_unknown_kind_is_refused(tiny_dir):
    with pytest.raises(PlacesError, match="the kinds fetched are"):
        sitefile.fetch_sites(tiny_dir, kinds=("hospital",))


def test_cli_sites_after_a_fetch_counts_predictions_at_each(tiny_dir, capsys):
    """From nothing to 'these sites, and how many predictions fell on each' in two commands."""
    with Recorded(services()) as server:
        assert cli.main(["fetch-sites", str(tiny_dir), "--overpass-url", server.url + OVERPASS_PATH,
                         "--hud-url", server.url + HUD_PATH]) == 0
    capsys.readouterr()
    assert cli.main(["sites", str(tiny_dir), "--department", "alpha"]) == 0
    out = capsys.readouterr().out
    # alpha's predictions at 33.005,-86.995 (10 + 5 of 26) are the only ones whose box holds a site: the
    # headquarters stand on that point; the jail, court and housing lie 365 ft or more from every prediction
    assert out.startswith("Alpha City, Ala.: 2 police stations (15 predictions in their boxes, 1 with any), 1 jail "
                          "(0 predictions in their boxes, 0 with any), 1 court (0 predictions in their boxes, 0 with "
                          "any), 3 public-housing developments (0 predictions in their boxes, 0 with any).")
    line = next(row for row in out.splitlines() if "Alpha Police Headquarters" in row)
    assert line.split()[-3:] == ["15", "57.69%", "1"]
    assert "4 from OpenStreetMap (Overpass API), retrieved" in out and "ODbL" in out
    assert "3 from HUD Public Housing Developments" in out and "can be incomplete" in out


def test_the_datasheet_lists_the_sites_with_their_source(tiny_dir):
    import pandas as pd

    from lib.data import load
    from lib.datasheet import datasheet_html
    from lib.filters import Filters
    with Recorded(services()) as server:
        sitefile.fetch_sites(tiny_dir, kinds=("police",), departments=("alpha",), **_urls(server))
    dataset = load.load(tiny_dir)
    con = dataset.connect()
    added = pd.DataFrame([{"name": "Alpha Court Annex", "kind": "court", "lat": 33.005, "lon": -86.995}])
    html = datasheet_html(dataset, con, Filters(departments=("alpha",)), added=added)
    con.close()
    assert ("data-figure='sites_headline'>Alpha City, Ala.: 2 police stations (15 predictions in their boxes, 1 "
            "with any), 1 court (15 predictions in their boxes, 1 with any).") in html
    assert "<td>Alpha Court Annex</td><td>Court</td><td>15</td><td>57.69%</td><td>1</td><td>added</td>" in html
    assert "2 from OpenStreetMap (Overpass API), retrieved" in html and "can be incomplete" in html


def test_a_folder_that_cannot_be_written_is_a_sentence(tiny_dir, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(sitefile.tempfile, "mkstemp", refuse)
    with Recorded(services()) as server:
        with pytest.raises(PlacesError, match="could not be written \\(Permission denied\\); nothing was changed"):
            sitefile.fetch_sites(tiny_dir, kinds=("police",), departments=("beta",), **_urls(server))
    assert not (tiny_dir / "sites.csv").exists()


def test_a_semicolon_file_stays_a_semicolon_file_and_latin1_is_refused(tiny_dir):
    (tiny_dir / "sites.csv").write_text("name;kind;lat;lon\nOur own station;police_station;33.1;-86.9\n")
    with Recorded(services()) as server:
        written = sitefile.fetch_sites(tiny_dir, kinds=("police",), departments=("beta",), **_urls(server))
    assert written.counts() == {"police_station": 1}
    lines = (tiny_dir / "sites.csv").read_text().splitlines()
    assert lines[:2] == ["name;kind;lat;lon;department;address;source;source_id;retrieved;licence",
                         "Our own station;police_station;33.1;-86.9;;;;;;"]
    assert lines[2].startswith("Beta PD;police_station;36.005;-119.995;beta;;osm;node/104;")
    latin = "name,kind,lat,lon\nCaf\xe9 du Commissariat,police_station,33.1,-86.9\n".encode("latin-1")
    (tiny_dir / "sites.csv").write_bytes(latin)
    with Recorded(services()) as server:
        with pytest.raises(PlacesError, match="is not UTF-8 text"):
            sitefile.fetch_sites(tiny_dir, kinds=("police",), departments=("alpha",), **_urls(server))
    assert (tiny_dir / "sites.csv").read_bytes() == latin
    assert server.requests == []  # refused before asking anyone
