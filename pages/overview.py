import streamlit as st

from lib import compare_ui, datasheet, ui
from lib.analysis import exclusions, overview
from lib.data import roots
from lib.places import panel as sites_panel

ctx = ui.context()
KEY = str(ctx.dataset.store)


@st.cache_data(show_spinner=False, max_entries=64)
def _figures(_con, key: str, f):
    """Headline, department table and findings: one view's numbers, shared by every session showing it."""
    h = overview.headline(_con, f)
    table = overview.department_summary(_con, f)
    return h, table, overview.findings(_con, f, h, table)


ui.page_intro("Where did PredPol send police?",
              "How many predictions did the software make here, where, and who lives in the places it chose?")

source = ctx.dataset.source
if ctx.dataset.is_demo:
    st.warning(f"**Synthetic demo data, not real.** {len(ctx.names)} fictional departments generated with seed "
               f"{source.get('seed')} to show how the app works. Directory: `{roots.shown_path(ctx.dataset.data_dir)}`. "
               "Get The Markup's real data from *Data source* in the sidebar.",
               icon=":material/science:")
else:
    repos = ", ".join(f"{s.get('repository')} @ {str(s.get('commit'))[:10]}" for s in source.get("sources", []))
    span = " to ".join(str(d) for d in source.get("date_range", []) if d)
    period = (f"Predictions {span}" if ctx.options.first_date else
              f"Prediction period {span}; the predictions themselves are undated, so every figure covers all "
              "dates")
    st.success(f"**Real data** — {source.get('title', 'imported data')}. {repos}. {period}. "
               f"Directory: `{roots.shown_path(ctx.dataset.data_dir)}`.", icon=":material/verified:")
    if source.get("kind") == "real":
        st.caption("The files hold 6,280,691 predictions over all dates; The Markup's “5.9 million” (5,970,024) "
                   "counts those inside each department's analysis window (Data & methods compares the two).")

h, table, findings = _figures(ctx.con, KEY, ctx.filters)
if not h["predictions"] and not h["block_groups"]:
    ui.empty_state(ui.narrowing(ctx))
    st.stop()

c = st.columns(5)
unused = h["departments_listed"] - h["departments"]
c[0].metric("Departments", f"{h['departments']:,}", f"+{unused:,} with none" if unused else None,
            delta_color="off", delta_arrow="off",
            help="Departments with predictions in this selection; those listed without any (Indianapolis in "
                 "The Markup's files) are left out of every count and share.")
c[1].metric("Predictions", f"{h['predictions']:,}", "all time" if ctx.filters.all_time else "chosen dates and types",
            delta_color="off", delta_arrow="off",
            help="Every prediction in the data for this selection, over all its dates unless the sidebar narrows "
                 "them. The Accuracy page counts only those in a department's analysis window.")
c[2].metric("Prediction locations", f"{h['locations']:,}")
c[3].metric("Block groups", f"{h['block_groups']:,}")
c[4].metric("Residents covered", f"{h['residents']:,}")

c = st.columns(2)
if h["share_predictions_black_latino_majority"] is not None:
    c[0].metric("Predictions in majority Black or Latino block groups",
                f"{h['share_predictions_black_latino_majority']:.0%}",
                f"{h['share_residents_black_latino_majority'] or 0:.0%} of residents live there",
                delta_color="off", delta_arrow="off")
if h["share_predictions_low_income_majority"] is not None:
    c[1].metric("Predictions in mostly low-income block groups",
                f"{h['share_predictions_low_income_majority']:.0%}",
                f"{h['share_households_low_income_majority'] or 0:.0%} of households are there",
                delta_color="off", delta_arrow="off")

links = st.container(horizontal=True)
links.page_link("pages/disparities.py", label="Disparities, by department", icon=":material/balance:")
links.page_link("pages/accuracy.py", label="Accuracy, in its window", icon=":material/target:")
left_out = h["predictions_in_data"] - h["predictions"]
st.caption("Residents, households and block groups count only departments with predictions here, and a block group "
           "listed under two departments once, so a department that never used the software does not dilute the "
           "shares.")
st.caption(
    f"These filters show {h['predictions']:,} of {h['predictions_in_data']:,} predictions in the data"
    + (f"; {left_out:,} are left out" if left_out else "")
    + (f". {h['predictions_outside_shown']:,} shown predictions fall outside every block group "
       "(outside the analysed jurisdiction) and count toward totals but not toward block-group shares"
       if h["predictions_outside_shown"] else "")
    + (f". {h['predictions_outside_all']:,} predictions outside every block group are left out by the income "
       "and race filters, which only apply to points inside a block group"
       if ctx.filters.selects_block_groups and h["predictions_outside_all"] else "")
    + ".")

compare_ui.overview(ctx)

st.subheader("What the data says")
for finding in findings:
    st.markdown(f"- **{finding.number}** — {finding.text}")

st.subheader("Departments")
st.caption("Choose a row to filter every page to that department.")


def _choose_department():
    rows = st.session_state["dept_table"].selection.rows
    if rows:
        ui.set_departments([table.iloc[rows[0]]["department"]])


st.dataframe(
    ui.as_percent(table, ["most_targeted_black_latino", "department_black_latino"]).assign(
        predictions_per_1000=table["predictions_per_1000"].round()),
    hide_index=True, key="dept_table", on_select=_choose_department, selection_mode="single-row",
    # The columns a reader compares come first, under short titles, so they fit beside the sidebar at 1,400 px.
    column_order=["name", "predictions", "predictions_per_1000", "most_targeted_black_latino",
                  "department_black_latino", "block_groups", "residents", "predictions_outside",
                  "first_prediction_date", "final_prediction_date"],
    column_config={
        "name": st.column_config.TextColumn("Department", pinned=True),
        "predictions": st.column_config.NumberColumn("Predictions", format="localized",
                                                     help="All predictions of the department, all time"),
        "predictions_outside": st.column_config.NumberColumn(
            "Outside block groups", format="localized", help="Predictions outside every block group"),
        "block_groups": st.column_config.NumberColumn("Block groups", format="localized"),
        "residents": st.column_config.NumberColumn("Residents", format="localized"),
        "predictions_per_1000": st.column_config.NumberColumn("Per 1,000 residents", format="localized",
                                                              help="Predictions per 1,000 residents"),
        "most_targeted_black_latino": ui.percent_column(
            "Black + Latino, top block group",
            help="Black and Latino share of residents in the block group with the most predictions"),
        "department_black_latino": ui.percent_column(
            "Black + Latino, department", help="Black and Latino share of all the department's residents"),
        "first_prediction_date": st.column_config.DateColumn("First prediction"),
        "final_prediction_date": st.column_config.DateColumn("Last prediction"),
    })
ui.download(table, "departments-summary", "Download table")

st.subheader("Department datasheet")
st.caption("One HTML file with this department's figures, map, disparities, accuracy, audit flags and method "
           "notes under the current filters; it opens in any browser, without internet.")
sheet_choices = list(ctx.filters.departments) if len(ctx.filters.departments) == 1 else list(table["department"])
sheet_department = sheet_choices[0] if len(sheet_choices) == 1 else st.selectbox(
    "Department for the datasheet", sheet_choices, key="sheet_department", format_func=lambda d: ctx.names.get(d, d))
sheet_filters = datasheet.for_department(ctx.filters, sheet_department)
sheet_dataset, sheet_con = ctx.dataset, ctx.con
sheet_sites = sites_panel.added_frame()


def _datasheet() -> bytes:
    # Built only on click, on its own thread beside the page's reruns: it gets its own cursor.
    cursor = exclusions.cursor(sheet_con, sheet_filters.exclude, sheet_filters.exclude_sites)
    try:
        return datasheet.datasheet_html(sheet_dataset, cursor, sheet_filters, added=sheet_sites).encode()
    finally:
        cursor.close()


st.download_button("Download datasheet", _datasheet, f"{sheet_department}-datasheet.html", "text/html",
                   key="dl_datasheet", icon=":material/description:", on_click="ignore")

ui.page_notes([
    "Predictions are counted per prediction-box centre; block-group residents and households come from the "
    "Census American Community Survey. 'Mostly low-income' means more than half of households are eligible for "
    "free or reduced-price school lunch. 'Majority' means more than half of residents.",
])
