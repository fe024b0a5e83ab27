"""Session: one session's events in order, with the time since it started; `[` and `]` step through sessions.

Like the profile screen, one SessionScreen is built before it is needed and shows every session
opened (`show`), drawn once its events are read.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from ...reader import StoreReader
from ...store.queries import EventRow, SessionRow
from .. import formatting, safe
from ..messages import OpenEvent
from ..widgets.event_rows import event_header, event_line
from ..widgets.footer import Footer
from ..widgets.rows_list import RowsList
from ..widgets.title_bar import TitleBar
from ..widgets.virtual_list import VirtualList
from ..workers import ReportsWorkerErrors
from .shown_again import ShownAgain
from .ticket_copy import COPY_BINDING, CopiesTicket
from .visible import FollowsStore


class SessionScreen(ReportsWorkerErrors, CopiesTicket, ShownAgain, FollowsStore, Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="session.back"),
        Binding("left_square_bracket", "step(-1)", "Previous session", key_display="[", id="session.previous"),
        Binding("right_square_bracket", "step(1)", "Next session", key_display="]", id="session.next"),
        COPY_BINDING,
    ]

    class Loaded(Message, bubble=False):
        def __init__(
            self, generation: int, found: tuple[SessionRow, list[EventRow]] | None, display_name: str | None, *, stepped: int,
            goals: dict[int, tuple[str, ...]] | None = None, excluded: bool = False, is_name: bool = False,
        ) -> None:
            super().__init__()
            self.generation, self.found, self.display_name, self.stepped = generation, found, display_name, stepped
            self.goals, self.excluded = goals or {}, excluded
            self.is_name = is_name  # the display name is the person's name (not their email or an id): masked as one

    def __init__(self, reader: StoreReader, profile_id: int | None, start: int = 0) -> None:
        super().__init__()
        self.reader = reader
        self.profile_id = profile_id  # None: prepared, no session shown yet
        self.start = start
        self.session: SessionRow | None = None
        self.display_name = ""
        self.goals: dict[int, tuple[str, ...]] = {}  # event id -> the configured goals it completes, starred as in the timeline
        self.excluded = False  # an excluded user shows no live dot: they are out of every count, "live now" too
        self.display_is_name = False
        self._generation = 0
        self._stale = False
        self.shown = asyncio.Event()  # set once the session shown has its events drawn

    def show(self, profile_id: int, start: int) -> None:
        """Show another session here (called before the screen is pushed again): clear, then read."""
        if profile_id != self.profile_id:
            self.display_name = ""
        self.profile_id, self.start, self.session = profile_id, start, None
        self._stale = False
        self.shown.clear()
        if not self.is_mounted:
            return  # read on mount
        self.query_one("#session-header", Static).update("loading…", layout=False)
        self.query_one(RowsList).set_rows([], keep_cursor=False)
        self.query_one(RowsList).focus(scroll_visible=False)
        self._load(step=0)

    def compose(self) -> ComposeResult:
        yield TitleBar(Text("tui-profiles", style="bold") + Text(" · Session"), Text("[ previous · ] next", style="dim"), id="title")
        yield Static("loading…", id="session-header", markup=False)
        yield Static("", id="columns", markup=False)
        yield RowsList(self._event_row, identity=lambda e: e.event_id, empty="no events", id="session-events")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RowsList).focus(scroll_visible=False)
        if self.profile_id is not None:
            self._load(step=0)

    def _load(self, step: int) -> None:
        self._generation += 1
        self.fetch(self._generation, self.start, step)

    @work(thread=True, exclusive=True, group="session", exit_on_error=False)
    def fetch(self, generation: int, start: int, step: int) -> None:
        profile_id = self.profile_id
        if profile_id is None:
            return
        if step:
            found = self.reader.neighbour_session(profile_id, start, step)
        else:
            found = self.reader.session(profile_id, start)
        user = self.reader.user(profile_id)
        goals = self.reader.goal_tags(found[1]) if found is not None else {}
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(generation, found, user.display_name if user else None, stepped=step, goals=goals,
                                          excluded=user is not None and user.excluded,
                                          is_name=bool(user and user.name)))  # fmt: skip

    def on_session_screen_loaded(self, message: Loaded) -> None:
        if message.generation != self._generation:
            return
        if message.display_name:
            self.display_name, self.display_is_name = message.display_name, message.is_name
        self.shown.set()
        if message.found is None:
            if message.stepped:
                self.notify("No " + ("earlier" if message.stepped < 0 else "later") + " session.", markup=False)
            else:
                self.query_one("#session-header", Static).update("This session no longer exists.", layout=False)
            return
        session, events = message.found
        self.goals, self.excluded = message.goals, message.excluded
        moved = session.start != self.start or self.session is None
        self.session, self.start = session, session.start
        self.query_one(RowsList).set_rows(events, keep_cursor=not moved)
        self._show_header()
        self.on_resize()

    def _show_header(self) -> None:
        s = self.session
        if s is None:
            return
        tz = self.reader.clock.tz
        live = not self.excluded and self.reader.now() - s.end < self.reader.settings.live_ms
        out = Text(no_wrap=True, end="")
        out.append_text(safe.person(self.display_name, style="bold", is_name=self.display_is_name))
        out.append("  session ", style="dim")
        out.append(formatting.long_stamp(s.start, tz))
        out.append(" → ", style="dim")
        out.append(formatting.clock(s.end, tz))
        if live:
            out.append("  ● live", style="bold green")
        out.append("\n")
        figures = (("duration", formatting.duration(s.duration_ms)), ("events", formatting.count(s.events)), ("source", s.source))
        for label, value in figures:
            out.append(f"{label} ", style="dim")
            out.append(value + "  ")
        if s.entry_path:
            out.append("entry ", style="dim")
            out.append_text(safe.text(s.entry_path, style="blue"))
        self.query_one("#session-header", Static).update(out, layout=False)

    def _event_row(self, event: EventRow, width: int) -> Text:
        lead = formatting.offset(event.ts - (self.session.start if self.session else event.ts))
        return event_line(event, width, lead=lead, goals=self.reader.settings.order_events, show_path=True,
                          met=self.goals.get(event.event_id, ()))  # fmt: skip

    # -- live ---------------------------------------------------------------------
    def concerns(self, touched: frozenset[int], removed: frozenset[int]) -> bool:
        return self.profile_id is not None and self.profile_id in touched

    def catch_up(self) -> None:
        self._load(step=0)

    # -- keys ---------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def ticket_session(self) -> int | str | None:
        """`y` copies the session shown."""
        return self.session.start if self.session is not None else self.start

    def action_step(self, step: int) -> None:
        self._load(step=step)

    def on_virtual_list_selected(self, message: VirtualList.Selected) -> None:
        event = self.query_one(RowsList).current
        if event is not None:
            self.app.post_message(OpenEvent(event.event_id))

    def on_resize(self) -> None:
        width = self.query_one(RowsList).scrollable_content_region.width or self.size.width
        self.query_one("#columns", Static).update(event_header(width, lead="+time", show_path=True), layout=False)
