"""Companies list and Company screen driven by keys: search, open, drill into users, from a profile and from the palette."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.teams import HOSTILE_GROUP, HOSTILE_GROUP_NAME, build_teams_store, make_teams_app
from tests.tui.support import HOSTILE_KEY, HOSTILE_OSC, HOSTILE_PATH, Notes, screen_text, settle
from tui_profiles.tui import safe
from tui_profiles.tui.screens.companies import CompaniesScreen
from tui_profiles.tui.screens.company import CompanyScreen
from tui_profiles.tui.screens.company_picker import CompanyPicker
from tui_profiles.tui.screens.profile import ProfileScreen
from tui_profiles.tui.screens.users import UsersScreen
from tui_profiles.tui.widgets.company_list import CompanyList
from tui_profiles.tui.widgets.rows_list import RowsList
from tui_profiles.tui.widgets.search_bar import SearchBar
from tui_profiles.tui.widgets.user_list import UserList

SIZE = (120, 40)
RAW = ("\x1b", "\x07", "\u202e", "\u202c")


@pytest.fixture
def store(tmp_path: Path) -> str:
    return build_teams_store(tmp_path / "store")


@pytest.fixture
def any_store(tmp_path: Path, db_url: str) -> str:
    """The same store on SQLite and on PostgreSQL (the search is a case-insensitive match on each)."""
    return build_teams_store(tmp_path / "store", db_url)


def listed(companies: CompanyList) -> list[str]:
    return [companies.company_at(i).display_name for i in range(companies.total)]


def members(screen: CompanyScreen) -> list[str]:
    users = screen.query_one(UserList)
    return [users.user_at(i).display_name for i in range(users.total)]


async def open_user(pilot, text: str) -> None:  # noqa: ANN001
    """From the user list: search for `text` (replacing an earlier search), open the first match."""
    await pilot.press("/")
    pilot.app.screen.query_one(SearchBar).input.value = ""
    await pilot.press(*text, "enter")
    await settle(pilot)
    if not isinstance(pilot.app.screen, ProfileScreen):  # several matched: enter went to the list
        await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ProfileScreen)


async def test_companies_list_search_open_a_company_and_one_of_its_users(any_store: str) -> None:
    app = make_teams_app(any_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, CompaniesScreen)
        companies = app.screen.query_one(CompanyList)
        # Most recently active first: Bob's export in Acme 8 minutes ago, Mallory's company 40 minutes ago.
        assert listed(companies) == ["Acme Inc", HOSTILE_GROUP_NAME, "Globex"]
        text = screen_text(app)
        assert "3 companies" in text
        assert "Acme Inc" in text and "acme" in text and "Globex" in text
        # Its own search bar: a part of the name or the id, any case.
        await pilot.press("/", *"GLOB", "enter")
        await settle(pilot)
        assert listed(companies) == ["Globex"]
        assert "1 matching" in screen_text(app)
        assert companies.has_focus  # enter leaves the bar for the list
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen) and app.screen.company_id == "globex"
        text = screen_text(app)
        assert "Globex  company  id globex" in text
        assert "users 2" in text and "plan=startup" in text
        assert members(app.screen) == ["Bob Stone", "Carol Ng"]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        assert "Carol Ng  identified" in screen_text(app)
        # Back the way we came: company, the list (search kept), users.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CompaniesScreen) and listed(companies) == ["Globex"]
        await pilot.press("/")
        app.screen.query_one("#company-search").input.value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert len(listed(companies)) == 3
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)


async def test_company_screen_figures_follow_the_period_and_list_who_is_live(store: str) -> None:
    app = make_teams_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        await pilot.press("enter")  # Acme, on top
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompanyScreen) and screen.company_id == "acme"
        text = screen_text(app)
        assert "Acme Inc  company  id acme" in text
        # First seen: Bob's group call, five days ago; last seen: his export in Acme, 8 minutes ago.
        assert "users 2  first seen 2026-11-15 12:02  last seen 2026-11-20 11:52 (7m ago)" in text
        assert "name=Acme Inc  plan=enterprise  employees=120  website=acme.example" in text
        assert "last 7d   events 16   sessions 4   avg session 10m 20s" in text
        assert "Live now (2)" in text
        live = screen.query_one("#company-live", RowsList)
        assert [u.display_name for u in live.rows] == ["Alice Martin", "Bob Stone"]
        tops = screen.query_one("#company-events", RowsList)
        assert ("Survey Responded", 2) in tops.rows and ("Report Exported", 1) in tops.rows
        assert members(screen) == ["Alice Martin", "Bob Stone"]
        # p widens the period: Alice's anonymous visit 20 days ago now counts.
        await pilot.press("p")
        await settle(pilot)
        assert "last 30d   events 18   sessions 5" in screen_text(app)
        # The live list opens a profile too.
        live.focus()
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        assert "Bob Stone  identified" in screen_text(app)


async def test_a_company_from_the_profile_and_from_the_palette(store: str) -> None:
    app = make_teams_app(store)
    notes = Notes()
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await settle(pilot)
        # Alice is in one company: c opens it.
        await open_user(pilot, "alice")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen) and app.screen.company_id == "acme"
        await pilot.press("escape", "escape")
        await settle(pilot)
        # Bob is in two: c asks which.
        await open_user(pilot, "bob")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CompanyPicker)
        assert "Open which company?" in screen_text(app) and "Globex" in screen_text(app)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen) and app.screen.company_id == "globex"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("escape")  # changed my mind
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        await pilot.press("escape")
        await settle(pilot)
        # An anonymous visitor is in none: it says so.
        await open_user(pilot, "anon-0003")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        assert any("in no company" in n for n in notes.said)
        await pilot.press("escape")
        await settle(pilot)
        # The palette finds a company by a part of its name.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"globex")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen) and app.screen.company_id == "globex"


async def test_the_palette_opens_the_companies_and_cohorts_screens(store: str) -> None:
    app = make_teams_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Cohorts and")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "cohorts-screen"


async def test_a_hostile_company_reads_literally(store: str) -> None:
    app = make_teams_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        text = screen_text(app)
        for char in RAW:
            assert char not in text
        assert safe.clean(HOSTILE_GROUP_NAME) in text and HOSTILE_GROUP in text
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen) and app.screen.company_id == HOSTILE_GROUP
        text = screen_text(app)
        for char in RAW:
            assert char not in text
        assert f"{safe.clean(HOSTILE_GROUP_NAME)}  company  id {HOSTILE_GROUP}" in text
        assert f"{HOSTILE_KEY}={safe.clean(HOSTILE_OSC)}" in text and safe.clean(HOSTILE_PATH) in text
        await pilot.click(offset=(20, 1))  # on the name: nothing to click
        await pilot.click(offset=(30, 2))
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, CompanyScreen)
