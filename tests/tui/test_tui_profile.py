"""Profile, Session and Event screens driven by keys: tabs, timeline, drill-down, copy, live refresh, hostile data."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.tui.support import (
    HOSTILE_COMPANY,
    HOSTILE_EMAIL,
    HOSTILE_EVENT,
    HOSTILE_KEY,
    HOSTILE_NAME,
    HOSTILE_OSC,
    HOSTILE_PATH,
    NOW,
    Journal,
    build_store,
    ingest_later,
    make_app,
    screen_text,
    settle,
)
from tui_profiles.tui import safe
from tui_profiles.tui.screens.event import EventScreen
from tui_profiles.tui.screens.help import HelpScreen
from tui_profiles.tui.screens.profile import ProfileScreen
from tui_profiles.tui.screens.session import SessionScreen
from tui_profiles.tui.screens.users import UsersScreen
from tui_profiles.tui.widgets.rows_list import RowsList
from tui_profiles.tui.widgets.search_bar import SearchBar
from tui_profiles.tui.widgets.tab_bar import TabBar
from tui_profiles.tui.widgets.timeline import SessionHeader, Timeline
from tui_profiles.tui.widgets.user_list import UserList

SIZE = (120, 40)


@pytest.fixture
def store(tmp_path: Path) -> str:
    return build_store(tmp_path / "store")


async def open_user(pilot, name: str) -> None:  # noqa: ANN001
    """From the user list: search for a name, open the first match."""
    await pilot.press("/", *name, "enter")
    await settle(pilot)
    if not isinstance(pilot.app.screen, ProfileScreen):  # several matched: enter went to the list
        await pilot.press("enter")
        await settle(pilot)
    assert isinstance(pilot.app.screen, ProfileScreen)


def active_tab(app) -> str:  # noqa: ANN001
    return app.screen.query_one("#tabs").active


async def test_profile_header_and_tabs_by_keys(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # Alice is on top
        await settle(pilot)
        text = screen_text(app)
        assert "Alice Martin  identified  ● live  alice@acme.com" in text
        assert "id user-alice  anonymous ids (1) anon-alice" in text
        assert "first seen 2026-10-31 12:00  last seen 2026-11-20 11:58 (2m ago)  signed up 2026-11-17" in text
        assert "from DE  company Acme  tags returning, work_info, contact_info, buyer, custom_attributes, live" in text
        assert active_tab(app) == "overview"
        assert "events 7   sessions 2   avg session 18m 30s" in text
        assert "Order Completed" in text and "/account" in text
        tabs = []
        for _ in range(6):
            await pilot.press("tab")
            await settle(pilot)
            tabs.append(active_tab(app))
        assert tabs == ["sessions", "timeline", "feedback", "properties", "identity", "overview"]
        await pilot.press("shift+tab")
        assert active_tab(app) == "identity"
        await pilot.press("shift+tab")
        assert active_tab(app) == "properties"
        await pilot.press("i")
        assert active_tab(app) == "identity"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)


async def test_a_click_on_a_tab_label_shows_that_tab_loaded_and_focused(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # Alice
        await settle(pilot)
        bar = app.screen.query_one("#tabs", TabBar)
        assert bar.region.height == 1
        await pilot.click("#tabs", offset=(label_x(bar, "sessions"), 0))
        await settle(pilot)
        assert active_tab(app) == "sessions"
        sessions = app.screen.query_one("#session-list", RowsList)
        pane = app.screen.query_one("#sessions")
        assert sessions.has_focus and pane.display and len(sessions.rows) == 3
        assert "Fri 2026-11-20 11:30   28m 00s      3 web      /account" in screen_text(app)
        await pilot.click("#tabs", offset=(label_x(bar, "overview"), 0))
        await settle(pilot)
        assert active_tab(app) == "overview" and app.screen.query_one("#top-events").has_focus
        assert not pane.display and app.screen.query_one("#overview").display
        await pilot.press("tab")  # the keys go on from the tab clicked
        assert active_tab(app) == "sessions"


def label_x(bar: TabBar, tab_id: str) -> int:
    """A cell inside the label of `tab_id`, as the bar draws it."""
    return next(x for x in range(bar.size.width) if bar.tab_at(x) == tab_id) + 1


async def test_overview_follows_the_period_and_its_search_box(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("p")  # 30d: the anonymous visits of 20 days ago count now
        await settle(pilot)
        assert "last 30d   events 9   sessions 3" in screen_text(app)
        await pilot.press("/", *"pric", "enter")
        await settle(pilot)
        pages = app.screen.query_one("#top-pages", RowsList)
        events = app.screen.query_one("#top-events", RowsList)
        assert list(pages.rows) == [("/pricing", 1)] and list(events.rows) == []
        assert "no events in this period" in screen_text(app)


async def test_sessions_tab_lists_sessions_and_opens_one(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "tab")
        await settle(pilot)
        text = screen_text(app)
        assert "Fri 2026-11-20 11:30   28m 00s      3 web      /account" in text
        assert "● live" in text
        await pilot.press("down", "enter")  # the session with the order
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        text = screen_text(app)
        assert "Alice Martin  session Tue 2026-11-17 12:00:00 → 12:09:00" in text
        lines = [line for line in text.splitlines() if line.startswith("  +") and "+time" not in line]
        assert [line.split()[0] for line in lines] == ["+00:00", "+01:00", "+05:00", "+09:00"]
        assert "★ goal   Order Completed" in text
        # `[` and `]` step to the previous and next session, and stop at the ends.
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "session Sat 2026-10-31 12:00:00" in screen_text(app)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "session Sat 2026-10-31 12:00:00" in screen_text(app)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert "session Fri 2026-11-20 11:30:00" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen) and active_tab(app) == "sessions"


async def test_timeline_is_newest_first_under_session_headers_with_rage_clicks_in_red(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "tab", "tab")
        await settle(pilot)
        timeline = app.screen.query_one(Timeline)
        assert timeline.has_focus
        kinds = ["S" if isinstance(i, SessionHeader) else i.path if i.type == "page" else i.name for i in timeline.items]
        assert kinds == ["S", "/help", "$rageclick", "/account", "S", "Order Completed", "Product Viewed", None, "/", "S", "/pricing", "/"]
        rage = timeline.row_text(2, 100)
        assert rage is not None and "$rageclick" in rage.plain
        assert any("red" in str(span.style) for span in rage.spans)
        assert not any("red" in str(span.style) for span in (timeline.row_text(1, 100) or rage).spans)
        text = screen_text(app)
        assert "── Session Fri 2026-11-20 11:30 · 28m 00s · 3 events · web  entry /account  ● live" in text
        # Enter on a session header opens the session; on an event, the event.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        assert isinstance(app.screen, EventScreen)
        assert "rage  $rageclick" in screen_text(app)


async def test_event_screen_tree_context_raw_origin_and_copy(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "tab", "tab")
        await settle(pilot)
        await pilot.press("down", "down", "down", "down", "down")  # Order Completed
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EventScreen)
        text = screen_text(app)
        assert "★ goal  Order Completed  Tue 2026-11-17 12:09:00" in text
        assert "events.jsonl line 6" in text and "message id m-00005" in text
        assert "products […] 1" in text and "quantity: 2" in text
        # The cursor starts on the first property; `c` copies its value as it is.
        await pilot.press("c")
        assert app.clipboard == "o-1"
        await pilot.press("down", "down", "down")  # products
        await pilot.press("c")
        assert app.clipboard.startswith("[\n") and '"quantity": 2' in app.clipboard
        await pilot.press("y")
        assert app.clipboard.startswith("{") and '"messageId": "m-00005"' in app.clipboard
        await pilot.press("tab")
        await settle(pilot)
        assert "userAgent: Mozilla/5.0 (Macintosh) Chrome/122.0" in screen_text(app)
        await pilot.press("tab")
        await settle(pilot)
        assert '"event": "Order Completed",' in screen_text(app)
        bar = app.screen.query_one("#event-tabs", TabBar)
        await pilot.click("#event-tabs", offset=(label_x(bar, "event-context"), 0))  # a click, as the keys do
        await settle(pilot)
        assert bar.active == "event-context" and app.screen.query_one("#context-tree").has_focus
        assert "userAgent: Mozilla/5.0 (Macintosh) Chrome/122.0" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)


async def test_properties_are_paths_and_searchable(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "shift+tab", "shift+tab")
        await settle(pilot)
        assert active_tab(app) == "properties"
        rows = app.screen.query_one("#property-list", RowsList)
        assert ("company.name", "Acme") in rows.rows and ("address.city", "Berlin") in rows.rows
        await pilot.press("/", *"berl")
        await pilot.pause(0.3)
        await settle(pilot)
        assert list(rows.rows) == [("address.city", "Berlin")]
        assert app.screen.query_one("#property-search", SearchBar).input.has_focus


async def test_live_event_appears_in_the_open_profile(store: str, tmp_path: Path) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "tab", "tab")
        await settle(pilot)
        timeline = app.screen.query_one(Timeline)
        await pilot.press("down", "down")  # on the rage click
        before = timeline.row_identity(timeline.cursor)
        later = Journal("alice-live")
        later.track(NOW - 20_000, "Invoice Downloaded", {"invoice": "inv-7"}, user="user-alice")
        app.announce(ingest_later(store, later, tmp_path))
        await settle(pilot)
        assert timeline.items[1].name == "Invoice Downloaded"
        assert timeline.row_identity(timeline.cursor) == before  # the cursor stays on its event
        text = screen_text(app)
        assert "Invoice Downloaded" in text and "4 events" in text
        # The header and the Sessions tab follow too.
        await pilot.press("shift+tab")
        await settle(pilot)
        sessions = app.screen.query_one("#session-list", RowsList)
        assert sessions.rows[0].events == 4


async def test_live_event_in_a_hidden_screen_is_shown_on_return(store: str, tmp_path: Path) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # Bob
        await settle(pilot)
        later = Journal("newcomer")
        later.page(NOW - 1_000, "/", anon="newcomer-9")
        reads: list[object] = []
        read_window = app.reader.user_window
        app.reader.user_window = lambda *a, **k: reads.append(a) or read_window(*a, **k)  # type: ignore[method-assign]
        app.announce(ingest_later(store, later, tmp_path))
        await settle(pilot)
        assert reads == []  # the list under the profile is not read while it cannot be seen
        await pilot.press("escape")
        await settle(pilot)
        users = app.screen.query_one(UserList)
        assert users.user_at(0).id == "newcomer-9"
        assert users.current_user.display_name == "Bob Stone"


async def test_help_lists_every_binding(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "Quit" in screen_text(app)
        # The table is longer than the screen: read all of its rows, not only those in view.
        table = app.screen.query_one(DataTable)
        text = "\n".join(" ".join(cell.plain for cell in table.get_row_at(i)) for i in range(table.row_count))
        for words in ("Quit", "Help", "Period", "Jump to user", "Search", "Next tab", "Previous session", "Copy raw JSON", "Take the suggestion"):  # noqa: E501
            assert words in text
        await pilot.press("escape")
        assert isinstance(app.screen, UsersScreen)


async def test_hostile_profile_is_shown_literally(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_user(pilot, "mallory")
        text = screen_text(app)
        assert HOSTILE_NAME in text
        assert safe.clean(HOSTILE_EMAIL) in text and "\x1b" not in text
        assert safe.clean(HOSTILE_COMPANY) in text and "\u202e" not in text
        await pilot.press("tab", "tab")
        await settle(pilot)
        text = screen_text(app)
        assert safe.clean(HOSTILE_PATH) in text and HOSTILE_EVENT in text
        await pilot.press("tab", "tab")  # past Feedback to Properties
        await settle(pilot)
        text = screen_text(app)
        assert HOSTILE_KEY in text and safe.clean(HOSTILE_OSC) in text
        # Open the hostile event: its tree, context and raw JSON are literal too.
        await pilot.press("tab", "tab", "tab", "tab")  # Identity, Overview, Sessions, Timeline
        await settle(pilot)
        assert active_tab(app) == "timeline"
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, EventScreen)
        text = screen_text(app)
        assert HOSTILE_EVENT in text and f"{HOSTILE_KEY}: [@click=app.quit]v" in text
        assert "[red]k: " + safe.clean(HOSTILE_OSC) in text
        await pilot.press("c")
        assert app.clipboard == "[@click=app.quit]v"  # copied as it is: it is the user's own data
        await pilot.press("tab", "tab")
        await settle(pilot)
        assert "\\u001b]52;c;ZXZpbA==\\u0007" in screen_text(app)
        await pilot.click(offset=(10, 10))
        assert app.is_running


async def test_hostile_session_screen_is_literal(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_user(pilot, "mallory")
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        text = screen_text(app)
        assert HOSTILE_NAME in text and safe.clean(HOSTILE_PATH) in text and HOSTILE_EVENT in text
        assert "\x1b" not in text
