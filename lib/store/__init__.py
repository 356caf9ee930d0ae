"""The tables a loaded data directory stores: declared in lib/store/tables.py, built by lib/store/build.py, their
files checked by lib/store/cache.py. Analysis modules only read them."""
from lib.store.tables import TABLES, Table, derived, in_dependency_order, raw, table

__all__ = ["TABLES", "Table", "derived", "in_dependency_order", "raw", "table"]
