"""PredPol explorer: where crime-prediction software sent police, who lives there, and how often it was right."""
from __future__ import annotations

import streamlit as st

from lib import compare_ui, memory, preload, ui
from lib.places import panel as sites_panel

memory.cap_malloc_arenas()

st.set_page_config(page_title="PredPol explorer", page_icon=":material/policy:", layout="wide",
                   initial_sidebar_state="auto")

PAGES = {
    "Explore": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/map.py", title="Map", icon=":material/map:"),
        st.Page("pages/disparities.py", title="Disparities", icon=":material/balance:"),
        st.Page("pages/accuracy.py", title="Accuracy", icon=":material/target:"),
        st.Page("pages/audit.py", title="Audit", icon=":material/fact_check:"),
    ],
    "Check the work": [
        st.Page("pages/sql.py", title="SQL", icon=":material/terminal:"),
        st.Page("pages/data_methods.py", title="Data & methods", icon=":material/menu_book:"),
    ],
}

navigation = st.navigation(PAGES)
preload.warm(navigation.url_path)
ui.style()
directory = ui.data_dir()
if ui.link_wants_missing_real_data():
    ui.offer_real_data()
    st.stop()
dataset, con, options = ui.open_data(directory)
ui.data_source_sidebar(dataset)
if not dataset.usable:
    st.title("This data directory cannot be used yet")
    st.markdown(f"`{directory}` did not pass the checks below. Fix the files named here (nothing in the folder "
                "was changed), or switch back to the demo data in the sidebar.")
    ui.problems_report(dataset)
    st.stop()

sites_panel.seed_from_url()  # before the sidebar rewrites the URL from the filters
filters = ui.sidebar_filters(options, str(dataset.store))
filters, con = compare_ui.sidebar(filters, con, options, str(dataset.store), navigation.url_path)
ui.sync_url(dataset)
sites_panel.keep_in_url()
st.session_state["_context"] = ui.Context(dataset, con, filters, options)
navigation.run()
