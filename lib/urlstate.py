"""Every key a link may carry, and what an invalid value becomes: the one place that names them.

A link reopens a view: the data source, the sidebar filters (read and written by lib/filters.Filters) and each
page's own choices, which bind to the URL themselves (Streamlit's `bind="query-params"`: the widget's `key` is
the URL key, so pages take their keys from here). Only this module and lib/filters read or write
`st.query_params`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from lib.filters import QUERY_KEYS


@dataclass(frozen=True)
class Key:
    name: str
    meaning: str
    invalid: str  # what an invalid value becomes
    repeatable: bool = False


# -- the sidebar filters (lib/filters.Filters.to_query_params / from_query_params) ---------
FILTERS = QUERY_KEYS
COMPARE_PREFIX = "b_"  # compare mode's selection B: the same filter keys, prefixed

# -- page-level choices ------------------------------------------------------------------
DATA = "data"
AUDIT_TAB = "tab"
DISPARITIES_DEPARTMENT = "dd"
DISPARITIES_COUNTS = "counts"
MAP_LAYER = "layer"
MAP_COLOR = "color"
MAP_HEX = "hex"
MAP_TAB = "map_tab"
ACCURACY_SHOW = "show"
SITE = "site"
COMPARE = "cmp"
EXCLUDE = "excl"

DATA_SOURCES = ("demo", "real")

KEYS: dict[str, Key] = {k.name: k for k in (
    Key("dept", "sidebar: departments (slugs)", "dropped, with a notice in the sidebar", repeatable=True),
    Key("low_income", "sidebar: low-income bands", "dropped, with a notice", repeatable=True),
    Key("bracket", "sidebar: largest income brackets", "dropped, with a notice", repeatable=True),
    Key("majority", "sidebar: majority groups", "dropped, with a notice", repeatable=True),
    Key("group", "sidebar: the group of the minimum share", "the default (Black), with a notice"),
    Key("min_share", "sidebar: minimum share, in percent", "0, with a notice"),
    Key("start", "sidebar: first date, YYYY-MM-DD", "the data's first date, with a notice"),
    Key("end", "sidebar: last date, YYYY-MM-DD", "the data's last date, with a notice"),
    Key("type", "sidebar: incident types", "dropped, with a notice", repeatable=True),
    Key(DATA, "data source: demo or real (an uploaded or local folder cannot be shared)",
        "the server's default data"),
    Key(AUDIT_TAB, "Audit page: the open tab, by its label", "the first tab (Streamlit drops it from the URL)"),
    Key(DISPARITIES_DEPARTMENT, "Disparities page: the department shown, by its name as the picker shows it",
        "all departments (Streamlit drops it from the URL)"),
    Key(DISPARITIES_COUNTS, "Disparities page: the counts block groups are ranked on, by the label the choice "
        "shows (“Placed by the app (point in polygon)” or “Published per block group”)",
        "placed by the app (Streamlit drops it from the URL)"),
    Key(MAP_LAYER, "Map page: layers shown", "dropped (Streamlit drops it from the URL)", repeatable=True),
    Key(MAP_COLOR, "Map page: what colours the block groups", "the default variable"),
    Key(MAP_HEX, "Map page: hexagon size; absent follows the view", "follows the view"),
    Key(MAP_TAB, "Map page: the open tab, by its label (“Map”, “Street map” or “Hexagons in 3-D”)",
        "the Map tab (Streamlit drops it from the URL); absent, a link with a hexagon size opens on Hexagons"),
    Key(ACCURACY_SHOW, "Accuracy page: the long tables shown", "dropped (Streamlit drops it from the URL)",
        repeatable=True),
    Key(SITE, "sites added in the app: lat,lon,kind,name", "dropped, with a notice", repeatable=True),
    Key(COMPARE, "compare mode on (1)", "compare mode off"),
    Key(EXCLUDE, "exclusions: artefacts, outside, geocoding", "dropped, with a notice", repeatable=True),
)}
for _name in FILTERS:
    KEYS[COMPARE_PREFIX + _name] = Key(COMPARE_PREFIX + _name, f"compare mode, selection B: {KEYS[_name].meaning}",
                                       KEYS[_name].invalid, KEYS[_name].repeatable)


def data_source(params: Mapping) -> str | None:
    """'demo' or 'real' as the link asks, None when it does not say (or says something else)."""
    value = params.get(DATA)
    value = value[-1] if isinstance(value, list) and value else value
    return value if value in DATA_SOURCES else None


# "Map" is drawn as an SVG on the server (lib/charts/svg_map.py); "Street map" is the same figure in Plotly, with
# the base map, zoom and pan; "Hexagons in 3-D" is pydeck.
MAP_TABS = ("Map", "Street map", "Hexagons in 3-D")
MAP_STREET, MAP_HEXAGONS = MAP_TABS[1], MAP_TABS[2]


def map_tab_for_link(params: Mapping) -> str | None:
    """The Map tab a link opens on when it names none: Hexagons when it carries a hexagon size (a link copied
    before the tab was in the URL); None when the link names a tab or has no size (the bound tab decides)."""
    if params.get(MAP_TAB) or not params.get(MAP_HEX):
        return None
    return MAP_HEXAGONS


def map_tab_shown(params: Mapping, state: Mapping) -> str:
    """The Map tab this run will show: the reader's choice in this session, else the link's tab (by its label),
    else the one map_tab_for_link picks, else the first."""
    chosen = state.get(MAP_TAB) or next(iter(params.get(MAP_TAB) or []), None) or map_tab_for_link(params)
    return chosen if chosen in MAP_TABS else MAP_TABS[0]


def params() -> dict[str, list[str]]:
    """The page's URL: every key with all its values (a repeatable key may come several times)."""
    import streamlit as st
    return {k: st.query_params.get_all(k) for k in st.query_params}


def read(key: str) -> list[str]:
    """Every value the page's URL gives `key`, [] when absent."""
    return params().get(key, [])


def merged(current: Mapping[str, list[str]], owned: tuple[str, ...] | set[str],
           wanted: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """`current` with the `owned` keys replaced by `wanted`'s: what one writer changes, leaving every other key
    (a page's bound widgets, another writer's) as it was."""
    out = {k: v for k, v in current.items() if k not in owned}
    out.update({k: v for k, v in wanted.items() if k in owned and v})
    return out


def write(owned: tuple[str, ...] | set[str], wanted: Mapping[str, list[str]]) -> None:
    """Set the `owned` keys of the page's URL to `wanted` (absent = removed), in one URL change, touching no
    other key. st.query_params.from_dict would drop every key it is not given, the page's bound ones with it."""
    import streamlit as st
    qp = st.query_params
    current = {k: qp.get_all(k) for k in qp}
    target = merged(current, owned, wanted)
    if target == current:
        return
    for key in [k for k in current if k in owned and k not in target]:
        del qp[key]
    changed = {k: v for k, v in target.items() if current.get(k) != v}
    if changed:
        qp.update(changed)
