"""Repair by hand: unlink and link, kept in the store and winning over the data, on SQLite and PostgreSQL.

The data is alice on the web and her phone (tests/scenarios.py), written by the real Segment client.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.scenarios import SegmentRun, at, run_journey, run_scenario
from tests.store.test_erasure import rows_mentioning
from tests.storekit import NOW, cli, ingest, profile_doc, users
from tui_profiles.config import Settings
from tui_profiles.store import audit, identity_repair
from tui_profiles.store.actions import erase_profile
from tui_profiles.store.engine import make_engine
from tui_profiles.store.models import OVERRIDES, SourceFile

WEB, PHONE, ALICE = "anon-web-a11ce", "anon-phone-a11ce", "alice-42"


def _ids(doc: dict) -> list[str]:
    return [e["message_id"] for e in doc["timeline"]]


def _alice(db_url: str, folder: Path) -> tuple[Path, list[str]]:
    path, expected = run_scenario("alice_web_and_phone", folder)
    ingest(db_url, [path])
    return path, [e.message_id for e in expected]


def _repair(db_url: str, action: str, anon: str, user: str, *, at_ms: int = NOW) -> identity_repair.RepairReport:
    engine = make_engine(db_url, writer=True)
    try:
        run = identity_repair.unlink if action == "unlink" else identity_repair.link
        return run(engine, anon, user, settings=Settings(db_url=db_url), author="dana", now_ms=at_ms)
    finally:
        engine.dispose()


def _late_identify(folder: Path) -> Path:
    """A later file carrying the same identify again (a new message: a redelivery under a new id)."""

    def journey(s: SegmentRun) -> None:
        s.identify(at(30), {"plan": "pro"}, user_id=ALICE, anonymous_id=WEB)

    return run_journey("late_identify", journey, folder, client="segment")[0]


def _reset_offsets(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(SourceFile.__table__.delete())
    engine.dispose()


def test_unlink_takes_the_history_from_the_user_and_leaves_it_on_the_anonymous_profile(db_url, tmp_path):
    _, mids = _alice(db_url, tmp_path)
    report = _repair(db_url, "unlink", WEB, ALICE)
    assert report.events_moved == 2  # the two pages before she signed in on the web
    alice = profile_doc(db_url, ALICE, NOW)
    assert _ids(alice) == mids[2:5] + mids[6:9]  # what she did signed in, and her phone
    assert alice["anonymous_ids"] == [PHONE, WEB]  # the web id still sent events with her user id (signed in)
    web = profile_doc(db_url, WEB, NOW)
    assert _ids(web) == [mids[0], mids[1], mids[5]]
    assert [e["merged_into"] for e in web["timeline"]] == [None, None, None]
    assert web["merged_into"] == []
    listed = {u.id: (u.events, u.sessions) for u in users(db_url, NOW)}
    assert listed == {ALICE: (6, 2), WEB: (3, 1), PHONE: (1, 1)}  # aggregates and sessions follow
    engine = make_engine(db_url)
    with engine.connect() as conn:
        entries = audit.entries(conn)
    engine.dispose()
    assert [(e.action, e.author, e.target, e.detail["events"]) for e in entries] == [("unlink", "dana", f"{WEB} from {ALICE}", 2)]


def test_an_unlink_survives_a_reingest_a_restart_and_a_late_identify(db_url, tmp_path):
    path, mids = _alice(db_url, tmp_path)
    _repair(db_url, "unlink", WEB, ALICE)
    expected = _ids(profile_doc(db_url, ALICE, NOW))
    _reset_offsets(db_url)  # the watcher's offsets gone: every file read again, from a new process
    ingest(db_url, [path])
    late = tmp_path / "late"
    late.mkdir()
    ingest(db_url, [_late_identify(late)])
    alice = profile_doc(db_url, ALICE, NOW)
    late_identify = [m for m in _ids(alice) if m not in mids]
    assert len(late_identify) == 1  # the late identify itself is hers (it carries her user id)...
    assert [m for m in _ids(alice) if m in mids] == expected  # ...but it brings none of the web history back
    assert _ids(profile_doc(db_url, WEB, NOW))[:2] == [mids[0], mids[1]]
    assert all(e["merged_into"] is None for e in profile_doc(db_url, WEB, NOW)["timeline"])


def test_link_by_hand_merges_as_an_identify_at_that_moment_would(db_url, tmp_path):
    _, mids = _alice(db_url, tmp_path)
    _repair(db_url, "unlink", WEB, ALICE)
    report = _repair(db_url, "link", WEB, ALICE)  # a day later: the whole anonymous history before now
    assert report.events_moved == 3  # the two pages before sign-in and the blog page after logout
    alice = profile_doc(db_url, ALICE, NOW)
    assert set(mids) <= set(_ids(alice)) and len(_ids(alice)) == len(mids)
    web = profile_doc(db_url, WEB, NOW)
    assert [e["merged_into"] for e in web["timeline"]] == [ALICE, ALICE, ALICE]
    engine = make_engine(db_url)
    with engine.connect() as conn:
        kept = conn.execute(sa.select(OVERRIDES.c.action, OVERRIDES.c.author)).all()
        actions = [e.action for e in audit.entries(conn)]
    engine.dispose()
    assert kept == [("link", "dana")]  # the latest decision about the pair is the one kept
    assert actions == ["link", "unlink"]  # newest first


def test_unlink_and_link_refuse_what_cannot_be_done(db_url, tmp_path):
    _alice(db_url, tmp_path)
    with pytest.raises(identity_repair.RepairError, match="is not linked"):
        _repair(db_url, "unlink", "anon-nobody", ALICE)
    with pytest.raises(identity_repair.RepairError, match="no user"):
        _repair(db_url, "link", WEB, "user-nobody")
    with pytest.raises(identity_repair.RepairError, match="no anonymous profile"):
        _repair(db_url, "link", "anon-nobody", ALICE)


def test_erasing_the_user_forgets_the_decisions_about_them(db_url, tmp_path):
    _alice(db_url, tmp_path)
    _repair(db_url, "unlink", PHONE, ALICE)
    engine = make_engine(db_url, writer=True)
    try:
        with engine.connect() as conn:
            pid = conn.execute(sa.text("select id from profiles where external_id = :e"), {"e": ALICE}).scalar_one()
        erase_profile(engine, pid, settings=Settings(db_url=db_url), now_ms=NOW, author="dana")
    finally:
        engine.dispose()
    assert rows_mentioning(db_url, (ALICE,)) == {}


def test_the_commands_unlink_and_link(db_url, tmp_path):
    _alice(db_url, tmp_path)
    done = cli("unlink", WEB, "--from", ALICE, "--json", db=db_url)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"action": "unlink", "anonymous_id": WEB, "user_id": ALICE, "events": 2}
    again = cli("unlink", WEB, "--from", ALICE, db=db_url)
    assert again.returncode == 1
    assert again.stderr.strip() == f"tui-profiles: '{WEB}' is not linked to '{ALICE}'"
    done = cli("link", WEB, "--to", ALICE, db=db_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{WEB} linked to {ALICE} by hand: 3 events joined {ALICE}"
    log = json.loads(cli("audit", "--json", db=db_url).stdout)
    assert [(e["action"], e["target"]) for e in log] == [("link", f"{WEB} to {ALICE}"), ("unlink", f"{WEB} from {ALICE}")]


def test_on_a_shared_laptop_what_was_unlinked_stays_anonymous_and_never_joins_the_next_user(db_url, tmp_path):
    laptop = "anon-laptop-5e11"

    def journey(s: SegmentRun) -> None:
        s.page(at(0), "Home", "/", anonymous_id=laptop)  # alice, before she signs up
        s.identify(at(1), {"email": "alice@example.com"}, user_id="user-alice", anonymous_id=laptop)
        s.page(at(20), "Blog", "/blog", anonymous_id=laptop)  # after her logout: bob, before he signs in
        s.identify(at(40), {"email": "bob@example.com"}, user_id="user-bob", anonymous_id=laptop)

    path, expected = run_journey("shared_laptop", journey, tmp_path, client="segment")
    home, alice_identify, blog, bob_identify = [e.message_id for e in expected]
    ingest(db_url, [path])
    assert _ids(profile_doc(db_url, "user-alice", NOW)) == [home, alice_identify]
    report = _repair(db_url, "unlink", laptop, "user-alice")
    assert report.events_moved == 1
    assert _ids(profile_doc(db_url, "user-alice", NOW)) == [alice_identify]
    assert _ids(profile_doc(db_url, "user-bob", NOW)) == [blog, bob_identify]  # not alice's page before her sign-up
    anon = profile_doc(db_url, laptop, NOW)
    assert [(e["message_id"], e["merged_into"]) for e in anon["timeline"]] == [(home, None), (blog, "user-bob")]
    # A re-read of the file from the start changes none of it.
    _reset_offsets(db_url)
    ingest(db_url, [path])
    assert _ids(profile_doc(db_url, "user-alice", NOW)) == [alice_identify]
    assert _ids(profile_doc(db_url, "user-bob", NOW)) == [blog, bob_identify]
