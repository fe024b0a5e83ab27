"""Identity guardrails (issue 12): a shared device, a blob of anonymous ids and blocked ids, from files the real
Segment and PostHog libraries wrote, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from tests.identity_journeys import LAPTOP, PHONE, identity_files
from tests.scenarios import T0, at, epoch_ms, run_scenario
from tests.storekit import ingest, profile_doc, users
from tui_profiles.config import Settings
from tui_profiles.domain.filters import parse as parse_filter
from tui_profiles.store import queries
from tui_profiles.store.engine import make_engine
from tui_profiles.store.filter_sql import compile_filter
from tui_profiles.store.models import LINKS

NOW = epoch_ms(T0) + 24 * 3600 * 1000
def _tagged(url: str, tag: str, settings: Settings) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            where = compile_filter(parse_filter(tag), now_ms=NOW, settings=settings, conn=conn)
            return {u.id for u in queries.list_users(conn, settings=settings, now_ms=NOW, where=where, limit=1000)}
    finally:
        engine.dispose()


def test_a_shared_device_is_flagged_on_every_user_and_on_the_anonymous_profile(db_url, tmp_path):
    settings = Settings(db_url=db_url, max_anon_ids=3)
    ingest(db_url, identity_files(tmp_path), settings)
    tags = {u.id: u.tags for u in users(db_url, NOW, settings)}
    # The phone's id is linked to dan and to erin; its pageview before dan's $identify is its own anonymous
    # profile (merged into dan), so that profile is flagged like the laptop's.
    assert [m["user_id"] for m in profile_doc(db_url, PHONE, NOW, settings)["merged_into"]] == ["user-dan", "user-erin"]
    shared = {"user-alice", "user-bob", LAPTOP, "user-dan", "user-erin", PHONE}
    assert {i for i, t in tags.items() if "shared_device" in t} == shared
    assert "shared_device" not in tags["user-carol"] and "shared_device" not in tags["user-everyone"]
    assert _tagged(db_url, "tag:shared_device", settings) == shared
    assert _tagged(db_url, "-tag:shared_device", settings) == set(tags) - shared
    # The profile shows it too (the flag follows the tag rules' order: after the aggregates' tags).
    assert profile_doc(db_url, LAPTOP, NOW, settings)["tags"][-1] == "shared_device"


def test_a_profile_with_more_anonymous_ids_than_the_setting_is_a_blob(db_url, tmp_path):
    ingest(db_url, identity_files(tmp_path), Settings(db_url=db_url))
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


# -- the identity panel's read ---------------------------------------------------------------------------
def _report(url: str, ident: str, settings: Settings):
    from tui_profiles.store.identity_links import identity_report

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return identity_report(conn, queries.find_profile(conn, ident), max_anon_ids=settings.max_anon_ids)
    finally:
        engine.dispose()


def test_why_an_id_is_linked_how_when_from_where_and_what_it_brought(db_url, tmp_path):
    settings = Settings(db_url=db_url, max_anon_ids=3)
    files = identity_files(tmp_path)
    ingest(db_url, files, settings)
    alice = _report(db_url, "user-alice", settings)
    assert (alice.id, alice.kind, alice.flags) == ("user-alice", "identified", ("shared_device",))
    (link,) = alice.links
    assert (link.anonymous_id, link.user_id, link.via, link.at) == (LAPTOP, "user-alice", "identify", epoch_ms(at(1)))
    assert (link.file, link.line) == (str(files[0]), 2)  # the identify is the file's second line
    assert link.events == 1  # the page before she signed in
    assert link.shared_with == ("user-bob",)
    assert (link.first_seen, link.last_seen, link.source) == (epoch_ms(at(0)), epoch_ms(at(2)), "web")

    bob = _report(db_url, "user-bob", settings)
    assert [(r.via, r.events, r.shared_with) for r in bob.links] == [("identify", 0, ("user-alice",))]  # nothing before him

    # The anonymous profile (the page after Bob logged out) lists the users its id was linked to.
    laptop = _report(db_url, LAPTOP, settings)
    assert (laptop.kind, laptop.flags) == ("anonymous", ("shared_device",))
    assert [(r.user_id, r.via, r.events, r.shared_with) for r in laptop.links] == [
        ("user-alice", "identify", 1, ("user-bob",)), ("user-bob", "identify", 0, ("user-alice",)),
    ]  # fmt: skip

    # PostHog: the link is the $identify, and the pageview before it came along.
    dan = _report(db_url, "user-dan", settings)
    assert [(r.anonymous_id, r.via, r.events, r.shared_with, r.line) for r in dan.links] == [
        ("ph-anon-0f0f", "$identify", 1, ("user-erin",), 2)
    ]

    # The blob: five identifies and an alias, every one a row; the alias brought nothing (no events before it).
    everyone = _report(db_url, "user-everyone", settings)
    assert everyone.flags == ("too_many_ids",)
    assert [(r.anonymous_id, r.via, r.events) for r in everyone.links] == [
        *((f"anon-visitor-{i}", "identify", 1) for i in range(5)), ("anon-visitor-5", "alias", 0)
    ]


def test_an_anonymous_id_only_used_while_signed_in_is_listed_as_such(db_url, tmp_path):
    path, _ = run_scenario("multi_device", tmp_path)  # carol's Android app sends its id with hers, never identifies
    ingest(db_url, [path])
    carol = _report(db_url, "user-carol", Settings(db_url=db_url))
    assert [(r.anonymous_id, r.via, r.source) for r in carol.links] == [
        ("anon-web-c41d", "identify", "web"), ("anon-ios-77e0", "identify", "ios"), ("anon-and-03b9", "signed in", "android"),
    ]  # fmt: skip
    android = carol.links[-1]
    assert (android.events, android.line, android.shared_with) == (0, 6, ())
