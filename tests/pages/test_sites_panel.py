"""Sites in the app: a site added by address or coordinates goes into the URL, a link's sites come back, the
Map draws them; the fetch button fills sites.csv from recorded answers on 127.0.0.1."""
from __future__ import annotations

import json
import re

import pytest

from tests.apptest import assert_no_exception, run_app
from tests.places.recorded import Recorded, ok
from tests.places.test_fetch_sites import HUD_PATH, OVERPASS_PATH, services

AUDIT, MAP = "pages/audit.py", "pages/map.py"
# A court standing on alpha's busiest prediction location (33.005, -86.995: 10 + 5 of 26 predictions)
COURT = "33.005000,-86.995000,court,Alpha Court, Annex"
GEOCODER_PATH = "/geocoder/locations/onelineaddress"
# The Census Bureau geocoder's documented JSON (benchmark Public_AR_Current, format=json)
CENSUS_MATCH = {"result": {"input": {"address": {"address": "1 First St, Alpha City, AL"},
                                     "benchmark": {"benchmarkName": "Public_AR_Current"}},
                           "addressMatches": [{"matchedAddress": "1 FIRST ST, ALPHA CITY, AL, 35000",
                                               "coordinates": {"x": -86.995, "y": 33.005},
                                               "tigerLine": {"side": "L", "tigerLineId": "1"}}]}}


def _sites_in_url(at) -> list[str]:
    value = at.query_params.get("site") or []
    return [value] if isinstance(value, str) else list(value)


def _map_sites(at) -> list[str]:
    """The kinds of site the Map tab's SVG names in its key."""
    svg = next(json.loads(e.proto.json) for e in at.get("bidi_component") if e.proto.component_name == "pp_svg")
    key = re.search(r'<div class="pp-map-key">(.*?)</div>', svg)
    return [n for n in re.findall(r"</span>([^<]+)</span>", key.group(1) if key else "") if n.startswith(("Court", "Police"))]


def test_a_link_with_a_site_shows_it_on_the_audit_page_and_the_map(tiny_dir):
    at = run_app(tiny_dir, page=AUDIT, query={"site": COURT})
    assert_no_exception(at)
    assert at.session_state["audit_added_sites"] == [("Alpha Court, Annex", "court", 33.005, -86.995)]
    assert _sites_in_url(at) == [COURT]
    text = "\n".join(m.value for m in at.markdown)
    assert "Alpha City, Ala.: 1 court (15 predictions in their boxes, 1 with any)." in text
    at.switch_page(MAP).run()
    assert_no_exception(at)
    assert _map_sites(at) == ["Court (1)"]
    assert _sites_in_url(at) == [COURT]


def test_a_bad_site_in_a_link_is_left_out_with_a_reason(tiny_dir):
    at = run_app(tiny_dir, page=AUDIT, query={"site": "95,-86.9,court,Nowhere"})
    assert_no_exception(at)
    assert at.session_state["audit_added_sites"] == []
    assert any("Latitude must be between -90 and 90" in i.value for i in at.sidebar.info)
    assert _sites_in_url(at) == []


def test_a_site_added_by_coordinates_round_trips_through_the_url(tiny_dir):
    at = run_app(tiny_dir, page=AUDIT)
    at.text_input(key="site_name").input("Alpha Court, Annex")
    at.selectbox(key="site_kind").set_value("court")
    at.text_input(key="site_lat").input("33.005")
    at.text_input(key="site_lon").input("-86.995")
    next(b for b in at.button if b.label == "Add site").click().run()
    assert_no_exception(at)
    assert _sites_in_url(at) == [COURT]
    # the shared link, opened in a new session, brings the same site back
    again = run_app(tiny_dir, page=AUDIT, query={"site": _sites_in_url(at)})
    assert again.session_state["audit_added_sites"] == at.session_state["audit_added_sites"]


@pytest.mark.parametrize("geocoder", ["found", "offline"])
def test_a_site_added_by_address(tiny_dir, monkeypatch, geocoder):
    with Recorded(lambda m, path, q, b: ok(CENSUS_MATCH) if path == GEOCODER_PATH else (404, {}, b"")) as server:
        monkeypatch.setenv("PP_GEOCODER_URL", server.url if geocoder == "found" else "http://127.0.0.1:9")
        at = run_app(tiny_dir, page=AUDIT)
        at.text_input(key="site_name").input("Alpha Police Headquarters")
        at.text_input(key="site_address").input("1 First St, Alpha City, AL")
        next(b for b in at.button if b.label == "Add site").click().run()
    assert_no_exception(at)
    if geocoder == "found":
        assert not at.error
        assert _sites_in_url(at) == ["33.005000,-86.995000,police_station,Alpha Police Headquarters"]
        assert server.requests[0][2] == {"address": "1 First St, Alpha City, AL", "benchmark": "Public_AR_Current",
                                         "format": "json"}
    else:
        assert at.session_state["audit_added_sites"] == []
        assert any("could not be reached" in e.value and "latitude and longitude instead" in e.value
                   for e in at.error)


def test_the_fetch_button_fills_sites_csv_and_the_page_answers(tiny_dir, monkeypatch):
    with Recorded(services()) as server:
        monkeypatch.setenv("PP_OVERPASS_URL", server.url + OVERPASS_PATH)
        monkeypatch.setenv("PP_HUD_URL", server.url + HUD_PATH)
        at = run_app(tiny_dir, page=AUDIT, query={"dept": "alpha"})
        assert "No sites listed for this selection yet" in "\n".join(i.value for i in at.info)
        at.button(key="fetch_sites").click().run()
    assert_no_exception(at)
    assert (tiny_dir / "sites.csv").exists()
    text = "\n".join(m.value for m in at.markdown)
    assert "Alpha City, Ala.: 2 police stations (15 predictions in their boxes, 1 with any), 1 jail" in text
    assert any("Added to" in s.value and "3 police station" not in s.value and "2 police station" in s.value
               for s in at.success)
    captions = "\n".join(c.value for c in at.caption)
    assert "4 from OpenStreetMap (Overpass API), retrieved" in captions and "ODbL" in captions
    assert "3 from HUD Public Housing Developments" in captions and "can be incomplete" in captions
    # the Map, too, credits where the sites it draws came from
    at.switch_page("pages/map.py").run()
    assert_no_exception(at)
    captions = "\n".join(c.value for c in at.caption)
    assert "Sites: " in captions and "from OpenStreetMap (Overpass API), retrieved" in captions and "ODbL" in captions


def test_real_plainfield_answers_per_site_with_its_source(real_dir, tmp_path):
    """The reporter's question on the real data: these sites in Plainfield, and how many predictions fell on each
    (the figures are checked against a brute-force count in tests/analysis/test_sites.py)."""
    import shutil

    from tests.analysis.test_sites import SITES_CSV
    data = tmp_path / "real"
    shutil.copytree(real_dir, data)
    (data / "sites.csv").write_text(SITES_CSV)
    at = run_app(data, page=AUDIT, query={"dept": "plainfieldpdnj"})
    assert_no_exception(at)
    text = "\n".join(m.value for m in at.markdown)
    assert ("Plainfield, N.J.: 1 police station (819 predictions in their boxes, 1 with any), 1 public-housing "
            "development (562 predictions in their boxes, 1 with any).") in text
    metric = {m.label: (m.value, m.proto.delta) for m in at.metric}
    assert metric["Police stations: 1"][0] == "819" and "1.45%" in metric["Police stations: 1"][1]
    assert metric["Public-housing developments: 1"][0] == "562"
    assert any(b.label.startswith("Fetch police stations, jails, courts and public housing for Plainfield")
               for b in at.button)
    assert "2 from sites.csv with no source given (entered by hand)." in "\n".join(c.value for c in at.caption)
    at.session_state["tab"] = "Places targeted day after day"
    at.run()
    assert_no_exception(at)
    assert "Public-housing developments in the most-targeted areas" in [h.value for h in at.subheader]
    housing = next(d.value for d in at.dataframe if "in_most_targeted" in d.value.columns)
    plainfield = housing[housing["department"] == "Plainfield, N.J."].iloc[0]
    assert (plainfield["developments"], plainfield["drew_predictions"], plainfield["predictions"]) == (1, 1, 562)
