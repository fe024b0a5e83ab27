"""The identity rules, driven by files the real Segment and PostHog libraries wrote, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.scenarios import SCENARIOS, T0, epoch_ms, run_scenario
from tests.storekit import ingest, profile_doc, store_snapshot, users
from tui_profiles.store import models
from tui_profiles.store.engine import make_engine

NOW = epoch_ms(T0) + 24 * 3600 * 1000  # a day after every scenario: nothing live


def _ids(doc: dict) -> list[str]:
    return [e["message_id"] for e in doc["timeline"]]


def _event_rows(url: str) -> int:
    """Events stored: a merged event is one row, whichever profiles show it."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(models.Event.__table__)).scalar_one())
    finally:
        engine.dispose()


def _scenario(name: str, folder: Path, gz: bool = False):
    path, expected = run_scenario(name, folder, gz)
    return path, [e.message_id for e in expected]


def test_history_before_signup_joins_the_user(db_url, tmp_path):
    path, mids = _scenario("anonymous_then_signup", tmp_path)
    summary = ingest(db_url, [path])
    assert summary.as_dict() == {"files": 1, "events": 6, "duplicates": 0, "copies": 0, "rejected": 0}
    alice = profile_doc(db_url, "user-alice", NOW)
    assert alice["kind"] == "identified"
    assert _ids(alice) == mids  # every event, the anonymous pages first
    assert alice["anonymous_ids"] == ["anon-5b1f0c2e"]
    assert alice["traits"] == {"email": "alice@example.com", "name": "Alice Liddell", "plan": "pro"}
    assert alice["name"] == "Alice Liddell" and alice["email"] == "alice@example.com"
    # The anonymous profile keeps its history (merged into alice too, stored once): two users.
    assert sorted(u.id for u in users(db_url, NOW)) == ["anon-5b1f0c2e", "user-alice"]
    anon = profile_doc(db_url, "anon-5b1f0c2e", NOW)
    assert anon["kind"] == "anonymous" and _ids(anon) == mids[:3]
    assert anon["merged_into"] == [{"user_id": "user-alice", "at": "2024-03-04T09:05:00.000Z"}]
    assert [e["merged_into"] for e in anon["timeline"]] == ["user-alice"] * 3
    assert alice["merged_into"] == [] and all(e["merged_into"] is None for e in alice["timeline"])
    assert _event_rows(db_url) == len(mids)


def test_shared_browser_gives_anonymous_events_to_the_next_login(db_url, tmp_path):
    path, mids = _scenario("shared_browser", tmp_path)
    ingest(db_url, [path])
    alice = profile_doc(db_url, "user-alice", NOW)
    bob = profile_doc(db_url, "user-bob", NOW)
    # alice: identify, Logged In, Logged Out. The page after her logout is bob's (his login follows it).
    assert _ids(alice) == mids[0:3]
    assert _ids(bob) == mids[3:6]
    # The browser's anonymous profile: only the page between the two logins, merged into bob.
    shared = profile_doc(db_url, "anon-shared-9d2e", NOW)
    assert _ids(shared) == mids[3:4] and shared["timeline"][0]["merged_into"] == "user-bob"
    assert {u.id for u in users(db_url, NOW)} == {"user-alice", "user-bob", "anon-shared-9d2e"}
    # Privacy boundary: bob's traits never reach alice and the other way round.
    assert alice["traits"] == {"email": "alice@example.com"}
    assert bob["traits"] == {"email": "bob@example.com"}


def test_after_logout_stays_anonymous_and_counts_as_a_second_user(db_url, tmp_path):
    path, mids = _scenario("logout_stays_anonymous", tmp_path)
    ingest(db_url, [path])
    dave = profile_doc(db_url, "user-dave", NOW)
    assert _ids(dave) == mids[0:3]
    anon = profile_doc(db_url, "anon-d-after-reset", NOW)
    assert anon["kind"] == "anonymous" and _ids(anon) == mids[3:5]
    assert anon["traits"] == {} and anon["email"] is None  # nothing identified leaks onto it
    kinds = sorted((u.kind, u.id) for u in users(db_url, NOW))
    assert kinds == [("anonymous", "anon-d-after-reset"), ("anonymous", "anon-d-first"), ("identified", "user-dave")]


def test_traits_set_while_anonymous_move_to_the_identified_profile(db_url, tmp_path):
    path, mids = _scenario("traits_before_identify", tmp_path)
    ingest(db_url, [path])
    erin = profile_doc(db_url, "user-erin", NOW)
    assert _ids(erin) == mids
    assert erin["traits"] == {"email": "erin@example.com", "newsletter": True, "name": "Erin", "plan": "free"}
    assert "contact_info" in erin["tags"] and "custom_attributes" in erin["tags"]
    # The anonymous profile keeps the traits it set while anonymous, and nothing identified.
    anon = profile_doc(db_url, "anon-e-4410", NOW)
    assert anon["traits"] == {"email": "erin@example.com", "newsletter": True} and _ids(anon) == mids[:2]
    assert len(users(db_url, NOW)) == 2


def test_one_user_many_devices(db_url, tmp_path):
    path, mids = _scenario("multi_device", tmp_path)
    ingest(db_url, [path])
    carol = profile_doc(db_url, "user-carol", NOW)
    assert sorted(_ids(carol)) == sorted(mids)
    assert carol["anonymous_ids"] == ["anon-and-03b9", "anon-ios-77e0", "anon-web-c41d"]
    assert [s["source"] for s in carol["session_list"]] == ["web", "ios", "android", "server"]
    assert sorted(carol["sources"]) == ["android", "ios", "server", "web"]


def test_alias_links_like_identify(db_url, tmp_path):
    path, mids = _scenario("segment_alias", tmp_path)
    ingest(db_url, [path])
    heidi = profile_doc(db_url, "user-heidi", NOW)
    assert _ids(heidi) == mids and heidi["anonymous_ids"] == ["anon-h-0a0a"]
    assert _ids(profile_doc(db_url, "anon-h-0a0a", NOW)) == mids[:1]
    assert len(users(db_url, NOW)) == 2


def test_posthog_identify_merges_the_anonymous_distinct_id(db_url, tmp_path):
    path, mids = _scenario("posthog_identify", tmp_path, gz=True)
    ingest(db_url, [path])
    ivan = profile_doc(db_url, "user-ivan", NOW)
    assert _ids(ivan) == mids
    assert ivan["anonymous_ids"] == ["018e0c1a-5a5a-7000-8000-00000000a11c"]
    assert ivan["traits"] == {"email": "ivan@example.com", "first_seen_plan": "free"}
    assert ivan["country"] == "France"
    assert [p["path"] for p in ivan["top_pages"]] == ["/", "/app", "/pricing"]
    anon = profile_doc(db_url, "018e0c1a-5a5a-7000-8000-00000000a11c", NOW)
    assert anon["kind"] == "anonymous" and _ids(anon) == mids[:2] and anon["country"] == "France"
    assert len(users(db_url, NOW)) == 2


def test_posthog_set_once_only_sets_once_and_set_wins_later(db_url, tmp_path):
    path, _ = _scenario("posthog_set_once", tmp_path)
    ingest(db_url, [path])
    judy = profile_doc(db_url, "user-judy", NOW)
    assert judy["traits"]["plan"] == "pro"  # $set at 0, $set_once ignored at 1, $set at 2
    assert judy["traits"]["signup_source"] == "ad"
    assert judy["traits"]["email"] == "judy@example.com"
    assert "first_upgrade_at" in judy["traits"]


def test_posthog_alias_links(db_url, tmp_path):
    path, mids = _scenario("posthog_alias", tmp_path)
    ingest(db_url, [path])
    ken = profile_doc(db_url, "user-ken", NOW)
    assert _ids(ken) == mids
    assert _ids(profile_doc(db_url, "anon-k-3c3c", NOW)) == mids[:1]
    assert len(users(db_url, NOW)) == 2


def test_companies_and_orders(db_url, tmp_path):
    paths = [_scenario(name, tmp_path)[0] for name in ("groups", "posthog_groups", "order_completed")]
    ingest(db_url, paths)
    grace = profile_doc(db_url, "user-grace", NOW)
    assert "Acme Inc" in grace["companies"] and "work_info" in grace["tags"]
    lena = profile_doc(db_url, "user-lena", NOW)
    assert "Globex" in lena["companies"] or "globex" in lena["companies"]
    frank = profile_doc(db_url, "user-frank", NOW)
    assert "buyer" in frank["tags"] and "buyer" not in grace["tags"]
    assert frank["country"] == "Germany"


def test_redelivered_batch_is_stored_once(db_url, tmp_path):
    path, mids = _scenario("anonymous_then_signup", tmp_path)
    again = tmp_path / "again"
    again.mkdir()
    # A redelivery that batches the same messages differently is read, and each one counted a duplicate.
    lines = path.read_bytes().splitlines()
    (again / "redelivered.jsonl").write_bytes(b"\n".join(lines[::-1]) + b"\n")
    # A byte-identical copy under another name is known by its content and adds nothing.
    (again / "copy.jsonl").write_bytes(path.read_bytes())
    first = ingest(db_url, [path])
    second = ingest(db_url, [again])
    assert first.events == len(mids)
    assert (second.events, second.duplicates) == (0, len(mids))
    assert profile_doc(db_url, "user-alice", NOW)["events"] == len(mids)


def _all_lines(folder: Path) -> list[bytes]:
    lines: list[bytes] = []
    for name in SCENARIOS:
        path, _ = run_scenario(name, folder)
        lines.extend(line for line in path.read_bytes().splitlines() if line.strip())
    return lines


def test_late_and_out_of_order_data_gives_the_in_order_result(db_url, tmp_path):
    lines = _all_lines(tmp_path / "scenarios")
    in_order = tmp_path / "in-order"
    in_order.mkdir()
    (in_order / "all.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    reference_url = f"sqlite:///{tmp_path}/reference.db"
    ingest(reference_url, [in_order])
    expected = store_snapshot(reference_url)

    # The same lines reversed and scattered over files read one after another, a few lines a batch:
    # identifies arrive after the events they merge, in later files and later transactions.
    shuffled = lines[::-1]
    random.Random(7).shuffle(shuffled)
    scattered = tmp_path / "scattered"
    scattered.mkdir()
    for i in range(0, len(shuffled), 3):
        (scattered / f"part-{i:04d}.jsonl").write_bytes(b"\n".join(shuffled[i : i + 3]) + b"\n")
    ingest(db_url, [scattered], batch_size=2)
    assert store_snapshot(db_url) == expected


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_any_arrival_order_gives_the_same_profiles(sqlite_url, tmp_path, seed):
    lines = _all_lines(tmp_path / "scenarios")
    reference_url = f"sqlite:///{tmp_path}/reference.db"
    (tmp_path / "ref.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    ingest(reference_url, [tmp_path / "ref.jsonl"])
    rng = random.Random(seed)
    rng.shuffle(lines)
    (tmp_path / "shuffled.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    ingest(sqlite_url, [tmp_path / "shuffled.jsonl"], batch_size=rng.randint(1, 7))
    assert store_snapshot(sqlite_url) == store_snapshot(reference_url)


def test_alice_on_the_web_and_her_phone_is_three_users(db_url, tmp_path):
    path, mids = _scenario("alice_web_and_phone", tmp_path)
    ingest(db_url, [path])
    alice = profile_doc(db_url, "alice-42", NOW)
    # Everything but the web page after her logout, which stays anonymous.
    assert _ids(alice) == mids[0:5] + mids[6:9]
    assert alice["anonymous_ids"] == ["anon-phone-a11ce", "anon-web-a11ce"]
    web = profile_doc(db_url, "anon-web-a11ce", NOW)
    assert web["kind"] == "anonymous" and _ids(web) == [mids[0], mids[1], mids[5]]
    assert [e["merged_into"] for e in web["timeline"]] == ["alice-42", "alice-42", None]
    assert web["traits"] == {} and web["email"] is None  # nothing tracked while identified reaches it
    assert web["last_seen"] == "2024-03-04T09:08:00.000Z"  # its own live state, from its own last event
    # The phone was used once before logging in: every anonymous event of it was merged, and it stays.
    phone = profile_doc(db_url, "anon-phone-a11ce", NOW)
    assert _ids(phone) == [mids[6]] and phone["timeline"][0]["merged_into"] == "alice-42"
    assert phone["merged_into"] == [{"user_id": "alice-42", "at": "2024-03-04T10:01:00.000Z"}]
    assert [s["merged_into"] for s in phone["session_list"]] == [["alice-42"]]
    listed = {u.id: (u.kind, u.events, u.sessions) for u in users(db_url, NOW)}
    assert listed == {"alice-42": ("identified", 8, 2), "anon-web-a11ce": ("anonymous", 3, 1),
                      "anon-phone-a11ce": ("anonymous", 1, 1)}  # fmt: skip
    assert _event_rows(db_url) == len(mids)  # merged events are stored once


def test_a_phone_whose_every_event_was_merged_is_counted_and_filtered(db_url, tmp_path):
    from tui_profiles.domain.filters import parse
    from tui_profiles.store.filter_sql import compile_filter
    from tui_profiles.store.queries import count_users

    path, _ = _scenario("alice_web_and_phone", tmp_path)
    ingest(db_url, [path])
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            def matching(query: str) -> int:
                return count_users(conn, where=compile_filter(parse(query), now_ms=NOW, conn=conn))

            assert matching("is:anonymous") == 2 and matching("is:identified") == 1
            # did:/visited: see an anonymous profile's merged events too.
            assert matching("did:Welcome") == 2  # alice and her phone
            assert matching("visited:/pricing") == 2  # alice and her web browser
            assert matching("visited:/blog") == 1  # after logout: the web browser only
            assert matching("-did:Welcome") == 1
    finally:
        engine.dispose()


def test_a_posthog_python_anonymous_pageview_joins_the_user_after_identify(db_url, tmp_path):
    path, mids = _scenario("posthog_server_anonymous", tmp_path)
    ingest(db_url, [path])
    mia = profile_doc(db_url, "user-mia", NOW)
    assert _ids(mia) == mids
    cookie = profile_doc(db_url, "018f2b1e-0c0c-7000-8000-00000000c00c", NOW)
    assert cookie["kind"] == "anonymous" and _ids(cookie) == mids[:2]
    assert {u.id for u in users(db_url, NOW)} == {"user-mia", "018f2b1e-0c0c-7000-8000-00000000c00c"}


def test_a_link_read_later_reclassifies_the_server_events_stored(db_url, tmp_path):
    path, mids = _scenario("posthog_server_anonymous", tmp_path)
    lines = path.read_bytes().splitlines()
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir(), later.mkdir()
    (first / "a.jsonl").write_bytes(b"\n".join(lines[:2]) + b"\n")
    (later / "b.jsonl").write_bytes(b"\n".join(lines[2:]) + b"\n")
    ingest(db_url, [first])
    # Before the link, the server library's guess stands: a user of its own.
    assert profile_doc(db_url, "018f2b1e-0c0c-7000-8000-00000000c00c", NOW)["kind"] == "identified"
    ingest(db_url, [later])
    assert _ids(profile_doc(db_url, "user-mia", NOW)) == mids
    cookie = profile_doc(db_url, "018f2b1e-0c0c-7000-8000-00000000c00c", NOW)
    assert cookie["kind"] == "anonymous" and _ids(cookie) == mids[:2]
    assert sorted((u.kind, u.id) for u in users(db_url, NOW)) == [
        ("anonymous", "018f2b1e-0c0c-7000-8000-00000000c00c"), ("identified", "user-mia")
    ]


def test_a_schema_3_store_upgrades_in_place_to_the_new_rule(db_url, tmp_path):
    path, _ = _scenario("alice_web_and_phone", tmp_path)
    ingest(db_url, [path])
    expected = store_snapshot(db_url)
    engine = make_engine(db_url)
    with engine.begin() as conn:  # what a schema-3 store looked like: no anon_profile_id, the phone's profile gone
        for name in ("ix_events_anon_profile_ts", "ix_events_name_profile", "ix_events_page_profile", "ix_events_group_profile"):
            conn.exec_driver_sql(f"DROP INDEX {name}")
        conn.exec_driver_sql("ALTER TABLE events DROP COLUMN anon_profile_id")
        conn.exec_driver_sql("CREATE INDEX ix_events_name_profile ON events (name, profile_id)")
        conn.exec_driver_sql("CREATE INDEX ix_events_page_profile ON events (path, profile_id) WHERE type = 'page'")
        conn.exec_driver_sql("CREATE INDEX ix_events_group_profile ON events (group_id, profile_id) WHERE group_id IS NOT NULL")
        conn.exec_driver_sql("DELETE FROM sessions WHERE profile_id IN (SELECT id FROM profiles WHERE external_id = 'anon-phone-a11ce')")
        conn.exec_driver_sql("DELETE FROM profiles WHERE external_id = 'anon-phone-a11ce'")
        # The web browser's profile had only what came after logout.
        conn.exec_driver_sql("UPDATE profiles SET event_count = 1, first_seen = last_seen WHERE external_id = 'anon-web-a11ce'")
        conn.exec_driver_sql("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    engine.dispose()
    engine = make_engine(db_url)  # upgrades
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'").scalar() == str(models.SCHEMA_VERSION)
            indexes = {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes("events")}
            assert indexes["ix_events_anon_profile_ts"] == ["anon_profile_id", "ts"]
            assert indexes["ix_events_name_profile"] == ["name", "profile_id", "anon_profile_id"]
    finally:
        engine.dispose()
    assert store_snapshot(db_url) == expected
    assert {u.id for u in users(db_url, NOW)} == {"alice-42", "anon-web-a11ce", "anon-phone-a11ce"}
