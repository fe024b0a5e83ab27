"""The right to erasure: a person's data leaves every table in one go and never comes back; exclusion from counts."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.people import BAD_LINES, BOB_DATA, BOB_IDS, write_people
from tests.storekit import NOW, cli, ingest, profile_doc, store_snapshot, stored_messages
from tui_profiles.config import Settings
from tui_profiles.store import companies, models, queries, retention, suppression
from tui_profiles.store.actions import erase_profile, erasure_plan, set_excluded
from tui_profiles.store.engine import make_engine
from tui_profiles.store.writer import StoreWriter


def rows_mentioning(url: str, needles: tuple[str, ...], skip: tuple[str, ...] = ("suppressed_ids",)) -> dict[str, list[Any]]:
    """Every row of every table (found by reflection, so a new table is covered) in which any column holds one of
    the needles as a substring: text, JSON documents (as stored) and bytes alike, compressed bytes opened."""
    engine = make_engine(url)
    found: dict[str, list[Any]] = {}
    meta = sa.MetaData()
    try:
        with engine.connect() as conn:
            meta.reflect(conn)
            for table in meta.sorted_tables:
                if table.name in skip:
                    continue
                for row in conn.execute(sa.select(table)):
                    for value in row:
                        if isinstance(value, (bytes, bytearray, memoryview)):
                            text = bytes(value).decode("utf-8", "replace")
                            try:  # a compressed block (raw_blocks): what is inside it
                                text += zlib.decompress(bytes(value)).decode("utf-8", "replace")
                            except zlib.error:
                                pass
                        elif isinstance(value, (dict, list)):
                            text = json.dumps(value, ensure_ascii=False)
                        else:
                            text = "" if value is None else str(value)
                        if any(n in text for n in needles):
                            found.setdefault(table.name, []).append(tuple(row))
                            break
    finally:
        engine.dispose()
    return found


def raw_texts(url: str) -> dict[str, str]:
    """Every stored event's message text, by message id, as the Event screen reads it."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ids = [eid for (eid,) in conn.execute(sa.select(models.EVENTS.c.id))]
            details = [queries.event_detail(conn, eid) for eid in ids]
    finally:
        engine.dispose()
    return {d.row.message_id: d.raw_text for d in details if d is not None}


def reset_offsets(url: str) -> None:
    """What the watcher meets after its offsets are gone: every file as if never read."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(models.SourceFile.__table__.delete())
    engine.dispose()


def bob_lines(folder: Path) -> int:
    """Lines of the inbox that carry one of bob's ids."""
    return sum(
        any(i.encode() in line for i in BOB_IDS)
        for path in folder.iterdir() for line in path.read_bytes().splitlines()
    )  # fmt: skip


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    return write_people(tmp_path / "inbox")


def erase(url: str, ident: str) -> Any:
    engine = make_engine(url, writer=True)
    try:
        with engine.connect() as conn:
            pid = queries.find_profile(conn, ident)
        return erase_profile(engine, pid, settings=Settings(db_url=url), now_ms=NOW, author="tests")
    finally:
        engine.dispose()


def test_erasure_removes_the_person_everywhere_and_reingesting_never_brings_them_back(db_url, inbox):
    ingest(db_url, [inbox])
    before = rows_mentioning(db_url, BOB_IDS + BOB_DATA)
    assert {"events", "profiles", "identity_links", "profile_anonymous_ids", "rejected", "companies",
            "catalog", "raw_blocks"} <= set(before)  # fmt: skip
    alice_before = profile_doc(db_url, "user-alice", NOW)
    others_before = raw_texts(db_url)

    report = erase(db_url, "anon-bob-ios")  # any of his ids finds him
    assert set(report.plan.ids) == set(BOB_IDS) and report.plan.external_id == "user-bob"
    assert report.rejected_removed == 2 and report.plan.other_profiles == ()
    assert set(report.companies_recomputed) == {"bobco", "acme"}
    # bob and the anonymous profiles of his three devices (each his alone): the same human, erased together.
    assert report.plan.profiles == report.profiles_removed == len(report.removed_profiles) == 4
    assert report.plan.profile_id in report.removed_profiles

    assert rows_mentioning(db_url, BOB_IDS + BOB_DATA) == {}
    assert stored_messages(db_url)[1] == 0, "no text of an erased event left in a block"
    assert profile_doc(db_url, "user-alice", NOW) == alice_before
    # Everyone else's messages, sharing blocks with his, are there byte for byte.
    others_after = raw_texts(db_url)
    assert others_after and others_after == {m: t for m, t in others_before.items() if m in others_after}
    assert not any(i in t for t in others_after.values() for i in BOB_IDS)
    assert len(others_before) - len(others_after) == report.plan.events + report.plan.other_events
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert suppression.load(conn).ids == frozenset(BOB_IDS)
        assert companies.find_company(conn, "bobco") is None
        acme = companies.company_detail(conn, "acme", settings=Settings(), now_ms=NOW)
        # alice, carol, and carol's anonymous profile (her visit before sign-up carried acme: a member of its own).
        assert acme.company.users == 3 and acme.company.name == "Acme Corporation"
        assert [r.raw for r in queries.rejected_lines(conn)] == [BAD_LINES[2]]
    engine.dispose()
    erased = store_snapshot(db_url)

    # The same files again, from scratch: nothing of bob is stored again; what he would have been is counted.
    reset_offsets(db_url)
    again = ingest(db_url, [inbox])
    assert again.events == 0 and again.rejected == 1 and again.suppressed == bob_lines(inbox) == 17
    assert rows_mentioning(db_url, BOB_IDS + BOB_DATA) == {}
    assert store_snapshot(db_url) == erased


def test_the_erased_store_is_the_store_that_never_saw_the_person(db_url, tmp_path, inbox):
    """Every aggregate bob fed is as if he had never been there: compare with a store that suppressed him from the start."""
    ingest(db_url, [inbox])
    erase(db_url, "user-bob")
    fresh = f"sqlite:///{tmp_path}/fresh.db"
    engine = make_engine(fresh)
    with engine.begin() as conn:
        suppression.add(conn, BOB_IDS, now_ms=NOW)
    engine.dispose()
    ingest(fresh, [inbox])
    assert store_snapshot(db_url) == store_snapshot(fresh)
    for table in ("companies", "catalog"):
        assert _table(db_url, table) == _table(fresh, table)


def _table(url: str, name: str) -> list[tuple[Any, ...]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = sorted(tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in r)
                      for r in conn.execute(sa.select(models.SQLModel.metadata.tables[name])))  # fmt: skip
    engine.dispose()
    return rows


def test_erasing_an_anonymous_profile_takes_its_id_from_the_user_it_became(db_url, inbox):
    """carol's anonymous id: its events (merged into user-carol) carry it, so they go too; user-carol stays."""
    ingest(db_url, [inbox])
    report = erase(db_url, "anon-carol")
    assert report.plan.kind == "identified" and report.plan.external_id == "user-carol"  # the id is merged: find_profile gives the user
    assert rows_mentioning(db_url, ("anon-carol", "user-carol")) == {}


def test_on_a_shared_device_only_what_belongs_to_the_erased_person_goes(db_url, tmp_path):
    """alice and bob on one browser: erasing alice takes her events on it (signed in), not bob's; the browser's id,
    its anonymous profile and bob stay, and the plan says so before anything is deleted (issue 12: "Where an
    anonymous id is shared with another user, only what belongs to the erased person goes")."""
    from tests.scenarios import write_scenario

    ingest(db_url, [write_scenario("shared_browser", tmp_path)])
    bob_before = profile_doc(db_url, "user-bob", NOW)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        plan = erasure_plan(conn, queries.find_profile(conn, "user-alice"))
    engine.dispose()
    assert plan.ids == ("user-alice",) and plan.profiles == 1
    assert plan.shared_ids == ("anon-shared-9d2e",) and plan.shared_with == ("user-bob",)
    assert plan.other_profiles == () and plan.other_events == 0
    erase(db_url, "user-alice")
    assert rows_mentioning(db_url, ("user-alice", "alice@example.com")) == {}
    bob_after = profile_doc(db_url, "user-bob", NOW)
    assert "shared_device" in bob_before["tags"] and "shared_device" not in bob_after["tags"]  # alice is gone
    assert {**bob_after, "tags": None} == {**bob_before, "tags": None}
    browser = profile_doc(db_url, "anon-shared-9d2e", NOW)
    assert browser is not None and browser["kind"] == "anonymous"  # the page after alice's logout: bob's before his
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert suppression.load(conn).ids == frozenset({"user-alice"})  # bob's next visit on that browser still counts
    engine.dispose()


def test_new_events_for_a_suppressed_id_are_dropped_and_counted(db_url, tmp_path):
    lines = [
        {"type": "track", "userId": "gone", "event": "x", "messageId": "m1", "timestamp": "2024-03-04T09:00:00Z"},
        {"type": "page", "anonymousId": "gone-device", "messageId": "m2", "timestamp": "2024-03-04T09:01:00Z"},
        {"type": "alias", "previousId": "gone-device", "userId": "someone", "messageId": "m3", "timestamp": "2024-03-04T09:02:00Z"},
        {"type": "track", "userId": "stays", "event": "x", "messageId": "m4", "timestamp": "2024-03-04T09:03:00Z"},
    ]
    path = tmp_path / "new.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + '\n{"broken": "gone-device"\n{"broken": "gone-devices"\n')
    engine = make_engine(db_url)
    with engine.begin() as conn:
        suppression.add(conn, ["gone", "gone-device"], now_ms=NOW)
    engine.dispose()
    summary = ingest(db_url, [path])
    assert (summary.events, summary.suppressed, summary.rejected) == (1, 4, 1)  # gone-devices is someone else
    run = cli("ingest", str(path), "--json", db=db_url)
    assert json.loads(run.stdout) == {"files": 1, "events": 0, "duplicates": 0, "copies": 0, "rejected": 0, "suppressed": 0}


def test_a_quarantined_line_carries_an_id_only_as_a_whole_token():
    pattern = suppression.token_pattern(["u1", "zoë", 'a"b'])
    assert pattern.search(b'{"userId":"u1"}') and pattern.search(b'"userId": u1,')
    assert not pattern.search(b'{"userId":"u10"}') and not pattern.search(b'{"userId":"xu1"}') and not pattern.search(b"u1-x")
    assert pattern.search('{"n":"zoë"}'.encode()) and pattern.search(b'{"n":"zo\\u00eb"}')
    assert pattern.search(b'{"n":"a\\"b"}')


def test_delete_asks_and_refuses_without_an_answer(db_url, inbox):
    assert cli("ingest", str(inbox), db=db_url).returncode == 0
    run = cli("delete", "user-bob", db=db_url, stdin="")
    assert run.returncode == 1 and "nothing was deleted" in run.stderr and "--yes" in run.stderr
    assert "anon-bob-ios" in run.stderr  # it said what would go
    run = cli("delete", "user-bob", db=db_url, stdin="no\n")
    assert run.returncode == 1 and "not confirmed" in run.stderr
    assert profile_doc(db_url, "user-bob", NOW) is not None
    run = cli("delete", "user-bob", db=db_url, stdin="yes\n")
    assert run.returncode == 0, run.stderr
    assert profile_doc(db_url, "user-bob", NOW) is None
    run = cli("delete", "user-bob", "--yes", db=db_url)
    assert run.returncode == 1 and "no profile" in run.stderr


def test_delete_yes_json(db_url, inbox):
    cli("ingest", str(inbox), db=db_url)
    run = cli("delete", "ph-anon-bob", "--yes", "--json", db=db_url)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["id"] == "user-bob" and sorted(doc["suppressed_ids"]) == sorted(BOB_IDS) and doc["rejected"] == 2
    run = cli("ingest", str(inbox), "--json", db=db_url)
    assert json.loads(run.stdout)["events"] == 0


# -- exclusion ---------------------------------------------------------------------------------------------------
def test_an_excluded_user_stays_viewable_but_leaves_every_figure(db_url, inbox):
    ingest(db_url, [inbox])
    settings = Settings(db_url=db_url)
    engine = make_engine(db_url)
    now = NOW - 24 * 3600 * 1000 + 205 * 60_000  # alice is live: her last event (acme's rename) is 5 minutes before

    def figures() -> dict[str, Any]:
        from tui_profiles.domain import filters
        from tui_profiles.store.filter_sql import compile_filter

        with engine.connect() as conn:
            acme = companies.company_detail(conn, "acme", settings=settings, now_ms=now)
            rows = retention.session_retention(conn, now_ms=now, weeks=1)
            listed = queries.list_users(conn, settings=settings, now_ms=now, limit=100)
            excluded = compile_filter(filters.parse("is:excluded"), now_ms=now, conn=conn)
            return {
                "live": queries.live_count(conn, settings=settings, now_ms=now),
                "acme_users": acme.company.users, "acme_events": acme.events, "acme_sessions": acme.sessions,
                "acme_top": acme.top_events, "acme_live": [u.id for u in acme.live_users],
                "acme_list": [u.id for u in companies.company_users(conn, "acme", settings=settings, now_ms=now)],
                "listed": sorted(u.id for u in listed), "marked": sorted(u.id for u in listed if u.excluded),
                "is_excluded": sorted(u.id for u in queries.list_users(conn, settings=settings, now_ms=now, where=excluded)),
                "cohort": rows[0].users, "size": retention.cohort_size(conn, "company:acme", settings=settings, now_ms=now),
            }  # fmt: skip

    before = figures()
    assert before["acme_live"] == ["user-alice"] and before["live"] >= 1 and before["marked"] == []
    with engine.begin() as conn:
        assert set_excluded(conn, queries.find_profile(conn, "user-alice"), True, author="tests", now_ms=NOW)
    during = figures()
    assert during["live"] == before["live"] - 1
    assert during["acme_users"] == before["acme_users"] - 1 and during["acme_live"] == []
    assert during["acme_events"] < before["acme_events"] and during["acme_sessions"] < before["acme_sessions"]
    assert "user-alice" not in during["acme_list"] and during["acme_top"] != before["acme_top"]
    assert during["cohort"] == before["cohort"] - 1 and during["size"] == before["size"] - 1
    assert during["listed"] == before["listed"] and during["marked"] == during["is_excluded"] == ["user-alice"]
    with engine.begin() as conn:
        set_excluded(conn, queries.find_profile(conn, "user-alice"), False, author="tests", now_ms=NOW)
    assert figures() == before
    engine.dispose()


def test_exclusion_survives_new_events_and_the_cli_switches_it(db_url, inbox, tmp_path):
    ingest(db_url, [inbox])
    assert cli("exclude", "alice@acme.example", db=db_url).returncode == 1  # ids only
    run = cli("exclude", "user-alice", db=db_url)
    assert run.returncode == 0, run.stderr
    late = tmp_path / "late.jsonl"
    late.write_text(json.dumps({"type": "track", "userId": "user-alice", "event": "Later", "messageId": "late-1",
                                "timestamp": "2024-03-04T12:00:00Z"}) + "\n")  # fmt: skip
    ingest(db_url, [late])
    assert profile_doc(db_url, "user-alice", NOW)["excluded"] is True
    run = cli("users", "--filter", "is:excluded", "--json", db=db_url)
    assert [u["id"] for u in json.loads(run.stdout)] == ["user-alice"]
    assert cli("include", "user-alice", db=db_url).returncode == 0
    assert profile_doc(db_url, "user-alice", NOW)["excluded"] is False


def test_rebuilding_profiles_on_request_leaves_them_as_they_were(db_url, inbox):
    ingest(db_url, [inbox])
    before = store_snapshot(db_url)
    engine = make_engine(db_url, writer=True)
    with engine.begin() as conn:
        ids = [pid for (pid,) in conn.execute(sa.select(models.Profile.__table__.c.id))]
        touched, removed = StoreWriter(engine, Settings(db_url=db_url)).rebuild_profiles(conn, ids)
    engine.dispose()
    assert removed == set() and touched == set(ids)
    assert store_snapshot(db_url) == before
