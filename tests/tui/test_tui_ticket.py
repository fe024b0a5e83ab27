"""Copy for the ticket (`y` on Profile and Session) and the user list's export (`E`), driven by keys."""

from __future__ import annotations

import csv
import json
import threading
from datetime import timezone
from pathlib import Path

import pytest
from textual.widgets import Input, ProgressBar

from tests.tui.support import HOSTILE_EMAIL, HOSTILE_ID, HOSTILE_NAME, NOW, Notes, build_store, make_app, screen_text, settle
from tui_profiles.config import Settings
from tui_profiles.domain.clock import Clock
from tui_profiles.reader import StoreReader
from tui_profiles.store import user_export
from tui_profiles.store.engine import make_engine
from tui_profiles.tui import clipboard
from tui_profiles.tui.app import ProfilesApp
from tui_profiles.tui.screens import list_export as list_export_screen
from tui_profiles.tui.screens.list_export import ExportProgress, ListExportDialog
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
        assert "**Order Completed** · currency `EUR` · order\\_id `o-1` · total `120`" in app.clipboard


async def test_y_on_the_timeline_copies_the_session_of_the_event_under_the_cursor(store: str, here: Path) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "tab", "tab")
        await settle(pilot)
        await pilot.press("y")  # on the newest session's header
        await settle(pilot)
        assert "#### Session of 2026-11-20 11:30 UTC" in app.clipboard
        await pilot.press(*"jjjjj", "y")  # down past it, onto the order's session
        await settle(pilot)
        assert "#### Session of 2026-11-17 12:00 UTC" in app.clipboard


async def test_y_on_a_session_copies_that_session_and_a_hostile_one_stays_text(store: str, here: Path) -> None:
    notes = Notes()
    app = make_app(store)
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("/", *"mallory", "enter")  # the one match opens
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        await pilot.press("y")
        await settle(pilot)
        copied = app.clipboard
        assert copied.startswith("### \\[bold\\]Mallory\\[/bold\\] \\[\\@click\\=app\\.quit\\]x\n")
        assert "\x1b" not in copied and "\u202e" not in copied  # controls reach the ticket as visible escapes
        assert "**\\[\\@click\\=app\\.quit\\]Buy \\[/**" in copied
        assert "[bold]" in notes.said[-1] and "3 events" in notes.said[-1]  # the notification shows the name as text


# -- E: export the list -------------------------------------------------------------------
class GatedReader(StoreReader):
    """The real reader, whose list export waits after its first page until the test opens the gate."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()

    def export_users(self, query, path, *, progress=None, **kwargs):  # noqa: ANN001, ANN003, ANN201
        def held(written: int, total: int) -> None:
            progress(written, total)
            if written:
                assert self.gate.wait(20)

        return super().export_users(query, path, progress=held, **kwargs)


def gated_app(url: str) -> ProfilesApp:
    return ProfilesApp(GatedReader(make_engine(url), Settings(db_url=url), Clock(now=lambda: NOW, tz=timezone.utc)))


async def wait_for(pilot, kind: type) -> None:  # noqa: ANN001
    for _ in range(200):
        if isinstance(pilot.app.screen, kind):
            return
        await pilot.pause(0.02)
    raise AssertionError(f"no {kind.__name__} on screen")


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


async def test_E_exports_the_listed_users_with_a_progress_bar(store: str, here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(user_export, "PAGE_SIZE", 10)
    monkeypatch.setattr(list_export_screen, "PROGRESS_AFTER_S", 0.05)
    notes = Notes()
    app = gated_app(store)
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("p", "p", "p")  # 7d, 30d, 90d, all time: every one of the 45 users
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, ListExportDialog)
        assert app.screen.query_one("#export-path", Input).value == str(here / "users-all.csv")
        await pilot.press("enter")
        await wait_for(pilot, ExportProgress)
        bar = app.screen.query_one(ProgressBar)
        for _ in range(200):  # the first page is read, then the export waits at the gate
            if bar.progress:
                break
            await pilot.pause(0.02)
        assert (bar.progress, bar.total) == (10, 45)
        app.reader.gate.set()
        await settle(pilot)
        await pilot.pause(0.1)
        assert not isinstance(app.screen, ExportProgress)
        assert notes.said[-1] == f"45 users written to {here / 'users-all.csv'}"
    rows = read_rows(here / "users-all.csv")
    assert len(rows) == 45 and len({r["id"] for r in rows}) == 45
    assert rows[0]["id"] == "user-alice" and rows[0]["anonymous_ids"] == "anon-alice" and rows[0]["email"] == "alice@acme.com"
    assert json.loads(rows[0]["traits"])["plan"] == "pro"
    mallory = next(r for r in rows if r["id"] == HOSTILE_ID)
    assert mallory["name"] == HOSTILE_NAME and mallory["email"] == HOSTILE_EMAIL


async def test_escape_on_the_progress_stops_the_export_and_leaves_no_file(store: str, here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(user_export, "PAGE_SIZE", 10)
    monkeypatch.setattr(list_export_screen, "PROGRESS_AFTER_S", 0.05)
    notes = Notes()
    app = gated_app(store)
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("p", "p", "p", "E")
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, ExportProgress)
        await pilot.press("escape")
        app.reader.gate.set()
        await settle(pilot)
        await pilot.pause(0.1)
        assert notes.said[-1] == f"Export stopped: nothing was written to {here / 'users-all.csv'}."
    assert list(here.iterdir()) == []


async def test_E_exports_only_the_search_and_period(store: str, here: Path) -> None:
    notes = Notes()
    app = make_app(store)
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("/", *"acme", "down")  # to the list: enter would open the one match
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        assert "the users matching acme seen in the last 7d (1)" in screen_text(app)
        app.screen.query_one("#export-path", Input).value = "acme.txt"
        await pilot.press("enter")
        await settle(pilot)
        assert notes.said[-1] == f"1 user written to {here / 'acme.txt'}"
        await pilot.press("/", *" nobody-at-all", "down")  # no match: enter would stay in the bar
        await settle(pilot)
        await pilot.press("E", "enter")
        await settle(pilot)
    assert [r["id"] for r in read_rows(here / "acme.txt")] == ["user-alice"]
    nobody = read_rows(here / "users-7d.csv")
    assert nobody == [] and (here / "users-7d.csv").read_text(encoding="utf-8-sig").startswith('"id","kind","name"')


@pytest.mark.parametrize(
    ("env", "tmux", "why"),
    [
        ({"TERM": "xterm-256color"}, None, None),
        ({"TERM": "linux"}, None, "the Linux console has no clipboard"),
        ({"TERM_PROGRAM": "Apple_Terminal"}, None, "macOS Terminal does not take OSC 52"),
        ({"STY": "1.pts-0"}, None, "GNU screen does not pass OSC 52 on"),
        ({"TMUX": "/tmp/tmux-0/default,1,0"}, "on", None),
        ({"TMUX": "/tmp/tmux-0/default,1,0"}, "external", "tmux set-clipboard is external, not on"),
        ({"TMUX": "/tmp/tmux-0/default,1,0"}, "off", "tmux set-clipboard is off, not on"),
        ({"TMUX": "/tmp/tmux-0/default,1,0"}, None, "tmux set-clipboard is unknown, not on"),
    ],
)
def test_when_the_terminal_may_not_take_the_copy(env: dict[str, str], tmux: str | None, why: str | None) -> None:
    assert clipboard.unreachable(headless=False, env=env, tmux_option=lambda: tmux) == why
    assert clipboard.unreachable(headless=True, env=env, tmux_option=lambda: tmux) == "no terminal"
