"""From a ticket to the events, by keys: enter on one match, `s` for the newest session, the Timeline's
filter line (`f`), its jump to a date (`d`) with paging both ways, and enter on an Overview top event."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.tui.support import NOW, Notes, make_app, screen_text, settle
from tests.tui.timeline_store import TL_EMAIL, TL_EVENTS, timeline_store, tl_name, tl_time
from tui_profiles.store.queries import EventRow
from tui_profiles.tui.screens.jump_prompt import JumpPrompt
from tui_profiles.tui.screens.profile import ProfileScreen
from tui_profiles.tui.screens.session import SessionScreen
from tui_profiles.tui.screens.users import UsersScreen
from tui_profiles.tui.widgets.search_bar import SearchBar
from tui_profiles.tui.widgets.tab_bar import TabBar
from tui_profiles.tui.widgets.timeline import PAGE, SessionHeader, Timeline

SIZE = (120, 40)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    return timeline_store(tmp_path_factory.mktemp("timeline") / "store")  # read only: one for the module


def stamp(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")


async def open_tess(pilot) -> None:  # noqa: ANN001
    """The four-key path's first three: `/`, her email, `enter` (one match: her profile)."""
    await settle(pilot)
    await pilot.press("/", *TL_EMAIL, "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ProfileScreen)


def timeline(app) -> Timeline:  # noqa: ANN001
    return app.screen.query_one(Timeline)


def names_held(app) -> set[str | None]:  # noqa: ANN001
    return {e.name for e in timeline(app).events}


async def test_four_keys_from_an_email_to_the_newest_session(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tess(pilot)
        assert "Tess Lane" in screen_text(app)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.session is not None and app.screen.session.start == tl_time(19)  # her newest session's first event
        assert "Heartbeat" in screen_text(app)


async def test_enter_with_no_match_stays_in_the_bar_and_says_so(store: str) -> None:
    notes = Notes()
    app = make_app(store)
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("/", *"nobody@nowhere", "enter")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        assert app.screen.query_one(SearchBar).input.has_focus
        assert any("No user matches nobody@nowhere" in said for said in notes.said)
        await pilot.press(*["backspace"] * len("nobody@nowhere"), *"example", "enter")  # several: to the list, as before
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen) and app.screen.query_one("#users").has_focus


async def test_filter_keeps_names_with_spaces_under_session_headers(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tess(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert app.screen.query_one(TabBar).active == "timeline"
        bar = app.screen.query_one("#timeline-filter", SearchBar)
        assert bar.input.has_focus
        await pilot.press(*"Order Comp")
        await settle(pilot)
        await pilot.press("tab")  # her own event name, completed
        assert bar.value == "Order Completed"
        await pilot.press("enter")
        await settle(pilot)
        tl = timeline(app)
        assert tl.has_focus
        assert names_held(app) == {"Order Completed"} and len(tl.events) == TL_EVENTS // 10
        assert any(isinstance(item, SessionHeader) for item in tl.items)
        assert app.screen.query_one(TabBar).labels["timeline"] == "Timeline (filtered)"
        assert "Order Completed" in screen_text(app) and "Heartbeat" not in screen_text(app)


async def test_hiding_pages_older_and_escape_clears(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tess(pilot)
        await pilot.press("f", *"-Heartbeat, -Order Completed", "enter")
        await settle(pilot)
        tl = timeline(app)
        assert len(tl.events) == PAGE and names_held(app) == {"Button Clicked"}
        await pilot.press("end")  # keyset pages to the oldest, the filter kept
        await settle(pilot)
        expected = [i for i in range(TL_EVENTS) if tl_name(i) == "Button Clicked"]
        assert [e.ts for e in tl.events if e.name == "Button Clicked"] == [tl_time(i) for i in expected]
        assert tl.exhausted and names_held(app) == {"Button Clicked", None}  # her identify has no name: not hidden
        await pilot.press("f", "escape")
        await settle(pilot)
        assert not tl.names and "Heartbeat" in names_held(app)
        assert app.screen.query_one(TabBar).labels["timeline"] == "Timeline"
        assert isinstance(app.screen, ProfileScreen)  # escape in the line cleared it; it did not leave


async def test_a_bad_filter_says_where(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tess(pilot)
        await pilot.press("f", *'"Order', "enter")
        await settle(pilot)
        assert "the quote at column 1 is never closed" in screen_text(app)
        assert not timeline(app).names


def newest_at_or_before(at: int) -> int:
    return max(tl_time(i) for i in range(TL_EVENTS) if tl_time(i) <= at)


async def jump(pilot, text: str) -> None:  # noqa: ANN001
    await pilot.press("d")
    await settle(pilot)
    assert isinstance(pilot.app.screen, JumpPrompt)
    await pilot.press(*text, "enter")
    await settle(pilot)


async def test_jump_to_a_date_then_page_up_and_down(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tess(pilot)
        at = tl_time(450) + 2 * 60_000  # mid-history, between two events
        await jump(pilot, stamp(at))
        tl = timeline(app)
        target = tl.item_at(tl.cursor)
        assert isinstance(target, EventRow) and target.ts == newest_at_or_before(at + 59_999) == tl_time(450)
        # Not every event in between: the page at the moment and one page above it.
        assert len(tl.events) <= 2 * PAGE and tl.events[0].ts < tl_time(0)
        assert "newer events" in screen_text(app) or tl.first_visible > 0
        # The page above arrived and the cursor kept its event, with its session's header in view above it.
        header = next(i for i in range(tl.cursor, -1, -1) if isinstance(tl.item_at(i), SessionHeader))
        assert tl.item_at(tl.cursor) == target and tl.first_visible <= header < tl.cursor < tl.first_visible + tl.visible_height
        for _ in range(6):  # up, a page at a time, until now
            await pilot.press("pageup")
            await settle(pilot)
        await pilot.press("home")
        await settle(pilot)
        assert tl.events[0].ts == tl_time(0) and tl.newer_exhausted
        await jump(pilot, stamp(at))
        await pilot.press("end")  # down, to the oldest
        await settle(pilot)
        assert tl.exhausted and tl.events[-1].ts == tl_time(TL_EVENTS - 1) - 60_000  # her identify, first of all


async def test_paging_up_keeps_the_cursor_on_its_event(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tess(pilot)
        await jump(pilot, stamp(tl_time(700)))
        tl = timeline(app)
        held = len(tl.events)
        target = tl.item_at(tl.cursor)
        assert target is not None and target.ts == tl_time(700)
        for _ in range(2 * PAGE):
            await pilot.press("up")
        await settle(pilot)
        assert len(tl.events) > held  # read newer pages as the cursor climbed
        ts = [e.ts for e in tl.events]
        assert ts == sorted(ts, reverse=True) and len(set(ts)) == len(ts)  # no gap, no double: keyset both ways


async def test_filter_and_jump_together(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tess(pilot)
        await pilot.press("f", *"Order Completed", "enter")
        await settle(pilot)
        at = tl_time(455)
        await jump(pilot, stamp(at))
        tl = timeline(app)
        target = tl.item_at(tl.cursor)
        assert isinstance(target, EventRow) and target.ts == tl_time(460) and target.name == "Order Completed"
        assert names_held(app) == {"Order Completed"}


async def test_a_bad_date_says_where_and_the_prompt_stays(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tess(pilot)
        await jump(pilot, "2026-11-1x")
        assert isinstance(app.screen, JumpPrompt)
        assert "unexpected 'x' at column 10" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)


async def test_a_jump_before_the_first_event_shows_the_oldest(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tess(pilot)
        await jump(pilot, "2020-01-01")
        tl = timeline(app)
        assert tl.exhausted and tl.item_at(tl.cursor).ts == tl_time(TL_EVENTS - 1) - 60_000


async def test_enter_on_a_top_event_opens_the_timeline_filtered_to_it(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tess(pilot)
        assert app.screen.query_one("#top-events").has_focus
        top = app.screen.query_one("#top-events").current[0]
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one(TabBar).active == "timeline"
        assert timeline(app).names.keep == (top,) and names_held(app) == {top}
        assert app.screen.query_one("#timeline-filter", SearchBar).value == top
        assert timeline(app).has_focus


async def test_another_profile_starts_unfiltered(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tess(pilot)
        await pilot.press("f", *"Order Completed", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape", "home")  # back to the list, its top: Alice
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("tab", "tab")
        await settle(pilot)
        assert not timeline(app).names and len(names_held(app)) > 1
        assert app.screen.query_one(TabBar).labels["timeline"] == "Timeline"
        assert NOW  # the pinned now the store was built around
