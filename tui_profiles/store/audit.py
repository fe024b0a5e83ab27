"""The audit log: every change a person makes to the store, with when, who, what and to what.

"Every change a person makes (unlink, link, erase, exclude, include, saved filter saved or deleted)
is recorded with time, who (the OS user, or `TUI_PROFILES_AUTHOR`), action and target. An erasure
entry keeps no id or trait of the erased person: the action, the time, who, and counts."

Each change writes its entry with `record`, in the same transaction as the change, so there is
never a change without its entry nor an entry for a change that rolled back. The actions:

  exclude, include   target: the profile's id (user id, or anonymous id)
  erase              target: "(erased)"; detail: counts only (events, profiles, ids, lines...)
  save_filter        target: the filter's name; detail: {"query", and "replaced" when it had another}
  delete_filter      target: the filter's name; detail: {"query"} it had
  link, unlink       for changes to identity links: target and detail as the caller sees fit,
                     e.g. target "anon-1 -> user-1"; erasure redacts them like any other entry
  note_add, note_edit, note_delete
                     target: the profile's id; detail: {"note": its number} (never its text, which
                     may name the person: the note itself is erased with them)

When a person is erased, every earlier entry that names one of their ids (in its target or its
detail, as a whole token, the rule of store/suppression.py) keeps its time, author and action, and
loses the rest: the target becomes "(erased)" and only the detail's numbers stay (`redact`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..domain.clock import now_ms
from . import suppression
from .models import AUDIT

EXCLUDE, INCLUDE, ERASE = "exclude", "include", "erase"
SAVE_FILTER, DELETE_FILTER = "save_filter", "delete_filter"
LINK, UNLINK = "link", "unlink"
NOTE_ADD, NOTE_EDIT, NOTE_DELETE = "note_add", "note_edit", "note_delete"
ACTIONS = frozenset({EXCLUDE, INCLUDE, ERASE, SAVE_FILTER, DELETE_FILTER, LINK, UNLINK, NOTE_ADD, NOTE_EDIT, NOTE_DELETE})

# What an entry names instead of a person who has been erased.
ERASED = "(erased)"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at_ms: int
    author: str
    action: str
    target: str
    detail: dict[str, Any]

    @property
    def detail_line(self) -> str:
        """The detail on one line, `events=12 profiles=2`, `query="tag:buyer"` (values as JSON; not yet made printable)."""
        return " ".join(f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in self.detail.items())


def record(
    conn: Connection, *, author: str, action: str, target: str = "", detail: dict[str, Any] | None = None, at_ms: int | None = None
) -> None:
    """Write one entry in the caller's transaction (the change's own). `at_ms` defaults to now (pinned in tests).

    An action outside ACTIONS is a programming error: raises ValueError.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; known: {', '.join(sorted(ACTIONS))}")
    conn.execute(
        AUDIT.insert().values(
            at_ms=now_ms() if at_ms is None else at_ms, author=author, action=action, target=target, detail=dict(detail or {})
        )
    )


def entries(conn: Connection, *, limit: int | None = None) -> list[AuditEntry]:
    """The log, newest first (entries of the same millisecond: the later written first)."""
    stmt = sa.select(AUDIT).order_by(AUDIT.c.at_ms.desc(), AUDIT.c.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return [AuditEntry(r.id, r.at_ms, r.author, r.action, r.target or "", _ordered(r.detail or {})) for r in conn.execute(stmt)]


# How a detail's keys read, first to last (the others follow, sorted): PostgreSQL's JSONB keeps keys in an
# order of its own and SQLite in the written one, so both are put in this one.
DETAIL_ORDER = ("query", "replaced", "note", "events", "profiles", "ids", "quarantined_lines", "other_profiles", "other_events",
                "audit_entries_redacted", "notes")  # fmt: skip


def _ordered(detail: dict[str, Any]) -> dict[str, Any]:
    rank = {key: i for i, key in enumerate(DETAIL_ORDER)}
    return dict(sorted(detail.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0])))


def redact(conn: Connection, ids: Iterable[str]) -> int:
    """Take the erased `ids` out of every entry that names one (the erasure's transaction); how many were rewritten.

    Read whole rather than searched in SQL: the log grows with what people do, not with traffic, and a
    JSON detail is matched the same way on both databases only once it is Python again.
    """
    pattern = suppression.token_pattern(ids)
    if pattern is None:
        return 0
    rows = conn.execute(sa.select(AUDIT.c.id, AUDIT.c.target, AUDIT.c.detail).where(AUDIT.c.target != ERASED)).all()
    changed = 0
    for row in rows:
        detail = dict(row.detail or {})
        said = (row.target or "") + "\n" + json.dumps(detail, ensure_ascii=False)
        if pattern.search(said.encode("utf-8", "surrogatepass")) is None:
            continue
        conn.execute(AUDIT.update().where(AUDIT.c.id == row.id).values(target=ERASED, detail=_counts(detail, pattern)))
        changed += 1
    return changed


def _counts(detail: dict[str, Any], pattern: re.Pattern[bytes]) -> dict[str, Any]:
    """The numbers of a detail, under keys that name no erased id: what an entry keeps once its person is erased."""
    return {
        key: value for key, value in detail.items()
        if isinstance(value, int | float) and not isinstance(value, bool) and not pattern.search(key.encode("utf-8", "surrogatepass"))
    }  # fmt: skip
