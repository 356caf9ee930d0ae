"""Map page: the frames behind each layer, capped so the browser never receives raw rows.

Every function takes the DuckDB connection and the Filters value and returns plain frames or small
dataclasses; lib/charts/maps.py turns them into figures.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

import h3
import numpy as np
import pandas as pd
import shapely

from lib import geo_math, schema
from lib.analysis import disparities
from lib.analysis.outlines import dissolve, stored_outlines, valid_shapes  # noqa: F401 (stored_outlines: for the Map page)
from lib.db import query, run, sql
from lib.filters import Filters
from lib.geoid import block_group_words

# Markers drawn on the map (individual locations plus grid cells merging the rest): a city of 19,000 locations
# drawn one by one buries its block groups and costs megabytes; 4,000 keep the pattern and the choropleth.
MAX_POINTS = 4_000
# Reported crimes and prediction boxes of the predicted-vs-reported layer (one department's worth).
MAX_COMPARISON_POINTS = 20_000
# Of the point budget, the share kept for the grid cells that absorb the smaller locations.
CELL_SHARE = 0.25
# Grid sizes (degrees) tried, finest first, for the locations beyond the individually drawn ones.
CELL_DEGREES = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# Hexagons sent to the browser: about 200 bytes each in pydeck's JSON, so at most about 1 MB.
MAX_HEX_CELLS = 5_000
HEX_RESOLUTIONS = {6: "about 7 km", 7: "about 2.6 km", 8: "about 1 km", 9: "about 350 m", 10: "about 130 m"}
DEFAULT_HEX_RESOLUTION = 9
HEX_METRES = {r: h3.average_hexagon_edge_length(r, unit="m") for r in HEX_RESOLUTIONS}
# A hexagon size the reader did not choose: the finest whose hexagons are at least this share of the view's width
# (Plainfield, about 6 km across: 350 m; Los Angeles: 2.6 km; the country: 7 km).
HEX_SHARE_OF_VIEW = 1 / 40
# A selection wider than this (degrees) spans several cities: the map opens on the whole country.
NATIONAL_SPAN = 3.0
# Outlines are simplified to this many screen pixels at the zoom the map opens on (web Mercator, 512 px tiles),
# and their coordinates rounded to a tenth of that: the shapes look the same and weigh a fraction.
SIMPLIFY_PIXELS = 0.5
CHOROPLETH_VARIABLES = {
    "per_1000": "Predictions per 1,000 residents",
    "share_black_latino": "Black or Latino residents (share)",
    "share_black": "Black residents (share)",
    "share_latino": "Latino residents (share)",
    "share_white": "White residents (share)",
    "share_asian": "Asian residents (share)",
    "share_low_income": "Low-income households (share)",
    "window": "Targeting rank (most, median, least)",
}
POINT_COLOURS = {
    "predictions": "Predictions at the location",
    "share_black_latino": "Block group's share of Black and Latino residents",
    "share_low_income": "Block group's share of low-income households",
}
SITE_LABELS = {"police_station": "Police station", "jail": "Jail", "court": "Court", "hospital": "Hospital",
               "school": "School", "public_housing": "Public housing", "other": "Other site"}


# -- view ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class View:
    lat: float
    lon: float
    zoom: float
    national: bool
    bounds: tuple[float, float, float, float]  # west, south, east, north


def fit_view(west: float, south: float, east: float, north: float, width: int = 760, height: int = 600) -> View:
    """Centre and zoom showing the box in a width x height map (web Mercator, 512 px tiles)."""
    lon_span = max(east - west, 1e-4)
    y = lambda lat: math.log(math.tan(math.pi / 4 + math.radians(max(min(lat, 85), -85)) / 2))
    y_span = max(y(north) - y(south), 1e-6)
    zoom_lon = math.log2(360 * width / (512 * lon_span))
    zoom_lat = math.log2(2 * math.pi * height / (512 * y_span))
    zoom = max(1.0, min(16.0, min(zoom_lon, zoom_lat) - 0.15))
    centre_y = (y(north) + y(south)) / 2
    centre_lat = math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)
    national = max(east - west, north - south) > NATIONAL_SPAN
    return View(centre_lat, (west + east) / 2, round(zoom, 2), national, (west, south, east, north))


def degrees_per_pixel(zoom: float) -> float:
    """Degrees of longitude one screen pixel spans at `zoom` (web Mercator, 512 px tiles)."""
    return 360 / (512 * 2 ** zoom)


def simplify_tolerance(view: View) -> float:
    """Degrees within which outlines are simplified for the zoom the map opens on."""
    return SIMPLIFY_PIXELS * degrees_per_pixel(view.zoom)


def hex_resolution_for(view: View) -> int:
    """The hexagon size (H3 resolution) that follows the view, for a reader who has not chosen one."""
    width_m = (view.bounds[2] - view.bounds[0]) * 111_000 * math.cos(math.radians(view.lat))
    fitting = [r for r in HEX_RESOLUTIONS if 2 * HEX_METRES[r] >= width_m * HEX_SHARE_OF_VIEW]
    return max(fitting) if fitting else min(HEX_RESOLUTIONS)


def view(con, f: Filters) -> View | None:
    """The view fitting the selected block groups (or, without shapes, the middle 98% of the points:
    mis-geocoded predictions in another continent must not pull the map away)."""
    bg_where, params = f.block_group_where("s")
    row = run(con, f"""
        SELECT min(b.min_lon), min(b.min_lat), max(b.max_lon), max(b.max_lat)
        FROM block_group_stats s JOIN block_groups b USING (department, geoid) WHERE {bg_where}""", params).iloc[0]
    if row.isna().any():
        where, params = f.where("p")
        row = run(con, f"""SELECT quantile_cont(lon, 0.01), quantile_cont(lat, 0.01), quantile_cont(lon, 0.99),
                                  quantile_cont(lat, 0.99) FROM predictions p WHERE {where}""", params).iloc[0]
    if row.isna().any():
        return None
    return fit_view(*(float(v) for v in row))


# -- prediction locations ------------------------------------------------------------------

@dataclass(frozen=True)
class Points:
    """The markers for the point layer. `frame` has one row per drawn marker: an individual location
    (kind 'location') or a grid cell merging smaller locations (kind 'cell', `locations` > 1)."""
    frame: pd.DataFrame
    locations: int  # distinct prediction locations in the selection
    predictions: int
    kept: int  # locations drawn individually
    merged: int  # locations merged into cells
    cells: int
    cell_degrees: float | None

    def note(self) -> str:
        if not self.merged:
            return f"Every one of the {self.locations:,} prediction locations is drawn."
        km = self.cell_degrees * 111
        return (f"{self.locations:,} prediction locations are too many to draw one by one: the {self.kept:,} with "
                f"the most predictions are drawn individually and the other {self.merged:,} are merged into "
                f"{self.cells:,} grid cells of {self.cell_degrees:g}° (about {km:.1f} km north–south), each drawn "
                f"at the prediction-weighted centre of its locations with their summed predictions "
                f"({self.kept + self.cells:,} markers in all, at most {MAX_POINTS:,}).")


def locations(con, f: Filters, stored: bool | None = None) -> pd.DataFrame:
    """Every distinct prediction location of the selection with its block group's demographics: with no date
    or type filter (or `stored`) from the locations summed at load, else from the prediction cells."""
    fragments, params = f.fragments()
    return query(con, "map_points", params, locations=locations_sql(f, fragments, stored))


def locations_sql(f: Filters, fragments: dict, stored: bool | None = None) -> str:
    """The SELECT of the selection's prediction locations (department, lat, lon, predictions, days, address,
    geoid) over `fragments` (Filters.fragments): with no date or type filter (or `stored`) from the locations
    summed at load (map_locations_stored.sql), else from the prediction cells (map_locations.sql)."""
    stored = f.all_time if stored is None else stored
    return sql("map_locations_stored" if stored else "map_locations").format(**fragments)


def prediction_points(con, f: Filters, max_points: int = MAX_POINTS) -> Points:
    return thin(locations(con, f), max_points)


def thin(loc: pd.DataFrame, max_points: int = MAX_POINTS) -> Points:
    """Keep the locations with the most predictions; merge the rest into the finest grid whose cells fit
    the remaining budget, so no more than `max_points` markers ever reach the browser."""
    loc = loc.assign(kind="location", locations=1)
    total = int(loc["predictions"].sum()) if len(loc) else 0
    if len(loc) <= max_points:
        return Points(loc, len(loc), total, len(loc), 0, 0, None)
    cell_budget = max(1, int(max_points * CELL_SHARE))
    kept = loc.iloc[:max_points - cell_budget]
    rest = loc.iloc[max_points - cell_budget:]
    for degrees in CELL_DEGREES:
        cells = _merge(rest, degrees)
        if len(cells) <= cell_budget:
            break
    else:  # even 5° cells overflow: merge whole departments
        cells = _merge(rest, None)
        degrees = None
    frame = pd.concat([kept, cells], ignore_index=True)
    return Points(frame, len(loc), total, len(kept), len(rest), len(cells), degrees)


def _merge(rest: pd.DataFrame, degrees: float | None) -> pd.DataFrame:
    keys = ["department", "name"]
    work = rest.assign(w_lat=rest["lat"] * rest["predictions"], w_lon=rest["lon"] * rest["predictions"])
    if degrees:
        work = work.assign(cy=np.floor(work["lat"] / degrees), cx=np.floor(work["lon"] / degrees))
        keys += ["cy", "cx"]
    cells = work.groupby(keys, as_index=False, sort=True).agg(
        predictions=("predictions", "sum"), w_lat=("w_lat", "sum"), w_lon=("w_lon", "sum"),
        locations=("locations", "sum"))
    cells["lat"] = cells["w_lat"] / cells["predictions"]
    cells["lon"] = cells["w_lon"] / cells["predictions"]
    cells["kind"] = "cell"
    return cells.drop(columns=[c for c in ("w_lat", "w_lon", "cy", "cx") if c in cells])


def department_markers(con, f: Filters) -> pd.DataFrame:
    """One marker per department for the national view: at the centre of its block groups (or of its
    points), sized by its predictions in the selection."""
    where, params = f.where("p")
    bg_where, bg_params = f.block_group_where("s")
    return run(con, f"""
        WITH p AS (SELECT p.department, p.lat, p.lon, p.count FROM predictions p WHERE {where}),
        pd_ AS (SELECT department, sum(count)::BIGINT AS predictions,
                       count(DISTINCT (lat, lon)) AS locations,
                       median(lat) AS p_lat, median(lon) AS p_lon FROM p GROUP BY department),
        bg AS (SELECT s.department, count(*) AS block_groups, sum(s.total) AS residents,
                      (sum(s.black) + sum(s.latino)) / nullif(sum(s.total), 0) AS share_black_latino,
                      (min(b.min_lat) + max(b.max_lat)) / 2 AS b_lat, (min(b.min_lon) + max(b.max_lon)) / 2 AS b_lon
               FROM block_group_stats s LEFT JOIN block_groups b USING (department, geoid)
               WHERE {bg_where} GROUP BY s.department)
        SELECT pd_.department, d.name, coalesce(bg.b_lat, pd_.p_lat) AS lat, coalesce(bg.b_lon, pd_.p_lon) AS lon,
               pd_.predictions, pd_.locations, coalesce(bg.block_groups, 0) AS block_groups,
               bg.residents, bg.share_black_latino
        FROM pd_ JOIN departments d USING (department) LEFT JOIN bg USING (department)
        ORDER BY pd_.predictions DESC, pd_.department""", {**params, **bg_params})


# -- block groups --------------------------------------------------------------------------

def block_groups(con, f: Filters) -> pd.DataFrame:
    """Selected block groups with predictions (under the date and type filters), per-1,000 rate,
    demographics and, when the Disparities ranking is available, the targeting window."""
    fragments, params = f.fragments()
    frame = query(con, "map_block_groups", params, **fragments)
    # The Disparities ranking of these block groups, from this frame (not a second query of the selection).
    ranks = disparities.ranks_of(frame.rename(columns={"residents": "total"}))
    return frame.merge(ranks[["department", "geoid", "rank", "n", "window", "decile"]], on=["department", "geoid"],
                       how="left")


def _simplified(shapes: np.ndarray, tolerance: float) -> np.ndarray:
    """Shapes simplified within `tolerance` degrees, on a grid a tenth as fine (never below a metre). Topology
    is preserved, so every shape stays a valid, non-empty polygon however small."""
    if tolerance:
        shapes = shapely.simplify(shapes, tolerance, preserve_topology=True)
    grid = max(10 ** round(math.log10(tolerance / 10)), 1e-5) if tolerance else 1e-5
    return shapely.set_precision(shapes, grid, mode="pointwise")


def _collection(ids, shapes: np.ndarray, properties=None) -> dict:
    texts = shapely.to_geojson(shapes)
    properties = properties or [{}] * len(texts)
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "id": i, "properties": p, "geometry": json.loads(t)}
                         for i, p, t in zip(ids, properties, texts)]}


def geojson(frame: pd.DataFrame, tolerance: float = 0.0) -> dict:
    """A FeatureCollection of the frame's outlines, simplified within `tolerance` degrees
    (simplify_tolerance(view) for the zoom shown). A feature's id is its row's position in the frame: a few
    bytes, where department|geoid cost 25 for each of thousands of block groups."""
    shapes = _simplified(shapely.from_geojson(frame["geometry_json"].to_numpy()), tolerance)
    return _collection([str(i) for i in range(len(frame))], shapes)


def jurisdictions(frame: pd.DataFrame, tolerance: float = 0.0, stored: dict | None = None) -> dict:
    """Each department's area as one outline: the union of its selected block groups (id: the department),
    simplified within `tolerance` degrees. `stored` (stored_outlines) holds each department's union of all its
    block groups, made at load: a department whose block groups are all selected takes it instead of dissolving
    them again (0.4-0.6 s for Los Angeles' 2,514); a block-group filter still draws the union of those selected."""
    if frame.empty:
        return {"type": "FeatureCollection", "features": []}
    stored = stored or {}
    shapes = None
    departments, unions, names = [], [], []
    for (department, name), index in frame.groupby(["department", "name"], sort=True).indices.items():
        departments.append(department)
        names.append({"name": name})
        whole = stored.get(department)
        if whole is not None and whole[0] == len(index):
            unions.append(whole[1])
            continue
        if shapes is None:
            shapes = valid_shapes(frame)
        unions.append(dissolve(shapes[index]))
    return _collection(departments, _simplified(np.array(unions, dtype=object), tolerance), names)


def department_areas(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per department of the block-group frame with each choropleth variable for the department as a
    whole: predictions per 1,000 residents, and resident (or household) shares weighted by the block groups'
    residents (households). The targeting rank has no department-wide value (NaN)."""
    work = frame.assign(households=frame["households"].astype(float), residents=frame["residents"].astype(float))
    shares = [v for v in CHOROPLETH_VARIABLES if v.startswith("share_") and v != "share_low_income"]
    for v in shares:
        work[v] = work[v] * work["residents"]
    work["share_low_income"] = work["share_low_income"] * work["households"]
    out = work.groupby(["department", "name"], as_index=False, sort=True)[
        ["predictions", "residents", "households", *shares, "share_low_income"]].sum(min_count=1)
    for v in shares:
        out[v] = out[v] / out["residents"].where(out["residents"] > 0)
    out["share_low_income"] = out["share_low_income"] / out["households"].where(out["households"] > 0)
    out["per_1000"] = 1000 * out["predictions"] / out["residents"].where(out["residents"] > 0)
    out["window"] = np.nan
    out["block_groups"] = frame.groupby(["department", "name"], sort=True).size().to_numpy()
    return out


def rings(collection: dict) -> tuple[list, list]:
    """Every polygon ring of a FeatureCollection as (lats, lons) with None between rings, for a line trace."""
    lats, lons = [], []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            for ring in polygon:
                lons.extend([c[0] for c in ring] + [None])
                lats.extend([c[1] for c in ring] + [None])
    return lats, lons


def map_summary(bg_frame: pd.DataFrame, points: Points, view: View) -> str:
    """The map in one sentence with its key figures, for readers who cannot see it (the map's text
    alternative)."""
    departments = bg_frame[["department", "name"]].drop_duplicates()
    # A department with block groups but no predictions (Indianapolis in the real data) is named apart, so the
    # count agrees with the pages that count departments with predictions.
    predicted = int((bg_frame.groupby("department")["predictions"].sum() > 0).sum())
    where = (departments["name"].iloc[0] if len(departments) == 1
             else (f"{predicted:,} department{'s' if predicted != 1 else ''} with predictions "
                   f"({len(departments):,} with block groups)" if predicted < len(departments)
                   else f"{len(departments):,} departments")
             + (" across the United States" if view.national else ""))
    text = (f"Map of {where}: {points.predictions:,} predictions at {points.locations:,} locations, over "
            f"{len(bg_frame):,} block groups.")
    rated = bg_frame[bg_frame["residents"] > 0].dropna(subset=["per_1000"])
    if view.national and len(rated):
        by_department = department_areas(rated)
        top = by_department.sort_values(["per_1000", "department"], ascending=[False, True]).iloc[0]
        text += (f" Most predictions per 1,000 residents: {top['name']}, {top['per_1000']:,.0f}"
                 f" (all its block groups together).")
    elif len(bg_frame):
        # The most predictions, not the highest rate: a rate over a handful of residents reads as a
        # headline and says little.
        top = bg_frame.sort_values(["predictions", "geoid"], ascending=[False, True]).iloc[0]
        text += (f" Most predictions: {block_group_words(top['geoid'])}, {top['predictions']:,} "
                 f"({_count(top['residents'])} residents, {_percent(top['share_black_latino'])} Black or Latino).")
    return text


def _count(value) -> str:
    return "an unknown number of" if pd.isna(value) else f"{value:,.0f}"


def _percent(value) -> str:
    return "an unknown share" if pd.isna(value) else f"{value:.0%}"


# -- hexagons ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hexagons:
    frame: pd.DataFrame
    resolution: int
    requested: int

    def note(self) -> str:
        text = (f"{len(self.frame):,} hexagons (H3 resolution {self.resolution}, "
                f"{HEX_RESOLUTIONS.get(self.resolution, '')} across), computed on the server from the prediction "
                "locations; the browser receives only the hexagons.")
        if self.resolution != self.requested:
            text += (f" Resolution {self.requested} would have made more than {MAX_HEX_CELLS:,} hexagons, "
                     "so coarser ones are drawn.")
        return text


def hex_summary(hexes: Hexagons) -> str:
    """The hexagon view's key figure in words (its text alternative)."""
    top = hexes.frame.iloc[0]
    return (f"The tallest of the {len(hexes.frame):,} hexagons holds {top['predictions']:,} predictions at "
            f"{top['locations']:,} location{'s' if top['locations'] != 1 else ''}"
            + (f" ({top['name']})." if isinstance(top["name"], str) else "."))


def hexagons(loc: pd.DataFrame, block_group_frame: pd.DataFrame, resolution: int = DEFAULT_HEX_RESOLUTION,
             max_cells: int = MAX_HEX_CELLS) -> Hexagons:
    """Predictions summed into H3 cells. Each cell is described by its dominant block group (the one
    holding most of the cell's predictions): its residents, Black and Latino share, low-income share and
    predictions per 1,000 residents, which colours the cell."""
    requested = resolution
    if loc.empty:
        return Hexagons(_empty_hexagons(), resolution, requested)
    lats, lons = loc["lat"].to_numpy(), loc["lon"].to_numpy()
    while True:
        cells = np.array([h3.latlng_to_cell(a, o, resolution) for a, o in zip(lats, lons)])
        if len(np.unique(cells)) <= max_cells or resolution == 0:
            break
        resolution -= 1
    work = loc[["department", "geoid", "predictions"]].assign(hex=cells)
    totals = work.groupby("hex", as_index=False).agg(predictions=("predictions", "sum"),
                                                      locations=("predictions", "size"))
    by_bg = (work.dropna(subset=["geoid"]).groupby(["hex", "department", "geoid"], as_index=False)["predictions"]
             .sum().sort_values(["hex", "predictions", "department", "geoid"], ascending=[True, False, True, True])
             .drop_duplicates("hex").drop(columns="predictions"))
    stats = block_group_frame[["department", "geoid", "name", "residents", "per_1000", "share_black_latino",
                               "share_low_income", "majority"]]
    frame = (totals.merge(by_bg, on="hex", how="left").merge(stats, on=["department", "geoid"], how="left")
             .sort_values("predictions", ascending=False, ignore_index=True))
    return Hexagons(frame, resolution, requested)


def _empty_hexagons() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in (
        ("hex", "object"), ("predictions", "int64"), ("locations", "int64"), ("department", "object"),
        ("geoid", "object"), ("name", "object"), ("residents", "float64"), ("per_1000", "float64"),
        ("share_black_latino", "float64"), ("share_low_income", "float64"), ("majority", "object"))})


# -- predicted versus reported -------------------------------------------------------------

@dataclass(frozen=True)
class Comparison:
    """Reported crimes against prediction boxes.

    mode: 'matched' (dated predictions with shifts: every report and prediction classified here),
    'carried' (undated predictions; reports carry the source's own has_prediction match),
    'unclassified' (neither: reports and boxes are drawn, not classified), 'none' (no reports).
    reports: one row per located report with `outcome` 'hit' | 'miss' | None.
    boxes: one row per prediction location with predictions, hit_predictions, false_alarms (NA unless matched).
    """
    mode: str
    reports: pd.DataFrame
    boxes: pd.DataFrame
    hits: int = 0
    misses: int = 0
    false_alarms: int | None = None
    predictions: int = 0
    unplaced: int = 0  # reports without coordinates (or, when matching, without a time)
    reports_placed: int = 0  # reports with coordinates; `reports` holds at most MAX_COMPARISON_POINTS of them
    boxes_total: int = 0  # prediction locations; `boxes` holds at most MAX_COMPARISON_POINTS of them

    def thinning(self) -> str:
        parts = []
        if len(self.reports) < self.reports_placed:
            parts.append(f"{len(self.reports):,} of {self.reports_placed:,} located reports are drawn (every hit, "
                         "and an even sample of the others)")
        if len(self.boxes) < self.boxes_total:
            parts.append(f"the {len(self.boxes):,} prediction boxes with the most predictions are drawn, of "
                         f"{self.boxes_total:,}")
        return ("To keep the map fast, " + "; ".join(parts) + ". The counts cover them all.") if parts else ""

    def note(self) -> str:
        if self.mode == "matched":
            return (f"Hits: {self.hits:,} reported crimes fell inside a {schema.BOX_FEET} ft prediction box during "
                    f"that box's {schema.SHIFT_MINUTES // 60} h {schema.SHIFT_MINUTES % 60} min shift. Misses: "
                    f"{self.misses:,} fell outside every box in force. False alarms: {self.false_alarms:,} of "
                    f"{self.predictions:,} predictions had no reported crime in their box during their shift. "
                    "Any reported crime counts, whatever its type."
                    + (f" {self.unplaced:,} reports without coordinates or time are not drawn." if self.unplaced
                       else ""))
        if self.mode == "carried":
            return (f"Hits and misses come from the source's own match (has_prediction): {self.hits:,} reported "
                    f"crimes fell in a prediction box during its shift, {self.misses:,} did not. The predictions "
                    "here are undated location totals, so they cannot be classified one by one: false alarms "
                    "cannot be counted on the map (see the Accuracy page)."
                    + (f" {self.unplaced:,} reports without coordinates are not drawn." if self.unplaced else ""))
        if self.mode == "unclassified":
            return ("The predictions here have no dates or shifts and the reports carry no match, so reports "
                    "cannot be classified as hits or misses; both are drawn as they are.")
        return "No reported crimes in this selection."


def _report_filter(f: Filters) -> tuple[str, dict]:
    # Reports have no incident type of PredPol's kind: only places and dates apply.
    return f.where("r", typed=False)


def comparison(con, f: Filters) -> Comparison:
    report_where, report_params = _report_filter(f)
    where, params = f.where("p")
    counts = run(con, f"""
        SELECT (SELECT count(*) FROM crime_reports r WHERE {report_where}) AS reports,
               (SELECT count(has_prediction) FROM crime_reports r WHERE {report_where}) AS carried,
               (SELECT count(*) FROM predictions p WHERE {where} AND p.date IS NOT NULL AND p.shift IS NOT NULL)
                   AS dated""", {**params, **report_params}).iloc[0]
    if not counts["reports"]:
        return Comparison("none", pd.DataFrame(), pd.DataFrame())
    if counts["dated"]:
        return _matched(con, f)
    return _carried(con, f, classified=bool(counts["carried"]))


def _matched(con, f: Filters) -> Comparison:
    fragments = _match_fragments(f)
    params = fragments.pop("params")
    reports = query(con, "map_matches", params, **fragments, final="""
        SELECT r.department, r.line, r.at AS datetime, r.description, r.address, r.lat, r.lon,
               CASE WHEN r.lat IS NULL OR r.lon IS NULL OR r.at IS NULL THEN NULL
                    WHEN EXISTS (SELECT 1 FROM matched m WHERE m.department = r.department AND m.report_line = r.line)
                    THEN 'hit' ELSE 'miss' END AS outcome
        FROM r ORDER BY r.department, r.line""")
    boxes = query(con, "map_matches", params, **fragments, final="""
        , hit AS (SELECT DISTINCT department, prediction_line AS line FROM matched)
        SELECT p.department, p.lat, p.lon, sum(p.count)::BIGINT AS predictions,
               coalesce(sum(p.count) FILTER (WHERE hit.line IS NOT NULL), 0)::BIGINT AS hit_predictions,
               coalesce(sum(p.count) FILTER (WHERE hit.line IS NULL), 0)::BIGINT AS false_alarms
        FROM p LEFT JOIN hit USING (department, line)
        WHERE p.department IN (SELECT department FROM r)
        GROUP BY p.department, p.lat, p.lon ORDER BY predictions DESC, p.department, p.lat, p.lon""")
    return _summarise("matched", reports, boxes)


def _match_fragments(f: Filters) -> dict:
    where, params = f.where("p")
    report_where, report_params = _report_filter(f)
    shifts = ", ".join(f"('{letter}', {int(t[:2]) * 60 + int(t[3:])})" for letter, t in schema.PREDPOL_SHIFTS.items())
    return {"where": where, "report_where": report_where, "shift_values": shifts,
            "shift_minutes": str(schema.SHIFT_MINUTES), "box": geo_math.box_contains_sql("p", "r"),
            "params": {**params, **report_params}}


def _carried(con, f: Filters, classified: bool) -> Comparison:
    report_where, report_params = _report_filter(f)
    where, params = f.where("p")
    reports = run(con, f"""
        SELECT r.department, r.line, coalesce(r.datetime, r.date + coalesce(r.time, TIME '00:00')) AS datetime,
               r.description, r.address, r.lat, r.lon,
               CASE WHEN r.lat IS NULL OR r.lon IS NULL THEN NULL
                    WHEN r.has_prediction THEN 'hit' WHEN NOT r.has_prediction THEN 'miss' END AS outcome
        FROM crime_reports r WHERE {report_where} ORDER BY r.department, r.line""", report_params)
    boxes = run(con, f"""
        SELECT p.department, p.lat, p.lon, sum(p.count)::BIGINT AS predictions,
               CAST(NULL AS BIGINT) AS hit_predictions, CAST(NULL AS BIGINT) AS false_alarms
        FROM predictions p
        WHERE {where} AND p.department IN (SELECT r.department FROM crime_reports r WHERE {report_where})
        GROUP BY ALL ORDER BY predictions DESC, p.department, p.lat, p.lon""", {**params, **report_params})
    return _summarise("carried" if classified else "unclassified", reports, boxes)


def _summarise(mode: str, reports: pd.DataFrame, boxes: pd.DataFrame,
               max_points: int = MAX_COMPARISON_POINTS) -> Comparison:
    placed = reports["lat"].notna() & reports["lon"].notna()
    if mode == "matched":
        placed &= reports["outcome"].notna()
    false_alarms = int(boxes["false_alarms"].sum()) if mode == "matched" else None
    drawn = reports[placed].reset_index(drop=True)
    if len(drawn) > max_points:
        # Hits are few and the point of the layer: keep them all, and every k-th other report.
        hits = drawn[drawn["outcome"] == "hit"]
        others = drawn[drawn["outcome"] != "hit"]
        step = math.ceil(len(others) / max(max_points - len(hits), 1))
        drawn = pd.concat([hits, others.iloc[::step]]).sort_index().reset_index(drop=True)
    return Comparison(mode, drawn, boxes.head(max_points),
                      hits=int((reports["outcome"] == "hit").sum()), misses=int((reports["outcome"] == "miss").sum()),
                      false_alarms=false_alarms, predictions=int(boxes["predictions"].sum()),
                      unplaced=int((~placed).sum()), reports_placed=int(placed.sum()), boxes_total=len(boxes))


# -- sites ---------------------------------------------------------------------------------

def sites(con, f: Filters) -> pd.DataFrame:
    """Sites in the selected departments (and block groups, when income or race filters are set)."""
    where, params = f.where("site", dated=False, typed=False)
    frame = run(con, f"""SELECT site.name, site.kind, site.lat, site.lon, site.department, site.address, site.geoid,
                                site.source AS origin, site.source_id, site.retrieved, site.licence
                         FROM sites site WHERE {where} AND site.lat IS NOT NULL AND site.lon IS NOT NULL
                         ORDER BY site.kind, site.name""", params)
    frame["label"] = frame["kind"].map(SITE_LABELS).fillna(frame["kind"])
    return frame
