"""Each department's area as one outline: the union of its block groups, made once at load (the stored table
department_outlines) and read by the Map (lib/analysis/maps.jurisdictions).

Apart from lib/analysis/maps.py, whose imports (the Disparities ranking, SciPy) cost the cold load 1.7 s."""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from lib.db import run


def valid_shapes(frame: pd.DataFrame) -> np.ndarray:
    return shapely.make_valid(shapely.from_geojson(frame["geometry_json"].to_numpy()))


def dissolve(shapes: np.ndarray):
    return shapely.union_all(shapes, grid_size=1e-6)


def department_outline_table(con) -> dict[str, pd.DataFrame]:
    """The stored table department_outlines: per department, its block groups (those the Map's block-group frame
    holds with no filter, in its order) and their union as WKB, so the Map's first view of a department does not
    dissolve them."""
    frame = run(con, """
        SELECT s.department, b.geoid, b.geometry_json
        FROM block_group_stats s JOIN block_groups b USING (department, geoid) JOIN departments d USING (department)
        ORDER BY s.department, s.geoid""")
    shapes = valid_shapes(frame) if len(frame) else np.array([], dtype=object)
    rows = [(department, len(index), shapely.to_wkb(dissolve(shapes[index])))
            for department, index in frame.groupby("department", sort=True).indices.items()]
    return {"department_outlines": pd.DataFrame(rows, columns=["department", "block_groups", "outline"])}


def stored_outlines(con) -> dict[str, tuple[int, object]]:
    """department: (block groups, the union of their shapes) from the stored table department_outlines, for
    jurisdictions."""
    frame = run(con, "SELECT department, block_groups, outline FROM department_outlines")
    shapes = shapely.from_wkb([bytes(b) for b in frame["outline"]])  # DuckDB returns a BLOB as a bytearray
    return {d: (int(n), shape) for d, n, shape in zip(frame["department"], frame["block_groups"], shapes)}
