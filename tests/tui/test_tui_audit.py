"""The Audit log screen: opened from the command palette, read in a worker, every string shown literally; its snapshot."""

from __future__ import annotations

from datetime import timezone
from pathlib import Path

import pytest

from tests.tui.support import HOSTILE_ID, HOSTILE_NAME, NOW, SIZE, build_store, demo_journal, ingest, keys, screen_text, settle
from tui_profiles.config import Settings
from tui_profiles.domain.clock import Clock
from tui_profiles.reader import StoreReader
from tui_profiles.store import audit
from tui_profiles.store.engine import make_engine
from tui_profiles.tui.app import ProfilesApp
from tui_profiles.tui.messages import OpenAudit, StoreChanged
from tui_profiles.tui.screens.audit import AuditScreen
from tui_profiles.tui.screens.profile import ProfileScreen
from tui_profiles.tui.widgets.rows_list import RowsList

MIN = 60_000


def app_for(url: str, author: str = "dana") -> ProfilesApp:
    reader = StoreReader(make_engine(url), Settings(db_url=url, author=author), Clock(now=lambda: NOW, tz=timezone.utc))
    return ProfilesApp(reader)


def shown(app: ProfilesApp) -> list[tuple[str, str, str]]:
    return [(e.action, e.author, e.target) for e in app.screen.query_one("#audit-list", RowsList).rows]


async def test_changes_made_in_the_app_are_listed_by_the_palettes_audit_log(tmp_path: Path, db_url: str) -> None:
    ingest(db_url, [demo_journal().write(tmp_path / "events.jsonl")])
    app = app_for(db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen) and app.screen.detail is not None
        profile_id, person = app.screen.profile_id, app.screen.detail.user.id
        await pilot.press("x")  # exclude, in a worker, through the reader: author from the settings
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        app.reader.save_filter("buyers", "tag:buyer")

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Audit log")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        assert shown(app) == [("save_filter", "dana", "buyers"), ("exclude", "dana", person)]
        text = screen_text(app)
        assert "Audit log" in text and "2 changes" in text and 'query="tag:buyer"' in text

        # A change made while the log is on screen shows up when the store says so.
        app.reader.set_excluded(profile_id, False)
        app.post_message(StoreChanged(frozenset({profile_id})))
        await settle(pilot)
        assert shown(app)[0] == ("include", "dana", person)
        app.post_message(OpenAudit())  # asked again while shown: still one screen
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, AuditScreen)


def record_examples(url: str) -> None:
    """A pinned log: one of each action, a redacted entry, and a hostile author and target."""
    engine = make_engine(url, writer=True)
    with engine.begin() as conn:
        rows = [
            (NOW - 3 * 60 * MIN, "dana", audit.SAVE_FILTER, "buyers", {"query": "tag:buyer"}),
            (NOW - 2 * 60 * MIN, "eve", audit.SAVE_FILTER, "buyers", {"query": "tag:buyer is:live", "replaced": "tag:buyer"}),
            (NOW - 90 * MIN, "dana", audit.EXCLUDE, audit.ERASED, {}),
            (NOW - 80 * MIN, "dana", audit.EXCLUDE, "user-carol", {}),
            (NOW - 70 * MIN, "eve", audit.INCLUDE, "user-carol", {}),
            (NOW - 60 * MIN, "frank", audit.ERASE, audit.ERASED, {
                "events": 14, "profiles": 2, "ids": 3, "quarantined_lines": 1, "other_profiles": 0, "other_events": 0,
                "audit_entries_redacted": 1,
            }),
            (NOW - 30 * MIN, HOSTILE_NAME, audit.EXCLUDE, HOSTILE_ID, {}),
            (NOW - 10 * MIN, "eve", audit.DELETE_FILTER, "buyers", {"query": "tag:buyer is:live"}),
        ]  # fmt: skip
        for at, author, action, target, detail in rows:
            audit.record(conn, author=author, action=action, target=target, detail=detail, at_ms=at)
    engine.dispose()


async def test_hostile_authors_and_targets_are_shown_as_text(tmp_path: Path) -> None:
    url = build_store(tmp_path / "store")
    record_examples(url)
    app = app_for(url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.post_message(OpenAudit())
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen) and app.return_code is None
        text = screen_text(app)
        assert "[@click=app.quit]mallo" in text and "[bold]Mallory[/" in text and "8 changes" in text  # cut to their columns


@pytest.fixture
def audit_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProfilesApp:
    monkeypatch.chdir(tmp_path)
    url = build_store(Path("store"))
    record_examples(url)
    return app_for(url)


def test_audit_log(audit_app, snap_compare) -> None:  # noqa: ANN001
    async def open_log(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        pilot.app.post_message(OpenAudit())
        await keys()(pilot)

    assert snap_compare(audit_app, terminal_size=SIZE, run_before=open_log)
