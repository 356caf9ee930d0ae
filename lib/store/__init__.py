"""The tables a loaded data directory stores: declared in lib/store/tables.py, built by lib/store/build.py, their
files checked by lib/store/cache.py. Analysis modules only read them."""
from lib.store.tables import Table, in_dependency_order

__all__ = ["Table", "in_dependency_order"]
