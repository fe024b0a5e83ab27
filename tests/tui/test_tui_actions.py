"""The profile's actions by key (export, exclude/include, delete), its Feedback tab and its goals."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.teams import HOSTILE_ANSWER, build_teams_store, count_rows, make_teams_app
from tests.tui.support import HOSTILE_EVENT, HOSTILE_ID, HOSTILE_NAME, NOW, Notes, ingest, screen_text, settle
from tui_profiles.store import queries
from tui_profiles.store.engine import make_engine
from tui_profiles.tui import safe
from tui_profiles.tui.screens.company import CompanyScreen
from tui_profiles.tui.screens.confirm import EraseConfirm
from tui_profiles.tui.screens.event import EventScreen
from tui_profiles.tui.screens.export_dialog import ExportDialog
from tui_profiles.tui.screens.profile import ProfileScreen
from tui_profiles.tui.screens.users import UsersScreen
from tui_profiles.tui.widgets.company_list import CompanyList
from tui_profiles.tui.widgets.feedback import FeedbackList
from tui_profiles.tui.widgets.search_bar import SearchBar
from tui_profiles.tui.widgets.user_list import UserList

SIZE = (120, 40)


@pytest.fixture
def store(tmp_path: Path) -> str:
    return build_teams_store(tmp_path / "store")


@pytest.fixture
def any_store(tmp_path: Path, db_url: str) -> str:
    """The same store on SQLite and on PostgreSQL, for the actions that write."""
    return build_teams_store(tmp_path / "store", db_url)


async def open_user(pilot, text: str) -> ProfileScreen:  # noqa: ANN001
    """From the user list: search for `text` (replacing an earlier search), open the first match."""
    await pilot.press("/")
    pilot.app.screen.query_one(SearchBar).input.value = ""
    await pilot.press(*text, "enter")
    await settle(pilot)
    if not isinstance(pilot.app.screen, ProfileScreen):  # several matched: enter went to the list
        await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ProfileScreen)
    return pilot.app.screen


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


# -- export ---------------------------------------------------------------------------
async def test_export_asks_for_the_path_then_writes_csv_or_jsonl(store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)  # the default folder is the current one
    app = make_teams_app(store)
    notes = Notes()
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await settle(pilot)
        profile = await open_user(pilot, "alice")
        events = profile.detail.user.events
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        field = app.screen.query_one("#export-path")
        assert field.value == str(out / "profile-user-alice.csv")
        assert "Export Alice Martin" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        rows = read_csv(out / "profile-user-alice.csv")
        summary = dict(r for r in rows[1 : rows.index([])] if len(r) == 2)
        assert summary["id"] == "user-alice" and summary["name"] == "Alice Martin" and summary["excluded"] == "no"
        table = rows[rows.index([]) + 1 :]
        assert table[0] == ["time", "session", "type", "name", "page", "properties"]
        assert len(table) - 1 == events == 12
        assert ["Order Completed"] == [r[3] for r in table[1:] if r[3] == "Order Completed"]
        assert f"12 events (csv) written to {out / 'profile-user-alice.csv'}" in notes.said
        # JSONL by the radio button: the suffix follows; a relative path is under the current folder.
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("ctrl+u", *"alice.csv", "tab", "down", "space")
        await settle(pilot)
        assert app.screen.query_one("#export-path").value == "alice.jsonl"
        await pilot.click("#export-go")
        await settle(pilot)
        lines = (out / "alice.jsonl").read_text().splitlines()
        assert len(lines) == 12 and all(json.loads(line)["messageId"] for line in lines)
        # escape writes nothing; a folder that does not exist is reported, not raised.
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("ctrl+u", *"never.csv", "escape")
        await settle(pilot)
        assert not (out / "never.csv").exists() and isinstance(app.screen, ProfileScreen)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("ctrl+u", *"no/such/folder/x.csv", "enter")
        await settle(pilot)
        assert any(n.startswith(f"cannot write {out / 'no/such/folder/x.csv'}") for n in notes.said)
        assert app.is_running and sorted(p.name for p in out.iterdir()) == ["alice.jsonl", "profile-user-alice.csv"]


async def test_a_hostile_profile_exports_under_a_plain_file_name(store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_teams_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_user(pilot, "mallory")
        await pilot.press("e")
        await settle(pilot)
        text = screen_text(app)
        assert f"Export {HOSTILE_NAME}" in text and "\x1b" not in text
        assert app.screen.query_one("#export-path").value == str(tmp_path / "profile-click_app.quit_mallory.csv")
        await pilot.press("enter")
        await settle(pilot)
        rows = read_csv(tmp_path / "profile-click_app.quit_mallory.csv")
        assert ["id", HOSTILE_ID] in rows and app.is_running


# -- exclude / include ------------------------------------------------------------------
async def test_exclude_marks_the_user_and_leaves_them_out_of_counts_include_reverses(any_store: str) -> None:
    app = make_teams_app(any_store)
    notes = Notes()
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await settle(pilot)
        assert "● 2 live now" in screen_text(app)
        profile = await open_user(pilot, "bob")
        await pilot.press("x")
        await settle(pilot)
        assert profile.detail.user.excluded
        header = screen_text(app).splitlines()[1]
        # Excluded: out of "live now" too, so no live dot, though his last event is minutes old.
        assert "Bob Stone  identified  excluded" in header and "live" not in header
        assert any(n.startswith("Bob Stone excluded") for n in notes.said)
        await pilot.press("escape")
        await settle(pilot)
        # Still listed, marked; the live count leaves him out.
        users = app.screen.query_one(UserList)
        assert users.user_at(0).excluded
        text = screen_text(app)
        assert "● 1 live now" in text
        assert "Bob Stone" in text and "excluded, returning" in text
        bob_line = next(line for line in text.splitlines() if "Bob Stone" in line)
        assert not bob_line.lstrip().startswith("●")  # no live dot in the list either
        # Company figures leave him out too.
        await pilot.press("C")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen) and "users 1 " in screen_text(app)
        await pilot.press("escape", "escape")
        await settle(pilot)
        # is:excluded finds him; x again counts him again.
        await open_user(pilot, "is:excluded")
        await pilot.press("x")
        await settle(pilot)
        assert not app.screen.detail.user.excluded and "excluded" not in screen_text(app).splitlines()[1]
        assert "● live" in screen_text(app).splitlines()[1]  # counted again: live again
        await pilot.press("escape")
        await settle(pilot)
        assert "● 2 live now" in screen_text(app)


# -- delete -------------------------------------------------------------------------------
async def test_delete_asks_cancel_keeps_and_confirm_erases_then_the_list_refreshes(any_store: str) -> None:
    store = any_store
    app = make_teams_app(store)
    notes = Notes()
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await settle(pilot)
        await open_user(pilot, "carol")
        carol_events = count_rows(store, "events", "user_id = 'user-carol'")
        assert carol_events == 5
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, EraseConfirm)
        text = screen_text(app)
        assert "Erase Carol Ng (identified) for good?" in text
        assert "This removes 5 events" in text and "user-carol" in text
        assert "Type delete to confirm" in text
        # Escape keeps everything.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen) and "Nothing was erased." in notes.said
        assert count_rows(store, "events", "user_id = 'user-carol'") == 5
        # A stray enter does nothing until the word is typed.
        await pilot.press("D")
        await settle(pilot)
        await pilot.press(*"delet", "enter")
        await settle(pilot)
        assert isinstance(app.screen, EraseConfirm) and app.screen.query_one("#erase-go").disabled
        await pilot.press("e")
        assert not app.screen.query_one("#erase-go").disabled
        await pilot.press("enter")
        await settle(pilot)
        # Back on the list, which no longer has her.
        assert isinstance(app.screen, UsersScreen)
        assert any(n.startswith("Erased user-carol: 5 events, 1 profiles") for n in notes.said)
        assert count_rows(store, "events", "user_id = 'user-carol'") == 0
        assert count_rows(store, "profiles", "external_id = 'user-carol'") == 0
        assert count_rows(store, "suppressed_ids", "id = 'user-carol'") == 1
        assert "0 matching" in screen_text(app)  # the search for "carol" finds nobody now
        app.screen.query_one(SearchBar).input.value = ""
        await settle(pilot)
        await pilot.pause(0.3)
        await settle(pilot)
        users = app.screen.query_one(UserList)
        assert "Carol Ng" not in [users.user_at(i).display_name for i in users.visible_range() if users.user_at(i)]


async def test_delete_from_a_company_returns_to_the_company_refreshed(store: str) -> None:
    app = make_teams_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        await pilot.press("end", "enter")  # Globex: Bob and Carol
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen) and "users 2 " in screen_text(app)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert "Carol Ng" in screen_text(app)
        await pilot.press("D")
        await settle(pilot)
        await pilot.press(*"delete")
        await pilot.click("#erase-go")
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen)
        assert "users 1 " in screen_text(app)


# -- feedback and goals -----------------------------------------------------------------
async def test_the_feedback_tab_lists_answers_with_their_page(store: str) -> None:
    app = make_teams_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_user(pilot, "alice")
        await pilot.press("tab", "tab", "tab")
        await settle(pilot)
        assert app.screen.query_one("#tabs").active == "feedback"
        text = screen_text(app)
        assert "Answered         Survey" in text and "On page" in text
        lines = [line for line in text.splitlines() if "2026-11-" in line and ("Invoices" in line or "NPS" in line)]
        assert len(lines) == 2
        # Newest first; the page the event was sent from, or the page viewed before it in the session.
        assert lines[0].split() == ["2026-11-20", "11:32", "Invoices", "2", "Cannot", "find", "my", "invoice", "/account"]
        assert lines[1].split() == ["2026-11-17", "12:10", "NPS", "9", "Great,", "thanks", "/", "(before)"]
        await pilot.press("enter")  # the answer's event, with every field
        await settle(pilot)
        assert isinstance(app.screen, EventScreen) and "Survey Responded" in screen_text(app)
        await pilot.press("escape", "escape")
        await settle(pilot)
        # Hostile answers read literally; a profile with none says so.
        await open_user(pilot, "mallory")
        await pilot.press("tab", "tab", "tab")
        await settle(pilot)
        text = screen_text(app)
        assert HOSTILE_EVENT[:17] + "…" in text and safe.clean(HOSTILE_ANSWER) in text and "\x1b" not in text
        await pilot.press("escape")
        await settle(pilot)
        await open_user(pilot, "bob")
        await pilot.press("tab", "tab", "tab")
        await settle(pilot)
        assert "no survey or NPS answers (Survey Responded, survey sent events)" in screen_text(app)
        assert app.screen.query_one(FeedbackList).rows.rows == []


async def test_goals_completed_and_when_on_the_profile_and_in_the_timeline(store: str) -> None:
    app = make_teams_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_user(pilot, "alice")
        text = screen_text(app)
        assert "Goals   ★ Saw pricing 2026-10-31 12:02   ★ Ordered 2026-11-17 12:09   ★ Asked for help 2026-11-20 11:58" in text
        assert "☆ Churned not yet" in text
        await pilot.press("tab", "tab")
        await settle(pilot)
        lines = screen_text(app).splitlines()
        assert any("★ goal   Order Completed" in line and "★ Ordered  order_id=o-1" in line for line in lines)
        assert any("★ goal   /help" in line and "★ Asked for help" in line for line in lines)
        assert any("★ goal   /pricing" in line and "★ Saw pricing" in line for line in lines)


async def test_goals_not_configured_or_unreadable(store: str) -> None:
    app = make_teams_app(store, goals={})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_user(pilot, "alice")
        assert "Goals" not in screen_text(app)
    app = make_teams_app(store, goals={"Broken": "did:"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_user(pilot, "alice")
        assert "goals: goal 'Broken':" in screen_text(app)


# -- the committed hostile fixture through these screens -----------------------------------
HOSTILE_FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "hostile.jsonl"
RAW = ("\x1b", "\x07", "\u202e", "\u202c")


def assert_inert(text: str) -> None:
    for char in RAW:
        assert char not in text, f"{char!r} reached the screen"


async def test_the_hostile_fixture_in_cohorts_goals_feedback_and_the_dialogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path}/store.db"
    ingest(url, [HOSTILE_FIXTURE])
    engine = make_engine(url, writer=True)
    with engine.begin() as conn:
        queries.save_filter(conn, "[bold]x[/bold]", 'id:"[@click=app.quit]quit[/]"', now_ms=NOW, author="tests")
        queries.save_filter(conn, "\x1b]0;title\x07", "[/", now_ms=NOW, author="tests")
    engine.dispose()
    app = make_teams_app(url, goals={"[@click=app.quit]quit[/]": "did page /[@click=app.quit]quit[/]", "\u202eevil": "[b]x"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p", "p", "p", "R")  # all time: the fixture's events are from 2024
        await settle(pilot)
        text = screen_text(app)
        assert_inert(text)
        assert "[bold]x[/bold]" in text and 'id:"[@click=app.quit]quit[/]"' in text and "\\e]0;title\\x07" in text
        for name in ("\\e]0;title\\x07", "[bold]x[/bold]"):  # by name: ESC sorts before [
            await pilot.press("down")
            await settle(pilot)
            assert_inert(screen_text(app))
            assert f"Retention {name} · by the week first seen" in screen_text(app)
        await pilot.press("escape", "C")
        await settle(pilot)
        text = screen_text(app)
        assert_inert(text)
        assert "[@click=app.quit]quit[/]" in text and "\\e[31mred\\e[0m" in text  # the fixture's two group ids
        for row in range(2):
            app.screen.query_one(CompanyList).set_cursor(row)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, CompanyScreen)
            assert_inert(screen_text(app))
            await pilot.click(offset=(10, 1))
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        profile = await open_user(pilot, "[bold]x")
        text = screen_text(app)
        assert_inert(text)
        assert "★ [@click=app.quit]quit[/] 2024-03-04 09:01" in text and "☆ \\u202eevil not yet" in text
        await pilot.press("tab", "tab", "tab")
        await settle(pilot)
        assert_inert(screen_text(app))
        await pilot.press("D")
        await settle(pilot)
        text = screen_text(app)
        assert_inert(text)
        assert "Erase \\e[31mred\\e[0m (identified) for good?" in text and "[@click=app.quit]quit[/]" in text
        await pilot.press("escape", "e")
        await settle(pilot)
        assert_inert(screen_text(app))
        assert app.screen.query_one("#export-path").value == str(tmp_path / "profile-bold_x_bold.csv")
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and app.screen is profile


async def test_quick_tab_presses_land_on_the_tab_asked_for_and_stay(store: str) -> None:
    # Three `tab`s handled before any TabActivated: the late events must not pull the screen back.
    app = make_teams_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        profile = await open_user(pilot, "alice")
        for _ in range(3):
            profile.action_next_tab()
        seen = []
        for _ in range(10):
            await pilot.pause(0.05)
            seen.append(profile.query_one("#tabs").active)
        assert set(seen) == {"feedback"}
        assert app.focused is profile.query_one("#feedback-list")
