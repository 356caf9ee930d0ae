import streamlit as st

from lib import ui

ctx = ui.context()
st.title("SQL")
st.info("This page is being built.")
