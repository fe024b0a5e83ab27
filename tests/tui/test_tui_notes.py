"""Notes on a person from the profile: written in a dialog (several lines), shown on the Overview newest first
with author and time, edited and deleted by their author only, shown literally, and followed live when a
colleague's process writes one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.widgets import TextArea

from tests.storekit import cli
from tests.tui.support import HOSTILE_NAME, NOW, Notes, build_store, demo_journal, ingest, make_app, screen_text, settle
from tui_profiles.config import Settings
from tui_profiles.store import notes, queries
from tui_profiles.store.engine import make_engine
from tui_profiles.tui.screens.note_dialog import DeleteNoteScreen, NoteDialog
from tui_profiles.tui.screens.profile import ProfileScreen
from tui_profiles.tui.widgets.notes import NotesPanel

SIZE = (120, 40)
MIN = 60_000


def dana_app(url: str):  # noqa: ANN201
    return make_app(url, settings=Settings(db_url=url, author="dana"))


def stored_notes(url: str, ident: str) -> list[tuple[str, str]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = [(n.author, n.text) for n in notes.notes_of(conn, queries.find_profile(conn, ident))]
    engine.dispose()
    return found


def write_note(url: str, ident: str, text: str, author: str, at: int) -> None:
    engine = make_engine(url, writer=True)
    with engine.begin() as conn:
        notes.add_note(conn, queries.find_profile(conn, ident), text, author=author, now_ms=at)
    engine.dispose()


async def open_bob(pilot) -> ProfileScreen:  # noqa: ANN001
    """Bob Stone is the second user of the demo list."""
    await settle(pilot)
    await pilot.press("down", "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ProfileScreen) and screen.detail is not None and screen.detail.user.id == "user-bob"
    return screen


def notes_text(app) -> list[str]:  # noqa: ANN001
    panel = app.screen.query_one(NotesPanel)
    return [panel.note_line(row, 80).plain.strip() for row in panel.rows.rows]


@pytest.fixture
def store(tmp_path: Path) -> str:
    return build_store(tmp_path / "store")


async def test_n_writes_a_note_of_several_lines_shown_newest_first_with_author_and_time(store: str) -> None:
    write_note(store, "user-bob", "Older note by sam", "sam", NOW - 60 * MIN)
    said = Notes()
    app = dana_app(store)
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await open_bob(pilot)
        assert notes_text(app) == ["sam · 2026-11-20 11:00", "Older note by sam"]
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        await pilot.press(*"Called about the refund.", "enter", *"Answer by Friday.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        assert "Note saved: everyone on this store sees it." in said.said
        assert stored_notes(store, "user-bob") == [("dana", "Called about the refund.\nAnswer by Friday."), ("sam", "Older note by sam")]
        assert notes_text(app) == [
            "dana · 2026-11-20 12:00", "Called about the refund.", "Answer by Friday.", "sam · 2026-11-20 11:00", "Older note by sam",
        ]  # fmt: skip
        assert "Answer by Friday." in screen_text(app)

        # escape cancels, and an empty note is not saved.
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"never mind", "escape")
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog) and "A note needs some text" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert len(stored_notes(store, "user-bob")) == 2


async def test_the_author_edits_and_deletes_their_note_and_not_someone_elses(store: str) -> None:
    write_note(store, "user-bob", "sam's note", "sam", NOW - 60 * MIN)
    write_note(store, "user-bob", "dana's note", "dana", NOW - 30 * MIN)
    said = Notes()
    app = dana_app(store)
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await open_bob(pilot)
        await pilot.press("N")  # to the notes; the cursor on dana's, the newest
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        area = app.screen.query_one(TextArea)
        assert area.text == "dana's note"
        area.text = "dana's note, edited\nsecond line"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert stored_notes(store, "user-bob") == [("dana", "dana's note, edited\nsecond line"), ("sam", "sam's note")]
        assert notes_text(app)[0] == "dana · 2026-11-20 11:30 (edited)"

        # sam's note: shown whole, read-only, neither edited nor deleted; the notification says why.
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()
        assert said.said[-1] == "This note is sam's: only its author can edit it (you are dana)."
        assert isinstance(app.screen, NoteDialog) and app.screen.query_one(TextArea).read_only
        assert "sam's note on Bob Stone" in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog) and "Only sam can change this note." in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        assert stored_notes(store, "user-bob")[1] == ("sam", "sam's note")
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)
        assert said.said[-1] == "This note is sam's: only its author can delete it (you are dana)."

        # dana's own: delete asks first; n keeps it, y deletes it.
        await pilot.press("home", "delete")
        await pilot.pause()
        assert isinstance(app.screen, DeleteNoteScreen)
        await pilot.press("n")
        await settle(pilot)
        assert len(stored_notes(store, "user-bob")) == 2
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert stored_notes(store, "user-bob") == [("sam", "sam's note")]
        assert notes_text(app) == ["sam · 2026-11-20 11:00", "sam's note"]
        assert "Note deleted for everyone on this store." in said.said


async def test_note_text_is_data_shown_literally(store: str) -> None:
    write_note(store, "user-bob", f"{HOSTILE_NAME}\n\x1b[31mred\x1b]52;c;ZXZpbA==\x07", "sam", NOW - MIN)
    app = dana_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_bob(pilot)
        text = screen_text(app)
        assert "[bold]Mallory[/bold] [@click=app.quit]x" in text
        assert "\\e[31mred\\e]52;c;ZXZpbA==\\x07" in text  # escapes shown, never sent to the terminal
        assert app.is_running


async def test_a_note_written_by_another_process_shows_up(db_url: str, tmp_path: Path) -> None:
    ingest(db_url, [demo_journal().write(tmp_path / "events.jsonl")])
    app = dana_app(db_url)
    async with app.run_test(size=SIZE) as pilot:
        await open_bob(pilot)
        assert app.screen.query_one(NotesPanel).rows.rows == [] and "no notes (n adds one)" in screen_text(app)
        done = await asyncio.to_thread(cli, "notes", "user-bob", "--add", "From a colleague's terminal", db=db_url)
        assert done.returncode == 0, done.stderr
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while "From a colleague's terminal" not in notes_text(app):
            assert loop.time() < deadline, "the colleague's note never showed"
            await pilot.pause(0.1)
        await settle(pilot)
        assert "From a colleague's terminal" in screen_text(app)
