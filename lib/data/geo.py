"""Block-group shapes: reading the GeoJSON and placing points in block groups."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from lib import schema
from lib.data.problems import ERROR, WARNING, Problem, shown

SHAPE_TYPES = ("Polygon", "MultiPolygon")


@dataclass
class Shapes:
    frame: pd.DataFrame  # department, geoid, geometry_json, centroid_lat, centroid_lon, area_km2, bounds
    geometries: np.ndarray  # shapely geometries aligned with frame rows
    problems: list[Problem] = field(default_factory=list)


def read_block_groups(path: Path, department_of_geoid: dict[str, str]) -> Shapes:
    """Read block_groups.geojson. Features without a department property take it from the census files."""
    spec = schema.spec("block_groups")
    name = spec.file
    problems: list[Problem] = []
    try:
        collection = json.loads(path.read_bytes().decode("utf-8-sig"))
    except RecursionError:
        return Shapes(empty_frame(), np.array([]), [Problem(name, None, None, None,
                                                       "JSON nested too deeply to read; expected a GeoJSON "
                                                       "FeatureCollection of Polygon or MultiPolygon features")])
    except UnicodeDecodeError as exc:
        return Shapes(empty_frame(), np.array([]), [Problem(name, None, None, None,
                                                       f"bytes that are not UTF-8 at byte {exc.start:,}")])
    except json.JSONDecodeError as exc:
        return Shapes(empty_frame(), np.array([]), [Problem(name, exc.lineno, None, None,
                                                       f"not valid JSON ({exc.msg}); expected a GeoJSON "
                                                       "FeatureCollection")])
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list) or collection.get("type") != "FeatureCollection":
        return Shapes(empty_frame(), np.array([]), [Problem(name, None, None, None,
                                                       "expected a GeoJSON FeatureCollection with a features list")])
    rows, geoms, seen = [], [], {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            problems.append(Problem(name, number, None, shown(feature), "expected a GeoJSON Feature object; the "
                                    "feature was set aside", ERROR, "feature"))
            continue
        properties = feature.get("properties")
        props = {schema.normalise_header(str(k)): v
                 for k, v in (properties if isinstance(properties, dict) else {}).items()}
        geoid = _first(props, schema.GEOID.names())
        geoid = None if geoid is None else str(geoid).strip()
        if geoid and len(geoid) == 11 and geoid.isdigit():
            geoid = "0" + geoid
        geometry = feature.get("geometry") or {}
        bad = _feature_problem(geoid, geometry) or _coordinate_problem(geometry)
        if bad:
            problems.append(Problem(name, number, bad[0], bad[1], bad[2], ERROR, "feature"))
            continue
        department = _first(props, spec.column("department").names()) or department_of_geoid.get(geoid)
        if department is None:
            problems.append(Problem(name, number, "department", None,
                                    "expected a department property, or a geoid listed in the census files; "
                                    "the feature was set aside", ERROR, "feature"))
            continue
        key = (department, geoid)
        if key in seen:
            problems.append(Problem(name, number, "geoid", geoid,
                                    f"expected a unique department + geoid; duplicate of feature {seen[key]}; "
                                    "the feature was set aside", ERROR, "feature"))
            continue
        seen[key] = number
        try:
            shape = shapely.geometry.shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError) as exc:
            problems.append(Problem(name, number, "geometry", geometry.get("type"),
                                    f"expected valid polygon coordinates ({exc}); the feature was set aside",
                                    ERROR, "feature"))
            continue
        geometry_json = json.dumps(geometry)
        if shape.is_empty:
            problems.append(Problem(name, number, "geometry", geoid, "expected a polygon with at least one ring of "
                                    "4 or more positions, but it is empty; the feature was set aside", ERROR, "feature"))
            continue
        if not shape.is_valid:
            reason = shapely.is_valid_reason(shape)
            shape = _polygonal(shapely.make_valid(shape))
            if shape is None:
                problems.append(Problem(name, number, "geometry", geoid, f"expected a valid polygon ({reason}) that "
                                        "can be repaired into one; the feature was set aside", ERROR, "feature"))
                continue
            geometry_json = shapely.to_geojson(shape)  # every later step (maps, audit) reads the repaired shape
            problems.append(Problem(name, number, "geometry", geoid, f"expected a valid polygon ({reason}); it was "
                                    "repaired (split where its edges cross) and kept", WARNING, "feature"))
        centroid = shape.representative_point()
        minx, miny, maxx, maxy = shape.bounds
        rows.append({"department": department, "geoid": geoid, "geometry_json": geometry_json,
                     "centroid_lat": centroid.y, "centroid_lon": centroid.x,
                     "area_km2": _area_km2(shape), "min_lon": minx, "min_lat": miny, "max_lon": maxx,
                     "max_lat": maxy, "feature": number})
        geoms.append(shape)
    if not features:
        problems.append(Problem(name, None, None, None, "the FeatureCollection has no features"))
    frame = pd.DataFrame(rows) if rows else empty_frame()
    return Shapes(frame, np.array(geoms, dtype=object), problems)


def _feature_problem(geoid, geometry) -> tuple[str, str | None, str] | None:
    if not isinstance(geometry, dict):
        return ("geometry", shown(geometry), "expected a GeoJSON geometry object; the feature was set aside")
    if not geoid:
        return ("geoid", None, "expected a geoid (or GEOID, id) property; the feature was set aside")
    if not (len(geoid) == 12 and geoid.isdigit()):
        return ("geoid", geoid, "expected a 12-digit Census block-group GEOID; the feature was set aside")
    if geometry.get("type") not in SHAPE_TYPES:
        return ("geometry", str(geometry.get("type")), "expected a Polygon or MultiPolygon; the feature was set aside")
    return None


def _coordinate_problem(geometry: dict) -> tuple[str, str | None, str] | None:
    """Coordinates GEOS cannot take: NaN, Infinity, 1e400 (which JSON reads as infinity), text, or no numbers."""
    numbers = []

    def walk(value, depth=0) -> bool:
        if isinstance(value, bool) or depth > 4:
            return False
        if isinstance(value, (int, float)):
            numbers.append(float(value))
            return True
        return isinstance(value, list) and all(walk(v, depth + 1) for v in value)

    if not walk(geometry.get("coordinates")):
        return ("geometry", shown(geometry.get("coordinates")), "expected coordinates as nested lists of numbers; "
                "the feature was set aside")
    bad = next((n for n in numbers if not np.isfinite(n)), None)
    if bad is not None:
        return ("geometry", str(bad), "expected finite longitude and latitude numbers (NaN, Infinity and values "
                "like 1e400 are not); the feature was set aside")
    return None


def _polygonal(shape):
    """The polygons of a repaired shape (make_valid can add the lines and points where a ring touched itself),
    or None when nothing with an area is left."""
    parts = [g for g in shapely.get_parts(shape) if g.geom_type in SHAPE_TYPES]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if merged.geom_type in SHAPE_TYPES and not merged.is_empty and merged.area > 0 else None


def _first(props: dict, names) -> object:
    for n in names:
        value = props.get(schema.normalise_header(n))
        if value not in (None, ""):
            return value
    return None


def _area_km2(shape) -> float:
    """Approximate area from degrees, good to a few percent at block-group scale."""
    lat = np.radians(shape.centroid.y)
    return float(shape.area * 111.32 * 111.32 * np.cos(lat))


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame(columns=["department", "geoid", "geometry_json", "centroid_lat", "centroid_lon", "area_km2",
                                 "min_lon", "min_lat", "max_lon", "max_lat", "feature"])


def _containing(points: pd.DataFrame, shapes: Shapes) -> pd.DataFrame:
    """Every (point row position, shape row position) pair where the shape contains or touches the point."""
    if points.empty or len(shapes.geometries) == 0:
        return pd.DataFrame({"point": [], "shape": []}, dtype=int)
    tree = shapely.STRtree(shapes.geometries)
    coords = shapely.points(points["lon"].to_numpy(float), points["lat"].to_numpy(float))
    point_idx, shape_idx = tree.query(coords, predicate="intersects")
    return pd.DataFrame({"point": point_idx, "shape": shape_idx})


def assign_block_groups(points: pd.DataFrame, shapes: Shapes) -> pd.Series:
    """The geoid of the block group of the point's own department that contains it, else None.

    `points` has department, lat, lon. Points on a shared edge go to the smaller geoid, so the
    answer does not depend on file order. In numpy, on positions: pandas' grouping of text columns (held by
    pyarrow) took some 100 MB more for the 150,000 points of one pass at 6 million predictions."""
    result = np.full(len(points), None, dtype=object)
    pairs = _containing(points, shapes)
    if not pairs.empty:
        point, shape = pairs["point"].to_numpy(), pairs["shape"].to_numpy()
        own = (shapes.frame["department"].to_numpy(dtype=object)[shape]
               == points["department"].to_numpy(dtype=object)[point])
        point, shape = point[own], shape[own]
        geoids = shapes.frame["geoid"].to_numpy(dtype=object)
        rank = np.empty(len(geoids), dtype=np.int64)
        rank[np.argsort(geoids, kind="stable")] = np.arange(len(geoids))
        order = np.lexsort((rank[shape], point))  # by point, then smallest geoid first
        point, shape = point[order], shape[order]
        first = np.unique(point, return_index=True)[1]
        result[point[first]] = geoids[shape[first]]
    return pd.Series(result, index=points.index, dtype=object)


def department_at(points: pd.DataFrame, shapes: Shapes) -> pd.Series:
    """The department whose block groups contain each point (alphabetically first where two do)."""
    result = pd.Series([None] * len(points), index=points.index, dtype=object)
    pairs = _containing(points, shapes)
    if pairs.empty:
        return result
    pairs["department"] = shapes.frame["department"].to_numpy()[pairs["shape"]]
    chosen = pairs.groupby("point")["department"].min()
    result.iloc[chosen.index.to_numpy()] = chosen.to_numpy()
    return result
