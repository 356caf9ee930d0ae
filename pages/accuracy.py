import streamlit as st

from lib import ui

ctx = ui.context()
st.title("Accuracy")
st.info("This page is being built.")
