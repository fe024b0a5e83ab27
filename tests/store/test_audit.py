"""The audit log: each change a person makes is one entry written with the change; an erased person leaves no id in it."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.people import BOB_DATA, BOB_IDS, write_people
from tests.store.test_erasure import rows_mentioning
from tests.storekit import NOW, ingest
from tui_profiles.config import Settings
from tui_profiles.store import actions, audit, models, queries
from tui_profiles.store.engine import make_engine

MIN = 60_000


@pytest.fixture
def people(db_url: str, tmp_path: Path) -> str:
    ingest(db_url, [write_people(tmp_path / "inbox")])
    return db_url


def entries(url: str, limit: int | None = None) -> list[tuple[int, str, str, str, dict]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = [(e.at_ms, e.author, e.action, e.target, e.detail) for e in audit.entries(conn, limit=limit)]
    engine.dispose()
    return found


def exclude(url: str, ident: str, excluded: bool, *, author: str, at: int) -> bool:
    engine = make_engine(url, writer=True)
    with engine.begin() as conn:
        found = actions.set_excluded(conn, queries.find_profile(conn, ident), excluded, author=author, now_ms=at)
    engine.dispose()
    return found


def erase(url: str, ident: str, *, author: str, at: int) -> actions.ErasureReport | None:
    engine = make_engine(url, writer=True)
    try:
        with engine.connect() as conn:
            pid = queries.find_profile(conn, ident)
        return actions.erase_profile(engine, pid, settings=Settings(db_url=url), now_ms=at, author=author)
    finally:
        engine.dispose()


def test_every_change_is_listed_newest_first_with_when_who_what_and_to_what(people):
    url = people
    assert entries(url) == []
    assert exclude(url, "user-alice", True, author="dana", at=NOW)
    assert exclude(url, "anon-alice", False, author="eve", at=NOW + MIN)  # any of her ids finds her; the entry names the profile
    engine = make_engine(url, writer=True)
    with engine.begin() as conn:
        queries.save_filter(conn, "Buyers", "tag:buyer", now_ms=NOW + 2 * MIN, author="dana")
        queries.save_filter(conn, "Buyers", "tag:buyer is:live", now_ms=NOW + 3 * MIN, author="eve")
        assert queries.delete_filter(conn, "Buyers", now_ms=NOW + 4 * MIN, author="dana")
        assert not queries.delete_filter(conn, "Buyers", now_ms=NOW + 5 * MIN, author="dana")  # nothing changed: no entry
        assert not actions.set_excluded(conn, 10**9, True, author="dana", now_ms=NOW + 5 * MIN)  # no such profile: no entry
    engine.dispose()
    report = erase(url, "user-carol", author="frank", at=NOW + 6 * MIN)
    assert report is not None

    log = entries(url)
    assert [(at, who, action) for at, who, action, _, _ in log] == [
        (NOW + 6 * MIN, "frank", "erase"),
        (NOW + 4 * MIN, "dana", "delete_filter"),
        (NOW + 3 * MIN, "eve", "save_filter"),
        (NOW + 2 * MIN, "dana", "save_filter"),
        (NOW + MIN, "eve", "include"),
        (NOW, "dana", "exclude"),
    ]  # fmt: skip
    assert [(target, detail) for _, _, _, target, detail in log[1:]] == [
        ("Buyers", {"query": "tag:buyer is:live"}),
        ("Buyers", {"query": "tag:buyer is:live", "replaced": "tag:buyer"}),
        ("Buyers", {"query": "tag:buyer"}),
        ("user-alice", {}),
        ("user-alice", {}),
    ]  # fmt: skip
    assert log[0][3] == audit.ERASED and log[0][4] == {
        "events": report.plan.events, "profiles": report.profiles_removed, "ids": len(report.plan.ids),
        "quarantined_lines": report.rejected_removed, "other_profiles": 0, "other_events": 0, "audit_entries_redacted": 0,
    }  # fmt: skip
    assert entries(url, limit=2) == log[:2]


def test_an_erased_person_leaves_no_id_in_the_log_and_others_keep_theirs(people):
    url = people
    exclude(url, "user-bob", True, author="dana", at=NOW)
    exclude(url, "anon-bob-web", True, author="dana", at=NOW + MIN)  # his logged-out visits: their own anonymous profile
    exclude(url, "user-alice", True, author="dana", at=NOW + 2 * MIN)
    engine = make_engine(url, writer=True)
    with engine.begin() as conn:
        # What the identity panel's link and unlink will write: ids in the target and in the detail.
        audit.record(conn, author="eve", action=audit.LINK, target="ph-anon-bob -> user-bob",
                     detail={"anonymous_id": "ph-anon-bob", "user_id": "user-bob", "events": 7}, at_ms=NOW + 3 * MIN)
        audit.record(conn, author="eve", action=audit.UNLINK, target="anon-alice -> user-alice",
                     detail={"anonymous_id": "anon-alice", "events": 2}, at_ms=NOW + 4 * MIN)
        audit.record(conn, author="eve", action=audit.LINK, target="x", detail={"note": "like user-bob's"}, at_ms=NOW + 5 * MIN)
    engine.dispose()
    assert set(rows_mentioning(url, BOB_IDS)) >= {"audit_log"}

    report = erase(url, "user-bob", author="frank", at=NOW + 10 * MIN)
    assert report is not None and set(report.plan.ids) == set(BOB_IDS)
    assert rows_mentioning(url, BOB_IDS + BOB_DATA, skip=("suppressed_ids",)) == {}

    log = entries(url)
    assert log == [
        (NOW + 10 * MIN, "frank", "erase", "(erased)", {
            "events": report.plan.events, "profiles": report.profiles_removed, "ids": 4, "quarantined_lines": 2,
            "other_profiles": 0, "other_events": 0, "audit_entries_redacted": 4,
        }),
        (NOW + 5 * MIN, "eve", "link", "(erased)", {}),
        (NOW + 4 * MIN, "eve", "unlink", "anon-alice -> user-alice", {"anonymous_id": "anon-alice", "events": 2}),
        (NOW + 3 * MIN, "eve", "link", "(erased)", {"events": 7}),  # the numbers stay
        (NOW + 2 * MIN, "dana", "exclude", "user-alice", {}),
        (NOW + MIN, "dana", "exclude", "(erased)", {}),
        (NOW, "dana", "exclude", "(erased)", {"profiles": 4}),  # bob with his three anonymous profiles: the numbers stay
    ]  # fmt: skip


def test_an_entry_names_an_id_only_as_a_whole_token(db_url):
    """The rule of quarantined lines (store/suppression.py): erasing user-bob leaves user-bobby's entries alone."""
    engine = make_engine(db_url)
    with engine.begin() as conn:
        audit.record(conn, author="eve", action=audit.EXCLUDE, target="user-bobby", at_ms=NOW)
        audit.record(conn, author="eve", action=audit.SAVE_FILTER, target="mine", detail={"query": "id:user-bob"}, at_ms=NOW + 1)
        assert audit.redact(conn, ["user-bob"]) == 1
        assert [(e.target, e.detail) for e in audit.entries(conn)] == [("(erased)", {}), ("user-bobby", {})]
    engine.dispose()


def test_the_entry_is_written_in_the_changes_own_transaction(people, monkeypatch):
    """If the entry cannot be written, the change does not happen either (and the other way round)."""
    url = people

    def refuse(*_args, **_kwargs) -> None:
        raise RuntimeError("the audit log is unwritable")

    monkeypatch.setattr(audit, "record", refuse)
    with pytest.raises(RuntimeError):
        erase(url, "user-bob", author="frank", at=NOW)
    with pytest.raises(RuntimeError):
        exclude(url, "user-alice", True, author="dana", at=NOW)
    monkeypatch.undo()
    engine = make_engine(url)
    with engine.connect() as conn:
        assert queries.find_profile(conn, "user-bob") is not None
        alice = queries.users_by_ids(conn, [queries.find_profile(conn, "user-alice")], settings=Settings(), now_ms=NOW)[0]
        assert alice.excluded is False
    engine.dispose()
    assert entries(url) == []


def test_an_unknown_action_is_refused(db_url):
    engine = make_engine(db_url)
    with engine.begin() as conn, pytest.raises(ValueError, match="unknown audit action 'relink'"):
        audit.record(conn, author="dana", action="relink", target="x")
    engine.dispose()


def test_a_store_from_before_the_log_gets_it_when_opened(db_url):
    """No schema version for a new table: create_all adds it to an existing store, empty."""
    engine = make_engine(db_url)
    with engine.begin() as conn:
        models.AUDIT.drop(conn)
        version = conn.execute(sa.select(models.META.c.value).where(models.META.c.key == "schema_version")).scalar()
    engine.dispose()
    assert entries(db_url) == []
    engine = make_engine(db_url)
    with engine.begin() as conn:
        audit.record(conn, author="dana", action=audit.EXCLUDE, target="u1", at_ms=NOW)
        assert conn.execute(sa.select(models.META.c.value).where(models.META.c.key == "schema_version")).scalar() == version
    engine.dispose()
    assert entries(db_url) == [(NOW, "dana", "exclude", "u1", {})]
