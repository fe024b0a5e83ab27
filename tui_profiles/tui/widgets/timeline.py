"""A profile's timeline, newest first, grouped under session headers, paged from the store by keyset.

Pages of `PAGE` events load as the viewport nears the end of what is loaded; only the visible
lines are drawn. New events (a live refresh) are read with `after=` the newest one shown and
put on top, keeping the cursor on the same line of the same event.

It can be narrowed to some event names (`names`, an EventFilter) and opened at a moment (`at`): then
the first page is the newest events at or before it, nothing newer is read, and a row on top stands
for the newer events, read a page at a time as the viewport nears it (the cursor keeps its event).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from ...domain.timeline_filter import EventFilter
from ...reader import StoreReader
from ...store.queries import EventRow, SessionRow
from .. import formatting, safe
from ..workers import ReportsWorkerErrors, read_now
from .event_rows import event_line, session_line
from .virtual_list import VirtualList

PAGE = 200


@dataclass(frozen=True, slots=True)
class SessionHeader:
    session_id: str


Item = SessionHeader | EventRow


class Timeline(ReportsWorkerErrors, VirtualList):
    """Every event of one profile; `enter` on a header opens the session, on an event the event."""

    class OpenSession(Message):
        def __init__(self, session: SessionRow) -> None:
            super().__init__()
            self.session = session

    class OpenEvent(Message):
        def __init__(self, event: EventRow) -> None:
            super().__init__()
            self.event = event

    class PageArrived(Message, bubble=False):
        def __init__(
            self,
            generation: int,
            events: list[EventRow],
            sessions: list[SessionRow] | None,
            *,
            newer: bool,
            exhausted: bool,
            then_last: bool,
            goals: dict[int, tuple[str, ...]] | None = None,
            newer_exhausted: bool = True,
        ) -> None:
            super().__init__()
            self.generation, self.events, self.sessions = generation, events, sessions
            self.newer, self.exhausted, self.then_last = newer, exhausted, then_last
            self.goals = goals or {}
            # With `newer`: False for a page up from a jump that may have more above it. Without: the
            # first page of a jump (False) or of the newest (True).
            self.newer_exhausted = newer_exhausted

    class Loaded(Message):
        """The first page of what was asked (a profile, a filter, a jump) is shown: `events` of them."""

        def __init__(self, events: int, names: EventFilter, at: int | None) -> None:
            super().__init__()
            self.events, self.names, self.at = events, names, at

    def __init__(self, reader: StoreReader, *, excluded: Callable[[], bool] = lambda: False, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.reader = reader
        self.profile_id: int | None = None
        self.excluded = excluded  # asked at each draw: an excluded person is out of "live now", no session is marked live
        self.events: list[EventRow] = []
        self.sessions: dict[str, SessionRow] = {}
        self.items: list[Item] = []
        self.goals: dict[int, tuple[str, ...]] = {}  # event id -> the configured goals it completes
        self.exhausted = False
        # A page is being read. Not `loading`: that is Textual's, and swaps the widget for a spinner,
        # unfocusable and deaf to keys, while it is set.
        self.fetching = False
        self.chosen = False  # the person moved the cursor: it then stays on that event
        self.names = EventFilter()  # the names kept or hidden
        self.at: int | None = None  # opened at this moment (ms), else at the newest
        # Everything newer than the first event held is held too (false after a jump, until paged up to now).
        self.newer_exhausted = True
        self.fetching_newer = False
        self._generation = 0
        self.page_read = asyncio.Event()  # set when the first page of the profile loaded has arrived

    # -- rows ---------------------------------------------------------------------
    # After a jump, row 0 stands for the newer events not read yet (`lead`), and the items follow it.
    @property
    def lead(self) -> int:
        return 0 if self.newer_exhausted else 1

    def item_at(self, index: int) -> Item | None:
        index -= self.lead
        return self.items[index] if 0 <= index < len(self.items) else None

    def row_count(self) -> int:
        if self.profile_id is None:
            return 0
        return self.lead + len(self.items) + (0 if self.exhausted else 1)

    def row_identity(self, index: int) -> Hashable | None:
        item = self.item_at(index)
        if item is None:
            return None
        return ("s", item.session_id) if isinstance(item, SessionHeader) else ("e", item.event_id)

    def row_text(self, index: int, width: int) -> Text | None:
        if index < self.lead:
            return Text("… newer events (↑ reads them)", style="dim italic")
        item = self.item_at(index)
        if item is None:
            if not self.items and self.exhausted:
                return Text("no events match the filter" if self.names else "no events", style="dim italic")
            return Text("… loading older events", style="dim italic")
        tz = self.reader.clock.tz
        if isinstance(item, SessionHeader):
            return session_line(
                self.sessions.get(item.session_id), item.session_id, width,
                tz=tz, now_ms=self.reader.now(), live_ms=0 if self.excluded() else self.reader.settings.live_ms,
            )
        mark = None
        if item.merged_into is not None:  # an anonymous profile's event that is also the user's: room at the end
            mark = Text(" ↳ ", style="magenta")
            mark.append_text(safe.text(item.merged_into, style="magenta"))
            mark.truncate(min(len(mark), max(0, width // 4)))
        line = event_line(
            item, width - (len(mark) if mark else 0), lead=formatting.clock(item.ts, tz), goals=self.reader.settings.order_events,
            show_path=True, met=self.goals.get(item.event_id, ()),
        )
        if mark:
            line.append_text(mark)
        return line

    def _rebuild(self) -> None:
        items: list[Item] = []
        current: str | None = None
        for event in self.events:
            if event.session_id != current or not items:
                current = event.session_id
                items.append(SessionHeader(current or "?"))
            items.append(event)
        self.items = items

    # -- loading ------------------------------------------------------------------
    def load(self, profile_id: int, *, names: EventFilter | None = None, at: int | None = None) -> None:
        """Show a profile's events from the newest, or from the newest at or before `at` (ms); `names`
        narrows them (None: the filter shown now stays, for the same profile)."""
        if names is None:
            names = self.names if profile_id == self.profile_id else EventFilter()
        self.profile_id = profile_id
        self.names, self.at = names, at
        self._generation += 1
        self.events, self.items, self.exhausted = [], [], False
        self.newer_exhausted, self.fetching_newer = True, False
        self.goals = {}
        self.fetching = True
        self.chosen = False
        self.page_read.clear()
        self.place(0, 0)
        self.rows_changed()
        generation = self._generation

        def first_page() -> None:  # read from now (see read_now), dropped if the generation moved on
            newer_exhausted, oldest = at is None, False
            if at is None:
                events = self.reader.timeline_page(profile_id, before=None, limit=PAGE, names=names)
                exhausted = len(events) < PAGE
            else:
                events = self.reader.timeline_at(profile_id, at, limit=PAGE, names=names)
                exhausted = len(events) < PAGE
                if not events:  # before the first event: the oldest ones, from the top
                    events = self.reader.timeline_newer(profile_id, after=(at, 2**62), limit=PAGE, names=names)
                    exhausted, newer_exhausted, oldest = True, len(events) < PAGE, True
            sessions = self.reader.sessions(profile_id)
            self.post_message(self.PageArrived(generation, events, sessions, newer=False, exhausted=exhausted, then_last=oldest,
                                               goals=self.reader.goal_tags(events), newer_exhausted=newer_exhausted))  # fmt: skip

        read_now(self, "timeline-page", first_page)

    def clear(self) -> None:
        """Show nothing (the profile screen is reused: the next profile's events load when the tab is shown)."""
        self.profile_id = None
        self._generation += 1  # a page on its way is dropped
        self.events, self.items, self.exhausted, self.goals = [], [], False, {}
        self.fetching = False
        self.chosen = False
        self.names, self.at = EventFilter(), None
        self.newer_exhausted, self.fetching_newer = True, False
        self.place(0, 0)
        self.rows_changed()

    def viewport_changed(self) -> None:
        if self.profile_id is None:
            return
        if not self.newer_exhausted and not self.fetching_newer and not self.fetching and self.events:
            if self.first_visible <= self.visible_height:
                self._load_newer()
        if self.exhausted or self.fetching:
            return
        if self.first_visible + 3 * self.visible_height >= self.lead + len(self.items):
            self._load_older(to_end=False)

    def _load_older(self, *, to_end: bool) -> None:
        if self.profile_id is None:
            return
        self.fetching = True
        last = self.events[-1] if self.events else None
        before = (last.ts, last.event_id) if last else None
        self._fetch(self._generation, self.profile_id, before=before, with_sessions=False, to_end=to_end)

    def _load_newer(self) -> None:
        """A page up from a jump: the `PAGE` events just newer than the newest held."""
        if self.profile_id is None or not self.events:
            return
        self.fetching_newer = True
        first = self.events[0]
        self._fetch_newer(self._generation, self.profile_id, (first.ts, first.event_id), limit=PAGE)

    def refresh_newer(self) -> None:
        """The profile changed: put events newer than the newest shown on top."""
        if self.profile_id is None:
            return
        if not self.events:
            self.load(self.profile_id, names=self.names, at=self.at)
            return
        if not self.newer_exhausted:
            return  # the newest are not held: they are read when paged up to
        first = self.events[0]
        self._fetch_newer(self._generation, self.profile_id, (first.ts, first.event_id))

    @work(thread=True, exclusive=True, group="timeline-page", exit_on_error=False)
    def _fetch(self, generation: int, profile_id: int, *, before: tuple[int, int] | None, with_sessions: bool, to_end: bool) -> None:
        worker = get_current_worker()
        events: list[EventRow] = []
        exhausted = False
        while True:
            page = self.reader.timeline_page(profile_id, before=before, limit=PAGE, names=self.names)
            events.extend(page)
            if len(page) < PAGE:
                exhausted = True
                break
            if not to_end or worker.is_cancelled:
                break
            before = (page[-1].ts, page[-1].event_id)
        sessions = self.reader.sessions(profile_id) if with_sessions else None
        goals = self.reader.goal_tags(events)
        if not worker.is_cancelled:
            page = self.PageArrived(generation, events, sessions, newer=False, exhausted=exhausted, then_last=to_end, goals=goals)
            self.post_message(page)

    @work(thread=True, exclusive=True, group="timeline-newer", exit_on_error=False)
    def _fetch_newer(self, generation: int, profile_id: int, after: tuple[int, int], limit: int | None = None) -> None:
        events = self.reader.timeline_newer(profile_id, after=after, limit=limit, names=self.names)
        sessions = self.reader.sessions(profile_id)
        goals = self.reader.goal_tags(events)
        if not get_current_worker().is_cancelled:
            newer_exhausted = limit is None or len(events) < limit
            self.post_message(self.PageArrived(generation, events, sessions, newer=True, exhausted=False, then_last=False, goals=goals,
                                               newer_exhausted=newer_exhausted))  # fmt: skip

    def on_timeline_page_arrived(self, message: PageArrived) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        if message.sessions is not None:
            self.sessions = {s.id: s for s in message.sessions}
        self.goals.update(message.goals)
        if message.newer:
            paged_up = self.fetching_newer
            self.fetching_newer = False
            self._prepend(message.events, keep=paged_up, newer_exhausted=message.newer_exhausted if paged_up else self.newer_exhausted)
            return
        first = not self.events
        self.fetching = False
        self.events.extend(message.events)
        self.exhausted = message.exhausted
        if first:
            self.newer_exhausted = message.newer_exhausted
        self._rebuild()
        self.rows_changed()
        if first and not self.newer_exhausted and self.at is not None and not message.then_last:
            # A jump: the cursor on the newest event at or before the moment, its session header above it.
            index = next((i for i in range(self.row_count()) if isinstance(self.item_at(i), EventRow)
                          and self.item_at(i).ts <= self.at), self.lead + 1)  # type: ignore[union-attr]  # fmt: skip
            self.place(index, min(index, 2))
        if first:
            self.page_read.set()
            self.post_message(self.Loaded(len(message.events), self.names, self.at))
        if message.then_last:
            self.set_cursor(self.row_count() - 1)

    def _prepend(self, newer: list[EventRow], *, keep: bool = False, newer_exhausted: bool = True) -> None:
        """New events on top. Until the person moves the cursor the newest stay in view; after, or for
        a page up from a jump (`keep`), the cursor keeps its event on its screen line."""
        known = {e.event_id for e in self.events[: len(newer) + 1]}
        newer = [e for e in newer if e.event_id not in known]
        before = self.row_identity(self.cursor)
        line = self.cursor - self.first_visible
        keep = keep or self.chosen
        self.events = newer + self.events
        self.newer_exhausted = newer_exhausted
        self._rebuild()
        index = 0
        if keep:
            index = next((i for i in range(self.row_count()) if self.row_identity(i) == before), self.cursor)
            if self.at is not None and not self.chosen:
                # Just after a jump: its session's header in view too, when it is not far above.
                header = next((i for i in range(index, -1, -1) if isinstance(self.item_at(i), SessionHeader)), index)
                if index - header <= self.visible_height * 2 // 3:
                    line = max(line, index - header)
        self.place(index, line if keep else 0)
        self.rows_changed()

    def cursor_chosen(self) -> None:
        self.chosen = True

    # -- keys ---------------------------------------------------------------------
    def action_first(self) -> None:
        if not self.newer_exhausted and self.profile_id is not None:
            self.load(self.profile_id, names=self.names)  # the newest, not every page between
            return
        super().action_first()

    def action_last(self) -> None:
        if self.exhausted or self.profile_id is None:
            super().action_last()
        elif not self.fetching:
            self._load_older(to_end=True)

    def action_select(self) -> None:
        item = self.item_at(self.cursor)
        if item is None:
            return
        if isinstance(item, SessionHeader):
            session = self.sessions.get(item.session_id)
            if session is not None:
                self.post_message(self.OpenSession(session))
        else:
            self.post_message(self.OpenEvent(item))
