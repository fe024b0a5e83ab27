"""Event: every property of one event as a tree, its context, its raw JSON, and the file and line it came from."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Static
from textual.worker import get_current_worker

from ...domain.masking import properties_key
from ...reader import StoreReader
from ...store.queries import EventDetail
from .. import formatting, safe
from ..broadcasts import broadcasts, hear_while_stacked
from ..widgets.event_rows import badge, title
from ..widgets.footer import Footer
from ..widgets.property_tree import PropertyTree
from ..widgets.rows_list import RowsList
from ..widgets.tab_bar import TabBar
from ..widgets.title_bar import TitleBar
from ..workers import ReportsWorkerErrors
from .tab_cycling import CyclesTabs, tab_bindings

TABS = ("event-properties", "event-context", "event-raw")
TAB_TITLES = {"event-properties": "Properties", "event-context": "Context", "event-raw": "Raw JSON"}
# What gets the focus when a tab is shown.
TAB_FOCUS = {"event-properties": "#property-tree", "event-context": "#context-tree", "event-raw": "#raw-lines"}


class EventScreen(ReportsWorkerErrors, CyclesTabs, Screen):
    TABS = TABS
    BINDINGS = [
        Binding("escape", "back", "Back", id="event.back"),
        *tab_bindings("event"),
        Binding("c", "copy_value", "Copy value", id="event.copy_value"),
        Binding("y", "copy_raw", "Copy raw JSON", id="event.copy_raw"),
    ]

    class Loaded(Message, bubble=False):
        def __init__(self, detail: EventDetail | None) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, reader: StoreReader, event_id: int) -> None:
        super().__init__()
        self.reader = reader
        self.event_id = event_id
        self.detail: EventDetail | None = None
        self.raw_json = ""

    def compose(self) -> ComposeResult:
        title = Text("tui-profiles", style="bold") + Text(" · Event")
        yield TitleBar(title, Text("c copy value · y copy raw JSON", style="dim"), id="title")
        yield Static("loading…", id="event-header", markup=False)
        yield TabBar(TAB_TITLES.items(), id="event-tabs")
        with ContentSwitcher(id="event-panes", initial="event-properties"):
            with Vertical(id="event-properties", classes="pane"):
                yield PropertyTree("properties", id="property-tree")
            with Vertical(id="event-context", classes="pane"):
                yield PropertyTree("context", id="context-tree")
            with Vertical(id="event-raw", classes="pane"):
                yield RowsList(lambda line, width: Text(line), selectable=False, id="raw-lines")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#property-tree").focus()
        hear_while_stacked(broadcasts(self).mask, self.mask_changed)
        self.fetch()

    def mask_changed(self, _masked: bool) -> None:
        """Masking went on or off: the event read already is drawn again (safe.py masks as it draws)."""
        if self.detail is not None:
            self.on_event_screen_loaded(self.Loaded(self.detail))

    @work(thread=True, exclusive=True, group="event", exit_on_error=False)
    def fetch(self) -> None:
        detail = self.reader.event(self.event_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(detail))

    def on_event_screen_loaded(self, message: Loaded) -> None:
        detail = message.detail
        if detail is None:
            self.query_one("#event-header", Static).update("This event no longer exists.")
            return
        self.detail = detail
        self.raw_json = safe.to_json(detail.raw, indent=True)
        self.query_one("#event-header", Static).update(self._header(detail))
        self.query_one("#property-tree", PropertyTree).set_document(detail.row.properties, key=properties_key(detail.row.type))
        self.query_one("#context-tree", PropertyTree).set_document(detail.context, key="context")
        self.query_one("#raw-lines", RowsList).set_rows(safe.lines(self.raw_json), keep_cursor=False)

    def _header(self, d: EventDetail) -> Text:
        e = d.row
        tz = self.reader.clock.tz
        out = Text(no_wrap=True, end="")
        out.append_text(badge(e, self.reader.settings.order_events))
        out.append("  ")
        out.append_text(title(e))
        out.append("  ")
        out.append(formatting.long_stamp(e.ts, tz))
        if e.time_flag:
            out.append(f"  (time {e.time_flag}: received time shown)", style="yellow")
        out.append("\n")
        for label, value in (("user", d.user_id), ("anonymous", d.anonymous_id), ("source", e.source)):
            if value:
                out.append(f"{label} ", style="dim")
                out.append_text(safe.text(value))
                out.append("  ")
        out.append("\n")
        out.append("from ", style="dim")
        if d.file:
            line = f" line {d.line}" if d.line is not None else ""
            # A long path loses its head, never its file name and line.
            out.append_text(safe.text(_tail(safe.clean(d.file), max(20, self.size.width - 8 - len(line)))))
            out.append(line, style="bold")
        else:
            out.append("(unknown file)", style="dim")
        out.append("\nmessage id ", style="dim")
        out.append_text(safe.text(e.message_id))
        out.append("  format ", style="dim")
        out.append(d.format)
        if d.url:
            out.append("  url ", style="dim")
            out.append_text(safe.text(d.url, style="blue"))
        return out

    # -- keys ---------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def on_tab_bar_changed(self, _message: TabBar.Changed) -> None:
        # The tab active now, not the message's: a late message must not pull the screen back (see ProfileScreen).
        self.query_one(TAB_FOCUS[self.follow_tab_bar()]).focus()

    def action_copy_value(self) -> None:
        if self.active_tab == "event-raw":
            self.action_copy_raw()
            return
        tree = self.query_one("#context-tree" if self.active_tab == "event-context" else "#property-tree", PropertyTree)
        picked = tree.copy_text()
        if picked is None:
            self.notify("Move the cursor onto a value first.", markup=False)
            return
        what, value = picked
        self.app.copy_to_clipboard(value)
        self.notify(f"Copied the value of {safe.clean(what)}", markup=False)

    def action_copy_raw(self) -> None:
        if not self.raw_json:
            return
        # The message as it came, byte for byte (the tab shows it indented); masked, the masked copy.
        exact = self.detail.raw_text if self.detail is not None and safe.masking() is None else ""
        self.app.copy_to_clipboard(exact or self.raw_json)
        self.notify("Copied the raw JSON of this event", markup=False)


def _tail(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1):]
