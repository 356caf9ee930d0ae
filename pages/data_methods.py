import streamlit as st

from pathlib import Path

from lib import methods, reproduce_section, schema, ui
from lib.data import load, upload
from lib.store.describe import stored_tables

ctx = ui.context()


# Reading every stored Parquet file's footer took about a second per rerun; a store's files do not change.
@st.cache_data(show_spinner=False, max_entries=8)
def _stored_tables(store: str | None):
    return stored_tables(Path(store) if store else None)

ui.page_intro("Data & methods", "Where the data comes from, what every column means, and how each page "
              "reaches its numbers.")
st.markdown("[The data in use](#the-data-in-use) · [Bring your own data](#bring-your-own-data) · "
            "[How each page works](#how-each-page-works) · "
            "[Reproducing The Markup's figures](#reproducing-the-markup-s-figures) · [Limitations](#limitations) · "
            "[Data dictionary](#data-dictionary) · [Tables stored at load](#tables-stored-at-load)")

# -- the data in use -------------------------------------------------------------------------
dataset = ctx.dataset
st.header("The data in use")
if dataset.is_demo:
    st.warning("**Synthetic demo data.** Fictional departments with planted artefacts, for trying the app; no "
               "number here describes a real place.", icon=":material/science:")
st.markdown("\n".join(f"- **{label}:** " + (f"`{value}`" if label in methods.PATH_LABELS else value)
                      for label, value in methods.provenance(dataset, dated=ctx.options.first_date is not None)))
sources = methods.sources_frame(dataset.source)
if not sources.empty:
    st.markdown("**Published sources, at the commits imported**")
    st.dataframe(sources, hide_index=True, width="stretch",
                 column_config={"url": st.column_config.LinkColumn("link", display_text="open")})
warnings = dataset.source.get("warnings") or []
if warnings:
    with st.expander(f"{len(warnings)} note{'s' if len(warnings) != 1 else ''} from the import"):
        st.markdown("\n".join(f"- {w}" for w in warnings))
st.markdown("**Files read**")
st.dataframe(methods.files_frame(dataset), hide_index=True, width="stretch",
             column_config={"rows": st.column_config.NumberColumn("rows", format="localized"),
                            "set aside": st.column_config.NumberColumn("set aside", format="localized")})
st.markdown("**What the validator found**")
ui.problems_report(dataset)

# -- bring your own data -------------------------------------------------------------------------
st.header("Bring your own data")
st.markdown(
    "Upload a **.zip of a data folder**, or the **CSV and GeoJSON files** themselves, named as in the data "
    "dictionary below (`departments.csv`, `pp_report_locations_geocoded.csv`, "
    "`census-block_group-race_ethnicity.csv`, `census-block_group-household_income.csv`, `block_groups.geojson`, "
    "and optionally the others and a `source.json`). The files are checked with the full report shown. When they "
    "can be used, they become the data of **your session only**: other people using the app keep theirs.")
st.caption(f"Files are written to a private temporary folder, never into the app. Archives are refused whole when "
           f"an entry would land outside that folder or is a link, when they would unpack to more than "
           f"{upload.MAX_UNCOMPRESSED / 1024 ** 3:g} GB, or when an entry expands more than {upload.MAX_RATIO} "
           f"times. Other file names are ignored.")
uploader_key = f"upload_files_{st.session_state.get('_upload_round', 0)}"
files = st.file_uploader("Data files", type=["zip", "csv", "geojson", "json"], accept_multiple_files=True,
                         key=uploader_key)


def receive(files) -> None:
    with st.spinner("Checking your files…"):
        outcome = upload.receive([(f.name, f.getvalue()) for f in files])
        checked = load.load(outcome.directory) if outcome.ok else None
    st.session_state["_upload_round"] = st.session_state.get("_upload_round", 0) + 1
    st.session_state["upload_outcome"] = (outcome, checked)
    if checked is not None and checked.usable:
        previous = st.session_state.get("data_dir")
        ui.use_directory(outcome.directory)
        st.session_state["upload_owner"] = upload.FolderOwner(outcome.directory)
        if str(previous) != str(outcome.directory):
            upload.discard(previous)
        st.rerun()
    upload.discard(outcome.directory)


if st.button("Check and use these files", type="primary", disabled=not files, icon=":material/upload_file:",
             key="upload_check"):
    receive(files)

held = st.session_state.get("upload_outcome")
if held:
    outcome, checked = held
    for notice in outcome.notices:
        st.info(notice, icon=":material/info:")
    if outcome.error:
        st.error(outcome.error, icon=":material/block:")
    elif checked is not None and not checked.usable:
        st.error("These files cannot be used yet: fix the problems below and upload them again. Your session "
                 "keeps the data it had.", icon=":material/error:")
        ui.problems_report(checked, key="upload-problems")
    elif str(dataset.data_dir) == str(outcome.directory):
        st.success(f"Your files ({', '.join(sorted(outcome.kept))}) are this session's data now; the report "
                   "above is theirs.", icon=":material/check_circle:")

if st.session_state.get("data_dir"):
    st.caption(f"This session uses `{dataset.data_dir}`.")
    if st.button("Back to the default data", icon=":material/undo:", key="upload_back"):
        previous = st.session_state.get("data_dir")
        ui.use_directory(None)
        upload.discard(previous)
        st.session_state.pop("upload_outcome", None)
        st.session_state.pop("upload_owner", None)
        st.rerun()

# -- methods -------------------------------------------------------------------------
st.header("How each page works")
st.markdown(f"The methods restate The Markup's published ones so every number can be checked against theirs: "
            f"[how they found the software targeted low-income, Black and Latino neighbourhoods (2021)]"
            f"({ui.MARKUP_METHOD_2021}) and [how they assessed its accuracy (2023)]({ui.MARKUP_METHOD_2023}).")
for method in methods.METHODS:
    with st.expander(f"**{method.page}** — {method.question}"):
        st.markdown("\n".join(f"{i}. {step}" for i, step in enumerate(method.steps, 1)))
        st.markdown("**Limits:** " + " ".join(method.limits))

reproduce_section.render(ctx)

st.header("Limitations")
for title, text in methods.LIMITATIONS:
    st.markdown(f"**{title}.** {text}")

# -- dictionary -------------------------------------------------------------------------
st.header("Data dictionary")
st.markdown("Every file the app reads, with its columns. Column names are matched without regard to case or "
            "spacing, and any alias listed is accepted in place of the name.")
for spec in schema.FILES:  # each table drawn only when its expander is opened: ten grids slowed the page's opening
    columns = ui.on_demand(f"`{spec.file}` — {spec.description}" + ("" if spec.required else " *(optional)*"),
                           f"dictionary_{spec.file}")
    if columns:
        columns.dataframe(methods.dictionary(spec.file), hide_index=True, width="stretch",
                          column_order=["column", "type", "expected", "required", "aliases", "unit", "meaning"])
ui.download(methods.dictionary(), "data-dictionary", "Download the dictionary", parquet=False)
st.caption("The app's own download buttons start text a spreadsheet would run as a formula (=, +, -, @) with an "
           "apostrophe. The *Download as CSV* in a table's toolbar is Streamlit's own and cannot be told to: open "
           "such files with formulas switched off, or use the app's buttons.")

st.header("Tables stored at load")
st.markdown("Beside the typed files, loading stores what the pages need whatever the filters, each table built "
            "from the ones before it. This list is generated from lib/store/tables.py, the declarations the loader "
            "builds from, so it lists exactly what was stored; `python -m lib.cli tables DIR` prints the same.")
st.dataframe(_stored_tables(str(dataset.store) if dataset.usable else None), hide_index=True, width="stretch")

ui.page_notes(["The dictionary is generated from lib/schema.py, the same contract the loader checks files "
               "against, so it cannot drift from what the app accepts."])
