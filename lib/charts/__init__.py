"""Figure builders: frames in, Plotly figures (and pydeck decks) out. Nothing here uses Streamlit."""
from __future__ import annotations

import math
import textwrap

import plotly.graph_objects as go

# Characters per line of a chart's titles. The figure is built on the server, which does not know the screen:
# at 390 px (a phone) a chart is about 350 px wide; Plotly centres a title
# and lets it run past the chart's edges, where it is cut off.
TITLE_CHARS = 40


def wrapped(text: str | None, width: int) -> str | None:
    """`text` broken with <br> into as few lines of at most `width` characters as it needs, of even length
    (not a long line and a stray word), unless it is short or already broken."""
    if not text or len(text) <= width or "<br>" in text:
        return text
    lines = len(textwrap.wrap(text, width))
    even = math.ceil(len(text) / lines)
    while len(textwrap.wrap(text, even)) > lines:
        even += 1
    return "<br>".join(textwrap.wrap(text, even))


def fit_narrow_screens(fig: go.Figure) -> go.Figure:
    """Long axis titles and annotations (subplot titles, reference-line labels) wrapped so they stay inside the
    chart on a phone; everything else (and a figure given as a plain dict) as built. Subplots side by side need
    shorter lines, which their builder wraps itself."""
    if not isinstance(fig, go.Figure):
        return fig
    for axis in [*fig.select_xaxes(), *fig.select_yaxes()]:
        if axis.title and axis.title.text:
            axis.title.text = wrapped(axis.title.text, TITLE_CHARS)
    for annotation in fig.layout.annotations:
        annotation.text = wrapped(annotation.text, TITLE_CHARS)
    return fig
