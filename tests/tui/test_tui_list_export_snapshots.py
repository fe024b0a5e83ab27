"""Snapshot of the user list's export dialog (`E` on Users), over a search, at 120x40; see test_tui_snapshots.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.support import SIZE, build_store, keys, make_app
from tui_profiles.tui.screens import export_dialog


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(export_dialog, "default_folder", lambda: Path("/home/dana"))  # the same path on every machine
    return make_app(build_store(Path("store")))


def test_users_export_dialog(app, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("/", *"@acme", "down", "E"))  # down: the list (enter opens one)
