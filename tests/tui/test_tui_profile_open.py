"""Opening a profile: only the header and the Overview are built at once, the other tabs when first shown;
a closed profile leaves nothing behind; the footer follows the focus and its keys can be clicked."""

from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path

import pytest

from tests.tui.support import NOW, Journal, build_store, ingest_later, make_app, screen_text, settle
from tui_profiles.tui.messages import StoreChanged
from tui_profiles.tui.screens.help import HelpScreen
from tui_profiles.tui.screens.profile import ProfileScreen
from tui_profiles.tui.screens.session import SessionScreen
from tui_profiles.tui.screens.users import UsersScreen
from tui_profiles.tui.widgets.footer import Footer
from tui_profiles.tui.widgets.rows_list import RowsList
from tui_profiles.tui.widgets.search_bar import SearchBar
from tui_profiles.tui.widgets.timeline import Timeline

SIZE = (120, 40)


@pytest.fixture
def store(tmp_path: Path) -> str:
    return build_store(tmp_path / "store")


def built(app) -> dict[str, bool]:  # noqa: ANN001
    screen = app.screen
    return {
        "sessions": bool(screen.query("#session-list")),
        "timeline": bool(screen.query(Timeline)),
        "feedback": bool(screen.query("#feedback-tab")),
        "properties": bool(screen.query("#property-list")),
    }


async def test_the_profile_screen_is_built_before_the_first_open_and_a_tab_reads_when_shown(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        prepared = app.get_screen("profile")
        assert built(prepared) == {"sessions": True, "timeline": True, "feedback": True, "properties": True}
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is prepared
        assert "Alice Martin" in screen_text(app) and "Top events" in screen_text(app)
        sessions = app.screen.query_one("#session-list", RowsList)
        timeline = app.screen.query_one(Timeline)
        assert len(sessions.rows) == 0 and timeline.items == []  # not read before their tab is shown
        await pilot.press("tab")
        await settle(pilot)
        assert sessions.has_focus and len(sessions.rows) == 3
        await pilot.press("tab")
        await settle(pilot)
        assert timeline.has_focus and len(timeline.items) == 12


async def test_the_next_profile_opened_on_the_screen_shows_its_own_data_only(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "tab", "tab", "tab", "tab")  # Alice, every tab read, on Properties
        await settle(pilot)
        assert "address.city" in screen_text(app) and "Berlin" in screen_text(app)
        alice = app.screen
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("down", "enter")  # Bob
        await settle(pilot)
        assert app.screen is alice  # the same screen, reused
        text = screen_text(app)
        assert "Bob Stone" in text and "Alice" not in text and "Berlin" not in text
        assert app.screen.query_one("#tabs").active == "overview" and app.screen.query_one("#top-events").has_focus
        assert sorted(name for name, _n in app.screen.query_one("#top-pages", RowsList).rows) == ["/", "/blog/launch"]
        await pilot.press("tab")
        await settle(pilot)
        assert [s.entry_path for s in app.screen.query_one("#session-list", RowsList).rows] == ["/blog/launch", "/"]
        await pilot.press("tab")
        await settle(pilot)
        timeline = app.screen.query_one(Timeline)
        assert timeline.cursor == 0 and {e.path for e in timeline.events} == {"/", "/blog/launch", None}
        await pilot.press("tab", "tab")
        await settle(pilot)
        traits = dict(app.screen.query_one("#property-list", RowsList).rows)
        assert traits.get("name") == "Bob Stone" and "address.city" not in traits


async def test_the_session_screen_shows_each_session_opened(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "tab", "enter")  # Alice's newest session
        await settle(pilot)
        session_screen = app.screen
        assert isinstance(session_screen, SessionScreen) and "Alice Martin" in screen_text(app)
        newest = session_screen.session
        await pilot.press("escape", "down", "enter")  # her next older one, on the same screen
        await settle(pilot)
        assert app.screen is session_screen and session_screen.session.start < newest.start
        assert [e.event_id for e in session_screen.query_one(RowsList).rows] != [e.event_id for e in app.reader.session(newest.profile_id, newest.start)[1]]  # noqa: E501
        await pilot.press("escape", "escape", "down", "enter", "tab", "enter")  # Bob's newest session
        await settle(pilot)
        text = screen_text(app)
        assert app.screen is session_screen and "Bob Stone" in text and "Alice" not in text
        assert "/blog/launch" in text


async def test_a_theme_changed_while_the_profile_screen_was_away_shows_when_it_is_back(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "escape")
        await settle(pilot)
        before = app.get_screen("profile").query_one(Footer).rich_style
        app.theme = "nord" if app.theme != "nord" else "gruvbox"
        await settle(pilot)
        users_footer = app.screen.query_one(Footer).rich_style
        assert users_footer != before  # the theme changes how the footer looks
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one(Footer).rich_style == users_footer


async def test_an_answer_for_the_profile_shown_before_is_dropped(store: str) -> None:
    app = make_app(store)
    gate = threading.Event()
    read_profile = app.reader.profile
    first: list[int] = []

    def slow_first(profile_id: int):  # noqa: ANN202 - the first profile's read answers only after the second is shown
        if not first or first[0] == profile_id:
            first.append(profile_id)
            gate.wait(10)
        return read_profile(profile_id)

    app.reader.profile = slow_first  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # Alice, still reading
        await pilot.pause(0.1)
        await pilot.press("escape", "down", "enter")  # Bob
        await pilot.pause(0.2)
        gate.set()
        await settle(pilot)
        text = screen_text(app)
        assert "Bob Stone" in text and "Alice Martin" not in text


async def test_keys_faster_than_the_tabs_are_built(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Everything at once: `/` on Properties must find the tab's search bar although it is being built.
        await pilot.press("enter", "shift+tab", "shift+tab", "/", *"berl")
        await pilot.pause(0.3)
        await settle(pilot)
        bar = app.screen.query_one("#property-search", SearchBar)
        assert bar.input.has_focus and bar.value == "berl"
        assert list(app.screen.query_one("#property-list", RowsList).rows) == [("address.city", "Berlin")]
        await pilot.press("enter", "tab", "tab", "tab", "tab")  # round to Timeline, through three new tabs
        await settle(pilot)
        assert app.screen.query_one(Timeline).has_focus


async def test_a_live_change_before_a_tab_is_built_shows_when_it_is(store: str, tmp_path: Path) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        later = Journal("alice-live")
        later.track(NOW - 20_000, "Invoice Downloaded", {"invoice": "inv-7"}, user="user-alice")
        app.announce(ingest_later(store, later, tmp_path))
        await settle(pilot)
        assert "Invoice Downloaded" in screen_text(app)  # the overview's top events follow
        await pilot.press("tab", "tab")
        await settle(pilot)
        timeline = app.screen.query_one(Timeline)
        assert timeline.items[1].name == "Invoice Downloaded"


def loose(kind: type) -> int:
    """Instances of `kind` still in memory though no longer on any screen."""
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, kind) and not o.is_attached)


async def test_a_closed_profile_is_freed(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        async def round_trips(n: int) -> None:
            for _ in range(n):
                await pilot.press("enter", "tab", "tab")
                await settle(pilot)
                await pilot.press("escape")
                await settle(pilot)

        await round_trips(6)
        # The last profiles may still be named by their finished workers for a moment, but nothing piles
        # up: the app's period watcher held every screen once.
        assert loose(ProfileScreen) <= 3
        await pilot.press("p")  # and the period change reaches the screens still open
        await settle(pilot)
        assert "last 30d" in screen_text(app)


async def test_the_footer_follows_the_focus(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "Next tab" in footer and "Save" not in footer
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        footer = screen_text(app).splitlines()[-1]
        assert "Save" in footer and "Next tab" not in footer
        await pilot.press("enter", "/")
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "Next tab" in footer and "Open" not in footer  # the search box has the focus: no list keys


async def test_a_click_on_a_footer_key_presses_it(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(Footer)
        assert not footer.children  # one line drawn by one widget, no widget per key
        start = next(start for start, _end, key in footer._spans if key.description == "Help")  # noqa: SLF001
        await pilot.click(Footer, offset=(start + 1, 0))
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)


async def test_a_period_change_while_the_profile_loads_is_not_lost(store: str) -> None:
    app = make_app(store)
    gate = threading.Event()
    read_profile = app.reader.profile

    def slow_profile(profile_id: int):  # noqa: ANN202 - the first read waits until `p` has been pressed
        gate.wait(10)
        return read_profile(profile_id)

    app.reader.profile = slow_profile  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        while not (isinstance(app.screen, ProfileScreen) and app.screen.is_mounted):
            await pilot.pause(0.01)
        await pilot.press("p")  # 7 days -> 30 days while the profile (and its overview) are being read
        gate.set()
        await settle(pilot)
        stats = app.screen.query_one("#overview-stats").render().plain
        assert stats.startswith("last 30d") and "events 9" in stats  # Alice's visits 20 days ago count
        await pilot.press("p", "p", "p", "p")  # round to 7 days again
        await settle(pilot)
        stats = app.screen.query_one("#overview-stats").render().plain
        assert stats.startswith("last 7d") and "events 7" in stats


async def test_the_period_and_store_changes_reach_the_screens_in_the_stack_only(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        profile = app.screen
        assert isinstance(profile, ProfileScreen)
        shown = profile._overview_generation  # noqa: SLF001
        await pilot.press("p")  # in the stack: re-reads its overview
        await settle(pilot)
        assert profile._overview_generation == shown + 1  # noqa: SLF001
        await pilot.press("escape")
        await settle(pilot)
        # Kept by the app for the next open, out of the stack: hears neither.
        await pilot.press("p")
        app.post_message(StoreChanged(frozenset({profile.profile_id})))
        await settle(pilot)
        assert profile._overview_generation == shown + 1 and not profile._stale  # noqa: SLF001
        assert "last 90d" in screen_text(app)  # the user list, in the stack, did



async def test_the_app_leaves_the_process_alone_and_says_when_its_screens_are_prepared(store: str) -> None:
    # Collector thresholds, freezing and the GIL switch interval are `run_app`'s (tune_process, freeze_heap).
    before = (gc.get_threshold(), gc.get_freeze_count(), sys.getswitchinterval())
    prepared: list[tuple[bool, bool]] = []

    def after_prepare() -> None:
        prepared.append((app.get_screen("profile").is_mounted, app.get_screen("session").is_mounted))

    app = make_app(store, after_prepare=after_prepare)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert prepared == [(True, True)]
        assert (gc.get_threshold(), gc.get_freeze_count(), sys.getswitchinterval()) == before
