import streamlit as st

from lib import console, ui
from lib.store.describe import stored_tables

ctx = ui.context()
ui.page_intro("SQL", "Ask the data your own question, starting from what the other pages show.")


def session_console() -> console.Console:
    """This session's own console, rebuilt when the session switches data."""
    key = str(ctx.dataset.store)
    held = st.session_state.get("_console")
    if held and held[0] == key:
        return held[1]
    if held:
        held[1].close()
    made = console.Console(ctx.dataset, time_limit=console.TIME_LIMIT)
    st.session_state["_console"] = (key, made)
    return made


EXAMPLES = {f"{e.page}: {e.question}": e for e in console.EXAMPLES}


def load_example() -> None:
    chosen = st.session_state.get("sql_example")
    if chosen:
        st.session_state["sql_text"] = EXAMPLES[chosen].sql


# The tables and their columns are the store's, whatever the filters (the filtered views keep their table's
# columns): listed once for every session, not by a catalogue query and a groupby on each run.
@st.cache_data(show_spinner=False, max_entries=8)
def _listing(dataset_key: str, _con: console.Console) -> list[tuple[str, str]]:
    return [(table, "\n".join(f"- `{c}` {t.lower()}" for c, t in zip(columns["column"], columns["type"])))
            for table, columns in _con.tables().groupby("table", sort=False)]


con = session_console()
con.use_filters(ctx.filters)
st.session_state.setdefault("sql_text", console.EXAMPLES[0].sql)

left, right = st.columns([3, 1], gap="large")
with right:
    st.markdown("**Tables and their columns**")
    with st.container(height=640, border=False):
        for table, columns in _listing(str(ctx.dataset.store), con):
            with st.expander(table, expanded=table == "filtered_predictions"):
                st.markdown(columns)
    st.caption("Tables from optional files the data lacks (crime reports, patrols, sites) are empty. The "
               "Data & methods page explains every column.")
    with st.expander("What each stored table holds"):
        st.markdown("\n".join(f"- `{t.table}`: {t.holds} (from {t[3]})" for t in stored_tables().itertuples()))

with left:
    st.markdown(
        "Write one query that reads: `SELECT`, `WITH`, `FROM …`, `DESCRIBE`, `SUMMARIZE`, `SHOW` or `EXPLAIN`. "
        "The views **filtered_block_groups**, **filtered_predictions**, **filtered_crime_reports**, "
        "**filtered_patrols** and **filtered_sites** hold the rows the sidebar filters select; the plain tables "
        "hold everything. The console has its own read-only connection: nothing run here changes what the "
        "other pages show.")
    st.selectbox("Start from an example (one per page's question)", list(EXAMPLES), index=None,
                 key="sql_example", on_change=load_example, placeholder="Choose an example query…")
    st.text_area("Query", key="sql_text", height=260,
                 help=f"One statement at a time; stopped after {console.TIME_LIMIT:g} seconds.")
    if st.button("Run", type="primary", icon=":material/play_arrow:", key="sql_run", shortcut="Ctrl+Enter"):
        st.session_state["sql_result"] = (con.run(st.session_state["sql_text"]),
                                          ctx.filters.describe(ctx.names, subject="The filtered views held the rows"))

    held = st.session_state.get("sql_result")
    if held:
        result, filters_then = held
        if result.refused or result.stopped:
            st.error(result.error, icon=":material/block:")
        elif not result.ok:
            st.error("DuckDB could not run the query:", icon=":material/error:")
            st.code(result.error, language="text")
        elif result.plan:
            st.code(result.plan_text(), language="text")
        else:
            shown = result.shown_rows()
            st.markdown(f"**{'' if result.total_exact else 'more than '}{result.total:,} "
                        f"row{'s' if result.total != 1 else ''}**"
                        + (f", showing the first {shown:,}" if result.total > shown else "")
                        + f" · {result.seconds:.2f} s")
            frame = result.frame()
            st.dataframe(frame, hide_index=True, width="stretch", column_config=ui.separated_counts(frame))
            csv, parquet = console.downloads(result)
            c1, c2, _ = st.columns([1, 1, 1])
            c1.download_button("Download CSV", csv, "query-result.csv", "text/csv", key="sql_dl_csv",
                               icon=":material/download:", on_click="ignore", width="stretch")
            c2.download_button("Download Parquet", parquet, "query-result.parquet", "application/octet-stream",
                               key="sql_dl_parquet", icon=":material/download:", on_click="ignore", width="stretch")
            if result.truncated:
                st.warning(console.cut_notice(result), icon=":material/content_cut:")
            else:
                st.caption("The downloads hold every row of the result. In the CSV, text that a spreadsheet "
                           "would run as a formula starts with an apostrophe.")
            st.caption(f"{filters_then}.")

ui.page_notes([
    "The console reads the same typed tables as every page, through its own DuckDB connection with file and "
    "network access switched off, a memory limit of " + console.MEMORY_LIMIT + " and a time limit of "
    f"{console.TIME_LIMIT:g} seconds; it keeps (and offers for download) at most {console.KEEP_BYTES // console.MB} "
    "MB of a result, and runs one visitor's query at a time. `block_group_stats` is the table every page's shares "
    "come from; the tables stored when the data loaded (under \"What each stored table holds\") are what the "
    "pages read, computed once whatever the filters. Example "
    "queries are simplified: the pages apply further steps that their notes describe.",
])
