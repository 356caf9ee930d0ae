"""Start Plotly's code in the browser as soon as a page that opens on a Plotly chart starts to run.

Streamlit's browser side imports each kind of element's code the first time one arrives. Plotly's chunk is 4.7 MB,
and evaluating it is the largest single task of opening the Map: 0.5–1 s of the browser's main thread (a Chromium
trace of a returning reader's opening, benchmarks/RESULTS.md). The map's figure arrives only after the shell has
sent the sidebar, so that evaluation began when everything else was done. A hidden, empty Plotly chart sent as the
page's first element makes the browser import and evaluate the chunk while it is still waiting for the rest of the
script, in the gaps the sidebar's drawing leaves; the map then finds the module ready. (A `modulepreload` link, the
first try, only fetched and compiled the chunk: its evaluation still waited for the map.) The chunk comes from the
app's own server, so this works offline.
"""
from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go
import streamlit as st

from lib import urlstate

KEY = "pp_plotly_warm"
# Hides the container's layout wrapper (so the container, this style's own element and the chart, and the gap the
# page would leave for them) before Plotly's code arrives.
STYLE = f"<style>div:has(> .st-key-{KEY}) {{ display: none; }}</style>"
FIGURE = go.Figure(layout=dict(width=10, height=10, xaxis_visible=False, yaxis_visible=False,
                               margin=dict(l=0, r=0, t=0, b=0)))


def wants_plotly(url_path: str, params: Mapping, state: Mapping) -> bool:
    """Whether the page this run draws opens on a Plotly chart: the Map on its Street map tab (its Map tab is an
    SVG, its hexagons pydeck)."""
    return url_path == "map" and urlstate.map_tab_shown(params, state) == urlstate.MAP_STREET


def warm(url_path: str) -> None:
    """The page's first element: on the Map, a container holding the hidden chart (empty when the Map shows
    another tab, so every run of the page keeps its elements in the same places and none is redrawn)."""
    if url_path != "map":
        return
    with st.container(key=KEY):
        st.markdown(STYLE, unsafe_allow_html=True)
        if wants_plotly(url_path, urlstate.params(), st.session_state):
            st.plotly_chart(FIGURE, theme=None, config={"staticPlot": True}, width="content", key=f"{KEY}_chart")
