"""A cursor list over rows already in memory (a session's events, a profile's sessions, properties)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from rich.text import Text

from .virtual_list import VirtualList

Row = TypeVar("Row")


class RowsList(VirtualList, Generic[Row]):
    """Holds the rows; draws only the visible ones through `render_row(row, width)`."""

    def __init__(
        self,
        render_row: Callable[[Any, int], Text],
        *,
        identity: Callable[[Any], Hashable] | None = None,
        empty: str = "",
        selectable: bool = True,
        id: str | None = None,  # noqa: A002
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: Sequence[Row] = ()
        self.render_row = render_row
        self.identity = identity
        self.empty = empty
        self.selectable = selectable

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select":
            return self.selectable  # lists whose rows open nothing do not offer `enter`
        return True

    def row_count(self) -> int:
        return len(self.rows) if self.rows else (1 if self.empty else 0)

    def row_text(self, index: int, width: int) -> Text | None:
        if not self.rows:
            return Text(self.empty, style="dim italic")
        return self.render_row(self.rows[index], width)

    def row_identity(self, index: int) -> Hashable | None:
        if self.identity is None or not (0 <= index < len(self.rows)):
            return None
        return self.identity(self.rows[index])

    @property
    def current(self) -> Row | None:
        return self.rows[self.cursor] if self.rows and 0 <= self.cursor < len(self.rows) else None

    def set_rows(self, rows: Sequence[Row], *, keep_cursor: bool = True) -> None:
        """Replace the rows; the cursor stays on the same row (by identity) and screen line."""
        before = self.row_identity(self.cursor) if keep_cursor else None
        line = self.cursor - self.first_visible
        self.rows = rows
        index = self.cursor if keep_cursor else 0
        if before is not None and self.identity is not None:
            for i, row in enumerate(rows):
                if self.identity(row) == before:
                    index = i
                    break
        if keep_cursor:
            self.place(index, line)
        else:
            self.place(0, 0)
        self.rows_changed()

    def action_select(self) -> None:
        if self.rows:
            super().action_select()
