"""The top events and top pages of a period, two count lists side by side (a profile's Overview, a company)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from .. import formatting, safe
from .rows_list import RowsList
from .virtual_list import columns_text


def top_lists(events_id: str, pages_id: str, *, events_open: bool = False) -> ComposeResult:
    """The two titled lists, for the caller's row of columns; rows are (name, count), filled with `set_rows`.
    `events_open`: `enter` on a top event opens something (a profile's Timeline, filtered to it)."""
    with Vertical():
        yield Static(Text("Top events", style="bold"), classes="list-title")
        yield RowsList(count_line, empty="no events in this period", selectable=events_open, id=events_id)
    with Vertical():
        yield Static(Text("Top pages", style="bold"), classes="list-title")
        yield RowsList(count_line, empty="no pages in this period", selectable=False, id=pages_id)


def count_line(row: tuple[str, int], width: int) -> Text:
    name, n = row
    return columns_text([(Text(" "), 1), (safe.text(name), max(4, width - 10)), (Text(formatting.count(n), justify="right"), 7)])
