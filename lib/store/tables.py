"""Every table a loaded data directory stores, declared once.

The loader (lib/data/load.py) writes the raw typed tables (those with no inputs); lib/store/build.py builds the
others from them in the order their inputs give; lib/db.py makes each a view or an in-memory table; the cache
manifest (lib/store/cache.py), the SQL page's table list, `python -m lib.cli tables` and the table in the README
and on Data & methods read the same list. Adding a stored table is one SQL file in lib/sql/ and one entry here.

A builder is either `sql` (lib/sql/<name>.sql; its {placeholders} are filled from `fragments`, which name the
tables it reads, and from what `parameters` returns) or `function` ("module:function" taking the build's
connection and returning a frame per table it builds). `parameters` is "module:function" taking the connection
and returning {placeholder or $parameter: value}; it is called once per build.
"""
from __future__ import annotations

from dataclasses import dataclass, field

DEPARTMENT = "department"


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    inputs: tuple[str, ...] = ()
    sql: str | None = None
    function: str | None = None
    parameters: str | None = None
    fragments: dict[str, str] = field(default_factory=dict)
    # "department": one folder per department (Hive layout), so a query on one department opens its files only
    partition: str | None = None
    # run once per department of this table, with $department (each department's query streams to its folder)
    per_department_of: str | None = None
    order: str | None = None
    # copied into memory when a connection opens; otherwise a view over the Parquet files
    in_memory: bool = False
    # SQL types of a function's frame columns (any other column is VARCHAR)
    column_types: dict[str, str] = field(default_factory=dict)
    # DuckDB settings for this table's build, reset after it
    settings: tuple[str, ...] = ()

    @property
    def raw(self) -> bool:
        """Written by the loader from the user's files, not built from other tables."""
        return not self.inputs

    @property
    def built_by(self) -> str:
        if self.raw:
            return "lib/data/load.py"
        if self.sql:
            return f"lib/sql/{self.sql}.sql"
        return self.function.replace(":", ".")


MATCH_PARAMETERS = "lib.analysis.accuracy:match_parameters"
MATCH_SETTINGS = (
    # Each join builds its hash table on the side written second (the reports, the patrols), not on the millions
    # of prediction boxes: DuckDB's estimates would choose the boxes, which took 2.2 s instead of 0.6 s for
    # Riverton's 2.4 million predictions in the 6M demo.
    "disabled_optimizers = 'build_side_probe_side'",
)


def _match(name: str, meaning: str, inputs: tuple[str, ...], sql: str, per_department_of: str) -> Table:
    """One of the accuracy method's tables over all time (lib/analysis/accuracy.py), one folder per department."""
    return Table(name, meaning, inputs, sql=sql, parameters=MATCH_PARAMETERS, partition=DEPARTMENT,
                 per_department_of=per_department_of, settings=MATCH_SETTINGS)


TABLES: tuple[Table, ...] = (
    # -- raw: the user's files, checked and typed ------------------------------------------------------------
    Table("departments", "one row per police department: slug, name, state", in_memory=True),
    Table("race", "race and ethnicity of each census block group's residents", in_memory=True),
    Table("income", "household income of each census block group, by bracket", in_memory=True),
    Table("block_group_counts", "predictions per block group as the data's publisher counted them",
          in_memory=True),
    Table("block_groups", "census block group shapes as GeoJSON text, with centroid, area and bounding box",
          in_memory=True),
    Table("predictions", "every prediction: where (location, block group), when (date, shift), what type, how many",
          partition=DEPARTMENT),
    Table("crime_reports", "crime reports with place, time and type, placed in block groups"),
    Table("prediction_counts", "the published prediction totals per department and type", in_memory=True),
    Table("patrols", "logged patrols with place, start, end and minutes"),
    Table("sites", "places such as police stations, jails, courts and hospitals", in_memory=True),
    Table("excluded_addresses", "addresses The Markup set aside when matching reports", in_memory=True),
    # -- the predictions summed --------------------------------------------------------------------------------
    Table("prediction_cells", "the predictions summed per block group, location, address, day and type: what every "
          "page but Accuracy reads", ("predictions",), sql="prediction_cells",
          fragments={"predictions": "predictions"}, partition=DEPARTMENT, order="date"),
    Table("prediction_days", "the predictions summed per block group, day and type: the Audit page's counts",
          ("prediction_cells",), sql="prediction_days", fragments={"cells": "prediction_cells"},
          partition=DEPARTMENT, order="date"),
    Table("prediction_locations", "the predictions summed per location over all time, with their days: the Audit "
          "page's hotspot ranking", ("prediction_cells",), sql="prediction_locations",
          fragments={"cells": "prediction_cells"}, partition=DEPARTMENT),
    Table("site_cells", "the prediction cells whose box contains a site of the data, with the site",
          ("prediction_cells", "sites"), sql="site_cells", parameters="lib.geo_math:site_box_fragments",
          fragments={"cells": "prediction_cells", "sites": "sites"}, in_memory=True),
    # -- the audit's points and addresses ----------------------------------------------------------------------
    Table("outside_points", "every point outside the block groups, classified (abroad, swapped, 0,0, ...), with the "
          "evidence for those abroad", ("prediction_cells", "crime_reports", "patrols", "sites", "block_groups"),
          function="lib.analysis.audit.geocoding:outside_point_tables", in_memory=True,
          column_types={"lat": "DOUBLE", "lon": "DOUBLE", "predictions": "BIGINT", "records": "BIGINT",
                        "first_date": "DATE", "last_date": "DATE", "distance_km": "DOUBLE",
                        "same_street_lat": "DOUBLE", "same_street_lon": "DOUBLE", "same_street_records": "BIGINT"}),
    Table("point_counts", "per source and department, the points inside the block groups and the records with no "
          "coordinates", ("prediction_cells", "crime_reports", "patrols", "sites", "block_groups"),
          function="lib.analysis.audit.geocoding:outside_point_tables", in_memory=True,
          column_types={"locations": "BIGINT", "missing_records": "BIGINT", "missing_predictions": "BIGINT",
                        "records": "BIGINT", "predictions": "BIGINT"}),
    Table("named_addresses", "every distinct address that names a police station, sheriff, jail, court or "
          "hospital, with the word", ("prediction_cells", "crime_reports", "excluded_addresses"),
          sql="named_addresses", parameters="lib.analysis.audit.addresses:named_address_parameters", in_memory=True),
    # -- the Map's outlines -------------------------------------------------------------------------------------
    Table("department_outlines", "each department's area: the union of its block groups' shapes (WKB), so the Map's "
          "first view of a department does not dissolve them", ("block_groups", "departments"),
          function="lib.analysis.outlines:department_outline_table", in_memory=True,
          column_types={"block_groups": "BIGINT", "outline": "BLOB"}),
    # -- the accuracy method over all time ----------------------------------------------------------------------
    _match("accuracy_reports", "every crime report as the accuracy method reads it: duplicates merged, its kind, "
           "and the first step other than the window that sets it aside", ("crime_reports", "excluded_addresses"),
           "accuracy_reports", "crime_reports"),
    _match("accuracy_report_days", "those reports counted per day, step, kind, type and offence",
           ("accuracy_reports",), "accuracy_report_days", "crime_reports"),
    _match("report_prediction_pairs", "every (report, prediction) pair where an analysed report fell in the "
           "prediction's box during its shift", ("accuracy_reports", "predictions"), "accuracy_pairs",
           "crime_reports"),
    _match("report_matches", "the pairs gathered per report, with the predictions it fell in",
           ("report_prediction_pairs",), "accuracy_per_report", "crime_reports"),
    _match("patrolled_predictions", "the dated predictions with a patrol logged in the box during the shift",
           ("patrols", "predictions"), "accuracy_patrolled_predictions", "patrols"),
    _match("true_predictions", "the predictions that came true (a report of the predicted type in the box and "
           "shift), with the reports' dates", ("report_prediction_pairs", "patrolled_predictions"),
           "accuracy_per_prediction", "crime_reports"),
    _match("accuracy_prediction_days", "the predictions counted per day, type and whether they have a shift",
           ("predictions",), "accuracy_prediction_days", "predictions"),
)

def in_dependency_order(tables: tuple[Table, ...] | None = None) -> list[Table]:
    """The tables (all declared by default) so that each comes after its inputs (declaration order among those
    ready together)."""
    done: set[str] = set()
    order: list[Table] = []
    pending = list(TABLES if tables is None else tables)
    while pending:
        ready = [t for t in pending if all(i in done for i in t.inputs)]
        if not ready:
            names = ", ".join(f"{t.name} (needs {', '.join(i for i in t.inputs if i not in done)})" for t in pending)
            raise ValueError(f"stored tables whose inputs are never built: {names}")
        for t in ready:
            order.append(t)
            done.add(t.name)
            pending.remove(t)
    return order
