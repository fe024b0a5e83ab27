"""Snapshots of the Companies, Company, Cohorts and Feedback screens, the goals line and the erase confirmation.

Deterministic data (tests/teams.py), pinned now, 120x40 (and the two fullest at 100x30).
`snap_compare` runs the app itself, so these are plain `def` tests. Update after a deliberate
change: `pytest tests/tui/test_tui_company_snapshots.py --snapshot-update`, then look.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.teams import build_teams_store, make_teams_app
from tests.tui.support import SIZE, SMALL, keys


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.chdir(tmp_path)
    return make_teams_app(build_teams_store(Path("store")))


def test_companies(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("C"))


def test_company(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("C", "enter"))


def test_company_at_100x30(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SMALL, run_before=keys("C", "enter"))


def test_company_hostile(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("C", "down", "enter"))


def test_cohorts(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("R"))


def test_cohorts_one_cohort_at_100x30(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SMALL, run_before=keys("R", "down"))


def test_profile_goals(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("enter"))


def test_profile_feedback(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("enter", "tab", "tab", "tab"))


def test_erase_confirmation(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("enter", "D"))
