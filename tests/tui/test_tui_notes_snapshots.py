"""Snapshots of the notes: a profile's Overview with notes of two authors (one edited, one long, one hostile), and the note dialog."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.notes_data import write_bob_notes
from tests.tui.support import SIZE, build_store, keys, make_app
from tui_profiles.config import Settings


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.chdir(tmp_path)
    url = build_store(Path("store"))
    write_bob_notes(url)
    return make_app(url, settings=Settings(db_url=url, author="dana"))


def test_overview_with_notes(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("down", "enter", "N"))


def test_note_dialog(app, snap_compare) -> None:  # noqa: ANN001
    async def write(pilot) -> None:  # noqa: ANN001
        await keys("down", "enter", "n")(pilot)
        await pilot.press(*"Called back: the refund is on its way.", "enter", *"Close the ticket if he confirms.")
        await keys()(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=write)
