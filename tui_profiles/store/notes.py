"""Notes on a profile: add, edit, delete (only by their author), list newest first.

Notes live in the store, so a team on one PostgreSQL sees each other's: every write records the
profile in the change log (store/changes.py), which every open app follows, and an audit entry
(store/audit.py) naming the profile and the note's number, never its text. A note belongs to a
profile row; erasing the person removes their profiles' notes (store/actions.py), excluding them
leaves the notes as they are.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..domain.notes import Note, NoteError, clean_note_text
from . import audit, changes
from .actions import take_writer_lock
from .models import NOTES, PROFILES


def _note(row: sa.Row) -> Note:
    edited = row.updated_ms if row.updated_ms != row.created_ms else None
    return Note(id=int(row.id), profile_id=int(row.profile_id), author=row.author, at=int(row.created_ms), text=row.text, edited_at=edited)


def notes_of(conn: Connection, profile_id: int) -> list[Note]:
    """A profile's notes, newest first (notes of the same millisecond: the later written first)."""
    stmt = sa.select(NOTES).where(NOTES.c.profile_id == profile_id).order_by(NOTES.c.created_ms.desc(), NOTES.c.id.desc())
    return [_note(r) for r in conn.execute(stmt)]


def note(conn: Connection, note_id: int) -> Note | None:
    row = conn.execute(sa.select(NOTES).where(NOTES.c.id == note_id)).first()
    return _note(row) if row is not None else None


def _external_id(conn: Connection, profile_id: int) -> str | None:
    return conn.execute(sa.select(PROFILES.c.external_id).where(PROFILES.c.id == profile_id)).scalar()


def add_note(conn: Connection, profile_id: int, text: str, *, author: str, now_ms: int) -> Note:
    """Write a note on a profile in the caller's transaction; NoteError for no such profile or an empty note."""
    text = clean_note_text(text)
    take_writer_lock(conn)  # the change log's numbers follow commit order
    target = _external_id(conn, profile_id)
    if target is None:
        raise NoteError("the profile no longer exists")
    note_id = int(conn.execute(
        NOTES.insert().values(profile_id=profile_id, author=author, created_ms=now_ms, updated_ms=now_ms, text=text).returning(NOTES.c.id)
    ).scalar_one())  # fmt: skip
    audit.record(conn, author=author, action=audit.NOTE_ADD, target=target, detail={"note": note_id}, at_ms=now_ms)
    changes.record(conn, {profile_id}, at_ms=now_ms)
    return Note(note_id, profile_id, author, now_ms, text)


def _own(conn: Connection, note_id: int, author: str, doing: str) -> Note:
    found = note(conn, note_id)
    if found is None:
        raise NoteError("the note no longer exists (deleted by its author)")
    if found.author != author:
        raise NoteError(f"only {found.author} can {doing} this note: it is theirs")
    return found


def edit_note(conn: Connection, note_id: int, text: str, *, author: str, now_ms: int) -> Note:
    """Replace the text of one's own note; NoteError when it is gone, someone else's, or the text is empty."""
    text = clean_note_text(text)
    take_writer_lock(conn)
    found = _own(conn, note_id, author, "edit")
    conn.execute(NOTES.update().where(NOTES.c.id == note_id).values(text=text, updated_ms=now_ms))
    audit.record(conn, author=author, action=audit.NOTE_EDIT, target=_external_id(conn, found.profile_id) or "",
                 detail={"note": note_id}, at_ms=now_ms)  # fmt: skip
    changes.record(conn, {found.profile_id}, at_ms=now_ms)
    return Note(note_id, found.profile_id, author, found.at, text, edited_at=now_ms if now_ms != found.at else None)


def delete_note(conn: Connection, note_id: int, *, author: str, now_ms: int) -> Note:
    """Delete one's own note; the note as it was. NoteError when it is gone or someone else's."""
    take_writer_lock(conn)
    found = _own(conn, note_id, author, "delete")
    conn.execute(NOTES.delete().where(NOTES.c.id == note_id))
    audit.record(conn, author=author, action=audit.NOTE_DELETE, target=_external_id(conn, found.profile_id) or "",
                 detail={"note": note_id}, at_ms=now_ms)  # fmt: skip
    changes.record(conn, {found.profile_id}, at_ms=now_ms)
    return found

