"""Profile: who this is (header) and their journey in tabs: Overview (with the notes on the person), Sessions,
Timeline, Feedback, Properties, Identity.

The app keeps one ProfileScreen, built while nothing else happens (`prepare`), and shows each profile
opened on it (`show`): composing, styling and laying out a new screen per open was most of the time an
open took. A tab's widgets are mounted once per screen (`_build`: at `prepare`, or when first shown on a
screen that was not prepared); its queries run once per profile shown, when the tab is first shown
(`_load_pane`), so an open reads only the header and the Overview. Answers still on their way for the
profile shown before carry its id and are dropped. Code that reaches into a tab asks `_pane_widget`,
None until built.
"""

from __future__ import annotations

import asyncio
from datetime import tzinfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Static
from textual.worker import get_current_worker

from ...domain.tags import IDENTITY_FLAGS
from ...reader import Overview, StoreReader
from ...store.queries import ProfileDetail, SessionRow
from .. import formatting, safe, textual_compat
from ..broadcasts import broadcasts, hear_while_stacked
from ..held_drawing import hold_updates
from ..messages import OpenEvent, OpenProfile, OpenSession
from ..suggest import EventNameCompleter
from ..widgets.activity_chart import ActivityChart
from ..widgets.feedback import FeedbackList
from ..widgets.footer import Footer
from ..widgets.goals import GoalsBar
from ..widgets.identity_panel import IdentityPanel
from ..widgets.notes import NotesPanel
from ..widgets.property_rows import PropertyRow, matching, property_line, property_rows
from ..widgets.rows_list import RowsList
from ..widgets.search_bar import SearchBar
from ..widgets.tab_bar import TabBar
from ..widgets.timeline import Timeline
from ..widgets.title_bar import TitleBar
from ..widgets.top_counts import top_lists
from ..widgets.virtual_list import VirtualList, columns_text, show_scrollbars
from ..workers import ReportsWorkerErrors, read_now
from .identity_repair import REPAIR_BINDINGS, IdentityRepair
from .profile_actions import ACTION_BINDINGS, ProfileActions
from .profile_notes import NOTE_BINDINGS, ProfileNotes
from .shown_again import ShownAgain
from .tab_cycling import CyclesTabs, tab_bindings
from .ticket_copy import COPY_BINDING, CopiesTicket
from .timeline_keys import TIMELINE_BINDINGS, TimelineKeys, filter_bar
from .visible import FollowsStore, in_view

TABS = ("overview", "sessions", "timeline", "feedback", "properties", "identity")
TAB_TITLES = {"overview": "Overview", "sessions": "Sessions", "timeline": "Timeline", "feedback": "Feedback", "properties": "Properties",
              "identity": "Identity"}  # fmt: skip
# What gets the focus when a tab is shown.
TAB_FOCUS = {
    "overview": "#top-events", "sessions": "#session-list", "timeline": "#timeline-list", "properties": "#property-list",
    "feedback": "#feedback-list", "identity": "#identity-list",
}
ANON_SHOWN = 3


class ProfileScreen(
    ReportsWorkerErrors, ProfileActions, ProfileNotes, IdentityRepair, CopiesTicket, TimelineKeys, ShownAgain, FollowsStore,
    CyclesTabs, Screen,
):
    TABS = TABS
    BINDINGS = [
        Binding("escape", "back", "Back", id="profile.back"),
        *tab_bindings("profile"),
        Binding("slash", "search", "Search", id="profile.search"),
        # Not in the footer, which is full (its tab is in the tab bar); the help lists it.
        Binding("i", "identity", "Identity", show=False, tooltip="Why each anonymous id is linked", id="profile.identity"),
        # An anonymous profile's header says "(o opens)" beside the user it signed in as; the help lists it.
        Binding("o", "open_user", "Open user", show=False, tooltip="Open the user this anonymous profile signed in as",
                id="profile.open_user"),
        *ACTION_BINDINGS,
        *NOTE_BINDINGS,
        *REPAIR_BINDINGS,
        COPY_BINDING,
        *TIMELINE_BINDINGS,
    ]

    class ProfileLoaded(Message, bubble=False):
        def __init__(self, profile_id: int, detail: ProfileDetail | None, overview_generation: int | None = None) -> None:
            super().__init__()
            self.profile_id, self.detail = profile_id, detail
            self.overview_generation = overview_generation  # the overview the same worker reads next, if any

    class OverviewLoaded(Message, bubble=False):
        def __init__(self, generation: int, overview: Overview) -> None:
            super().__init__()
            self.generation, self.overview = generation, overview

    class SessionsLoaded(Message, bubble=False):
        def __init__(self, profile_id: int, sessions: list[SessionRow]) -> None:
            super().__init__()
            self.profile_id, self.sessions = profile_id, sessions

    def __init__(self, reader: StoreReader, profile_id: int | None) -> None:
        super().__init__()
        self.reader = reader
        self.profile_id = profile_id  # None: prepared, no profile shown yet
        self.detail: ProfileDetail | None = None
        self.properties: list[PropertyRow] = []
        self._overview_generation = 0
        self._stale = False
        self._built: dict[str, asyncio.Event] = {"overview": asyncio.Event()}  # tab -> set once its content is there
        self._built["overview"].set()  # composed with the screen
        self._read_tabs: set[str] = {"overview"}  # tabs whose queries ran for the profile shown
        self.shown = asyncio.Event()  # set once the profile shown has its header and Overview drawn
        self._sessions_read = asyncio.Event()  # set once the Sessions tab has the profile's sessions
        self.names_completer = EventNameCompleter(reader.event_names)  # the Timeline filter line's
        self.names_completer.profile_id = profile_id
        self._mounted_in_tabs: dict[str, Widget] = {}  # "#id" -> a widget `_build` mounted at the top of a tab
        self.focus_on_tab: dict[str, Widget] = {}  # what a tab about to be shown focuses instead of its list

    def compose(self) -> ComposeResult:
        yield TitleBar(Text("tui-profiles", style="bold") + Text(" · Profile"), id="title")
        yield Static("loading…", id="profile-header", markup=False)
        yield TabBar(TAB_TITLES.items(), id="tabs")
        with ContentSwitcher(id="panes", initial="overview"):
            with Vertical(id="overview", classes="pane"):
                yield Static("", id="overview-stats", markup=False)
                yield GoalsBar(self.reader, self.profile_id, id="goals")
                yield SearchBar("/ filter top events and pages", id="top-search")
                with Horizontal(id="tops"):
                    yield from top_lists("top-events", "top-pages", events_open=True)
                    yield NotesPanel(self.reader, self.profile_id, id="notes")
                yield ActivityChart(id="activity")
            for pane_id in TABS[1:]:
                yield Vertical(id=pane_id, classes="pane")  # filled by `_build` when first shown
        yield Footer()

    def _pane_content(self, pane_id: str) -> list[Widget]:
        if pane_id == "sessions":
            return [
                Static(_session_header(), classes="columns", markup=False),
                RowsList(self._session_row, identity=lambda s: s.id, empty="no sessions", id="session-list"),
            ]
        if pane_id == "timeline":
            return [filter_bar(self.names_completer), Timeline(self.reader, excluded=self._excluded, id="timeline-list")]
        if pane_id == "feedback":
            return [FeedbackList(self.reader, None, id="feedback-tab")]  # loads when shown (`_load_pane`)
        if pane_id == "identity":
            return [IdentityPanel(self.reader, None, id="identity-tab")]  # loads when shown (`_load_pane`)
        return [
            SearchBar("/ search traits: key or value", id="property-search"),
            RowsList(property_line, identity=lambda r: r[0], empty="no traits", selectable=False, id="property-list"),
        ]

    async def prepare(self) -> None:
        """Mount and lay out every tab's content now (the screen is not shown yet), so no key waits for it.

        Each pane is laid out in turn, unseen (the switcher shows one at a time): a pane shown
        for the first time sized all its widgets, which then answered their Resize with another layout.
        """
        for pane_id in TABS[1:]:
            await self._build(pane_id)
        switcher = self.query_one(ContentSwitcher)
        lists = list(self.query(VirtualList).results(VirtualList))
        for pane_id in (*TABS[1:], TABS[0]):
            switcher.current = pane_id
            show_scrollbars(lists, True)  # laid out once too: a scrollbar shown the first time asked for another layout
            textual_compat.lay_out_unseen(self, self.app.size)
            await asyncio.sleep(0)  # its widgets handle their Resize before the next pane
        show_scrollbars(lists, False)
        textual_compat.lay_out_unseen(self, self.app.size)
        await asyncio.sleep(0)
        self.styled()  # just mounted: the first showing need not restyle it

    async def _build(self, pane_id: str) -> None:
        """Mount a tab's content, once per screen; returns when it is there."""
        built = self._built.get(pane_id)
        if built is not None:
            await built.wait()  # built, or being built by an earlier key
            return
        built = self._built[pane_id] = asyncio.Event()
        try:
            content = self._pane_content(pane_id)
            await self.query_one(f"#{pane_id}", Vertical).mount_all(content)
            self._mounted_in_tabs.update((f"#{w.id}", w) for w in content if w.id)
        finally:
            built.set()  # whatever happened, nobody waits for ever

    def _load_pane(self, pane_id: str) -> None:
        """Start a built tab's queries, once per profile shown."""
        if pane_id in self._read_tabs or self.profile_id is None or not self._built[pane_id].is_set():
            return
        self._read_tabs.add(pane_id)
        if pane_id == "sessions":
            self._sessions_read.clear()
            self.load_sessions()
            read = self._sessions_read
        elif pane_id == "timeline":
            timeline = self.query_one(Timeline)
            timeline.load(self.profile_id)
            read = timeline.page_read
        elif pane_id == "feedback":
            feedback = self.query_one(FeedbackList)
            feedback.show(self.profile_id)
            read = feedback.read
        elif pane_id == "identity":
            identity = self.query_one(IdentityPanel)
            identity.show(self.profile_id)
            read = identity.read
        else:
            self._show_properties()
            return
        # The tab is drawn once, with its rows, not empty and then again (a few ms, 150 at most).
        hold_updates(self.app, read)

    def _pane_widget(self, selector: str, kind: type[Widget] = Widget) -> Widget | None:
        """A widget inside a tab, or None while that tab has not been shown."""
        # A tab's own lists are kept as they were mounted: a query walks the whole screen, five times on each open.
        if (widget := self._mounted_in_tabs.get(selector)) is not None:
            return widget if isinstance(widget, kind) else None
        return next(iter(self.query(selector).results(kind)), None)

    def on_mount(self) -> None:
        hear_while_stacked(broadcasts(self).period, self.period_changed)
        self.set_interval(5.0, self.tick)
        self.query_one("#top-events", RowsList).focus(scroll_visible=False)
        if self.profile_id is not None:
            self._overview_generation += 1
            self.load_profile((self._overview_generation, self._period(), ""))

    def show(self, profile_id: int) -> None:
        """Show another profile here (called before the screen is pushed again): clear, then read."""
        self.profile_id = profile_id
        self.detail = None
        self.properties = []
        self._stale = False
        self._read_tabs = {"overview"}
        self.names_completer.profile_id = profile_id
        self.names_completer.forget()
        self.shown.clear()
        if not self.is_mounted:
            return  # read on mount
        self.query_one("#profile-header", Static).update("loading…", layout=False)
        self.query_one("#overview-stats", Static).update("", layout=False)
        for selector in ("#top-events", "#top-pages"):
            self.query_one(selector, RowsList).set_rows([], keep_cursor=False)
        self.query_one(ActivityChart).set_data((), 0, 0)
        self.query_one(GoalsBar).show(profile_id)
        self.query_one(NotesPanel).show(profile_id)
        for bar in self.query(SearchBar).results(SearchBar):
            bar.clear()
        self.show_tab("overview")  # if another was shown, its Changed focuses the top events
        self.query_one("#top-events", RowsList).focus(scroll_visible=False)
        # Tabs are emptied, and read when first shown.
        for selector in ("#session-list", "#property-list"):
            if (rows := self._pane_widget(selector, RowsList)) is not None:
                rows.set_rows([], keep_cursor=False)
        if (timeline := self._pane_widget("#timeline-list", Timeline)) is not None:
            timeline.clear()
            self.reset_timeline_filter()
        if (feedback := self._pane_widget("#feedback-tab", FeedbackList)) is not None:
            feedback.clear()
        if (identity := self._pane_widget("#identity-tab", IdentityPanel)) is not None:
            identity.clear()
        self._overview_generation += 1
        self.load_profile((self._overview_generation, self._period(), ""))

    # -- loading ------------------------------------------------------------------
    def load_profile(self, overview: tuple[int, str, str] | None = None) -> None:
        """The profile; with `overview` (generation, period, filter) its overview too, read next in the
        same thread: on opening, the overview need not wait for the header to be drawn before it is asked for."""
        profile_id = self.profile_id
        if profile_id is None:
            return

        def read() -> None:
            detail = self.reader.profile(profile_id)
            self.post_message(self.ProfileLoaded(profile_id, detail, overview[0] if overview and detail else None))
            if detail is not None and overview is not None:
                generation, period, contains = overview
                self.post_message(self.OverviewLoaded(generation, self.reader.overview(detail, period, contains)))

        read_now(self, "profile", read)

    @work(thread=True, exclusive=True, group="overview", exit_on_error=False)
    def load_overview(self, generation: int, detail: ProfileDetail, period: str, contains: str) -> None:
        overview = self.reader.overview(detail, period, contains)
        if not get_current_worker().is_cancelled:
            self.post_message(self.OverviewLoaded(generation, overview))

    def load_sessions(self) -> None:
        profile_id = self.profile_id
        if profile_id is not None:
            read_now(self, "sessions", lambda: self.post_message(self.SessionsLoaded(profile_id, self.reader.sessions(profile_id))))

    def on_profile_screen_profile_loaded(self, message: ProfileLoaded) -> None:
        if message.profile_id != self.profile_id:
            return  # read for the profile shown before
        detail = message.detail
        if detail is None:
            self.query_one("#profile-header", Static).update("This profile no longer exists (it may have been merged).", layout=False)
            self.shown.set()
            return
        self.detail = detail
        self.query_one("#profile-header", Static).update(self._header(detail), layout=False)
        self.properties = property_rows(detail.traits)
        if "properties" in self._read_tabs:
            self._show_properties()
        if message.overview_generation != self._overview_generation:
            self._reload_overview()  # none on its way, or the period or filter changed since it was asked for

    def _excluded(self) -> bool:
        return self.detail is not None and self.detail.user.excluded

    def _reload_overview(self) -> None:
        self._overview_generation += 1  # an answer on its way is stale now
        if self.detail is None:
            return  # asked for once the profile is here
        contains = self.query_one("#top-search", SearchBar).value
        self.load_overview(self._overview_generation, self.detail, self._period(), contains)

    def on_profile_screen_overview_loaded(self, message: OverviewLoaded) -> None:
        if message.generation != self._overview_generation:
            return
        o = message.overview
        stats = formatting.period_stats(Text(), self._period(), o.events, o.sessions, o.avg_session_ms)
        self.query_one("#overview-stats", Static).update(stats, layout=False)
        self.query_one("#top-events", RowsList).set_rows(list(o.top_events))
        self.query_one("#top-pages", RowsList).set_rows(list(o.top_pages))
        self.query_one(ActivityChart).set_data(o.per_day, o.since_ms, o.until_ms)
        self.shown.set()

    def on_profile_screen_sessions_loaded(self, message: SessionsLoaded) -> None:
        if message.profile_id != self.profile_id:
            return
        sessions = self._pane_widget("#session-list", RowsList)
        if sessions is not None:
            sessions.set_rows(message.sessions)
        self._sessions_read.set()

    def _period(self) -> str:
        return getattr(self.app, "period", "7d")

    def period_changed(self, _period: str) -> None:
        """The app's period changed (heard while in the app's stack: a watcher on it would keep this screen alive once closed)."""
        self._reload_overview()

    # -- live ---------------------------------------------------------------------
    def concerns(self, touched: frozenset[int], removed: frozenset[int]) -> bool:
        return self.profile_id is not None and (self.profile_id in touched or self.profile_id in removed)

    def catch_up(self) -> None:
        # Tabs not shown yet for this profile have nothing to refresh: they read the store when first shown.
        self.names_completer.forget()
        self.load_profile()
        self.query_one(GoalsBar).reload()
        self.query_one(NotesPanel).load()
        if "sessions" in self._read_tabs:
            self.load_sessions()
        if "timeline" in self._read_tabs:
            self.query_one(Timeline).refresh_newer()
        if "feedback" in self._read_tabs:
            self.query_one(FeedbackList).reload()
        if "identity" in self._read_tabs:
            self.query_one(IdentityPanel).load()

    def tick(self) -> None:
        if in_view(self) and self.detail is not None:
            self.query_one("#profile-header", Static).update(self._header(self.detail), layout=False)
            for selector in ("#timeline-list", "#session-list"):
                if (rows := self._pane_widget(selector)) is not None:
                    rows.refresh()

    # -- header -------------------------------------------------------------------
    def action_open_user(self) -> None:
        """An anonymous profile: open the (first) user it signed in as."""
        detail = self.detail
        if detail is not None and detail.merged_into_profiles:
            self.post_message(OpenProfile(detail.merged_into_profiles[0]))

    def _header(self, detail: ProfileDetail) -> Text:
        u = detail.user
        now = self.reader.now()
        tz = self.reader.clock.tz
        live = not u.excluded and now - u.last_seen < self.reader.settings.live_ms  # excluded: out of "live now" too
        out = Text(no_wrap=True, end="")
        out.append_text(safe.person(u.display_name, style="bold", is_name=bool(u.name)))
        out.append(f"  {u.kind}", style="bold" if u.kind == "identified" else "dim")
        if u.excluded:
            out.append("  excluded", style="bold red")
        if live:
            out.append("  ● live", style="bold green")
        if u.email and u.email != u.display_name:
            out.append("  ")
            out.append_text(safe.text(u.email, style="cyan"))
        out.append("\n")
        out.append("id ", style="dim")
        out.append_text(safe.text(u.id))
        if detail.anonymous_ids:
            shown = [safe.clean(a) for a in detail.anonymous_ids[:ANON_SHOWN]]
            more = len(detail.anonymous_ids) - ANON_SHOWN
            out.append(f"  anonymous ids ({len(detail.anonymous_ids)}) ", style="dim")
            out.append(", ".join(shown) + (f", +{more} more" if more > 0 else ""))
        for n, (user, at) in enumerate(detail.merged_into):
            out.append("  signed in as " if n == 0 else ", ", style="dim")
            out.append_text(safe.text(user, style="bold"))
            out.append(f" on {formatting.day(at, self.reader.clock.tz)}", style="dim")
        if detail.merged_into_profiles:
            out.append("  (o opens)", style="dim")
        out.append("\n")
        for label, value in (
            ("first seen", formatting.stamp(u.first_seen, tz)),
            ("last seen", f"{formatting.stamp(u.last_seen, tz)} ({formatting.ago(u.last_seen, now)})"),
            *_signed_up(detail, tz),
        ):
            out.append(f"{label} ", style="dim")
            out.append(value + "  ")
        out.append("\n")
        place = ", ".join(safe.clean(x) for x in (u.city, u.country) if x)
        if place:
            out.append("from ", style="dim")
            out.append(place + "  ")
        if detail.companies:
            out.append("company ", style="dim")
            out.append(", ".join(safe.clean(c) for c in detail.companies) + "  ")
        tags = [t for t in u.tags if t != "live" and t not in IDENTITY_FLAGS] + (["live"] if live else [])
        out.append("tags ", style="dim")
        out.append(", ".join(tags) if tags else "none", style="cyan")
        for flag in (f for f in IDENTITY_FLAGS if f in u.tags):
            # A warning, not a trait: the Identity tab (i) says which ids and who else.
            out.append(f"  ⚠ {flag}", style="bold yellow")
        return out

    # -- rows ---------------------------------------------------------------------
    def _session_row(self, s: SessionRow, width: int) -> Text:
        tz = self.reader.clock.tz
        excluded = self.detail is not None and self.detail.user.excluded
        live = not excluded and self.reader.now() - s.end < self.reader.settings.live_ms
        return columns_text(
            [
                (Text(" "), 1),
                (Text(formatting.long_stamp(s.start, tz)[:-3]), 20),
                (Text(formatting.duration(s.duration_ms), justify="right"), 9),
                (Text(formatting.count(s.events), justify="right"), 6),
                (Text(s.source), 8),
                (safe.text(s.entry_path or "", style="blue"), max(10, width - 58 - (22 if s.merged_into else 0))),
                (Text("● live" if live else "", style="bold green"), 6),
                # An anonymous profile's session whose events are also a user's (merged at sign-in).
                *([(safe.text("↳ " + ", ".join(s.merged_into), style="magenta"), 21)] if s.merged_into else []),
            ]
        )

    def _show_properties(self) -> None:
        text = self.query_one("#property-search", SearchBar).value
        self.query_one("#property-list", RowsList).set_rows(matching(self.properties, text))

    # -- keys, tabs, drill down ---------------------------------------------------
    def action_back(self) -> None:
        if self.leave_timeline_filter():
            return  # escape in the Timeline's filter line clears it
        self.app.pop_screen()

    async def on_tab_bar_changed(self, _message: TabBar.Changed) -> None:
        # Focus the list of the tab active *now*, not of the message's: after quick `tab` presses the older
        # messages arrive late, and focusing their pane would switch back to it (which then reports again, and
        # so on: keys typed fast could leave the screen switching tabs for ever).
        active = self.follow_tab_bar()
        await self._build(active)
        self._load_pane(active)
        if self.active_tab == active:  # still the one shown once its content is there
            # Lists fill their pane: nothing to scroll to (a scroll is another layout).
            target = self.focus_on_tab.pop(active, None) or self.query_one(TAB_FOCUS[active])
            target.focus(scroll_visible=False)

    async def action_search(self) -> None:
        if self.active_tab == "properties":
            await self._build("properties")
            self._load_pane("properties")
            self.query_one("#property-search", SearchBar).input.focus()
        else:
            self.show_tab("overview")
            self.query_one("#top-search", SearchBar).input.focus()

    def on_search_bar_changed(self, message: SearchBar.Changed) -> None:
        if message.bar.id == "timeline-filter":
            self.timeline_filter_changed(message)
        elif message.bar.id == "property-search":
            self._show_properties()
            if message.submitted:
                self.query_one("#property-list").focus()
        else:
            self._reload_overview()
            if message.submitted:
                self.query_one("#top-events").focus()

    async def on_virtual_list_selected(self, message: VirtualList.Selected) -> None:
        source = message.source
        if source.id == "top-events":
            top = source.current  # type: ignore[attr-defined]
            if top is not None:
                await self.open_timeline_of(top[0])
        elif source.id == "session-list":
            session = source.current  # type: ignore[attr-defined]
            if session is not None:
                self.app.post_message(OpenSession(self.profile_id, session.start))

    def on_timeline_open_session(self, message: Timeline.OpenSession) -> None:
        self.app.post_message(OpenSession(self.profile_id, message.session.start))

    def on_timeline_open_event(self, message: Timeline.OpenEvent) -> None:
        self.app.post_message(OpenEvent(message.event.event_id))

    def action_identity(self) -> None:
        self.show_tab("identity")

    def ticket_session(self) -> int | str | None:
        """`y` copies the session under the cursor on the Sessions tab, the session of the event (or header)
        under the cursor on the Timeline tab, and the latest session from any other tab."""
        active = self.active_tab
        if active == "sessions" and (sessions := self._pane_widget("#session-list", RowsList)) is not None:
            session = sessions.current  # type: ignore[attr-defined]
            return session.start if session is not None else None
        if active == "timeline" and (timeline := self._pane_widget("#timeline-list", Timeline)) is not None:
            items = timeline.items  # type: ignore[attr-defined]
            cursor = timeline.cursor  # type: ignore[attr-defined]
            if 0 <= cursor < len(items):
                return getattr(items[cursor], "session_id", None)
        return None


def _signed_up(detail: ProfileDetail, tz: tzinfo) -> list[tuple[str, str]]:
    """A user's sign-up date, or their first day seen, said so, when the traits give none; an anonymous
    profile never signed up (its first seen is beside it already)."""
    if detail.user.kind != "identified":
        return []
    if detail.signed_up_known:
        return [("signed up", formatting.day(detail.signed_up, tz))]
    return [("signed up", f"{formatting.day(detail.user.first_seen, tz)} (first seen)")]


def _session_header() -> Text:
    return columns_text(
        [(" ", 1), ("Start", 20), (Text("Duration", justify="right"), 9), (Text("Events", justify="right"), 6),
         ("Source", 8), ("Entry page", 30), ("Live", 6)],
    )
