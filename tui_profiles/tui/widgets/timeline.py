"""A profile's timeline, newest first, grouped under session headers, paged from the store by keyset.

Pages of `PAGE` events load as the viewport nears the end of what is loaded; only the visible
lines are drawn. New events (a live refresh) are read with `after=` the newest one shown and
put on top, keeping the cursor on the same line of the same event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.message import Message
from textual.worker import get_current_worker

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
        ) -> None:
            super().__init__()
            self.generation, self.events, self.sessions = generation, events, sessions
            self.newer, self.exhausted, self.then_last = newer, exhausted, then_last
            self.goals = goals or {}

    def __init__(self, reader: StoreReader, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.reader = reader
        self.profile_id: int | None = None
        self.events: list[EventRow] = []
        self.sessions: dict[str, SessionRow] = {}
        self.items: list[Item] = []
        self.goals: dict[int, tuple[str, ...]] = {}  # event id -> the configured goals it completes
        self.exhausted = False
        # A page is being read. Not `loading`: that is Textual's, and swaps the widget for a spinner,
        # unfocusable and deaf to keys, while it is set.
        self.fetching = False
        self.chosen = False  # the person moved the cursor: it then stays on that event
        self._generation = 0
        self.page_read = asyncio.Event()  # set when the first page of the profile loaded has arrived

    # -- rows ---------------------------------------------------------------------
    def row_count(self) -> int:
        if self.profile_id is None:
            return 0
        return len(self.items) + (0 if self.exhausted else 1)

    def row_identity(self, index: int) -> Hashable | None:
        if 0 <= index < len(self.items):
            item = self.items[index]
            return ("s", item.session_id) if isinstance(item, SessionHeader) else ("e", item.event_id)
        return None

    def row_text(self, index: int, width: int) -> Text | None:
        if index >= len(self.items):
            return Text("… loading older events", style="dim italic")
        item = self.items[index]
        tz = self.reader.clock.tz
        if isinstance(item, SessionHeader):
            return session_line(
                self.sessions.get(item.session_id), item.session_id, width,
                tz=tz, now_ms=self.reader.now(), live_ms=self.reader.settings.live_ms,
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
    def load(self, profile_id: int) -> None:
        self.profile_id = profile_id
        self._generation += 1
        self.events, self.items, self.exhausted = [], [], False
        self.goals = {}
        self.fetching = True
        self.chosen = False
        self.page_read.clear()
        self.rows_changed()
        generation = self._generation

        def first_page() -> None:  # read from now (see read_now), dropped if the generation moved on
            events = self.reader.timeline_page(profile_id, before=None, limit=PAGE)
            sessions = self.reader.sessions(profile_id)
            self.post_message(self.PageArrived(generation, events, sessions, newer=False, exhausted=len(events) < PAGE,
                                               then_last=False, goals=self.reader.goal_tags(events)))  # fmt: skip

        read_now(self, "timeline-page", first_page)

    def clear(self) -> None:
        """Show nothing (the profile screen is reused: the next profile's events load when the tab is shown)."""
        self.profile_id = None
        self._generation += 1  # a page on its way is dropped
        self.events, self.items, self.exhausted, self.goals = [], [], False, {}
        self.fetching = False
        self.chosen = False
        self.place(0, 0)
        self.rows_changed()

    def viewport_changed(self) -> None:
        if self.profile_id is None or self.exhausted or self.fetching:
            return
        if self.first_visible + 3 * self.visible_height >= len(self.items):
            self._load_older(to_end=False)

    def _load_older(self, *, to_end: bool) -> None:
        if self.profile_id is None:
            return
        self.fetching = True
        last = self.events[-1] if self.events else None
        before = (last.ts, last.event_id) if last else None
        self._fetch(self._generation, self.profile_id, before=before, with_sessions=False, to_end=to_end)

    def refresh_newer(self) -> None:
        """The profile changed: put events newer than the newest shown on top."""
        if self.profile_id is None:
            return
        if not self.events:
            self.load(self.profile_id)
            return
        first = self.events[0]
        self._fetch_newer(self._generation, self.profile_id, (first.ts, first.event_id))

    @work(thread=True, exclusive=True, group="timeline-page", exit_on_error=False)
    def _fetch(self, generation: int, profile_id: int, *, before: tuple[int, int] | None, with_sessions: bool, to_end: bool) -> None:
        worker = get_current_worker()
        events: list[EventRow] = []
        exhausted = False
        while True:
            page = self.reader.timeline_page(profile_id, before=before, limit=PAGE)
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
    def _fetch_newer(self, generation: int, profile_id: int, after: tuple[int, int]) -> None:
        events = self.reader.timeline_newer(profile_id, after=after)
        sessions = self.reader.sessions(profile_id)
        goals = self.reader.goal_tags(events)
        if not get_current_worker().is_cancelled:
            self.post_message(self.PageArrived(generation, events, sessions, newer=True, exhausted=False, then_last=False, goals=goals))

    def on_timeline_page_arrived(self, message: PageArrived) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        if message.sessions is not None:
            self.sessions = {s.id: s for s in message.sessions}
        self.goals.update(message.goals)
        if message.newer:
            self._prepend(message.events)
            return
        self.fetching = False
        self.events.extend(message.events)
        self.exhausted = message.exhausted
        self._rebuild()
        self.rows_changed()
        self.page_read.set()
        if message.then_last:
            self.set_cursor(self.row_count() - 1)

    def _prepend(self, newer: list[EventRow]) -> None:
        """New events on top. Until the person moves the cursor the newest stay in view; after, the
        cursor keeps its event on its screen line."""
        known = {e.event_id for e in self.events[: len(newer) + 1]}
        newer = [e for e in newer if e.event_id not in known]
        before = self.row_identity(self.cursor)
        line = self.cursor - self.first_visible
        self.events = newer + self.events
        self._rebuild()
        index = 0
        if self.chosen:
            index = next((i for i in range(len(self.items)) if self.row_identity(i) == before), self.cursor)
        self.place(index, line if self.chosen else 0)
        self.rows_changed()

    def cursor_chosen(self) -> None:
        self.chosen = True

    # -- keys ---------------------------------------------------------------------
    def action_last(self) -> None:
        if self.exhausted or self.profile_id is None:
            super().action_last()
        elif not self.fetching:
            self._load_older(to_end=True)

    def action_select(self) -> None:
        if not (0 <= self.cursor < len(self.items)):
            return
        item = self.items[self.cursor]
        if isinstance(item, SessionHeader):
            session = self.sessions.get(item.session_id)
            if session is not None:
                self.post_message(self.OpenSession(session))
        else:
            self.post_message(self.OpenEvent(item))
