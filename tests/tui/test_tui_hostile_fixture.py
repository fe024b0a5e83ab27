"""fixtures/hostile.jsonl (written by the real client libraries) through every screen: shown literally, nothing obeyed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.support import ingest, make_app, screen_text, settle
from tui_profiles.tui import safe
from tui_profiles.tui.screens.event import EventScreen
from tui_profiles.tui.screens.profile import ProfileScreen
from tui_profiles.tui.screens.session import SessionScreen
from tui_profiles.tui.widgets.user_list import UserList

HOSTILE = Path(__file__).resolve().parents[2] / "fixtures" / "hostile.jsonl"
SIZE = (120, 40)
# What must never reach the terminal from the data: escapes and bidi controls.
RAW = ("\x1b", "\x07", "\u202e", "\u202c")


@pytest.fixture
def store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/store.db"
    ingest(url, [HOSTILE])
    return url


def assert_inert(text: str) -> None:
    for char in RAW:
        assert char not in text, f"{char!r} reached the screen"


async def test_every_screen_shows_the_hostile_fixture_literally(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p", "p", "p")  # all: the fixture's events are from 2024
        await settle(pilot)
        users = app.screen.query_one(UserList)
        names = [users.user_at(i).display_name for i in users.visible_range()]
        text = screen_text(app)
        assert_inert(text)
        assert "\\e[31mred\\e[0m" in text  # the identified user's name, escapes made visible
        assert safe.clean("\u202eevil\u202c") in text  # the anonymous id with a bidi override
        # Open each profile, walk its tabs, a session and an event.
        for index in range(len(names)):
            users.set_cursor(index)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ProfileScreen)
            for _ in range(6):  # every tab, Identity (the hostile anonymous ids) included
                assert_inert(screen_text(app))
                await pilot.press("tab")
                await settle(pilot)
            await pilot.press("tab")  # sessions
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, SessionScreen)
            assert_inert(screen_text(app))
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, EventScreen)
            for _ in range(3):
                assert_inert(screen_text(app))
                await pilot.click(offset=(20, 8))  # on the data itself
                await pilot.press("tab")
                await settle(pilot)
            assert app.is_running
            await pilot.press("escape", "escape", "escape")
            await settle(pilot)
        assert app.is_running


async def test_the_hostile_identified_profile_reads_literally(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p", "p", "p", "/", *"[bold]x", "enter")  # one match: enter opens it
        await settle(pilot)
        text = screen_text(app)
        assert "id [bold]x[/bold]  anonymous ids (1) [@click=app.quit]quit[/]" in text
        assert "\\e[31mred\\e[0m" in text and "[/@example.com" in text
        await pilot.press("tab", "tab")
        await settle(pilot)
        text = screen_text(app)
        assert "/[@click=app.quit]quit[/]" in text  # the page path
        assert "[bold]x[/bold]=[bold]x[/bold]" in text and "\\e]0;title\\x07" in text
        assert_inert(text)
