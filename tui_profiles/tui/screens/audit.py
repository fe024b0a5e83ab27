"""The audit log: who changed what (exclude, include, erase, saved filters), newest first.

Authors, targets and details are typed by people (or are ids from events), so every one reaches
the screen through `safe`. Read in a thread worker; brought up to date when the store changes.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from ...reader import StoreReader
from ...store.audit import AuditEntry
from .. import formatting, safe
from ..widgets.footer import Footer
from ..widgets.rows_list import RowsList
from ..widgets.title_bar import TitleBar
from ..widgets.virtual_list import columns_text
from ..workers import ReportsWorkerErrors
from .visible import FollowsStore

LIMIT = 1000  # the newest entries shown; `tui-profiles audit --limit N` reaches further back
ACTION_STYLES = {"erase": "bold red", "exclude": "yellow", "include": "green", "link": "magenta", "unlink": "magenta"}


class AuditScreen(ReportsWorkerErrors, FollowsStore, Screen):
    BINDINGS = [Binding("escape", "back", "Back", id="audit.back")]

    DEFAULT_CSS = """
    AuditScreen #audit-list { height: 1fr; }
    """

    class Loaded(Message, bubble=False):
        def __init__(self, entries: list[AuditEntry]) -> None:
            super().__init__()
            self.entries = entries

    def __init__(self, reader: StoreReader) -> None:
        super().__init__(id="audit-screen")
        self.reader = reader
        self._stale = False

    def compose(self) -> ComposeResult:
        yield TitleBar(Text("tui-profiles", style="bold") + Text(" · Audit log"), id="title")
        yield Static("", id="columns", markup=False)
        yield RowsList(self._line, identity=lambda e: e.id, selectable=False, empty="no changes recorded yet", id="audit-list")
        yield Footer()

    @property
    def audit_list(self) -> RowsList:
        return self.query_one("#audit-list", RowsList)

    def on_mount(self) -> None:
        self.audit_list.focus()
        self.load()

    def on_resize(self) -> None:
        width = self.audit_list.scrollable_content_region.width or self.size.width
        self.query_one("#columns", Static).update(_header(width))

    @work(thread=True, exclusive=True, group="audit", exit_on_error=False)
    def load(self) -> None:
        entries = self.reader.audit_log(LIMIT)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(entries))

    def on_audit_screen_loaded(self, message: Loaded) -> None:
        self.audit_list.set_rows(message.entries)
        shown = len(message.entries)
        right = Text(formatting.count(shown), style="bold")
        right.append(" changes" if shown < LIMIT else " newest changes", style="")
        self.query_one(TitleBar).right = right
        self.on_resize()

    def catch_up(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def _line(self, entry: AuditEntry, width: int) -> Text:
        target_w, detail_w = _widths(width)
        when = Text(formatting.stamp(entry.at_ms, self.reader.clock.tz), style="dim")
        action = Text(entry.action, style=ACTION_STYLES.get(entry.action, "cyan"))
        target = safe.text(entry.target, style="bold")
        return columns_text([
            (Text(" "), 1), (when, 16), (safe.text(entry.author), 16), (action, 13), (target, target_w),
            (safe.text(entry.detail_line, style="dim"), detail_w),
        ])  # fmt: skip


def _widths(width: int) -> tuple[int, int]:
    """(target, detail) widths, after the time, author and action columns (16 + 16 + 13, and the gaps)."""
    rest = max(8, width - 1 - 16 - 16 - 13 - 5)
    target_w = max(6, min(40, rest * 2 // 5))
    return target_w, max(0, rest - target_w - 1)


def _header(width: int) -> Text:
    target_w, detail_w = _widths(width)
    return columns_text([(" ", 1), ("When", 16), ("Who", 16), ("Action", 13), ("Target", target_w), ("Detail", detail_w)])
