"""A reader without a browser: Streamlit's own websocket protocol, as the frontend speaks it.

The frontend opens `ws://HOST/_stcore/stream` (subprotocol "streamlit") and sends a `BackMsg` whose
`rerun_script` is a `ClientState`: the page (its URL path as `page_name` on the first visit, then the
`page_script_hash` that st.navigation's `navigation` message listed), the URL's query string, and the state of every
widget the reader has changed (a multiselect's value is the list of its options as shown; a date range is two ISO
dates; a button press is a `trigger_value` sent once; an open tab is its label). The server answers with
`ForwardMsg`s, one per websocket frame, until `script_finished`; a run cut short by `st.rerun` finishes "early for
rerun" and is followed by the real one. Widgets are found by their label in the elements of the last run, as a
reader finds them on the page, so nothing here depends on how the app computes widget ids.

The server does for this client exactly what it does for a browser, except serving the static frontend files and
the media a page links to (the cross-check in benchmarks/readers.py measures the difference).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINAL = {ForwardMsg.FINISHED_SUCCESSFULLY: "finished", ForwardMsg.FINISHED_WITH_COMPILE_ERROR: "compile error",
         ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY: "fragment finished"}
WIDGET_KINDS = ("multiselect", "selectbox", "date_input", "button", "slider", "checkbox", "radio", "text_input")


class ProtocolError(RuntimeError):
    """The server closed the connection, or sent what a browser would not accept."""


@dataclass
class Widget:
    kind: str  # the Element (or Block) field: multiselect, date_input, button, tab_container, expandable…
    id: str
    label: str
    options: list[str] = field(default_factory=list)  # as shown; a date input's first and last day; tab labels


@dataclass
class Run:
    """One interaction as the reader saw it: from sending the request to the final script_finished."""
    seconds: float
    bytes: int
    messages: int
    status: str
    exceptions: list[str]
    texts: list[str]  # the Markdown the run wrote, in order


class Reader:
    """One browser tab's worth of Streamlit session over a websocket. Use `async with Reader(url) as r:`."""

    def __init__(self, base_url: str, timeout: float = 120.0):
        parts = urlsplit(base_url)
        self.ws_url = f"ws://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
        self.timeout = timeout
        self.pages: dict[str, str] = {}  # url path ("" for the default page) -> page_script_hash
        self.page_hash = ""
        self.query_string = ""
        self.widgets: dict[str, Widget] = {}  # label -> widget, from the last full run
        self.states: dict[str, WidgetState] = {}  # id -> state the reader set (persistent values only)
        self._socket = None

    async def __aenter__(self) -> Reader:
        from websockets.asyncio.client import connect
        self._socket = await connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                     open_timeout=self.timeout, ping_interval=None)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
            self._socket = None

    # -- what a reader does ---------------------------------------------------------------------

    async def open(self, path: str = "", query: str = "") -> Run:
        """Follow a link: the page at `path` (e.g. "map"; "" is the default page) with `query` (no "?")."""
        self.query_string = query
        return await self._rerun(page_name=path.strip("/"))

    async def navigate(self, path: str) -> Run:
        """Click a page in the sidebar's navigation."""
        if path not in self.pages:
            raise ProtocolError(f"no page at /{path}; the app lists {sorted(self.pages)}")
        self.page_hash = self.pages[path]
        return await self._rerun(page_hash=self.page_hash)

    async def choose(self, label: str, shown: list[str]) -> Run:
        """Set the multiselect `label` to the options shown as `shown` (an empty list clears it)."""
        widget = self.widget(label, "multiselect")
        missing = [s for s in shown if s not in widget.options]
        if missing:
            raise ProtocolError(f"'{label}' offers no {missing}")
        state = WidgetState(id=widget.id)
        state.string_array_value.data.extend(shown)
        return await self._change(state)

    async def pick_dates(self, label: str, start: date, end: date) -> Run:
        state = WidgetState(id=self.widget(label, "date_input").id)
        state.string_array_value.data.extend([start.isoformat(), end.isoformat()])
        return await self._change(state)

    async def click(self, label: str) -> Run:
        """Press a button: a trigger, true for this run only."""
        return await self._rerun(page_hash=self.page_hash, triggers=[WidgetState(id=self.widget(label, "button").id,
                                                                                  trigger_value=True)])

    async def open_tab(self, label: str) -> Run:
        """Open the tab `label` of a tab set that reruns the page when it changes (st.tabs(on_change="rerun"))."""
        tabs = next((w for w in self.widgets.values() if w.kind == "tab_container" and w.id and label in w.options),
                    None)
        if tabs is None:
            raise ProtocolError(f"no tab '{label}' that reruns the page")
        return await self._change(WidgetState(id=tabs.id, string_value=label))

    def widget(self, label: str, kind: str) -> Widget:
        found = self.widgets.get(label)
        if found is None or found.kind != kind:
            raise ProtocolError(f"no {kind} labelled '{label}' in the last run "
                                f"(found: {sorted(w.label for w in self.widgets.values())})")
        return found

    def tab_labels(self) -> list[str]:
        return [label for w in self.widgets.values() if w.kind == "tab_container" and w.id for label in w.options]

    # -- the protocol -------------------------------------------------------------------------

    async def _change(self, state: WidgetState) -> Run:
        self.states[state.id] = state
        return await self._rerun(page_hash=self.page_hash)

    async def _rerun(self, page_hash: str = "", page_name: str = "", triggers: list[WidgetState] = ()) -> Run:
        if self._socket is None:
            raise ProtocolError("not connected")
        message = BackMsg()
        client = message.rerun_script
        client.query_string = self.query_string
        client.page_script_hash = page_hash
        client.page_name = page_name
        # Only widgets on the page now, as the frontend sends them (a state kept for a widget that is gone would be
        # ignored by the server anyway).
        shown = {w.id for w in self.widgets.values() if w.id}
        client.widget_states.widgets.extend(s for i, s in self.states.items() if not shown or i in shown)
        client.widget_states.widgets.extend(triggers)
        client.context_info.timezone = "UTC"
        client.context_info.locale = "en-US"
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        return await self._until_finished(started)

    async def _until_finished(self, started: float) -> Run:
        from asyncio import timeout

        from websockets.exceptions import ConnectionClosed
        received = messages = 0
        exceptions: list[str] = []
        texts: list[str] = []
        widgets: dict[str, Widget] = {}
        try:
            async with timeout(self.timeout):
                while True:
                    frame = await self._socket.recv(decode=False)
                    received += len(frame)
                    messages += 1
                    msg = ForwardMsg()
                    msg.ParseFromString(frame)
                    kind = msg.WhichOneof("type")
                    if kind == "delta":
                        self._read_delta(msg.delta, widgets, exceptions, texts)
                    elif kind == "navigation":  # st.navigation's pages, by URL path
                        self.pages = {path: p.page_script_hash for p in msg.navigation.app_pages
                                      for path in {p.url_pathname, "" if p.is_default else p.url_pathname}}
                        self.page_hash = msg.navigation.page_script_hash
                    elif kind == "page_info_changed":
                        self.query_string = msg.page_info_changed.query_string
                    elif kind == "page_not_found":
                        exceptions.append(f"page not found: {msg.page_not_found.page_name}")
                    elif kind == "script_finished":
                        if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                            widgets.clear()
                            texts.clear()
                            continue
                        if msg.script_finished != ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                            self.widgets = widgets
                        return Run(time.perf_counter() - started, received, messages,
                                   FINAL.get(msg.script_finished, str(msg.script_finished)), exceptions, texts)
        except TimeoutError:
            raise ProtocolError(f"no script_finished within {self.timeout:g} s") from None
        except ConnectionClosed as exc:
            raise ProtocolError(f"the server closed the connection ({exc})") from None

    @staticmethod
    def _read_delta(delta, widgets: dict[str, Widget], exceptions: list[str], texts: list[str]) -> None:
        which = delta.WhichOneof("type")
        if which == "new_element":
            element = delta.new_element
            kind = element.WhichOneof("type")
            if kind == "exception":
                exceptions.append(f"{element.exception.type}: {element.exception.message}"[:300])
            elif kind == "markdown":
                texts.append(element.markdown.body)
            elif kind in WIDGET_KINDS:
                inner = getattr(element, kind)
                # A date input's choices are its range: first and last day.
                options = [inner.min, inner.max] if kind == "date_input" else list(getattr(inner, "options", []))
                widgets[inner.label] = Widget(kind, inner.id, inner.label, options)
        elif which == "add_block":
            block = delta.add_block
            kind = block.WhichOneof("type")
            if kind == "tab_container":
                # Tabs that do not rerun the page have no id; kept so that their tabs do not join another set.
                widgets[f"tabs:{len(widgets)}"] = Widget(kind, block.tab_container.id, "tabs")
            elif kind == "tab":
                # A tab follows its container; the labels of a container's tabs are its options.
                container = next((w for w in reversed(list(widgets.values())) if w.kind == "tab_container"), None)
                if container is not None:
                    container.options.append(block.tab.label)
            elif kind == "expandable" and block.expandable.id:
                widgets[block.expandable.label] = Widget(kind, block.expandable.id, block.expandable.label)
