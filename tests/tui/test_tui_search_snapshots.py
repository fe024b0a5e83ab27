"""Snapshots of the search bar's suggestions and the saved-filter dialogs, 120x40, deterministic data.

Plain `def` tests: `snap_compare` runs the app itself. Update after a deliberate change:
`pytest tests/tui/test_tui_search_snapshots.py --snapshot-update`, then look at the pictures.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.tui.support import SIZE, build_store, keys, make_app, settle


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.chdir(tmp_path)
    return make_app(build_store(Path("store")))


def typed(text: str, *then: str):  # noqa: ANN201
    """Focus the bar and put `text` in it in one change (typing speed must not decide the picture)."""

    async def run(pilot: Pilot) -> None:
        await keys("/")(pilot)
        bar = pilot.app.screen.query_one("#search")
        bar.input.value = text
        bar.input.cursor_position = len(text)
        await pilot.pause(0.3)
        await settle(pilot)
        await keys(*then)(pilot)

    return run


def test_suggested_event_names(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=typed("plan:pro did:"))


def test_suggested_keys(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=typed("s"))


def test_saved_filter_active(app, snap_compare) -> None:  # noqa: ANN001
    app.reader.save_filter("buyers", "tag:buyer")

    async def recall(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.screen.apply_saved_filter("buyers", "tag:buyer")
        await pilot.pause(0.3)
        await keys()(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=recall)


def test_save_filter_dialog(app, snap_compare) -> None:  # noqa: ANN001
    app.reader.save_filter("buyers", "tag:buyer")
    assert snap_compare(app, terminal_size=SIZE, run_before=typed("tag:buyer is:live", "escape", "ctrl+s", *"buyers"))
