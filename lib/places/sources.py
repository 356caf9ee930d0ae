"""The public sources of sites, each read into rows of sites.csv (SITE_FIELDS).

- OpenStreetMap through the Overpass API (amenity=police, prison, courthouse): nodes carry their point; ways
  and relations their centre (`out center`). Data (c) OpenStreetMap contributors, ODbL 1.0.
  https://wiki.openstreetmap.org/wiki/Overpass_API
- HUD's Public Housing Developments feature service (ArcGIS REST `query`, f=geojson), paged with resultOffset
  while the answer says exceededTransferLimit. U.S. government work, public domain.
  https://hudgis-hud.opendata.arcgis.com/datasets/public-housing-developments
- The US Census Bureau's geocoder (one line address -> point), for a site added by address.
  https://geocoding.geo.census.gov/geocoder/Geocoding_Services_API.html

Base URLs come from arguments, else the environment (PP_OVERPASS_URL, PP_HUD_URL, PP_GEOCODER_URL), else the
public services, so tests point them at 127.0.0.1.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from lib.places.http import PlacesError, get_json

OVERPASS_URL = "https://overpass-api.de/api/interpreter"
HUD_URL = ("https://services.arcgis.com/VTyQ9soqVukalItT/arcgis/rest/services/Public_Housing_Developments/"
           "FeatureServer/0/query")
GEOCODER_URL = "https://geocoding.geo.census.gov"
GEOCODER_PATH = "/geocoder/locations/onelineaddress"

OSM_LICENCE = "ODbL 1.0, (c) OpenStreetMap contributors"
HUD_LICENCE = "Public domain (U.S. Department of Housing and Urban Development)"
CENSUS_LICENCE = "Public domain (U.S. Census Bureau geocoder)"
SOURCE_LABELS = {"osm": "OpenStreetMap (Overpass API)", "hud": "HUD Public Housing Developments",
                 "census": "U.S. Census Bureau geocoder"}
# amenity tag -> site kind of lib.schema.SITE_KINDS
OSM_KINDS = {"police": "police_station", "prison": "jail", "courthouse": "court"}
KIND_SOURCES = {"police_station": "osm", "jail": "osm", "court": "osm", "public_housing": "hud"}
FETCHABLE_KINDS = tuple(KIND_SOURCES)
KIND_ALIASES = {"police": "police_station", "prison": "jail", "courthouse": "court", "housing": "public_housing"}
HUD_PAGE = 1000
HUD_MAX_PAGES = 200  # 200,000 developments: more than the whole country has; a service that never stops paging
SITE_FIELDS = ["name", "kind", "lat", "lon", "department", "address", "source", "source_id", "retrieved",
               "licence"]


@dataclass(frozen=True)
class Box:
    """A bounding box in degrees (WGS84)."""
    south: float
    west: float
    north: float
    east: float


def overpass_url(base: str | None = None) -> str:
    return base or os.environ.get("PP_OVERPASS_URL") or OVERPASS_URL


def hud_url(base: str | None = None) -> str:
    return base or os.environ.get("PP_HUD_URL") or HUD_URL


def geocoder_url(base: str | None = None) -> str:
    return (base or os.environ.get("PP_GEOCODER_URL") or GEOCODER_URL).rstrip("/") + GEOCODER_PATH


# -- OpenStreetMap ------------------------------------------------------------------------------

def overpass_query(box: Box, kinds: tuple[str, ...]) -> str:
    bbox = f"{box.south:.6f},{box.west:.6f},{box.north:.6f},{box.east:.6f}"
    amenities = [tag for tag, kind in OSM_KINDS.items() if kind in kinds]
    parts = "".join(f'nwr["amenity"="{tag}"]({bbox});' for tag in amenities)
    return f"[out:json][timeout:90];({parts});out center tags;"


def osm_sites(box: Box, kinds: tuple[str, ...], base: str | None = None, **http) -> list[dict]:
    """Police stations, prisons and courthouses inside `box` as site rows."""
    if not any(kind in OSM_KINDS.values() for kind in kinds):
        return []
    answer = get_json(overpass_url(base), data={"data": overpass_query(box, kinds)},
                      what="OpenStreetMap's Overpass API", **http)
    body = answer.body
    if not isinstance(body, dict) or not isinstance(body.get("elements"), list):
        raise PlacesError("OpenStreetMap's Overpass API answered without a list of elements; nothing was changed.")
    remark = str(body.get("remark") or "")
    if "error" in remark.lower():
        raise PlacesError(f"OpenStreetMap's Overpass API stopped: {remark.strip()[:200]}; nothing was changed.")
    rows = []
    for element in body["elements"]:
        row = _osm_row(element, answer.retrieved)
        if row and row["kind"] in kinds:
            rows.append(row)
    return rows


def _osm_row(element: dict, retrieved: str) -> dict | None:
    if not isinstance(element, dict):
        return None
    tags = element.get("tags") or {}
    kind = OSM_KINDS.get(tags.get("amenity"))
    point = element if element.get("type") == "node" else (element.get("center") or {})
    lat, lon = _number(point.get("lat")), _number(point.get("lon"))
    if kind is None or lat is None or lon is None:
        return None
    osm_id = f"{element.get('type')}/{element.get('id')}"
    street = " ".join(str(tags[k]) for k in ("addr:housenumber", "addr:street") if tags.get(k))
    address = ", ".join(p for p in (street, tags.get("addr:city"), tags.get("addr:state")) if p)
    name = tags.get("name") or tags.get("official_name") or f"{kind.replace('_', ' ').capitalize()} (OSM {osm_id})"
    return {"name": name, "kind": kind, "lat": lat, "lon": lon, "department": None, "address": address or None,
            "source": "osm", "source_id": osm_id, "retrieved": retrieved, "licence": OSM_LICENCE}


# -- HUD public housing -------------------------------------------------------------------------

HUD_NAME_FIELDS = ("PROJECT_NAME", "DEVELOPMENT_NAME", "FORMAL_PARTICIPANT_NAME")
HUD_ID_FIELDS = ("DEVELOPMENT_CODE", "NATIONAL_PROJECT_ID", "OBJECTID", "FID")


def hud_sites(box: Box, base: str | None = None, **http) -> list[dict]:
    """Public-housing developments inside `box`, every page of the feature service's answer."""
    rows, offset = [], 0
    for _ in range(HUD_MAX_PAGES):
        params = {"where": "1=1", "geometry": f"{box.west:.6f},{box.south:.6f},{box.east:.6f},{box.north:.6f}",
                  "geometryType": "esriGeometryEnvelope", "inSR": 4326, "spatialRel": "esriSpatialRelIntersects",
                  "outFields": "*", "outSR": 4326, "orderByFields": "OBJECTID", "resultOffset": offset,
                  "resultRecordCount": HUD_PAGE, "f": "geojson"}
        answer = get_json(hud_url(base), params, what="HUD's Public Housing Developments service", **http)
        body = answer.body
        if isinstance(body, dict) and "error" in body:
            error = body["error"] if isinstance(body["error"], dict) else {"message": body["error"]}
            raise PlacesError(f"HUD's Public Housing Developments service answered an error "
                              f"({error.get('code', '')} {error.get('message', '')}); nothing was changed.")
        if not isinstance(body, dict) or not isinstance(body.get("features"), list):
            raise PlacesError("HUD's Public Housing Developments service answered without GeoJSON features; "
                              "nothing was changed.")
        rows.extend(row for row in (_hud_row(f, answer.retrieved) for f in body["features"]) if row)
        more = body.get("exceededTransferLimit") or (body.get("properties") or {}).get("exceededTransferLimit")
        if not more or not body["features"]:
            return rows
        offset += len(body["features"])
    raise PlacesError(f"HUD's Public Housing Developments service kept paging past {HUD_MAX_PAGES * HUD_PAGE:,} "
                      "developments; nothing was changed.")


def _hud_row(feature: dict, retrieved: str) -> dict | None:
    if not isinstance(feature, dict):
        return None
    props = feature.get("properties") or {}
    coords = (feature.get("geometry") or {}).get("coordinates") or [None, None]
    lon, lat = (_number(coords[0]), _number(coords[1])) if len(coords) >= 2 else (None, None)
    if lat is None or lon is None:
        lat, lon = _number(props.get("LAT")), _number(props.get("LON"))
    if lat is None or lon is None:
        return None
    name = next((str(props[k]).strip() for k in HUD_NAME_FIELDS if props.get(k)), None)
    hud_id = next((str(props[k]) for k in HUD_ID_FIELDS if props.get(k) not in (None, "")), None)
    hud_id = hud_id or str(feature.get("id") or f"{lat:.6f},{lon:.6f}")
    street = ", ".join(str(props[k]).strip() for k in ("STD_ADDR", "STD_CITY", "STD_ST") if props.get(k))
    return {"name": name or f"Public housing {hud_id}", "kind": "public_housing", "lat": lat, "lon": lon,
            "department": None, "address": street or None, "source": "hud", "source_id": hud_id,
            "retrieved": retrieved, "licence": HUD_LICENCE}


# -- Census geocoder ----------------------------------------------------------------------------

def geocode(address: str, base: str | None = None, **http) -> tuple[float, float, str] | None:
    """(lat, lon, matched address) of a one-line US address, or None when the geocoder finds no match.
    Raises PlacesError when the geocoder cannot be reached or answers nonsense."""
    answer = get_json(geocoder_url(base), {"address": address, "benchmark": "Public_AR_Current", "format": "json"},
                      what="The Census Bureau's geocoder", **http)
    try:
        matches = answer.body["result"]["addressMatches"]
    except (KeyError, TypeError):
        raise PlacesError("The Census Bureau's geocoder answered without a result; try again, or give the "
                          "latitude and longitude instead.") from None
    for match in matches if isinstance(matches, list) else []:
        point = match.get("coordinates") or {}
        lat, lon = _number(point.get("y")), _number(point.get("x"))
        if lat is not None and lon is not None:
            return lat, lon, str(match.get("matchedAddress") or address)
    return None


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None
