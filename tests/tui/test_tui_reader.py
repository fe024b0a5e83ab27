"""reader.py (StoreReader) on SQLite and PostgreSQL: the windows, ranks, pages and details the screens are built from."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tui.support import NOW, demo_reader, ingest
from tui_profiles.config import Settings
from tui_profiles.domain.clock import Clock
from tui_profiles.domain.periods import PERIODS
from tui_profiles.reader import StoreReader, UserQuery
from tui_profiles.store import queries
from tui_profiles.store.engine import make_engine


@pytest.fixture
def reader(tmp_path: Path, db_url: str) -> Iterator[StoreReader]:
    with demo_reader(tmp_path, db_url) as r:
        yield r


def test_windows_by_offset_and_the_rank_of_a_followed_profile(reader: StoreReader) -> None:
    everyone = reader.user_window(UserQuery(period="all"), 0, 100)
    # 4 identified users, anon-alice's own anonymous profile (she browsed before signing up) and 40 visitors.
    assert everyone.total == 45 and len(everyone.rows) == 45
    ids = [u.id for u in everyone.rows]
    assert ids[:3] == ["user-alice", "user-bob", "[@click=app.quit]mallory"]
    page = reader.user_window(UserQuery(period="all"), 10, 5)
    assert page.start == 10 and [u.id for u in page.rows] == ids[10:15]
    # Following a profile places the window so that it sits `anchor` rows below the top.
    carol = next(u for u in everyone.rows if u.id == "user-carol")
    followed = reader.user_window(UserQuery(period="all"), 0, 5, follow=carol.profile_id, anchor=2)
    assert followed.cursor == ids.index("user-carol")
    assert followed.start == followed.cursor - 2 and followed.rows[2].id == "user-carol"
    # Not in the period: no rank, the window stays where it was asked.
    old = next(u for u in everyone.rows if u.id == "anon-0039")
    assert reader.user_window(UserQuery(period="7d"), 0, 5, follow=old.profile_id).cursor is None


def test_ties_on_last_seen_are_ranked_by_id(tmp_path: Path, db_url: str) -> None:
    from tests.tui.support import Journal

    journal = Journal("ties")
    for i in range(5):
        journal.page(NOW - 60_000, "/", anon=f"same-{i}")
    ingest(db_url, [journal.write(tmp_path / "ties.jsonl")])
    reader = StoreReader(make_engine(db_url), Settings(db_url=db_url), Clock(now=lambda: NOW))
    window = reader.user_window(UserQuery(period="all"), 0, 10)
    for index, user in enumerate(window.rows):
        assert reader.user_window(UserQuery(period="all"), 0, 10, follow=user.profile_id).cursor == index
    reader.engine.dispose()


def test_counts_profile_overview_and_sessions(reader: StoreReader) -> None:
    assert reader.live_count() == 2
    # Her anonymous id now opens her anonymous profile (its 3 events, merged into user-alice), not her.
    anonymous = reader.find_profile("anon-alice")
    assert anonymous is not None and anonymous != reader.find_profile("user-alice")
    anon_detail = reader.profile(anonymous)
    assert anon_detail is not None and anon_detail.user.kind == "anonymous" and anon_detail.user.events == 3
    assert [m[0] for m in anon_detail.merged_into] == ["user-alice"]
    alice = reader.find_profile("user-alice")
    assert alice is not None
    detail = reader.profile(alice)
    assert detail is not None and detail.user.display_name == "Alice Martin"
    seen = {period: reader.overview(detail, period, None) for period in PERIODS}
    assert (seen["24h"].events, seen["7d"].events, seen["30d"].events, seen["all"].events) == (3, 7, 9, 9)
    assert seen["7d"].sessions == 2 and seen["7d"].avg_session_ms == (28 * 60_000 + 9 * 60_000) // 2
    assert sum(n for _, n in seen["all"].per_day) == 9
    assert reader.overview(detail, "all", "PRIC").top_pages == (("/pricing", 1),)
    sessions = reader.sessions(alice)
    assert [s.events for s in sessions] == [3, 4, 2]  # newest first
    # The header leaves the all-time top lists to the overview ("all"), which the screen shows.
    assert detail.top_events == detail.top_pages == ()
    with reader.engine.connect() as conn:
        full = queries.profile_detail(conn, alice, settings=reader.settings, now_ms=NOW)
    assert full.top_pages == seen["all"].top_pages and full.top_events == seen["all"].top_events
    assert full.top_pages and dataclasses.replace(full, top_events=(), top_pages=()) == detail


def test_timeline_pages_by_keyset_and_what_arrived_since(reader: StoreReader) -> None:
    alice = reader.find_profile("user-alice")
    first = reader.timeline_page(alice, before=None, limit=4)
    rest = reader.timeline_page(alice, before=(first[-1].ts, first[-1].event_id), limit=100)
    every = first + rest
    assert len(every) == 9 and [e.ts for e in every] == sorted((e.ts for e in every), reverse=True)
    assert reader.timeline_newer(alice, after=(every[2].ts, every[2].event_id)) == every[:2]


def test_sessions_step_and_event_detail(reader: StoreReader) -> None:
    alice = reader.find_profile("user-alice")
    newest = reader.sessions(alice)[0]
    found = reader.session(alice, newest.start)
    assert found is not None and [e.name for e in found[1]][1] == "$rageclick"
    earlier = reader.neighbour_session(alice, newest.start, -1)
    assert earlier is not None and earlier[0].events == 4
    assert reader.neighbour_session(alice, newest.start, 1) is None
    detail = reader.event(found[1][1].event_id)
    assert detail is not None and detail.file is not None and detail.file.endswith("events.jsonl") and detail.line == 8
    assert detail.raw["event"] == "$rageclick"
