"""Snapshots of the Timeline narrowed to one event, opened at a date, and the jump prompt with a bad date (120x40).

Plain `def` tests: `snap_compare` runs the app. Update after a deliberate change with `--snapshot-update`, then look.
"""

from __future__ import annotations

import pytest

from tests.tui.support import SIZE, keys, make_app
from tests.tui.timeline_store import TL_EMAIL, timeline_store

TO_TESS = ("slash", *TL_EMAIL, "enter")  # one match: her profile


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    return timeline_store(tmp_path_factory.mktemp("timeline") / "store")


def test_timeline_filtered_to_one_event(store, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=keys(*TO_TESS, "f", *"Order Completed", "enter"))


def test_timeline_opened_at_a_date(store, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=keys(*TO_TESS, "tab", "tab", "d", *"2026-11-17 12:00", "enter"))


def test_filtered_and_opened_at_a_date(store, snap_compare) -> None:  # noqa: ANN001
    steps = (*TO_TESS, "f", *"-Heartbeat, -Button Clicked", "enter", "d", *"2026-11-17", "enter")
    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=keys(*steps))


def test_a_bad_date_says_where(store, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=keys(*TO_TESS, "d", *"2026-11-17 14h", "enter"))
