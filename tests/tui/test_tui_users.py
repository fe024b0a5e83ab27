"""The Users screen driven by keys: list, search as you type, period switch, palette, windowing, live refresh."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from tests.tui.support import (
    HOSTILE_EMAIL,
    HOSTILE_NAME,
    MIN,
    NOW,
    Journal,
    build_store,
    demo_journal,
    ingest_later,
    make_app,
    screen_text,
    settle,
)
from tui_profiles.config import Settings
from tui_profiles.domain.clock import Clock
from tui_profiles.reader import StoreReader, UserQuery
from tui_profiles.store.batch import BatchResult
from tui_profiles.store.engine import make_engine
from tui_profiles.tui.app import ProfilesApp
from tui_profiles.tui.screens.profile import ProfileScreen
from tui_profiles.tui.screens.users import UsersScreen
from tui_profiles.tui.widgets.search_bar import SearchBar
from tui_profiles.tui.widgets.user_list import WINDOW, UserList

SIZE = (120, 40)


@pytest.fixture
def store(tmp_path: Path) -> str:
    return build_store(tmp_path / "store")


def names_on_screen(app) -> list[str]:  # noqa: ANN001
    users = app.screen.query_one(UserList)
    return [users.user_at(i).display_name for i in users.visible_range() if users.user_at(i)]


async def test_home_lists_users_newest_first_with_counts_in_the_header(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        # Default period 7d: the four anonymous visitors seen 8+ days ago are left out.
        assert names_on_screen(app)[:5] == ["Alice Martin", "Bob Stone", HOSTILE_NAME, "anon-0000", "Carol Ng"]
        text = screen_text(app)
        # 10 users = Alice, Bob, Mallory, Carol, anon-alice (Alice's own anonymous profile, last seen 3 days ago), 4 visitors.
        assert "2 live now" in text and "10 users" in text and "last 7d" in text
        first = text.splitlines()[3]
        assert first.startswith("● Alice Martin") and "identified" in first and "2m ago" in first and "DE" in first


async def test_period_switch_cycles_and_refilters(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = []
        for _ in range(5):
            await pilot.press("p")
            await settle(pilot)
            seen.append((app.period, app.screen.query_one(UserList).total))
        # anon-alice (last seen 3 days ago) is one of them from 7d up; not in the last 24h.
        assert seen == [("30d", 25), ("90d", 45), ("all", 45), ("24h", 4), ("7d", 10)]
        assert "last 7d" in screen_text(app)


async def test_search_filters_as_you_type_and_escape_returns_to_the_list(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("/")
        assert app.screen.query_one(SearchBar).input.has_focus
        await pilot.press(*"acme")
        await pilot.pause(0.3)  # the bar waits for a pause in typing
        await settle(pilot)
        assert names_on_screen(app) == ["Alice Martin"]
        assert "1 matching" in screen_text(app)
        await pilot.press("escape")
        assert app.screen.query_one(UserList).has_focus
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        await pilot.press("escape")
        await settle(pilot)
        # The search is kept when coming back from a profile.
        assert names_on_screen(app) == ["Alice Martin"]
        assert app.screen.query_one(SearchBar).value == "acme"


async def test_search_matches_anonymous_ids_and_enter_moves_to_the_list(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("/", *"anon-alice", "enter")
        await settle(pilot)
        # Her anonymous id is merged into her profile and is also its own anonymous profile, listed after her.
        assert names_on_screen(app) == ["Alice Martin", "anon-alice"]
        assert app.screen.query_one(UserList).has_focus


async def test_hostile_search_text_is_matched_literally(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("/", *"[bold]", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ProfileScreen"  # the one match, opened
        await pilot.press("escape")
        await settle(pilot)
        assert names_on_screen(app) == [HOSTILE_NAME]
        await pilot.press("/", *(["backspace"] * 6), *"100%", "enter")
        await settle(pilot)
        assert names_on_screen(app) == []
        assert "0 matching" in screen_text(app)


async def test_palette_jumps_to_a_user_by_email(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"bob@example")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        assert "Bob Stone" in screen_text(app)


async def test_palette_shows_hostile_names_literally(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"mallory")
        await pilot.pause(0.5)
        await settle(pilot)
        text = screen_text(app)
        assert HOSTILE_NAME in text
        assert "[@click=app.quit]mallory" in text
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, ProfileScreen)


async def test_hostile_row_is_shown_literally_and_clicking_it_runs_nothing(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = next(line for line in screen_text(app).splitlines() if "Mallory" in line)
        assert row.lstrip().startswith("[bold]Mallory[/bold] [@click=app.quit]x"[:20])
        users = app.screen.query_one(UserList)
        index = names_on_screen(app).index(HOSTILE_NAME)
        # Click right on the text that would be an `app.quit` link if it were markup.
        await pilot.click(UserList, offset=(28, index))
        await settle(pilot)
        assert app.is_running and users.cursor == index
        await pilot.click(UserList, offset=(28, index), times=2)
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, ProfileScreen)
        assert HOSTILE_EMAIL.replace("\x1b", "\\e") in screen_text(app)


def many_users(n: int) -> Journal:
    j = Journal("bulk")
    for i in range(n):
        j.page(NOW - i * 5 * MIN, f"/p/{i}", anon=f"visitor-{i:05d}")
    return j


async def test_the_list_holds_only_a_window_and_scrolls_to_the_end(tmp_path: Path) -> None:
    url = build_store(tmp_path / "big", many_users(2000))
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p", "p", "p")  # all
        await settle(pilot)
        users = app.screen.query_one(UserList)
        assert users.total == 2000
        assert len(users.window.rows) <= WINDOW
        assert users.virtual_size.height == 2000  # the scrollbar is sized by the count, not by rows held
        await pilot.press("end")
        await settle(pilot)
        assert users.cursor == 1999
        assert users.current_user is not None and users.current_user.id == "visitor-01999"
        assert "visitor-01999" in screen_text(app)
        assert len(users.window.rows) <= WINDOW and users.window.start > 1000
        await pilot.press("pageup", "pageup")
        await settle(pilot)
        assert users.current_user is not None and users.current_user.id == f"visitor-{users.cursor:05d}"
        await pilot.press("home")
        await settle(pilot)
        assert users.current_user is not None and users.current_user.id == "visitor-00000"


async def test_live_event_appears_at_the_top_while_nobody_has_picked_a_row(store: str, tmp_path: Path) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        users = app.screen.query_one(UserList)
        later = Journal("live")
        later.page(NOW - 30_000, "/landing", anon="newcomer-1", country="NL")
        app.announce(ingest_later(store, later, tmp_path))
        await settle(pilot)
        assert names_on_screen(app)[:2] == ["newcomer-1", "Alice Martin"]
        assert users.cursor == 0 and users.first_visible == 0
        text = screen_text(app)
        assert "3 live now" in text and "11 users" in text  # the 10 of the last 7d and the newcomer
        assert text.splitlines()[3].startswith("● newcomer-1")


async def test_live_event_keeps_the_cursor_on_its_user_and_its_line(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store", demo_journal(fillers=80))  # more users than lines on screen
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p", "p", "p")  # all
        await settle(pilot)
        users = app.screen.query_one(UserList)
        await pilot.press("down", "down", "down")  # onto anon-0000, on the 4th line
        assert users.current_user.id == "anon-0000"
        line = users.cursor - users.first_visible
        later = Journal("live")
        later.page(NOW - 30_000, "/landing", anon="newcomer-1", country="NL")
        app.announce(ingest_later(store, later, tmp_path))
        await settle(pilot)
        assert users.current_user.id == "anon-0000" and users.cursor == 4  # same user, one row further down
        assert users.cursor - users.first_visible == line  # ... on the same screen line: no jump
        assert users.user_at(0).id == "newcomer-1" and "newcomer-1" not in screen_text(app)
        assert "▲ 1 new above (g)" in screen_text(app)
        await pilot.press("g")  # back to the top: the newest are in view and the list follows them again
        await settle(pilot)
        assert screen_text(app).splitlines()[3].startswith("● newcomer-1")
        assert "new above" not in screen_text(app)
        # Further down the list, two arrive at once.
        await pilot.press("end", "up", "up")
        await settle(pilot)
        followed = users.current_user.profile_id
        line = users.cursor - users.first_visible
        assert users.first_visible > 0
        later = Journal("live2")
        later.page(NOW - 20_000, "/", anon="newcomer-2")
        later.page(NOW - 10_000, "/", anon="newcomer-3")
        app.announce(ingest_later(store, later, tmp_path))
        await settle(pilot)
        assert users.current_user.profile_id == followed
        assert users.cursor - users.first_visible == line


async def test_a_key_pressed_while_a_refresh_is_in_flight_wins(store: str, tmp_path: Path) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        users = app.screen.query_one(UserList)
        await pilot.press("down")  # Bob
        later = Journal("race")
        later.page(NOW - 1_000, "/", anon="racer")
        result = ingest_later(store, later, tmp_path)
        app.announce(result)
        await pilot.press("down")  # Mallory, pressed before the refresh answers
        await settle(pilot)
        assert users.current_user.id == "[@click=app.quit]mallory"


async def test_the_cursors_own_user_moving_to_the_top_keeps_the_cursor(store: str, tmp_path: Path) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        users = app.screen.query_one(UserList)
        await pilot.press("down", "down", "down", "down")  # Carol
        assert users.current_user.display_name == "Carol Ng"
        later = Journal("carol")
        later.screen(NOW - 5_000, "Orders", user="user-carol")
        app.announce(ingest_later(store, later, tmp_path))
        await settle(pilot)
        assert users.current_user.display_name == "Carol Ng"
        assert users.cursor == 0 and names_on_screen(app)[0] == "Carol Ng"


async def test_a_burst_of_announcements_is_one_refresh(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        calls = []
        original = screen.store_changed
        screen.store_changed = lambda touched, removed: (calls.append(set(touched)), original(touched, removed))
        for pid in (1, 2, 3):
            app.announce(BatchResult(events=1, touched_profiles={pid}))
        await settle(pilot)
        assert len(calls) == 1 and calls[0] == {1, 2, 3}


async def test_live_dots_fade_at_the_ten_minute_mark(store: str) -> None:
    now = [NOW]
    app = make_app(store, now=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert screen_text(app).splitlines()[4].startswith("● Bob Stone")  # seen 8 minutes ago
        now[0] += 2 * MIN + 1_000
        app.screen.tick()  # what the screen's timer does every few seconds
        await settle(pilot)
        text = screen_text(app)
        assert text.splitlines()[4].startswith("  Bob Stone")
        assert text.splitlines()[3].startswith("● Alice Martin")  # 4m ago: still live
        assert "1 live now" in text


async def test_quit_with_q(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_q_typed_in_the_search_bar_is_text(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("/", "q", "p", "?")
        assert app.is_running and app.screen.query_one(SearchBar).value == "qp?"
        assert app.period == "7d"


async def test_the_active_search_applies_to_live_refreshes(store: str, tmp_path: Path) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("/", *"example", "enter")
        await settle(pilot)
        assert names_on_screen(app) == ["Bob Stone", "Carol Ng"]
        later = Journal("filtered")
        later.page(NOW - 3_000, "/", anon="stranger-1")
        later.identify(NOW - 2_000, "user-dana", {"name": "Dana Example", "email": "dana@example.net"})
        app.announce(ingest_later(store, later, tmp_path))
        await settle(pilot)
        assert names_on_screen(app) == ["Dana Example", "Bob Stone", "Carol Ng"]  # the stranger does not match


class SlowReader(StoreReader):
    """A reader whose 24h query waits until released: a stale answer arriving after a newer one."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.release = threading.Event()
        self.slow_started = threading.Event()

    def user_window(self, query, start, limit, **kwargs):  # noqa: ANN001, ANN003, ANN201
        if query.period == "24h":
            self.slow_started.set()
            self.release.wait(10)
        return super().user_window(query, start, limit, **kwargs)


async def test_a_stale_answer_never_overwrites_a_newer_one(store: str) -> None:
    reader = SlowReader(make_engine(store), Settings(db_url=store), Clock(now=lambda: NOW))
    app = ProfilesApp(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        users = app.screen.query_one(UserList)
        users.set_query(UserQuery(period="24h"))
        assert await asyncio.to_thread(reader.slow_started.wait, 10)
        users.set_query(UserQuery(period="all"))
        for _ in range(100):
            await pilot.pause(0.02)
            if users.total == 45:
                break
        assert users.total == 45
        reader.release.set()  # the 24h answer (4 users) comes back now, too late
        await settle(pilot)
        await pilot.pause(0.2)
        assert users.total == 45 and len(names_on_screen(app)) > 4
