import streamlit as st

from lib import ui

ctx = ui.context()
st.title("Audit")
st.info("This page is being built.")
