"""Companies: every company (group) by last activity, searchable by a part of its id or name."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from ...reader import StoreReader
from .. import formatting
from ..messages import OpenCompany
from ..widgets.company_list import CompanyList, header_text
from ..widgets.footer import Footer
from ..widgets.search_bar import SearchBar
from ..widgets.title_bar import TitleBar
from ..widgets.virtual_list import VirtualList
from .visible import FollowsStore

SEARCH_HINT = "/ search companies: a part of the id or the name"


class CompaniesScreen(FollowsStore, Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="companies.back"),
        Binding("slash", "search", "Search", id="companies.search"),
        Binding("down", "leave_search", "Leave the search bar", show=False, id="companies.search_down"),
    ]

    def __init__(self, reader: StoreReader) -> None:
        super().__init__(id="companies-screen")
        self.reader = reader
        self._stale = False

    def compose(self) -> ComposeResult:
        yield TitleBar(Text("tui-profiles", style="bold") + Text(" · Companies"), id="title")
        yield SearchBar(SEARCH_HINT, id="company-search")
        yield Static(id="columns", markup=False)
        yield CompanyList(self.reader, id="companies")
        yield Footer()

    @property
    def company_list(self) -> CompanyList:
        return self.query_one(CompanyList)

    def on_mount(self) -> None:
        self.company_list.focus()
        self.company_list.set_search("")

    def on_resize(self) -> None:
        width = self.company_list.scrollable_content_region.width or self.size.width
        self.query_one("#columns", Static).update(header_text(width))

    # -- live ---------------------------------------------------------------------
    def catch_up(self) -> None:
        self.company_list.reload()

    def on_windowed_list_loaded(self, message: CompanyList.Loaded) -> None:
        right = Text()
        right.append(formatting.count(message.total), style="bold")
        right.append(" matching" if self.company_list.search else " companies")
        self.query_one(TitleBar).right = right
        self.on_resize()

    # -- keys ---------------------------------------------------------------------
    def action_back(self) -> None:
        bar = self.query_one(SearchBar)
        if bar.input.has_focus:
            self.company_list.focus()
        else:
            self.app.pop_screen()

    def action_search(self) -> None:
        self.query_one(SearchBar).input.focus()

    def action_leave_search(self) -> None:
        self.company_list.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_search":
            return self.query_one(SearchBar).input.has_focus
        return True

    def on_search_bar_changed(self, message: SearchBar.Changed) -> None:
        if message.submitted:
            self.company_list.focus()
        text = message.text.strip()
        if text != self.company_list.search:
            self.company_list.set_search(text)

    def on_virtual_list_selected(self, message: VirtualList.Selected) -> None:
        company = self.company_list.company_at(message.index)
        if company is not None:
            self.app.post_message(OpenCompany(company.id))
