"""Snapshots of the notes: a profile's Overview with notes of two authors (one edited, one long, one hostile), and the note dialog."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.support import HOSTILE_NAME, NOW, SIZE, build_store, keys, make_app
from tui_profiles.config import Settings
from tui_profiles.store import notes, queries
from tui_profiles.store.engine import make_engine

MIN = 60_000


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.chdir(tmp_path)
    url = build_store(Path("store"))
    engine = make_engine(url, writer=True)
    with engine.begin() as conn:
        bob = queries.find_profile(conn, "user-bob")
        notes.add_note(conn, bob, "Asked for an invoice in EUR.\nSent it on 2026-11-18.", author="sam", now_ms=NOW - 2 * 24 * 60 * MIN)
        mine = notes.add_note(conn, bob, "Refund of order o-7 promised by Friday.", author="dana", now_ms=NOW - 90 * MIN)
        notes.edit_note(conn, mine.id, "Refund of order o-7 promised by Friday.\nFinance says Monday: told him.", author="dana",
                        now_ms=NOW - 30 * MIN)  # fmt: skip
        notes.add_note(conn, bob, f"Pasted from the ticket: {HOSTILE_NAME}\n" + "\n".join(f"line {i}" for i in range(1, 9)),
                       author="sam", now_ms=NOW - 5 * MIN)  # fmt: skip
    engine.dispose()
    return make_app(url, settings=Settings(db_url=url, author="dana"))


def test_overview_with_notes(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("down", "enter", "N"))


def test_note_dialog(app, snap_compare) -> None:  # noqa: ANN001
    async def write(pilot) -> None:  # noqa: ANN001
        await keys("down", "enter", "n")(pilot)
        await pilot.press(*"Called back: the refund is on its way.", "enter", *"Close the ticket if he confirms.")
        await keys()(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=write)
