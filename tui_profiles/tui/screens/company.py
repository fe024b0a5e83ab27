"""Company: who it is (name, id, traits), what its members did over the period, who is live, and its users."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from ...reader import StoreReader
from ...store.companies import CompanyDetail
from ...store.queries import UserRow
from .. import formatting, safe
from ..broadcasts import broadcasts, hear_while_stacked
from ..messages import OpenProfile
from ..widgets.footer import Footer
from ..widgets.property_rows import property_rows
from ..widgets.rows_list import RowsList
from ..widgets.title_bar import TitleBar
from ..widgets.top_counts import top_lists
from ..widgets.user_list import UserList, header_text
from ..widgets.virtual_list import VirtualList, columns_text
from ..workers import ReportsWorkerErrors
from .visible import FollowsStore, in_view

TICK_S = 5.0
TRAITS_SHOWN = 8


class CompanyScreen(ReportsWorkerErrors, FollowsStore, Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="company.back"),
    ]

    DEFAULT_CSS = """
    CompanyScreen #company-header {
        height: auto; max-height: 3; text-wrap: nowrap; text-overflow: ellipsis; padding: 0 1; background: $boost;
    }
    CompanyScreen #company-stats { height: 1; padding: 0 1; }
    CompanyScreen #company-tops { height: 8; }
    CompanyScreen #company-tops > Vertical { width: 1fr; height: 1fr; padding-right: 1; }
    """

    class DetailLoaded(Message, bubble=False):
        def __init__(self, generation: int, detail: CompanyDetail | None) -> None:
            super().__init__()
            self.generation, self.detail = generation, detail

    def __init__(self, reader: StoreReader, company_id: str) -> None:
        super().__init__()
        self.reader = reader
        self.company_id = company_id
        self.detail: CompanyDetail | None = None
        self._generation = 0
        self._stale = False

    def compose(self) -> ComposeResult:
        yield TitleBar(Text("tui-profiles", style="bold") + Text(" · Company"), id="title")
        yield Static("loading…", id="company-header", markup=False)
        yield Static("", id="company-stats", markup=False)
        with Horizontal(id="company-tops"):
            yield from top_lists("company-events", "company-pages")
            with Vertical():
                yield Static(Text("Live now", style="bold"), classes="list-title", id="company-live-title")
                yield RowsList(self._live_line, identity=lambda u: u.profile_id, empty="nobody live", id="company-live")
        yield Static(Text("Users", style="bold"), classes="list-title", id="company-users-title")
        yield Static(id="columns", markup=False)
        yield UserList(self.reader, id="company-users")
        yield Footer()

    @property
    def users(self) -> UserList:
        return self.query_one(UserList)

    def on_mount(self) -> None:
        hear_while_stacked(broadcasts(self).period, self.period_changed)
        self.users.focus()
        self.users.set_query(self.reader.company_members(self.company_id))
        self._reload()
        self.set_interval(TICK_S, self.tick)

    def on_resize(self) -> None:
        self.query_one("#columns", Static).update(header_text(self.users.scrollable_content_region.width or self.size.width))

    # -- loading ------------------------------------------------------------------
    @property
    def period(self) -> str:
        return getattr(self.app, "period", "7d")

    def _reload(self) -> None:
        self._generation += 1
        self.load_detail(self._generation, self.period)

    @work(thread=True, exclusive=True, group="company", exit_on_error=False)
    def load_detail(self, generation: int, period: str) -> None:
        detail = self.reader.company(self.company_id, period)
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailLoaded(generation, detail))

    def on_company_screen_detail_loaded(self, message: DetailLoaded) -> None:
        if message.generation != self._generation:
            return
        detail = message.detail
        if detail is None:
            self.query_one("#company-header", Static).update(
                Text("This company is no longer in the store (its members' data may have been erased).")
            )
            return
        self.detail = detail
        self.query_one("#company-header", Static).update(self._header(detail))
        self.query_one("#company-stats", Static).update(self._stats(detail))
        self.query_one("#company-events", RowsList).set_rows(list(detail.top_events))
        self.query_one("#company-pages", RowsList).set_rows(list(detail.top_pages))
        self.query_one("#company-live", RowsList).set_rows(list(detail.live_users))
        title = Text("Live now ", style="bold") + Text(f"({formatting.count(len(detail.live_users))})", style="dim")
        self.query_one("#company-live-title", Static).update(title)
        self.query_one(TitleBar).right = Text.assemble(
            ("period ", ""), (self.period if self.period == "all" else f"last {self.period}", "bold reverse")
        )

    def on_windowed_list_loaded(self, message: UserList.Loaded) -> None:
        title = Text("Users ", style="bold") + Text(f"({formatting.count(message.total)}, enter opens one)", style="dim")
        self.query_one("#company-users-title", Static).update(title)
        self.on_resize()

    def period_changed(self, _period: str) -> None:
        """The app's period changed (heard while in the app's stack)."""
        self._reload()

    # -- live ---------------------------------------------------------------------
    def catch_up(self) -> None:
        self._reload()
        self.users.refresh_keeping_cursor()

    def tick(self) -> None:
        if in_view(self):
            self.users.refresh()
            self.query_one("#company-live", RowsList).refresh()

    # -- text ---------------------------------------------------------------------
    def _header(self, detail: CompanyDetail) -> Text:
        c = detail.company
        tz = self.reader.clock.tz
        out = Text(no_wrap=True, end="")
        out.append_text(safe.text(c.display_name, style="bold"))
        out.append("  company", style="bold")
        out.append("  id ", style="dim")
        out.append_text(safe.text(c.id))
        out.append("\n")
        out.append("users ", style="dim")
        out.append(formatting.count(c.users) + "  ", style="bold")
        out.append("first seen ", style="dim")
        out.append(formatting.stamp(c.first_seen, tz) + "  ")
        out.append("last seen ", style="dim")
        out.append(f"{formatting.stamp(c.last_seen, tz)} ({formatting.ago(c.last_seen, self.reader.now())})")
        out.append("\n")
        out.append("traits ", style="dim")
        rows = property_rows(detail.traits, key="company")
        if not rows:
            out.append("none", style="dim")
        for i, (key, value) in enumerate(rows[:TRAITS_SHOWN]):
            if i:
                out.append("  ")
            out.append(key, style="cyan")  # both already cleaned by property_rows
            out.append("=")
            out.append(value)
        if len(rows) > TRAITS_SHOWN:
            out.append(f"  +{len(rows) - TRAITS_SHOWN} more", style="dim")
        return out

    def _stats(self, detail: CompanyDetail) -> Text:
        return formatting.period_stats(Text(no_wrap=True, end=""), self.period, detail.events, detail.sessions, detail.avg_session_ms)

    def _live_line(self, user: UserRow, width: int) -> Text:
        name = safe.person(user.display_name, is_name=bool(user.name), style="bold" if user.kind == "identified" else "")
        return columns_text(
            [
                (Text("●", style="bold green"), 1),
                (name, max(6, width - 11)),
                (Text(formatting.ago(user.last_seen, self.reader.now()), style="dim"), 8),
            ]
        )

    # -- keys and drill down ------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def on_virtual_list_selected(self, message: VirtualList.Selected) -> None:
        source = message.source
        user: UserRow | None = None
        if isinstance(source, UserList):
            user = source.user_at(message.index)
        elif source.id == "company-live":
            user = source.current  # type: ignore[attr-defined]
        if user is not None:
            self.app.post_message(OpenProfile(user.profile_id))

