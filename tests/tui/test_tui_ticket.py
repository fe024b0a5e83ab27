"""Copy for the ticket (`y` on Profile and Session) and the user list's export (`E`), driven by keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.support import Notes, build_store, make_app, settle
from tui_profiles.tui.screens.profile import ProfileScreen
from tui_profiles.tui.screens.session import SessionScreen

SIZE = (120, 40)


@pytest.fixture
def store(tmp_path: Path) -> str:
    return build_store(tmp_path / "store")


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder, where a summary the clipboard may not take is written."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


async def test_y_on_a_profile_copies_the_latest_session_and_writes_the_file_headless(store: str, here: Path) -> None:
    notes = Notes()
    app = make_app(store)
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # Alice, newest
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        await pilot.press("y")
        await settle(pilot)
        copied = app.clipboard
        assert copied.startswith("### Alice Martin\n")
        assert "- **User id:** `user-alice`" in copied and "- **Anonymous ids:** `anon-alice`" in copied
        assert "#### Session of 2026-11-20 11:30 UTC, 28 min 00 s, 3 events (web)" in copied
        assert "- 11:58:00 · page `/help`" in copied
        # Headless, the terminal cannot take it: the same Markdown is in a file, and the notification says where.
        written = here / "ticket-user-alice.md"
        assert written.read_text(encoding="utf-8") == copied
        said = notes.said[-1]
        assert said.startswith("Copied the summary of Alice Martin with the session of 2026-11-20 11:30 UTC (3 events)")
        assert f"(no terminal): also written to {written}" in said


async def test_y_on_the_sessions_tab_copies_the_session_under_the_cursor(store: str, here: Path) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "tab")
        await settle(pilot)
        await pilot.press("down", "y")  # the second newest session: the order, 3 days ago
        await settle(pilot)
        assert "#### Session of 2026-11-17 12:00 UTC" in app.clipboard
        assert "**Order Completed** · order\\_id `o-1` · total `120` · currency `EUR`" in app.clipboard


async def test_y_on_a_session_copies_that_session_and_a_hostile_one_stays_text(store: str, here: Path) -> None:
    notes = Notes()
    app = make_app(store)
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("/", *"mallory", "enter")
        await settle(pilot)
        await pilot.press("enter", "tab", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        await pilot.press("y")
        await settle(pilot)
        copied = app.clipboard
        assert copied.startswith("### \\[bold\\]Mallory\\[/bold\\] \\[\\@click\\=app\\.quit\\]x\n")
        assert "\x1b" not in copied and "\u202e" not in copied  # controls reach the ticket as visible escapes
        assert "**\\[\\@click\\=app\\.quit\\]Buy \\[/**" in copied
        assert "[bold]" in notes.said[-1] and "3 events" in notes.said[-1]  # the notification shows the name as text
