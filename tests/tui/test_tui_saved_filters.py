"""Saved filters on the Users screen: save the search under a name (ctrl+s), recall it from the command
palette in this app or the next one (it is in the store, SQLite or PostgreSQL), see its name in the
title while the query is unchanged, delete it from the palette."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.support import build_store, demo_journal, ingest, make_app, screen_text, settle
from tui_profiles.tui.screens.profile import ProfileScreen
from tui_profiles.tui.screens.saved_filters import DeleteFilterScreen, SaveFilterScreen
from tui_profiles.tui.screens.users import UsersScreen
from tui_profiles.tui.widgets.search_bar import SearchBar
from tui_profiles.tui.widgets.title_bar import TitleBar
from tui_profiles.tui.widgets.user_list import UserList

SIZE = (120, 40)
HOSTILE_FILTER_NAME = "[@click=app.quit]buyers [/"


@pytest.fixture
def store(tmp_path: Path) -> str:
    return build_store(tmp_path / "store")


def title(app) -> str:  # noqa: ANN001
    return app.screen.query_one(TitleBar).left.plain


def listed(app) -> list[str]:  # noqa: ANN001
    users = app.screen.query_one(UserList)
    return [users.user_at(i).id for i in range(users.total)]


async def search_for(pilot, text: str) -> None:  # noqa: ANN001
    """Type a search and move to the list (`enter` would open the profile when one matches)."""
    await pilot.press("/", *text)
    await pilot.pause(0.3)  # the bar announces what was typed once typing pauses
    await settle(pilot)
    pilot.app.screen.query_one(UserList).focus()
    await settle(pilot)


async def save_as(pilot, name: str) -> None:  # noqa: ANN001
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(pilot.app.screen, SaveFilterScreen)
    await pilot.press(*name, "enter")
    await settle(pilot)


async def palette(pilot, text: str) -> None:  # noqa: ANN001
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause(0.5)
    await settle(pilot)


async def test_save_then_recall_in_the_next_app_from_the_palette(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search_for(pilot, "is:live")
        await save_as(pilot, "live now")
        assert isinstance(app.screen, UsersScreen)
        assert [(f.name, f.query) for f in app.reader.saved_filters()] == [("live now", "is:live")]
        assert title(app).endswith("Users · filter live now")
    app.reader.engine.dispose()

    app = make_app(store)  # a restart: the filter comes from the store
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert listed(app)[:3] == ["user-alice", "user-bob", "[@click=app.quit]mallory"]
        await palette(pilot, "live now")
        assert "Filter: live now" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause(0.2)
        await settle(pilot)
        assert app.screen.query_one(SearchBar).value == "is:live"
        assert listed(app) == ["user-alice", "user-bob"]
        assert "filter live now" in title(app)
        assert app.screen.query_one(UserList).has_focus
        # Changing the query drops the name from the title; typing it back brings it back.
        await pilot.press("/", *" tag:buyer")
        await pilot.pause(0.3)
        await settle(pilot)
        assert "filter" not in title(app) and listed(app) == ["user-alice"]
        for _ in " tag:buyer":
            await pilot.press("backspace")
        await pilot.pause(0.3)
        await settle(pilot)
        assert "filter live now" in title(app)
    app.reader.engine.dispose()


async def test_the_saved_filter_stays_when_drilling_into_a_profile_and_back(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search_for(pilot, 'did:"Order Completed"')
        await save_as(pilot, "buyers")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert listed(app) == ["user-alice"] and "filter buyers" in title(app)


async def test_saving_asks_for_a_name_and_says_when_it_replaces_one(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")  # nothing typed: nothing to save, no dialog
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen) and app.reader.saved_filters() == []
        await search_for(pilot, "tag:buyer")
        await save_as(pilot, "team")
        await search_for(pilot, " is:live")
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SaveFilterScreen)
        await pilot.press(*"team")
        await settle(pilot)
        assert "replaces the saved filter of that name: tag:buyer" in screen_text(app)
        await pilot.press("escape")  # cancelled: nothing changes
        await settle(pilot)
        assert [(f.name, f.query) for f in app.reader.saved_filters()] == [("team", "tag:buyer")]
        await save_as(pilot, "team")
        assert [(f.name, f.query) for f in app.reader.saved_filters()] == [("team", "tag:buyer is:live")]


async def test_a_query_that_does_not_parse_is_not_saved(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search_for(pilot, "seen:<")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen) and app.reader.saved_filters() == []


async def test_delete_from_the_palette_after_asking(store: str) -> None:
    app = make_app(store)
    app.reader.save_filter("buyers", "tag:buyer")
    app.reader.save_filter("live", "is:live")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette(pilot, "Filter: buyers")
        await pilot.press("enter")
        await pilot.pause(0.2)
        await settle(pilot)
        assert "filter buyers" in title(app)
        await palette(pilot, "delete buyers")
        assert "Delete filter: buyers" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DeleteFilterScreen)
        await pilot.press("n")  # kept
        await settle(pilot)
        assert [f.name for f in app.reader.saved_filters()] == ["buyers", "live"]
        await palette(pilot, "delete buyers")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert [f.name for f in app.reader.saved_filters()] == ["live"]
        assert "filter" not in title(app)  # the deleted one's name is gone
        assert app.screen.query_one(SearchBar).value == "tag:buyer"  # the search itself stays


async def test_hostile_filter_names_are_shown_literally(store: str) -> None:
    app = make_app(store)
    app.reader.save_filter(HOSTILE_FILTER_NAME, "tag:buyer")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette(pilot, "buyers")
        assert f"Filter: {HOSTILE_FILTER_NAME}" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause(0.2)
        await settle(pilot)
        assert app.is_running
        assert title(app).endswith(f"filter {HOSTILE_FILTER_NAME}")
        assert HOSTILE_FILTER_NAME in screen_text(app)


async def test_saved_filters_are_shared_through_the_store(tmp_path: Path, db_url: str) -> None:
    """Two apps on one store (a team on PostgreSQL): what one saves, the other recalls."""
    ingest(db_url, [demo_journal().write(tmp_path / "events.jsonl")])
    first, second = make_app(db_url), make_app(db_url)
    async with first.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search_for(pilot, 'did:"Order Completed".total:>100')
        await save_as(pilot, "big orders")
    async with second.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette(pilot, "big orders")
        await pilot.press("enter")
        await pilot.pause(0.2)
        await settle(pilot)
        assert listed(second) == ["user-alice"] and "filter big orders" in title(second)
    first.reader.engine.dispose()
    second.reader.engine.dispose()
