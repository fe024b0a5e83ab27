"""The Companies list: companies by latest activity, a window of them held at a time (see `WindowedList`).

A search replaces the criteria and reads from the top; a change in the store re-reads the window
and leaves the cursor on the same row index.
"""

from __future__ import annotations

from collections.abc import Hashable

from rich.text import Text

from ...reader import CompanyWindow, StoreReader
from ...store.companies import CompanyRow
from .. import formatting, safe
from .virtual_list import columns_text
from .windowed_list import MARGIN, WINDOW, WindowedList


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


class CompanyList(WindowedList[str, CompanyRow]):
    """Companies matching a search (a part of the id or the name), most recently active first."""

    WINDOW_GROUP = "companies-window"

    def __init__(self, reader: StoreReader, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(reader, "", CompanyWindow(total=0, start=0, rows=()), id=id)

    @property
    def search(self) -> str:
        return self.criteria

    # -- rows ---------------------------------------------------------------------
    def row_count(self) -> int:
        return self.total or (1 if self.loaded_once else 0)  # one row to say there is nothing

    def row_key(self, row: CompanyRow) -> Hashable:
        return row.id

    def company_at(self, index: int) -> CompanyRow | None:
        return self.row_at(index)

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
        return self.current

    # -- loading ------------------------------------------------------------------
    def set_search(self, search: str) -> None:
        self.set_criteria(search)

    def read_window(self, criteria: str, start: int, *, follow: Hashable | None, anchor: int) -> CompanyWindow:
        return self.reader.company_window(criteria, start, WINDOW)  # the list keeps the cursor's index: nothing to follow

    def reload(self) -> None:
        """Read the window again (the store changed), keeping the cursor where it is."""
        self.fetch(max(0, self.first_visible - MARGIN))
