"""Snapshots of every screen at 120x40 (and the two busiest at 100x30), deterministic data, pinned now.

`snap_compare` runs the app itself, so these are plain `def` tests. The store is built under a
relative path so the event screen's "from store/events.jsonl line N" is the same on every machine.
Update after a deliberate change: `pytest tests/tui/test_tui_snapshots.py --snapshot-update`, then look.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.tui.support import SIZE, SMALL, build_store, keys, make_app


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.chdir(tmp_path)
    return make_app(build_store(Path("store")))





def test_users(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys())


def test_users_at_100x30(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SMALL, run_before=keys())


def test_users_search(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("/", *"acme", "enter", "escape"))  # one match opens; back to the list


def test_users_search_error(app, snap_compare) -> None:  # noqa: ANN001
    async def type_all_at_once(pilot: Pilot) -> None:
        # One change, so no half-typed query runs first (typing speed would decide the picture).
        await keys("/")(pilot)
        pilot.app.screen.query_one(Input).value = "seen:<"
        await pilot.pause(0.4)
        await keys()(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=type_all_at_once)


def test_users_period_all(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("p", "p", "p"))


def test_profile_overview(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("enter"))


def test_profile_sessions(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("enter", "tab"))


def test_profile_timeline(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("enter", "tab", "tab", "down", "down"))


def test_profile_timeline_at_100x30(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SMALL, run_before=keys("enter", "tab", "tab"))


def test_profile_properties(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("enter", "shift+tab", "shift+tab"))


def test_session(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("enter", "tab", "down", "enter"))


def test_event_properties(app, snap_compare) -> None:  # noqa: ANN001
    order = ("enter", "tab", "tab", "down", "down", "down", "down", "down", "enter")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys(*order))


def test_event_raw_json(app, snap_compare) -> None:  # noqa: ANN001
    order = ("enter", "tab", "tab", "down", "down", "down", "down", "down", "enter", "tab", "tab")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys(*order))


def test_help(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("question_mark"))


def test_hostile_profile_timeline(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("down", "down", "enter", "tab", "tab"))


def test_hostile_event(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("down", "down", "enter", "tab", "tab", "down", "enter"))
