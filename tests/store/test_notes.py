"""Notes on a profile: written, edited and deleted by their author only, audited, in the change log,
found by `note:`, in the CSV export, erased with the person, left by an exclusion; a schema-4 store gets them."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.people import BOB_DATA, BOB_IDS, write_people
from tests.store.test_erasure import erase, rows_mentioning
from tests.storekit import NOW, cli, ingest, pid_of
from tui_profiles.config import Settings
from tui_profiles.domain.filters import parse
from tui_profiles.domain.notes import Note, NoteError
from tui_profiles.ingest.export import export_profile
from tui_profiles.store import actions, audit, changes, models, notes, queries
from tui_profiles.store.engine import make_engine
from tui_profiles.store.filter_sql import compile_filter

MIN = 60_000


@pytest.fixture
def people(db_url: str, tmp_path: Path) -> str:
    ingest(db_url, [write_people(tmp_path / "inbox")])
    return db_url



def write(url: str, fn, *args, **kwargs):  # noqa: ANN001, ANN201
    engine = make_engine(url, writer=True)
    try:
        with engine.begin() as conn:
            return fn(conn, *args, **kwargs)
    finally:
        engine.dispose()


def notes_on(url: str, ident: str) -> list[Note]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = notes.notes_of(conn, pid_of(url, ident))
    engine.dispose()
    return found


def test_notes_are_listed_newest_first_and_only_their_author_edits_or_deletes_them(people):
    alice = pid_of(people, "user-alice")
    first = write(people, notes.add_note, alice, "Called about the refund.\r\nSent the link.\n\n", author="dana", now_ms=NOW)
    second = write(people, notes.add_note, alice, "VIP: answer within the hour", author="sam", now_ms=NOW + MIN)
    assert first.text == "Called about the refund.\nSent the link."  # line ends made \n, blank lines at the end dropped
    assert [(n.author, n.at, n.text) for n in notes_on(people, "user-alice")] == [
        ("sam", NOW + MIN, "VIP: answer within the hour"), ("dana", NOW, "Called about the refund.\nSent the link."),
    ]  # fmt: skip

    with pytest.raises(NoteError, match="only sam can edit this note: it is theirs"):
        write(people, notes.edit_note, second.id, "hijacked", author="dana", now_ms=NOW + 2 * MIN)
    with pytest.raises(NoteError, match="only dana can delete this note"):
        write(people, notes.delete_note, first.id, author="sam", now_ms=NOW + 2 * MIN)
    with pytest.raises(NoteError, match="a note needs some text"):
        write(people, notes.edit_note, first.id, " \n ", author="dana", now_ms=NOW + 2 * MIN)
    with pytest.raises(NoteError, match="a note needs some text"):
        write(people, notes.add_note, alice, "", author="dana", now_ms=NOW)

    edited = write(people, notes.edit_note, first.id, "Refund done.", author="dana", now_ms=NOW + 3 * MIN)
    assert (edited.text, edited.at, edited.edited_at) == ("Refund done.", NOW, NOW + 3 * MIN)
    # An edit keeps the note's place: newest first by creation.
    assert [(n.id, n.text, n.edited_at) for n in notes_on(people, "user-alice")] == [
        (second.id, "VIP: answer within the hour", None), (first.id, "Refund done.", NOW + 3 * MIN),
    ]  # fmt: skip
    write(people, notes.delete_note, second.id, author="sam", now_ms=NOW + 4 * MIN)
    assert [n.id for n in notes_on(people, "user-alice")] == [first.id]
    with pytest.raises(NoteError, match="no longer exists"):
        write(people, notes.delete_note, second.id, author="sam", now_ms=NOW + 5 * MIN)
    with pytest.raises(NoteError, match="the profile no longer exists"):
        write(people, notes.add_note, 999_999, "to no one", author="dana", now_ms=NOW)


def test_every_note_write_is_audited_without_its_text_and_announced_in_the_change_log(people):
    alice = pid_of(people, "user-alice")
    engine = make_engine(people)
    with engine.connect() as conn:
        start = changes.latest(conn)
    n = write(people, notes.add_note, alice, "secret words", author="dana", now_ms=NOW)
    write(people, notes.edit_note, n.id, "other words", author="dana", now_ms=NOW + MIN)
    write(people, notes.delete_note, n.id, author="dana", now_ms=NOW + 2 * MIN)
    with engine.connect() as conn:
        logged = [(e.action, e.author, e.target, e.detail) for e in audit.entries(conn)][:3]
        since = changes.since(conn, start)
    engine.dispose()
    assert logged == [("note_delete", "dana", "user-alice", {"note": n.id}), ("note_edit", "dana", "user-alice", {"note": n.id}),
                      ("note_add", "dana", "user-alice", {"note": n.id})]  # fmt: skip
    assert len(since.seqs) == 3 and since.touched == {alice} and not since.removed


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("note:refund", {"user-alice"}),
        ("note:REFUND", {"user-alice"}),  # any case
        ('note:"sent the link"', {"user-alice"}),  # across words, on the note's second line
        ("note:vip", {"user-alice", "user-carol"}),  # any of the person's notes
        ("note:vip -note:refund", {"user-carol"}),
        ("note:100%", set()),  # % and _ are plain characters
        ("note:a_b", {"user-carol"}),
    ],
)
def test_note_filter_matches_people_with_any_note_containing_the_text(people, query, expected):
    write(people, notes.add_note, pid_of(people, "user-alice"), "Refund asked\nSent the link", author="dana", now_ms=NOW)
    write(people, notes.add_note, pid_of(people, "user-alice"), "VIP", author="sam", now_ms=NOW)
    write(people, notes.add_note, pid_of(people, "user-carol"), "vip too, see a_b", author="dana", now_ms=NOW)
    engine = make_engine(people)
    with engine.connect() as conn:
        where = compile_filter(parse(query), now_ms=NOW, conn=conn)
        found = {r.id for r in queries.list_users(conn, settings=Settings(), now_ms=NOW, where=where, limit=100)}
    engine.dispose()
    assert found == expected
    result = cli("users", "--since", "all", "--filter", query, "--json", db=people)
    assert result.returncode == 0, result.stderr


def test_the_csv_export_holds_the_notes_newest_first(people, tmp_path):
    alice = pid_of(people, "user-alice")
    write(people, notes.add_note, alice, "=HYPERLINK(\"x\")\nsecond line", author="dana", now_ms=NOW)
    write(people, notes.add_note, alice, "newer", author="sam", now_ms=NOW + MIN)
    engine = make_engine(people)
    export_profile(engine, alice, tmp_path / "a.csv", fmt="csv", settings=Settings(db_url=people), now_ms=NOW)
    engine.dispose()
    from tests.store.test_export import read_csv

    rows = [r for r in read_csv(tmp_path / "a.csv") if r and r[0] == "note"]
    assert rows == [["note", "2024-03-05T09:01:00.000Z sam: newer"],
                    ["note", '2024-03-05T09:00:00.000Z dana: =HYPERLINK("x")\nsecond line']]  # fmt: skip


def test_erasure_takes_the_notes_of_the_person_and_exclusion_leaves_them(people):
    bob, carol = pid_of(people, "user-bob"), pid_of(people, "user-carol")
    write(people, notes.add_note, bob, "Bob Stone called: bob@bobco.example", author="dana", now_ms=NOW)
    write(people, notes.add_note, pid_of(people, "anon-bob-ios"), "his phone (Bob Stone)", author="dana", now_ms=NOW)
    write(people, notes.add_note, carol, "carol stays", author="dana", now_ms=NOW)
    assert "notes" in rows_mentioning(people, BOB_IDS + BOB_DATA)

    write(people, actions.set_excluded, bob, True, author="dana", now_ms=NOW)
    assert len(notes_on(people, "user-bob")) == 1  # exclusion leaves them

    engine = make_engine(people)
    with engine.connect() as conn:
        assert actions.erasure_plan(conn, bob).notes == 2  # his own and his phone's anonymous profile's
    engine.dispose()
    erase(people, "user-bob")
    assert rows_mentioning(people, BOB_IDS + BOB_DATA) == {}  # every table, the notes table too
    assert [n.text for n in notes_on(people, "user-carol")] == ["carol stays"]
    engine = make_engine(people)
    with engine.connect() as conn:
        erased = next(e for e in audit.entries(conn) if e.action == "erase")
    engine.dispose()
    assert erased.detail["notes"] == 2


def test_a_schema_4_store_gets_the_notes_table_in_place(db_url):
    engine = make_engine(db_url)
    with engine.begin() as conn:  # what a schema-4 store looked like: no notes table
        models.NOTES.drop(conn)
        conn.exec_driver_sql("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    engine.dispose()
    engine = make_engine(db_url)  # upgrades
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'").scalar() == str(models.SCHEMA_VERSION)
            indexes = {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes("notes")}
            assert indexes["ix_notes_profile_created"] == ["profile_id", "created_ms", "id"]
            assert notes.notes_of(conn, 1) == []
    finally:
        engine.dispose()


def test_notes_command_adds_and_lists_as_json(people):
    added = cli("notes", "user-alice", "--add", "Called.\nWill call back", "--json", db=people)
    assert added.returncode == 0, added.stderr
    import json

    [note] = json.loads(added.stdout)
    assert set(note) == {"id", "author", "at", "text"} and note["text"] == "Called.\nWill call back"
    assert note["at"] == "2024-03-05T09:00:00.000Z"  # the pinned now, ISO 8601 as every command's times
    text = cli("notes", "user-alice", db=people)
    assert text.returncode == 0 and text.stdout.splitlines()[1:] == ["  Called.", "  Will call back"]
    assert cli("notes", "user-carol", db=people).stdout == "no notes on user-carol\n"
    assert cli("notes", "user-carol", "--json", db=people).stdout.strip() == "[]"
    empty = cli("notes", "user-alice", "--add", "  ", db=people)
    assert empty.returncode == 1 and empty.stderr.strip() == "tui-profiles: a note needs some text"
    unknown = cli("notes", "nobody", db=people)
    assert unknown.returncode == 1 and "no profile with the id 'nobody'" in unknown.stderr
