"""Identity guardrails (issue 12): a shared device, a blob of anonymous ids and blocked ids, from files the real
Segment and PostHog libraries wrote, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.scenarios import T0, PostHogRun, SegmentRun, at, epoch_ms, run_journey, run_scenario
from tests.storekit import ingest, profile_doc, users
from tui_profiles.config import Settings
from tui_profiles.domain.filters import parse as parse_filter
from tui_profiles.store import queries
from tui_profiles.store.engine import make_engine
from tui_profiles.store.filter_sql import compile_filter
from tui_profiles.store.models import LINKS

NOW = epoch_ms(T0) + 24 * 3600 * 1000
LAPTOP = "anon-laptop-5e11"
PHONE = "ph-anon-0f0f"


def shared_laptop(s: SegmentRun) -> None:
    """Alice signs in on the family laptop, logs out; Bob signs in on it; then someone browses signed out."""
    s.page(at(0), "Home", "/", anonymous_id=LAPTOP)
    s.identify(at(1), {"email": "alice@example.com"}, user_id="user-alice", anonymous_id=LAPTOP)
    s.track(at(2), "Logged Out", user_id="user-alice", anonymous_id=LAPTOP)
    s.identify(at(30), {"email": "bob@example.com"}, user_id="user-bob", anonymous_id=LAPTOP)
    s.track(at(31), "Logged Out", user_id="user-bob", anonymous_id=LAPTOP)
    s.page(at(40), "Blog", "/blog", anonymous_id=LAPTOP)
    s.page(at(50), "Home", "/", anonymous_id="anon-own-laptop")  # carol's own laptop: shared with no one
    s.identify(at(51), {"email": "carol@example.com"}, user_id="user-carol", anonymous_id="anon-own-laptop")


def shared_phone(p: PostHogRun) -> None:
    """The same on PostHog: two $identify calls name one $anon_distinct_id."""
    p.capture(at(0), "$pageview", PHONE, identified=False, properties={"$pathname": "/"})
    p.identify(at(1), "user-dan", PHONE)
    p.identify(at(20), "user-erin", PHONE)


def blob(s: SegmentRun) -> None:
    """A tracking bug: one hard-coded user id identifies every visitor. Five anonymous ids join one profile."""
    for i in range(5):
        s.page(at(10 * i), "Home", "/", anonymous_id=f"anon-visitor-{i}")
        s.identify(at(10 * i + 1), {}, user_id="user-everyone", anonymous_id=f"anon-visitor-{i}")
    s.alias(at(60), "anon-visitor-5", "user-everyone")


def _tagged(url: str, tag: str, settings: Settings) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            where = compile_filter(parse_filter(tag), now_ms=NOW, settings=settings, conn=conn)
            return {u.id for u in queries.list_users(conn, settings=settings, now_ms=NOW, where=where, limit=1000)}
    finally:
        engine.dispose()


def _files(folder: Path) -> list[Path]:
    return [run_journey("shared_laptop", shared_laptop, folder, client="segment")[0],
            run_journey("shared_phone", shared_phone, folder, client="posthog", gz=True)[0],
            run_journey("blob", blob, folder, client="segment")[0]]  # fmt: skip


def test_a_shared_device_is_flagged_on_every_user_and_on_the_anonymous_profile(db_url, tmp_path):
    settings = Settings(db_url=db_url, max_anon_ids=3)
    ingest(db_url, _files(tmp_path), settings)
    tags = {u.id: u.tags for u in users(db_url, NOW, settings)}
    shared = {"user-alice", "user-bob", LAPTOP, "user-dan", "user-erin"}
    assert {i for i, t in tags.items() if "shared_device" in t} == shared
    assert "shared_device" not in tags["user-carol"] and "shared_device" not in tags["user-everyone"]
    assert _tagged(db_url, "tag:shared_device", settings) == shared
    assert _tagged(db_url, "-tag:shared_device", settings) == set(tags) - shared
    # The profile shows it too (the flag follows the tag rules' order: after the aggregates' tags).
    assert profile_doc(db_url, LAPTOP, NOW, settings)["tags"][-1] == "shared_device"


def test_a_profile_with_more_anonymous_ids_than_the_setting_is_a_blob(db_url, tmp_path):
    ingest(db_url, _files(tmp_path), Settings(db_url=db_url))
    strict = Settings(db_url=db_url, max_anon_ids=5)
    assert len(profile_doc(db_url, "user-everyone", NOW, strict)["anonymous_ids"]) == 6
    assert _tagged(db_url, "tag:too_many_ids", strict) == {"user-everyone"}
    assert "too_many_ids" in {u.id: u.tags for u in users(db_url, NOW, strict)}["user-everyone"]
    # Read when asked: the setting applies at once, to what is stored already.
    assert _tagged(db_url, "tag:too_many_ids", Settings(db_url=db_url, max_anon_ids=6)) == set()
    assert _tagged(db_url, "tag:too_many_ids", Settings(db_url=db_url)) == set()  # default 100
    assert "too_many_ids" not in profile_doc(db_url, "user-everyone", NOW, Settings(db_url=db_url))["tags"]


def test_a_blocked_id_links_no_one_and_alone_is_quarantined(db_url, tmp_path):
    path, _ = run_scenario("shared_browser", tmp_path)  # alice and bob on one browser, a page between them
    settings = Settings(db_url=db_url, blocked_ids=("ANON-SHARED-9D2E",))
    summary = ingest(db_url, [path], settings)
    assert summary.as_dict() == {"files": 1, "events": 5, "duplicates": 0, "copies": 0, "rejected": 1}
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(LINKS)).scalar_one() == 0
            (rejected,) = queries.rejected_lines(conn)
    finally:
        engine.dispose()
    assert rejected.reason == "no usable id (blocked: anonymousId 'anon-shared-9d2e')"
    assert {u.id: u.tags for u in users(db_url, NOW, settings)}.keys() == {"user-alice", "user-bob"}
    assert _tagged(db_url, "tag:shared_device", settings) == set()
    assert profile_doc(db_url, "user-bob", NOW, settings)["anonymous_ids"] == []
