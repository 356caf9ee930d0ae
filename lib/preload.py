"""Start fetching the JavaScript a page will draw with before Streamlit asks for it.

Streamlit's browser side loads each kind of element's code the first time one arrives: Plotly's 4.7 MB chunk is
requested only when a page's first chart comes over the websocket, after the script has run up to it, and
fetching and compiling it is the largest part of opening the Map from a link in a fresh browser
(benchmarks/RESULTS.md). A `modulepreload` link sent as the page's first element lets the browser fetch and
compile the chunk while the script still runs; the chart then finds it ready. The chunk is served by the app's own
server under a content hash, so this works offline, and a returning reader's browser answers it from its cache.
"""
from __future__ import annotations

import json
from pathlib import Path

import streamlit

STATIC_JS = Path(streamlit.__file__).parent / "static" / "static" / "js"

# The pages that draw these elements as soon as they open (by url_path), and the chunk each element needs.
CHUNKS = {"plotly": "PlotlyChart"}
PAGES = {"map": ("plotly",)}

# Resolved against Streamlit's own entry script, so the link also points right under a base URL path (Community
# Cloud serves the app below a prefix); a link already present is not added twice.
SCRIPT = """<span id="pp-preload"></span><style>.stElementContainer:has(#pp-preload) { display: none; }</style>
<script>(() => {
  const entry = document.querySelector('script[type="module"][src*="/static/js/"]');
  if (!entry) return;
  for (const name of %s) {
    const href = new URL(name, entry.src).href;
    if ([...document.querySelectorAll('link[rel="modulepreload"]')].some(l => l.href === href)) continue;
    const link = Object.assign(document.createElement("link"), {rel: "modulepreload", href, crossOrigin: ""});
    document.head.append(link);
  }
})();</script>"""


def chunk_files(elements: tuple[str, ...], static_js: Path = STATIC_JS) -> list[str]:
    """The file names of the chunks `elements` need in this Streamlit's build; an element whose chunk is not
    found (another Streamlit version's layout) is left out."""
    names = []
    for element in elements:
        found = sorted(static_js.glob(f"{CHUNKS[element]}.*.js"))
        if len(found) == 1:
            names.append(found[0].name)
    return names


def html(url_path: str, static_js: Path = STATIC_JS) -> str | None:
    """The element that preloads what the page at `url_path` draws on opening, or None when it needs nothing."""
    files = chunk_files(PAGES.get(url_path, ()), static_js)
    return SCRIPT % json.dumps(files) if files else None
