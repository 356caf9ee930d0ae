"""Streamlit pieces every page shares: the loaded data, the sidebar filters, headers, notes, downloads.

Pages stay thin: they call `context()` for the data and filters, then lib/analysis and lib/charts.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Callable

import pandas as pd
import streamlit as st

from lib import export, urlstate
from lib.charts import fit_narrow_screens
from lib.data import load, roots, upload
from lib.data.problems import problems_from_frame, summarise
from lib.filters import (LOW_INCOME_SHORT, MAJORITY_SHORT, SHARE_GROUPS, QUERY_KEYS, FilterOptions,
                         Filters, filter_options)
from lib.geoid import block_group_name
from lib.schema import bracket_label

REPO = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO / "data" / "demo"
# Where the one-click download puts The Markup's data (PP_REAL_DIR moves it, e.g. for a test server).
REAL_DIR = Path(os.environ.get("PP_REAL_DIR") or REPO / "data" / "real")
MARKUP_METHOD_2021 = ("https://themarkup.org/show-your-work/2021/12/02/"
                      "how-we-determined-crime-prediction-software-disproportionately-targeted-low-income-"
                      "black-and-latino-neighborhoods")
MARKUP_METHOD_2023 = ("https://themarkup.org/show-your-work/2023/10/02/"
                      "how-we-assessed-the-accuracy-of-predictive-policing-software")


@dataclass
class Context:
    dataset: load.Dataset
    con: object  # this session's DuckDB cursor
    filters: Filters
    options: FilterOptions

    @property
    def names(self) -> dict[str, str]:
        return self.options.departments


# -- data --------------------------------------------------------------------------------

def default_dir() -> Path:
    """PP_DATA_DIR, else the shipped demo."""
    return Path(os.environ.get("PP_DATA_DIR") or DEMO_DIR)


def source_kind(directory: Path) -> str | None:
    """'demo' or 'real' (as source.json says), None for anything else: an upload, a folder of one's own."""
    try:
        kind = json.loads((directory / load.SOURCE_FILE).read_text()).get("kind")
    except (OSError, ValueError, AttributeError):
        return None
    return kind if kind in urlstate.DATA_SOURCES else None


def real_dir() -> Path | None:
    """The Markup's data on this server: PP_DATA_DIR when it is the real data, else the downloaded copy."""
    for directory in (default_dir(), REAL_DIR):
        if source_kind(directory) == "real":
            return directory
    return None


def data_dir() -> Path:
    """The session's choice, else the data source the link names (`data=`), else the server's default."""
    if not st.session_state.get("_data_link_read"):
        st.session_state["_data_link_read"] = True
        wanted = urlstate.data_source(urlstate.params())
        if wanted and wanted != source_kind(default_dir()):
            if wanted == "demo":
                st.session_state["data_dir"] = str(DEMO_DIR)
            elif real_dir():
                st.session_state["data_dir"] = str(real_dir())
            else:
                st.session_state["_link_wants_real"] = True
    chosen = st.session_state.get("data_dir") or default_dir()
    return Path(chosen)


def shared_kind(directory: Path) -> str | None:
    """'demo' or 'real' when another session can open this same data from a link; None for an upload or a
    folder of one's own (a copy of the real data may have been changed)."""
    same = lambda other: other is not None and directory.resolve() == other.resolve()  # noqa: E731
    if same(DEMO_DIR) or (same(default_dir()) and source_kind(directory) == "demo"):
        return "demo"
    return "real" if same(real_dir()) else None


def link_wants_missing_real_data() -> bool:
    return bool(st.session_state.get("_link_wants_real")) and real_dir() is None


def sync_url(dataset: load.Dataset) -> None:
    """The link's data source (sidebar_filters writes the filters, and a page's own choices bind themselves)."""
    kind = shared_kind(dataset.data_dir)
    source = {} if kind is None or kind == source_kind(default_dir()) == "demo" else {urlstate.DATA: [kind]}
    urlstate.write((urlstate.DATA,), source)


@st.cache_resource(show_spinner=False, max_entries=8)
def _opened(directory: str, key: str):
    dataset = load.load(Path(directory))
    con = dataset.connect() if dataset.usable else None
    options = filter_options(con) if con else FilterOptions()
    return dataset, con, options


@st.cache_resource(show_spinner=False)
def _housekeeping() -> None:
    """Once per server process: upload folders a previous server left behind (sessions end with their folder
    otherwise, see lib.data.upload.FolderOwner)."""
    upload.purge_stale()


def open_data(directory: Path):
    """Load (once per unchanged directory, shared by all sessions) with a progress bar on a cold load."""
    _housekeeping()
    key = load.cache_key(directory) if directory.is_dir() else "missing"
    store = load.cache_root() / key
    if directory.is_dir() and not (store / "report.json").exists():
        bar = st.progress(0.0, text=f"Loading {directory} for the first time…")
        load.load(directory, progress=lambda fraction, message: bar.progress(min(fraction, 1.0), text=message))
        bar.empty()
    dataset, con, options = _opened(str(directory), key)
    # A cursor of its own for every script run: a DuckDB connection serves one statement at a time, and two runs
    # of one session can overlap (a click while the last run is still stopping).
    return dataset, con.cursor() if con is not None else None, options


def context() -> Context:
    if "_context" not in st.session_state:
        # A deep link (e.g. /map) opened on a freshly started server runs the page file alone, in
        # Streamlit's legacy pages/ mode, before streamlit_app.py has called st.navigation once.
        # Switch that mode off, as st.navigation would, and rerun through streamlit_app.py.
        from streamlit.runtime.pages_manager import PagesManager
        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state["_context"]


# -- sidebar filters -----------------------------------------------------------------------

FILTER_KEYS = ("flt_departments", "flt_low_income", "flt_brackets", "flt_majority", "flt_group", "flt_min_share",
               "flt_dates", "flt_types")


def seed_widgets(f: Filters, options: FilterOptions, prefix: str = "flt_") -> None:
    """Set the filter widgets named `prefix`… (filter_widgets) to `f`."""
    st.session_state[f"{prefix}departments"] = list(f.departments)
    st.session_state[f"{prefix}low_income"] = list(f.low_income)
    st.session_state[f"{prefix}brackets"] = list(f.top_brackets)
    st.session_state[f"{prefix}majority"] = list(f.majority)
    st.session_state[f"{prefix}group"] = f.share_group
    st.session_state[f"{prefix}min_share"] = int(round(f.min_share * 100))
    if options.first_date:
        st.session_state[f"{prefix}dates"] = (f.start or options.first_date, f.end or options.last_date)
    st.session_state[f"{prefix}types"] = list(f.incident_types)


def reset_filters() -> None:
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)
    st.session_state["_filters_seeded"] = None
    urlstate.write(urlstate.FILTERS, {})


def set_departments(departments: list[str]) -> None:
    """For callbacks (e.g. choosing a row in a table) that set the department filter."""
    st.session_state["flt_departments"] = departments


def sidebar_filters(options: FilterOptions, dataset_key: str) -> Filters:
    if st.session_state.get("_filters_seeded") != dataset_key:
        f, notices = Filters.from_query_params(urlstate.params(), options)
        seed_widgets(f, options)
        st.session_state["_filters_seeded"] = dataset_key
        st.session_state["_url_notices"] = notices
    for notice in st.session_state.get("_url_notices", []):
        st.sidebar.info(notice, icon=":material/link_off:")

    sb = st.sidebar
    sb.header("Filters")
    f = filter_widgets(sb, options)
    sb.button("Reset filters", on_click=reset_filters, icon=":material/restart_alt:", width="stretch",
              key="reset_filters")
    # Only the filters' own keys: keys other controls own (compare mode, exclusions, a page's choices such as the
    # Map's layer, color, hex) stay in the link; from_dict would drop them before the widgets bound to them read them.
    urlstate.write(QUERY_KEYS, f.to_query_params())
    return f


def filter_widgets(box, options: FilterOptions, prefix: str = "flt_") -> Filters:
    """The filter widgets in `box` (the sidebar, an expander), keyed `prefix`…; the Filters they set."""
    departments = box.multiselect("Department", list(options.departments), key=f"{prefix}departments",
                                  format_func=lambda d: options.departments.get(d, d),
                                  placeholder="All departments")
    low_income = box.multiselect(
        "Share of low-income households", list(LOW_INCOME_SHORT), key=f"{prefix}low_income",
        format_func=LOW_INCOME_SHORT.get, placeholder="Any income",
        help="Households eligible for free or reduced-price school lunch (income under about 185% of the "
             "poverty line), as a share of the block group's households.")
    brackets = []
    if options.brackets:
        brackets = box.multiselect("Largest household-income bracket", list(options.brackets),
                                   key=f"{prefix}brackets", format_func=bracket_label, placeholder="Any bracket",
                                   help="The income bracket holding the most households of the block group.")
    majority = box.multiselect("Majority group of residents", list(MAJORITY_SHORT), key=f"{prefix}majority",
                               format_func=MAJORITY_SHORT.get, placeholder="Any composition",
                               help="More than half of the block group's residents. 'No majority': no group above "
                                    "half.")
    c1, c2 = box.columns([1, 1])
    group = c1.selectbox("Share of", list(SHARE_GROUPS), key=f"{prefix}group",
                         format_func=lambda g: SHARE_GROUPS[g].capitalize())
    min_share = c2.slider("At least", 0, 100, step=5, key=f"{prefix}min_share", format="%d%%",
                          help="Keep block groups where at least this share of residents (or households) "
                               "belong to the chosen group.")
    start = end = None
    if options.first_date:
        picked = box.date_input("Dates", key=f"{prefix}dates", min_value=options.first_date,
                                max_value=options.last_date, format="YYYY-MM-DD")
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            start = picked[0] if picked[0] != options.first_date else None
            end = picked[1] if picked[1] != options.last_date else None
    else:
        box.caption("No date filter: the predictions in this data have no dates.")
    types = []
    if options.incident_types:
        types = box.multiselect("Incident type", list(options.incident_types), key=f"{prefix}types",
                                placeholder="All types")
    return Filters(tuple(departments), tuple(low_income), tuple(brackets), tuple(majority), group,
                   min_share / 100, _as_date(start), _as_date(end), tuple(types))


def _as_date(value) -> date | None:
    return value if isinstance(value, date) else None


# -- page furniture ------------------------------------------------------------------------

# A metric's label wraps rather than ending in an ellipsis: four metrics in a row left "Race deciles: mean…".
STYLE = """<style>
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
/* A table's toolbar (search, download, full screen) shows on a hover or a touch in the 44 px above the table, at
   its right: over the end of the caption above it on a phone. The gap above a table holds the toolbar. */
[data-testid="stElementContainer"]:has([data-testid="stDataFrame"]):not(:first-child) { margin-top: 1.75rem; }
</style>"""


def style() -> None:
    """The app's few layout rules, once per page run."""
    st.html(STYLE)


def page_intro(title: str, question: str):
    """Title, question and the sentence saying what is shown; returns that sentence's placeholder, for a page
    whose own picker narrows the view further (see view_caption)."""
    st.title(title)
    st.markdown(f"**{question}**")
    ctx = context()
    caption = st.empty()
    caption.caption(ctx.filters.describe(ctx.names, subject="Showing data"))
    return caption


def view_caption(placeholder, department: str) -> None:
    """Rewrite page_intro's sentence for a page showing one `department` of the sidebar's selection."""
    ctx = context()
    placeholder.caption(replace(ctx.filters, departments=(department,)).describe(ctx.names, subject="Showing data"))


def source_note(dataset: load.Dataset) -> str:
    source = dataset.source
    if dataset.is_demo:
        return f"Synthetic demo data (not real), generated by `{source.get('generator', 'lib.cli demo')}`."
    parts = [f"{s.get('repository')} at commit {str(s.get('commit'))[:10]}" for s in source.get("sources", [])]
    return ("Data: " + "; ".join(parts) + ". ") if parts else f"Data from {roots.shown_path(dataset.data_dir)}."


def page_notes(notes: list[str]) -> None:
    """Closing notes every page ends with: the data source and the method notes it relies on."""
    ctx = context()
    st.divider()
    with st.container():
        st.caption("**Data and method.** " + source_note(ctx.dataset) + " " + " ".join(notes))


COLUMN_LABELS = {"lat": "Latitude", "lon": "Longitude", "geoid": "GEOID", "block_group": "Block group",
                 "department": "Department",
                 "predictions": "Predictions", "records": "Records", "first_date": "First date",
                 "last_date": "Last date", "days_targeted": "Days targeted", "days_in_use": "Days in use",
                 "share_of_department": "Share of dept. predictions", "share_of_days": "Share of days in use"}


def column_label(column: str) -> str:
    """'days_targeted' -> 'Days targeted' (with the names readers know for lat, lon, geoid)."""
    return COLUMN_LABELS.get(column, column.replace("_", " ").capitalize())


def percent_column(label: str, digits: int = 0, **kwargs):
    """A share column shown as '45%' (whole points: census estimates support no more); pair with as_percent."""
    return st.column_config.NumberColumn(label, format=f"%.{digits}f%%", **kwargs)


def as_percent(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """A copy for display with shares (0–1) as percentage points, for percent_column; downloads keep shares."""
    present = [c for c in columns if c in frame.columns]
    return frame.assign(**{c: frame[c] * 100 for c in present})


SHOWN_ROWS = 2_000  # a table on the page; the download has every row


def shown_rows(frame: pd.DataFrame, what: str, limit: int | None = None, total: int | None = None) -> pd.DataFrame:
    """The first `limit` (SHOWN_ROWS) rows, with a caption saying so when there are more (the browser need
    not receive hundreds of thousands of rows to show a scrolling table). `total`: the full table's rows
    when `frame` already holds only its first ones."""
    limit = limit or SHOWN_ROWS
    total = len(frame) if total is None else total
    if total > limit:
        st.caption(f"Showing the first {limit:,} of {total:,} {what}; the download below has all of them.")
        return frame.head(limit)
    return frame


def separated_counts(frame: pd.DataFrame) -> dict:
    """column_config showing every whole-number column with thousands separators ("1,312", not "1312")."""
    return {c: st.column_config.NumberColumn(str(c), format="localized") for c in frame.columns
            if pd.api.types.is_integer_dtype(frame[c])}


KIND_COLUMNS = ("kind", "site_kind")


def readable(frame: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """A frame for the page (downloads keep the codes): departments by name, a block group in words beside its
    GEOID, kinds in words ('Police station'), and blank text for missing text."""
    shown = frame.copy()
    if names and "department" in shown.columns:
        shown["department"] = shown["department"].map(lambda d: names.get(d, d) if isinstance(d, str) else d)
    for column in KIND_COLUMNS:
        if column in shown.columns:
            shown[column] = shown[column].map(lambda k: k.replace("_", " ").capitalize() if isinstance(k, str) else k)
    if "geoid" in shown.columns and "block_group" not in shown.columns:
        shown.insert(list(shown.columns).index("geoid"), "block_group", shown["geoid"].map(block_group_name))
    for column in shown.columns:
        if shown[column].dtype == object or pd.api.types.is_string_dtype(shown[column]):
            shown[column] = shown[column].where(shown[column].notna(), "")
    return shown


def table(frame: pd.DataFrame, names: dict[str, str] | None = None, column_order: list[str] | None = None,
          column_config: dict | None = None, **kwargs) -> None:
    """A table for readers (see readable), columns labelled in words, thousands separated, and columns with no
    value at all (dates of undated data, say) left out. Downloads keep the raw frame."""
    shown = readable(frame, names)
    blank = {c for c in frame.columns if len(frame) and frame[c].isna().all()}
    order = [c for c in (column_order or list(shown.columns)) if c in shown.columns and c not in blank]
    if column_order and "geoid" in order and "block_group" not in order:
        order.insert(order.index("geoid"), "block_group")
    config = {c: column_label(c) for c in order}
    config.update(column_config or {})
    for c in order:  # counts with thousands separators ("1,312"), under the label given
        if pd.api.types.is_integer_dtype(shown[c]) and isinstance(config.get(c), str):
            config[c] = st.column_config.NumberColumn(config[c], format="localized")
    st.dataframe(shown, hide_index=True, column_order=order, column_config=config, **kwargs)


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(name: str, _builder: Callable, args: tuple, kwargs: dict):
    return fit_narrow_screens(_builder(*args, **kwargs))


def figure(builder: Callable, *args, **kwargs):
    """builder(*args, **kwargs) -- a lib/charts function -- built once per distinct input and shared by every
    rerun and session. Building a Plotly figure validates every property in Python: on a warm rerun of the
    Disparities page over the real data it was about 60% of the CPU time, the part that queued ten concurrent
    users behind each other. Streamlit reads a figure without changing it (st.plotly_chart copies it to JSON)."""
    return _figure(f"{builder.__module__}.{builder.__qualname__}", builder, args, kwargs)


# The browser's own HTML parser puts a server-drawn SVG into the page. st.html's sanitiser keeps HTML only and drops
# SVG; through st.markdown, React built the 1.2 MB map of Los Angeles element by element, one 1.4 s task on the
# browser's main thread in a Chromium trace (31 ms as innerHTML). A component's markup is trusted code, not sanitised: every text in the SVG is escaped where
# it is made (lib/charts/svg_map.py), and markup set as innerHTML runs no script.
_SVG_JS = """export default function ({ data, parentElement }) {
  let host = parentElement.querySelector(":scope > div.pp-svg-host");
  if (!host) {
    host = document.createElement("div");
    host.className = "pp-svg-host";
    parentElement.appendChild(host);
  }
  if (host.ppMarkup !== data) {
    host.innerHTML = data;
    host.ppMarkup = data;
  }
}"""
_svg_view = st.components.v2.component("pp_svg", js=_SVG_JS, isolate_styles=False)


def svg(markup: str, key: str) -> None:
    """Server-drawn SVG markup (with its own <style>), at the column's width."""
    _svg_view(data=markup, key=key)


def plotly_chart(fig, name: str, box=st, **kwargs):
    """A chart (not a map) at the column's width, with one tool button: download as PNG, saved as `name`.png.
    Plotly's other buttons (zoom, pan, …) covered legends at 390 px, and dragging zooms and a double click resets
    without them. Maps keep all theirs (reset the view after panning). The chart's builder keeps the button's
    corner clear (lib.charts.clear_of_tools): `fig` may be shared by every session (ui.figure) and is not changed."""
    return box.plotly_chart(fig, width="stretch", config={
        "displayModeBar": True, "modeBarButtons": [["toImage"]], "toImageButtonOptions": {"format": "png", "filename": name, "scale": 2}},
        **kwargs)


def on_phone() -> bool:
    """Whether the reader's browser says it is a phone's (its user agent names "Mobi", as Safari on an iPhone and
    Chrome on Android do): the server cannot see the screen's width, and a few layouts need to know."""
    return "Mobi" in (st.context.headers.get("User-Agent") or "")


def sentence_case(values: pd.Series) -> pd.Series:
    """Words kept lower case in the data ("crime reports") as a table shows a label: "Crime reports"."""
    return values.str[:1].str.upper() + values.str[1:]


def chart_text(text: str) -> None:
    """A chart's text alternative, right under it: its key figures in words (from a lib/charts *_text function)."""
    st.caption(f"Chart: {text}")


def on_demand(label: str, key: str, **expander_args):
    """An expander whose content is built only while it is open (None when closed): a closed one sends nothing,
    which keeps heavy tables and charts out of a page's opening. Opening or closing it reruns the script."""
    box = st.expander(label, key=key, on_change="rerun", **expander_args)
    return box if box.open else None


def chart_on_demand(label: str, key: str, builder: Callable, *args, **kwargs) -> None:
    """A figure (as `figure`) in an expander that draws it only once opened: closed, it sends nothing and the
    browser draws nothing. A page's first Plotly chart makes the browser fetch and start Plotly (4.7 MB of
    JavaScript) and every chart then takes its own layout pass, so a page whose charts all show opens seconds
    later than its headline. `label` says what the chart shows; the page's text around it keeps the finding."""
    box = on_demand(label, f"{key}_open", icon=":material/bar_chart:")
    if box:
        plotly_chart(figure(builder, *args, **kwargs), key.removeprefix("chart_").replace("_", "-"), box, key=key)


def download(frame: pd.DataFrame | Callable[[], pd.DataFrame], name: str, label: str = "Download",
             parquet: bool = False) -> None:
    """CSV (and Parquet) download of the data behind a table or chart, written only when clicked: built on
    every run, the files of a 6M-prediction Accuracy page took seconds and were held in memory per session.
    `frame` may be a function that builds the rows, for tables the page holds only the first rows of."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    rows = frame if callable(frame) else (lambda: frame)
    cols = st.columns([1, 1, 4]) if parquet else [st]
    cols[0].download_button(f"{label} CSV", lambda: export.csv_bytes(rows()), f"{slug}.csv", "text/csv",
                            key=f"dl_csv_{slug}", icon=":material/download:", on_click="ignore")
    if parquet:
        cols[1].download_button(f"{label} Parquet", lambda: export.parquet_bytes(rows()), f"{slug}.parquet",
                                "application/octet-stream", key=f"dl_pq_{slug}", on_click="ignore")


@st.cache_data(show_spinner=False, max_entries=32)
def _narrowing(_con, dataset_key: str, filters: Filters, names: dict[str, str]) -> pd.DataFrame:
    from lib.analysis.overview import narrowing
    return narrowing(_con, filters, names)


def narrowing(ctx: Context, filters: Filters | None = None) -> pd.DataFrame:
    """analysis.overview.narrowing for the view, once for every session showing it: a view some filters empty
    (a department with no majority-Black block group) is reached by many readers, and it runs a query per filter."""
    return _narrowing(ctx.con, str(ctx.dataset.store), filters or ctx.filters, ctx.names)


def empty_state(table: pd.DataFrame) -> None:
    """Say which filter emptied the view, from analysis.overview.narrowing()."""
    culprit = table[table["predictions"] == 0].head(1)
    st.info("Nothing matches these filters.", icon=":material/filter_alt_off:")
    if not culprit.empty:
        row = culprit.iloc[0]
        st.markdown(f"The **{row['filter']}** filter (*{row['condition']}*) leaves no predictions. "
                    "Here is what each filter leaves, in turn:")
    st.dataframe(table, hide_index=True)
    st.button("Reset filters", on_click=reset_filters, key="empty_reset")


@st.cache_resource(show_spinner=False, max_entries=16)
def _problem_summary(store: str, _dataset: load.Dataset) -> tuple[int, int, pd.DataFrame, list[str]]:
    """Errors, warnings, the report's summary table and its first three errors, once per store (a store's
    problems never change): summarised on every run, the real data's 6,309 problems cost each reader 70 ms."""
    problems = _dataset.problems
    return (_dataset.error_count, _dataset.warning_count, summarise(problems),
            [p.message() for p in problems_from_frame(problems[problems["severity"] == "error"].head(3))])


def problems_report(dataset: load.Dataset, key: str = "problems") -> None:
    """The validator's report, as a page section (`key` tells two reports on one page apart)."""
    if dataset.problems.empty:
        st.success("No problems found in the input files.")
        return
    errors, warnings, summary, first_errors = _problem_summary(str(dataset.store), dataset)
    st.markdown(f"**{errors:,} errors** (rows set aside or files unusable) and "
                f"**{warnings:,} warnings** (kept, but worth a look).")
    st.dataframe(summary, hide_index=True)
    # Drawn only while open: closed, its 10,000 rows were still sent (1.7 MB of the real data's Data & methods page).
    every = on_demand("Every problem, with its line and column", f"{key}_every")
    if every:
        with every:
            st.dataframe(dataset.problems.head(10_000), hide_index=True)
            download(dataset.problems, key, "Download all problems")
    for message in first_errors:
        st.error(message)


# -- data source ---------------------------------------------------------------------------

def use_directory(directory: Path | None, keep_link: bool = False) -> None:
    """Switch this session's data. The filters start afresh, unless a link asked for this data (`keep_link`):
    then its filters apply to it."""
    st.session_state["data_dir"] = str(directory) if directory else None
    st.session_state["_filters_seeded"] = None
    st.session_state.pop("_link_wants_real", None)
    if not keep_link:
        urlstate.write(urlstate.FILTERS, {})


def data_source_sidebar(dataset: load.Dataset) -> None:
    """Which data is in use, and the controls to switch it."""
    sb = st.sidebar
    if dataset.is_demo:
        sb.warning("**Synthetic demo data.** Not real predictions: switch to the real data below.",
                   icon=":material/science:")
    with sb.expander("Data source", icon=":material/database:"):
        st.caption(f"In use: `{roots.shown_path(dataset.data_dir)}`")
        if roots.choosing_allowed():
            other = st.text_input("Another data directory", placeholder="/path/to/folder", key="other_dir")
            if st.button("Use this directory", disabled=not other):
                chosen, refusal = roots.allowed_directory(other)
                if refusal:
                    st.error(refusal, icon=":material/block:")
                else:
                    use_directory(chosen)
                    st.rerun()
        if REAL_DIR.is_dir() and dataset.data_dir.resolve() != REAL_DIR.resolve():
            if st.button("Use the real data (data/real)"):
                use_directory(REAL_DIR)
                st.rerun()
        elif not REAL_DIR.is_dir() and st.button("Download the real data", icon=":material/cloud_download:",
                                                  help="The Markup's published files, at pinned commits (~8 MB)."):
            fetch_real_data()
        if dataset.data_dir.resolve() != DEMO_DIR.resolve() and st.button("Back to the demo data"):
            use_directory(DEMO_DIR)
            st.rerun()
        st.page_link("pages/data_methods.py", label="Upload your own files", icon=":material/upload_file:",
                     help="A .zip of a data folder or the CSV and GeoJSON files; used in your session only.")
    if shared_kind(dataset.data_dir) is None:
        sb.caption(":material/link_off: Links to these views cannot be shared: this data is only in your session, "
                   "so someone opening the link sees the demo data instead.")


def offer_real_data() -> None:
    """A link to the real data opened where it has not been downloaded yet: one click fetches it, then the
    linked view (its filters and page choices kept) shows."""
    st.title("This link shows The Markup's real data")
    st.markdown("The view you opened uses the real predictions, which this copy of the app has not downloaded "
                "yet. Download them (about 8 MB, The Markup's published files at pinned commits, checked against "
                "their checksums) and the linked view opens.")
    c = st.columns([1, 1, 2])
    if c[0].button("Download the real data", icon=":material/cloud_download:", type="primary",
                   key="link_fetch_real"):
        fetch_real_data(keep_link=True)
    if c[1].button("Open the demo data instead", key="link_use_demo"):
        use_directory(DEMO_DIR)
        st.rerun()


def fetch_real_data(keep_link: bool = False) -> None:
    from lib.data.fetch import FetchError, fetch
    bar = st.progress(0.0, text="Downloading The Markup's files…")
    try:
        fetch(REAL_DIR, progress=lambda fraction, message: bar.progress(min(fraction, 1.0), text=message),
              echo=lambda *_: None)
    except FetchError as exc:
        bar.empty()
        st.error(str(exc))
        return
    use_directory(REAL_DIR, keep_link=keep_link)
    st.rerun()
