"""A cursor list over more rows than it holds: a window of a few hundred, read by offset from the store as you scroll.

Only `WINDOW` rows are ever held, whatever the number that match; the scrollbar is sized by the
count. New criteria (a search, a period) read from the top; a window read for criteria since
replaced is dropped. Subclasses say how to read a window and what identifies a row; the user
list also follows the row under the cursor when the store changes (`follow`, `anchor`).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar, Generic, Protocol, TypeVar

from textual.message import Message
from textual.worker import get_current_worker

from ...reader import StoreReader
from ..workers import ReportsWorkerErrors
from .virtual_list import VirtualList

WINDOW = 300  # rows held at most
MARGIN = 100  # rows fetched above and below the viewport
LIVE_READ_GAP_S = 0.2  # between two reads for store changes that keep coming: five a second at most

Row = TypeVar("Row")
Row_co = TypeVar("Row_co", covariant=True)
Criteria = TypeVar("Criteria")


class Window(Protocol[Row_co]):
    """A slice of the list: `rows` start at index `start`; `total` rows match."""

    @property
    def total(self) -> int: ...

    @property
    def start(self) -> int: ...

    @property
    def rows(self) -> tuple[Row_co, ...]: ...


class WindowedList(ReportsWorkerErrors, VirtualList, Generic[Criteria, Row]):
    """Rows matching `criteria`, of which `window` is held."""

    WINDOW_GROUP: ClassVar[str]  # the worker group of this list's reads

    class Loaded(Message):
        """A window arrived: `total` rows match the criteria."""

        def __init__(self, total: int) -> None:
            super().__init__()
            self.total = total

    class WindowArrived(Message, bubble=False):
        def __init__(self, generation: int, window: Window, *, reset: bool, live: bool) -> None:
            super().__init__()
            self.generation, self.window, self.reset, self.live = generation, window, reset, live

    class LiveReadDone(Message, bubble=False):
        """A read for a store change has finished (answered, cancelled or failed)."""

    def __init__(self, reader: StoreReader, criteria: Criteria, empty: Window[Row], *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.reader = reader
        self.criteria = criteria
        self.window = empty
        self.total = 0
        self.loaded_once = False
        self._generation = 0  # bumps when the criteria change: older windows are dropped
        self._shown_generation = -1  # the criteria whose window is shown
        self._pending: tuple[int, int] | None = None  # (generation, start) being fetched
        # One read for store changes at a time (`live_read_busy`): whether one is running, and whether
        # the store changed again meanwhile.
        self._live_reading = False
        self._live_again = False

    # -- what a subclass provides -------------------------------------------------
    def read_window(self, criteria: Criteria, start: int, *, follow: Hashable | None, anchor: int) -> Window[Row]:
        """Up to `WINDOW` rows from index `start` (on a worker thread); with `follow`, placed so that
        row sits `anchor` rows below the window's top, if the list can follow rows."""
        raise NotImplementedError

    def row_key(self, row: Row) -> Hashable:
        """What identifies a row (a profile id, a company id)."""
        raise NotImplementedError

    def read_again_live(self) -> None:
        """The store changed while a live read was running: read again (a list that follows the store)."""

    # -- the rows -----------------------------------------------------------------
    def row_count(self) -> int:
        return self.total

    def row_at(self, index: int) -> Row | None:
        offset = index - self.window.start
        if 0 <= offset < len(self.window.rows):
            return self.window.rows[offset]
        return None

    def row_identity(self, index: int) -> Hashable | None:
        row = self.row_at(index)
        return self.row_key(row) if row is not None else None

    @property
    def current(self) -> Row | None:
        return self.row_at(self.cursor)

    def index_of(self, key: Hashable) -> int | None:
        """The index of the held row identified by `key`, if it is in the window."""
        for i, row in enumerate(self.window.rows):
            if self.row_key(row) == key:
                return self.window.start + i
        return None

    @property
    def up_to_date(self) -> bool:
        """Whether the rows shown (and `total`) are those of the criteria asked for last."""
        return self._shown_generation == self._generation

    # -- loading ------------------------------------------------------------------
    def set_criteria(self, criteria: Criteria) -> None:
        """Show the rows matching other criteria, from the top."""
        self.criteria = criteria
        self._generation += 1
        self._pending = None
        self.fetch(0, reset=True)

    def viewport_changed(self) -> None:
        if not self.loaded_once:
            return
        first = self.first_visible
        last = min(self.total, first + self.visible_height)
        start, end = self.window.start, self.window.start + len(self.window.rows)
        covered = start <= first and last <= end
        near_edge = (first - start < MARGIN // 4 and start > 0) or (end - last < MARGIN // 4 and end < self.total)
        if covered and not near_edge:
            return
        wanted = max(0, first - MARGIN)
        if self._pending == (self._generation, wanted):
            return
        self._pending = (self._generation, wanted)
        self.fetch(wanted)

    def live_read_busy(self) -> bool:
        """Whether a read for an earlier store change is still running; if so, it is read again once that
        one is done. A store that changes faster than a read answers started a thread for each change
        (an exclusive worker's thread runs on when cancelled), each slower for the others: reads piled
        up, and a key waited seconds while the watcher was busy. Reads that follow one another are
        `LIVE_READ_GAP_S` apart."""
        if self._live_reading:
            self._live_again = True
        return self._live_reading

    def fetch(self, start: int, *, follow: Hashable | None = None, anchor: int = 0, reset: bool = False, live: bool = False) -> None:
        """Read the window from `start` for the criteria shown now, on a worker of this list's group."""
        generation, criteria = self._generation, self.criteria
        if live:
            self._live_reading, self._live_again = True, False  # this read sees every change heard so far

        def read() -> None:
            try:
                window = self.read_window(criteria, start, follow=follow, anchor=anchor)
                if not get_current_worker().is_cancelled:
                    self.post_message(self.WindowArrived(generation, window, reset=reset, live=live))
            finally:
                if live:
                    self.post_message(self.LiveReadDone())

        self.run_worker(read, name="fetch", group=self.WINDOW_GROUP, exclusive=True, thread=True, exit_on_error=False)

    def on_windowed_list_live_read_done(self, message: LiveReadDone) -> None:
        message.stop()
        if self._live_again:
            # The store changed again meanwhile: read again, after a pause, so that a store changing
            # all the time leaves the keys most of the process (the changes of the pause wait for it).
            self.set_timer(LIVE_READ_GAP_S, self._read_again_live)
        else:
            self._live_reading = False

    def _read_again_live(self) -> None:
        self._live_reading = False
        self.read_again_live()

    def on_windowed_list_window_arrived(self, message: WindowArrived) -> None:
        message.stop()
        if message.generation != self._generation:
            return  # newer criteria were asked for meanwhile
        self._pending = None
        self._shown_generation = message.generation
        self.show_window(message.window, reset=message.reset, live=message.live)
        self.post_loaded()

    def hold(self, window: Window[Row]) -> None:
        self.window = window
        self.total = window.total
        self.loaded_once = True

    def show_window(self, window: Window[Row], *, reset: bool, live: bool) -> None:
        """Hold a window that arrived and place the cursor: here on the same index (the top after a reset)."""
        self.hold(window)
        if reset:
            self.place(0, 0)
        self.rows_changed()

    def post_loaded(self) -> None:
        """Tell the screen a window is shown."""
        self.post_message(self.Loaded(self.total))
