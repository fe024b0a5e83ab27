"""Users (home): who was seen in the period, newest activity first, live, searchable as you type.

The search bar suggests keys, tags, states, event names and page paths as you type; a search can be
saved under a name (`ctrl+s`), recalled or deleted from the command palette, and its name shows in the
title while the bar holds its query unchanged.
"""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from ...reader import StoreReader, UserQuery
from .. import formatting, safe
from ..broadcasts import broadcasts, hear_while_stacked
from ..commands import SavedFilterProvider
from ..messages import OpenProfile
from ..search import SearchCompiled, compile_search
from ..suggest import FilterCompleter
from ..widgets.footer import Footer
from ..widgets.search_bar import SearchBar
from ..widgets.title_bar import TitleBar
from ..widgets.user_list import UserList, header_text
from ..widgets.virtual_list import VirtualList
from ..workers import ReportsWorkerErrors
from .list_export import EXPORT_LIST_BINDING, ExportsList
from .saved_filters import DeleteFilterScreen, SaveFilterScreen
from .visible import FollowsStore, in_view

TICK_S = 5.0  # live dots are re-evaluated this often, so they fade at the 10-minute mark
SEARCH_HINT = "/ search: id, name, email (or a filter: plan:pro is:live did:\"Order Completed\")"


class UsersScreen(ReportsWorkerErrors, ExportsList, FollowsStore, Screen):
    COMMANDS = {SavedFilterProvider}
    BINDINGS = [
        Binding("slash", "search", "Search", id="users.search"),
        Binding("ctrl+s", "save_filter", "Save", key_display="^s", tooltip="Save the search as a named filter", id="users.save_filter"),
        Binding("escape", "leave_search", "Leave the search bar", show=False, id="users.leave_search"),
        Binding("down", "leave_search", "Leave the search bar", show=False, id="users.search_down"),
        EXPORT_LIST_BINDING,
    ]

    class LiveCounted(Message, bubble=False):
        def __init__(self, live: int) -> None:
            super().__init__()
            self.live = live

    class FilterSaved(Message, bubble=False):
        def __init__(self, name: str, query: str) -> None:
            super().__init__()
            self.name, self.query = name, query

    class FilterDeleted(Message, bubble=False):
        def __init__(self, name: str, deleted: bool) -> None:
            super().__init__()
            self.name, self.deleted = name, deleted

    def __init__(self, reader: StoreReader) -> None:
        super().__init__(id="users-screen")
        self.reader = reader
        self.search = SearchCompiled("")
        self.matching: int | None = None
        self.live: int | None = None
        self.new_above = 0
        self.saved: tuple[str, str] | None = None  # (name, query) of the saved filter last recalled or saved
        self.completer = FilterCompleter(reader.catalog)
        self._stale = False
        self._entered = False  # enter was pressed in the bar: open the one match, once the list has it

    def compose(self) -> ComposeResult:
        yield TitleBar(Text("tui-profiles", style="bold") + Text(" · Users"), id="title")
        yield SearchBar(SEARCH_HINT, id="search", completer=self.completer)
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
        hear_while_stacked(broadcasts(self).period, self.period_changed)
        self.user_list.focus()
        self.user_list.set_query(UserQuery(period=self.period))
        self.count_live()
        self.set_interval(TICK_S, self.tick)
        self._show_status()

    def on_resize(self) -> None:
        self.query_one("#columns", Static).update(header_text(self.user_list.scrollable_content_region.width or self.size.width))

    # -- live ---------------------------------------------------------------------
    def store_changed(self, touched: frozenset[int], removed: frozenset[int]) -> None:
        self.completer.forget()  # new events may bring new names to suggest
        super().store_changed(touched, removed)

    def catch_up(self) -> None:
        self.user_list.refresh_keeping_cursor()
        self.count_live()

    def tick(self) -> None:
        if in_view(self):
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

    def on_windowed_list_loaded(self, message: UserList.Loaded) -> None:
        self.matching = message.total
        self._show_status()
        self.on_resize()
        if self._entered:
            self._answer_enter()

    def on_user_list_new_above(self, message: UserList.NewAbove) -> None:
        self.new_above = message.count
        self._show_title()

    def _show_title(self) -> None:
        left = Text("tui-profiles", style="bold") + Text(" · Users")
        name = self.active_filter_name
        if name is not None:
            left.append(" · filter ")
            left.append_text(safe.text(name, style="bold cyan"))
        if self.new_above:
            # The cursor keeps its row; what arrived above it is one key away.
            left.append(f"   ▲ {formatting.count(self.new_above)} new above (g)", style="bold yellow")
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

    def period_changed(self, period: str) -> None:
        """The app's period changed (heard while in the app's stack)."""
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
        self._show_title()  # a saved filter's name shows only while its query is unchanged
        self._entered = False
        compiled = compile_search(
            message.text, self.reader.now(), settings=self.reader.settings, dialect=self.reader.engine.dialect.name
        )
        bar = self.query_one(SearchBar)
        if compiled.error:
            if message.submitted:
                self.user_list.focus()
            bar.show_error(compiled.error)  # the list stays as it was
            return
        bar.show_error(None)
        if not (compiled.text == self.search.text and compiled.text):
            self.search = compiled
            self.user_list.set_query(UserQuery(period=self.period, condition=compiled.condition))
        if message.submitted:
            # What enter does depends on how many match: wait for the list to have counted them.
            self._entered = True
            if self.user_list.up_to_date:
                self._answer_enter()

    def _answer_enter(self) -> None:
        """Enter in the bar, the list counted: one match opens it, several go to the list, none stays and says so."""
        self._entered = False
        total = self.user_list.total
        if total == 1 and (user := self.user_list.user_at(0)) is not None:
            self.user_list.focus()  # where escape comes back to
            self.app.post_message(OpenProfile(user.profile_id))
        elif total == 0 and self.search.text:
            self.notify(f"No user matches {safe.clean(self.search.text)} in the period ({self.period}).",
                        title="No match", severity="warning", markup=False)  # fmt: skip
        else:
            self.user_list.focus()

    # -- drill down ---------------------------------------------------------------
    def on_virtual_list_selected(self, message: VirtualList.Selected) -> None:
        user = self.user_list.user_at(message.index)
        if user is not None:
            self.app.post_message(OpenProfile(user.profile_id))

    # -- saved filters ------------------------------------------------------------
    @property
    def active_filter_name(self) -> str | None:
        """The saved filter's name, while the bar holds its query unchanged."""
        if self.saved is None or self.query_one(SearchBar).value.strip() != self.saved[1].strip():
            return None
        return self.saved[0]

    def action_save_filter(self) -> None:
        text = self.query_one(SearchBar).value.strip()
        if not text:
            self.notify("Type a search first (/), then save it.", title="Nothing to save", severity="warning", markup=False)
            return
        compiled = compile_search(text, self.reader.now(), settings=self.reader.settings, dialect=self.reader.engine.dialect.name)
        if compiled.error:
            self.notify("This search does not read as a filter; fix it first.", title="Not saved", severity="warning", markup=False)
            return
        screen = SaveFilterScreen(self.reader, text, self.active_filter_name or "")
        self.app.push_screen(screen, callback=partial(self._save_as, text))

    def _save_as(self, query: str, name: str | None) -> None:
        if name:
            self.save_filter(name, query)

    @work(thread=True, group="saved-filters", exit_on_error=False)
    def save_filter(self, name: str, query: str) -> None:
        self.reader.save_filter(name, query)
        self.post_message(self.FilterSaved(name, query))

    def on_users_screen_filter_saved(self, message: FilterSaved) -> None:
        self.notify(f"Saved as {safe.clean(message.name)}: ctrl+p recalls it", title="Filter saved", markup=False)
        if self.query_one(SearchBar).value.strip() == message.query:
            self.saved = (message.name, message.query)
            self._show_title()

    def apply_saved_filter(self, name: str, query: str) -> None:
        """Put a saved filter's query in the search bar (from the command palette)."""
        self.saved = (name, query)
        self.query_one(SearchBar).set_value(query)
        self.user_list.focus()
        self._show_title()

    def delete_saved_filter(self, name: str, query: str) -> None:
        """Ask, then delete a saved filter for everyone on the store (from the command palette)."""

        def answered(delete: bool | None) -> None:
            if delete:
                self.delete_filter(name)

        self.app.push_screen(DeleteFilterScreen(name, query), callback=answered)

    @work(thread=True, group="saved-filters", exit_on_error=False)
    def delete_filter(self, name: str) -> None:
        deleted = self.reader.delete_filter(name)
        self.post_message(self.FilterDeleted(name, deleted))

    def on_users_screen_filter_deleted(self, message: FilterDeleted) -> None:
        shown = safe.clean(message.name)
        if message.deleted:
            self.notify(f"Deleted the saved filter {shown}", title="Filter deleted", markup=False)
        else:
            self.notify(f"No saved filter is named {shown} any more", title="Nothing deleted", severity="warning", markup=False)
        if self.saved is not None and self.saved[0] == message.name:
            self.saved = None
            self._show_title()
