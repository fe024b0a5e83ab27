"""The Companies list: a window of a few hundred companies, fetched by offset as you scroll.

Like the user list, only `WINDOW` rows are held whatever the number of companies; the
scrollbar is sized by the count, and a search replaces the query from the top.
"""

from __future__ import annotations

from collections.abc import Hashable

from rich.text import Text
from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from ...reader import CompanyWindow, StoreReader
from ...store.companies import CompanyRow
from .. import formatting, safe
from ..workers import ReportsWorkerErrors
from .virtual_list import VirtualList, columns_text

WINDOW = 300
MARGIN = 100


def _widths(width: int) -> tuple[int, int]:
    """(name, id) widths; users, last and first seen are fixed (6 + 9 + 10 and the gaps)."""
    rest = max(24, width - 1 - 6 - 9 - 10 - 5)
    name = max(14, rest * 3 // 5)
    return name, rest - name


def header_text(width: int) -> Text:
    name, ident = _widths(width)
    return columns_text(
        [(" ", 1), ("Company", name), ("Id", ident), (Text("Users", justify="right"), 6), ("Last seen", 9), ("First seen", 10)]
    )


class CompanyList(ReportsWorkerErrors, VirtualList):
    """Companies matching a search (a part of the id or the name), most recently active first."""

    class Loaded(Message):
        def __init__(self, total: int) -> None:
            super().__init__()
            self.total = total

    class WindowArrived(Message, bubble=False):
        def __init__(self, generation: int, window: CompanyWindow, reset: bool) -> None:
            super().__init__()
            self.generation, self.window, self.reset = generation, window, reset

    def __init__(self, reader: StoreReader, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.reader = reader
        self.search = ""
        self.window = CompanyWindow(total=0, start=0, rows=())
        self.total = 0
        self.loaded_once = False
        self._generation = 0
        self._pending: tuple[int, int] | None = None

    # -- rows ---------------------------------------------------------------------
    def row_count(self) -> int:
        return self.total or (1 if self.loaded_once else 0)  # one row to say there is nothing

    def company_at(self, index: int) -> CompanyRow | None:
        offset = index - self.window.start
        return self.window.rows[offset] if 0 <= offset < len(self.window.rows) else None

    def row_identity(self, index: int) -> Hashable | None:
        company = self.company_at(index)
        return company.id if company else None

    def row_text(self, index: int, width: int) -> Text | None:
        if not self.total:
            return Text("no companies match" if self.search else "no companies yet (they come from group calls)", style="dim italic")
        c = self.company_at(index)
        if c is None:
            return None
        name_w, id_w = _widths(width)
        now, tz = self.reader.now(), self.reader.clock.tz
        return columns_text(
            [
                (Text(" "), 1),
                (safe.text(c.display_name, style="bold"), name_w),
                (safe.text(c.id, style="dim"), id_w),
                (Text(formatting.count(c.users), justify="right"), 6),
                (Text(formatting.ago(c.last_seen, now)), 9),
                (Text(formatting.day(c.first_seen, tz), style="dim"), 10),
            ]
        )

    @property
    def current_company(self) -> CompanyRow | None:
        return self.company_at(self.cursor)

    # -- loading ------------------------------------------------------------------
    def set_search(self, search: str) -> None:
        self.search = search
        self._generation += 1
        self._pending = None
        self._fetch(self._generation, search, 0, reset=True)

    def reload(self) -> None:
        """Read the window again (the store changed), keeping the cursor where it is."""
        self._fetch(self._generation, self.search, max(0, self.first_visible - MARGIN), reset=False)

    def viewport_changed(self) -> None:
        if not self.loaded_once:
            return
        first = self.first_visible
        last = min(self.total, first + self.visible_height)
        start, end = self.window.start, self.window.start + len(self.window.rows)
        if start <= first and last <= end and not (first - start < MARGIN // 4 and start > 0) and not (
            end - last < MARGIN // 4 and end < self.total
        ):
            return
        wanted = max(0, first - MARGIN)
        if self._pending == (self._generation, wanted):
            return
        self._pending = (self._generation, wanted)
        self._fetch(self._generation, self.search, wanted, reset=False)

    @work(thread=True, exclusive=True, group="companies-window", exit_on_error=False)
    def _fetch(self, generation: int, search: str, start: int, *, reset: bool) -> None:
        window = self.reader.company_window(search, start, WINDOW)
        if not get_current_worker().is_cancelled:
            self.post_message(self.WindowArrived(generation, window, reset))

    def on_company_list_window_arrived(self, message: WindowArrived) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self._pending = None
        self.window = message.window
        self.total = message.window.total
        self.loaded_once = True
        if message.reset:
            self.place(0, 0)
        self.rows_changed()
        self.post_message(self.Loaded(self.total))
