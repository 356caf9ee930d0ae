"""Figure builders: frames in, Plotly figures (and pydeck decks) out. Nothing here uses Streamlit."""
from __future__ import annotations

import math
import textwrap

import plotly.graph_objects as go

# Characters per line of a chart's titles. The figure is built on the server, which does not know the screen:
# at 390 px (a phone) a chart is about 350 px wide; Plotly centres a title
# and lets it run past the chart's edges, where it is cut off.
TITLE_CHARS = 40
# A chart's one tool button (download as PNG, lib.ui.plotly_chart) shows at its top right: this much of the
# chart's right edge (the button and a gap) is kept as margin, so the plot, its titles and annotations stay left of it.
TOOL_COLUMN_PX = 34


def wrapped(text: str | None, width: int) -> str | None:
    """`text` broken with <br> into as few lines of at most `width` characters as it needs, of even length
    (not a long line and a stray word), unless it is short or already broken."""
    if not text or len(text) <= width or "<br>" in text:
        return text
    # a word longer than a line stays whole: "OPI<br>UM/COCAINE" reads worse than one long line
    lines = len(textwrap.wrap(text, width, break_long_words=False))
    even = math.ceil(len(text) / lines)
    while len(textwrap.wrap(text, even, break_long_words=False)) > lines:
        even += 1
    return "<br>".join(textwrap.wrap(text, even, break_long_words=False))


def clear_of_tools(fig: go.Figure) -> go.Figure:
    """`fig` with a right margin of at least TOOL_COLUMN_PX: every chart but the maps ends with this."""
    if (fig.layout.margin.r or 0) < TOOL_COLUMN_PX:
        fig.update_layout(margin_r=TOOL_COLUMN_PX)
    return fig


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
