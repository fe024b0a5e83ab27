"""The identity rules, driven by files the real Segment and PostHog libraries wrote, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.scenarios import SCENARIOS, T0, epoch_ms, run_scenario
from tests.storekit import ingest, profile_doc, store_snapshot, users

NOW = epoch_ms(T0) + 24 * 3600 * 1000  # a day after every scenario: nothing live


def _ids(doc: dict) -> list[str]:
    return [e["message_id"] for e in doc["timeline"]]


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
    # The anonymous profile had nothing left of its own: one user, not two.
    assert [u.id for u in users(db_url, NOW)] == ["user-alice"]
    # Looking up the anonymous id finds the person it became.
    assert profile_doc(db_url, "anon-5b1f0c2e", NOW)["id"] == "user-alice"


def test_shared_browser_gives_anonymous_events_to_the_next_login(db_url, tmp_path):
    path, mids = _scenario("shared_browser", tmp_path)
    ingest(db_url, [path])
    alice = profile_doc(db_url, "user-alice", NOW)
    bob = profile_doc(db_url, "user-bob", NOW)
    # alice: identify, Logged In, Logged Out. The page after her logout is bob's (his login follows it).
    assert _ids(alice) == mids[0:3]
    assert _ids(bob) == mids[3:6]
    assert {u.id for u in users(db_url, NOW)} == {"user-alice", "user-bob"}
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
    assert kinds == [("anonymous", "anon-d-after-reset"), ("identified", "user-dave")]


def test_traits_set_while_anonymous_move_to_the_identified_profile(db_url, tmp_path):
    path, mids = _scenario("traits_before_identify", tmp_path)
    ingest(db_url, [path])
    erin = profile_doc(db_url, "user-erin", NOW)
    assert _ids(erin) == mids
    assert erin["traits"] == {"email": "erin@example.com", "newsletter": True, "name": "Erin", "plan": "free"}
    assert "contact_info" in erin["tags"] and "custom_attributes" in erin["tags"]
    assert len(users(db_url, NOW)) == 1


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
    assert len(users(db_url, NOW)) == 1


def test_posthog_identify_merges_the_anonymous_distinct_id(db_url, tmp_path):
    path, mids = _scenario("posthog_identify", tmp_path, gz=True)
    ingest(db_url, [path])
    ivan = profile_doc(db_url, "user-ivan", NOW)
    assert _ids(ivan) == mids
    assert ivan["anonymous_ids"] == ["018e0c1a-5a5a-7000-8000-00000000a11c"]
    assert ivan["traits"] == {"email": "ivan@example.com", "first_seen_plan": "free"}
    assert ivan["country"] == "France"
    assert [p["path"] for p in ivan["top_pages"]] == ["/", "/app", "/pricing"]
    assert len(users(db_url, NOW)) == 1


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
    assert len(users(db_url, NOW)) == 1


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
