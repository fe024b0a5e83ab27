"""Users (home): who was seen in the period, newest activity first, live, searchable as you type."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from .. import formatting
from ..reader import StoreReader, UserQuery
from ..search import SearchCompiled, compile_search
from ..widgets.search_bar import SearchBar
from ..widgets.title_bar import TitleBar
from ..widgets.user_list import UserList, header_text
from ..widgets.virtual_list import VirtualList
from ..workers import ReportsWorkerErrors

TICK_S = 5.0  # live dots are re-evaluated this often, so they fade at the 10-minute mark
SEARCH_HINT = "/ search: id, name, email (or a filter: plan:pro is:live did:\"Order Completed\")"


class UsersScreen(ReportsWorkerErrors, Screen):
    BINDINGS = [
        Binding("slash", "search", "Search", id="users.search"),
        Binding("escape", "leave_search", "Leave the search bar", show=False, id="users.leave_search"),
        Binding("down", "leave_search", "Leave the search bar", show=False, id="users.search_down"),
    ]

    class LiveCounted(Message, bubble=False):
        def __init__(self, live: int) -> None:
            super().__init__()
            self.live = live

    def __init__(self, reader: StoreReader) -> None:
        super().__init__(id="users-screen")
        self.reader = reader
        self.search = SearchCompiled("")
        self.matching: int | None = None
        self.live: int | None = None
        self._stale = False

    def compose(self) -> ComposeResult:
        yield TitleBar(Text("tui-profiles", style="bold") + Text(" · Users"), id="title")
        yield SearchBar(SEARCH_HINT, id="search")
        yield Static(id="columns", markup=False)
        yield UserList(self.reader, id="users")
        yield Footer()

    @property
    def user_list(self) -> UserList:
        return self.query_one(UserList)

    @property
    def period(self) -> str:
        return getattr(self.app, "period", "7d")

    def on_mount(self) -> None:
        self.user_list.focus()
        self.user_list.set_query(UserQuery(period=self.period))
        self.count_live()
        self.set_interval(TICK_S, self.tick)
        self.watch(self.app, "period", self._period_changed, init=False)
        self._show_status()

    def on_resize(self) -> None:
        self.query_one("#columns", Static).update(header_text(self.user_list.scrollable_content_region.width or self.size.width))

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.user_list.refresh_keeping_cursor()
            self.count_live()

    # -- live ---------------------------------------------------------------------
    def store_changed(self, touched: frozenset[int], removed: frozenset[int]) -> None:
        if not self.is_current:
            self._stale = True  # refreshed when we come back, not while hidden
            return
        self.user_list.refresh_keeping_cursor()
        self.count_live()

    def tick(self) -> None:
        if self.is_current:
            self.user_list.refresh()  # dots fade by the clock, without a query
            self.count_live()

    @work(thread=True, exclusive=True, group="live-count", exit_on_error=False)
    def count_live(self) -> None:
        live = self.reader.live_count()
        if not get_current_worker().is_cancelled:
            self.post_message(self.LiveCounted(live))

    def on_users_screen_live_counted(self, message: LiveCounted) -> None:
        self.live = message.live
        self._show_status()

    def on_user_list_loaded(self, message: UserList.Loaded) -> None:
        self.matching = message.total
        self._show_status()
        self.on_resize()

    def on_user_list_new_above(self, message: UserList.NewAbove) -> None:
        left = Text("tui-profiles", style="bold") + Text(" · Users")
        if message.count:
            # The cursor keeps its row; what arrived above it is one key away.
            left.append(f"   ▲ {formatting.count(message.count)} new above (g)", style="bold yellow")
        self.query_one(TitleBar).left = left

    def _show_status(self) -> None:
        right = Text()
        if self.live is not None:
            right.append("● ", style="bold green" if self.live else "dim")
            right.append(f"{formatting.count(self.live)} live now", style="bold" if self.live else "dim")
            right.append("  ·  ")
        if self.matching is not None:
            right.append(formatting.count(self.matching), style="bold")
            right.append(" matching" if self.search.text else " users")
            right.append("  ·  ")
        right.append("period ")
        right.append(self.period if self.period == "all" else f"last {self.period}", style="bold reverse")
        self.query_one(TitleBar).right = right

    def _period_changed(self, period: str) -> None:
        self._show_status()
        self.user_list.set_query(UserQuery(period=period, condition=self.search.condition))

    # -- search -------------------------------------------------------------------
    def action_search(self) -> None:
        self.query_one(SearchBar).input.focus()

    def action_leave_search(self) -> None:
        if self.query_one(SearchBar).input.has_focus:
            self.user_list.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_search":
            return self.query_one(SearchBar).input.has_focus
        return True

    def on_search_bar_changed(self, message: SearchBar.Changed) -> None:
        if message.submitted:
            self.user_list.focus()
        compiled = compile_search(
            message.text, self.reader.now(), settings=self.reader.settings, dialect=self.reader.engine.dialect.name
        )
        bar = self.query_one(SearchBar)
        if compiled.error:
            bar.show_error(compiled.error)  # the list stays as it was
            return
        bar.show_error(None)
        if compiled.text == self.search.text and compiled.text:
            return
        self.search = compiled
        self.user_list.set_query(UserQuery(period=self.period, condition=compiled.condition))

    # -- drill down ---------------------------------------------------------------
    def on_virtual_list_selected(self, message: VirtualList.Selected) -> None:
        user = self.user_list.user_at(message.index)
        if user is not None:
            self.app.open_profile(user.profile_id)  # type: ignore[attr-defined]

