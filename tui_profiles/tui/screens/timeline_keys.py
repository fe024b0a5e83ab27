"""From a ticket to the events: `s` opens the newest session, `f` narrows the Timeline to event names,
`d` opens it at a date or time, and `enter` on an Overview top event opens the Timeline filtered to it.

A mixin for the profile screen (which has `reader`, `profile_id`, `detail`, `_build`, `_read_tabs` and its tabs, tab_cycling.py).
The filter line sits above the timeline, shown while it is typed in or a filter is on; it is applied
on `enter` (an empty line, or `escape` in it, clears it), so half-typed names never reload the timeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding
from textual.message import Message
from textual.worker import get_current_worker

from ...domain.timeline_filter import EventFilter, TimelineInputError, parse_event_filter
from ...store.queries import SessionRow
from ..messages import OpenSession
from ..suggest import EventNameCompleter
from ..widgets.search_bar import SearchBar
from ..widgets.timeline import Timeline
from .jump_prompt import JumpPrompt

if TYPE_CHECKING:
    from ...reader import StoreReader
    from ...store.queries import ProfileDetail

FILTER_HINT = "f filter: event names to keep, -names to hide, comma-separated (Order Completed, -Heartbeat); enter applies"
FILTERED_TITLE = "Timeline (filtered)"

TIMELINE_BINDINGS = [
    Binding("s", "newest_session", "Newest session", show=False, tooltip="Open the person's newest session", id="profile.newest_session"),
    Binding("f", "filter_timeline", "Filter timeline", show=False,
            tooltip="Timeline: keep or hide events by name (Order Completed, -Heartbeat)", id="profile.filter_timeline"),
    Binding("d", "jump_to_date", "Jump to date", show=False,
            tooltip="Timeline: open at a date or time (2026-12-01 14:00, yesterday, 3d)", id="profile.jump_to_date"),
]  # fmt: skip


def filter_bar(completer: EventNameCompleter) -> SearchBar:
    """The Timeline tab's filter line (hidden until `f` or a filter is on)."""
    return SearchBar(FILTER_HINT, id="timeline-filter", completer=completer)


class TimelineKeys:
    reader: StoreReader
    profile_id: int | None
    detail: ProfileDetail | None
    _read_tabs: set[str]

    class NewestSessionFound(Message, bubble=False):
        def __init__(self, profile_id: int, session: SessionRow | None) -> None:
            super().__init__()
            self.profile_id, self.session = profile_id, session

    # -- s: the newest session ------------------------------------------------------
    def action_newest_session(self) -> None:
        if self.profile_id is not None:
            self._find_newest_session(self.profile_id)

    @work(thread=True, exclusive=True, group="newest-session", exit_on_error=False)
    def _find_newest_session(self, profile_id: int) -> None:
        session = self.reader.newest_session(profile_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.NewestSessionFound(profile_id, session))  # type: ignore[attr-defined]

    def on_timeline_keys_newest_session_found(self, message: NewestSessionFound) -> None:
        if message.profile_id != self.profile_id:
            return
        if message.session is None:
            self.notify("No sessions for this person yet.", title="Nothing to open", severity="warning", markup=False)  # type: ignore[attr-defined]
            return
        self.app.post_message(OpenSession(message.profile_id, message.session.start))  # type: ignore[attr-defined]

    # -- the timeline's tab, built and read ----------------------------------------
    async def _timeline(self) -> Timeline:
        """The Timeline tab shown, its widgets there (reading from the newest if not read yet)."""
        await self._build("timeline")  # type: ignore[attr-defined]
        self.show_tab("timeline")  # type: ignore[attr-defined]
        return self.query_one(Timeline)  # type: ignore[attr-defined]

    def _filter_bar(self) -> SearchBar:
        return self.query_one("#timeline-filter", SearchBar)  # type: ignore[attr-defined]

    def show_timeline(self, names: EventFilter | None = None, at: int | None = None) -> None:
        """Read the timeline again: narrowed to `names` (None: as it is), from the newest or from `at`."""
        if self.profile_id is None:
            return
        timeline = self.query_one(Timeline)  # type: ignore[attr-defined]
        names = timeline.names if names is None else names
        self._read_tabs.add("timeline")
        timeline.load(self.profile_id, names=names, at=at)
        bar = self._filter_bar()
        bar.set_class(bool(names) or bar.input.has_focus, "-shown")
        self.tab_bar.set_label("timeline", FILTERED_TITLE if names else "Timeline")  # type: ignore[attr-defined]

    def reset_timeline_filter(self) -> None:
        """Another profile is shown: no filter, the line hidden and empty."""
        if self._pane_widget("#timeline-filter") is None:  # type: ignore[attr-defined]
            return
        bar = self._filter_bar()
        bar.clear()
        bar.remove_class("-shown")
        self.tab_bar.set_label("timeline", "Timeline")  # type: ignore[attr-defined]

    # -- f: the filter line ---------------------------------------------------------
    async def action_filter_timeline(self) -> None:
        if self.profile_id is None:
            return
        switching = self.active_tab != "timeline"  # type: ignore[attr-defined]
        await self._timeline()
        bar = self._filter_bar()
        bar.add_class("-shown")
        if switching:
            self.focus_on_tab["timeline"] = bar.input  # type: ignore[attr-defined]  # not the list, once the tab is shown
        bar.input.focus()

    def timeline_filter_changed(self, message: SearchBar.Changed) -> None:
        """Typed in the filter line: an error shows at once; the filter applies on enter, or when emptied."""
        bar = message.bar
        try:
            names = parse_event_filter(message.text)
        except TimelineInputError as exc:
            bar.show_error(str(exc))
            return
        bar.show_error(None)
        timeline = self.query_one(Timeline)  # type: ignore[attr-defined]
        if not message.submitted and names:
            return
        if names != timeline.names:
            self.show_timeline(names, timeline.at)
        if message.submitted:
            timeline.focus()

    def leave_timeline_filter(self) -> bool:
        """`escape` in the filter line: clear the filter, back to the timeline. False when not in it."""
        bar = self._pane_widget("#timeline-filter", SearchBar)  # type: ignore[attr-defined]
        if bar is None or not bar.input.has_focus:
            return False
        bar.clear()
        timeline = self.query_one(Timeline)  # type: ignore[attr-defined]
        if timeline.names:
            self.show_timeline(EventFilter(), timeline.at)
        bar.remove_class("-shown")
        timeline.focus()
        return True

    # -- enter on a top event -------------------------------------------------------
    async def open_timeline_of(self, name: str) -> None:
        """The Timeline narrowed to one event name (the Overview's top events)."""
        if self.profile_id is None:
            return
        names = EventFilter(keep=(name,))
        self._read_tabs.add("timeline")  # so showing the tab does not read it unfiltered first
        timeline = await self._timeline()
        self._filter_bar().set_value(names.describe())
        self.show_timeline(names)
        timeline.focus()

    # -- d: jump to a date ----------------------------------------------------------
    async def action_jump_to_date(self) -> None:
        if self.profile_id is None:
            return
        timeline = await self._timeline()
        prompt = JumpPrompt(self.reader.now(), self.reader.clock.tz, filtered=bool(timeline.names))

        def answered(at: int | None) -> None:
            if at is not None:
                self.show_timeline(None, at)
                self.query_one(Timeline).focus()  # type: ignore[attr-defined]

        self.app.push_screen(prompt, callback=answered)  # type: ignore[attr-defined]

