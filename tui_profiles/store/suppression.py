"""The suppression list: ids erased on request, and whether an event or a quarantined line carries one.

"The ids go on a suppression list, so re-reading the same inbox files (or the
watcher meeting them again) never brings the data back; new events for a
suppressed id are dropped and counted." An event carries an id as its user id,
its anonymous id, or either side of the identity link it makes (an alias's
previous id has no column of its own). A quarantined line is only bytes, so it
carries an id when the id stands in it as a whole token: not inside a longer
run of letters, digits, `_` or `-` (`u1` is not in `u10`), in any of the forms a
JSON writer gives it (as is, or with `\\u` escapes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..domain.formats import NormalizedEvent
from .models import SUPPRESSED

_WORD = rb"A-Za-z0-9_\-\x80-\xff"


def forms(ident: str) -> tuple[bytes, ...]:
    """The byte strings an id can appear as inside a JSON line."""
    found = [ident.encode("utf-8", "surrogatepass")]
    for escaped in (json.dumps(ident)[1:-1], json.dumps(ident, ensure_ascii=False)[1:-1]):
        b = escaped.encode("utf-8", "surrogatepass")
        if b not in found:
            found.append(b)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Suppressed:
    """The suppression list as loaded for one batch."""

    ids: frozenset[str]
    pattern: re.Pattern[bytes] | None

    def carries_event(self, e: NormalizedEvent) -> bool:
        ids = self.ids
        return (
            (e.user_id is not None and e.user_id in ids)
            or (e.anonymous_id is not None and e.anonymous_id in ids)
            or (e.link is not None and (e.link[0] in ids or e.link[1] in ids))
        )

    def carries_line(self, raw: bytes) -> bool:
        return self.pattern is not None and self.pattern.search(raw) is not None


EMPTY = Suppressed(frozenset(), None)


def token_pattern(ids: Iterable[str]) -> re.Pattern[bytes] | None:
    """One regular expression finding any of these ids as a whole token, in any of its forms."""
    alternatives = sorted({re.escape(f) for ident in ids for f in forms(ident)}, key=len, reverse=True)
    if not alternatives:
        return None
    return re.compile(rb"(?<![" + _WORD + rb"])(?:" + b"|".join(alternatives) + rb")(?![" + _WORD + rb"])")


def count(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(SUPPRESSED)).scalar_one())


def load(conn: Connection) -> Suppressed:
    ids = frozenset(i for (i,) in conn.execute(sa.select(SUPPRESSED.c.id)))
    return Suppressed(ids, token_pattern(ids)) if ids else EMPTY


def add(conn: Connection, ids: Iterable[str], *, now_ms: int) -> None:
    """Put ids on the list (the caller's transaction); ids already there stay as they were."""
    wanted = sorted(set(ids))
    if not wanted:
        return
    present = set()
    for i in range(0, len(wanted), 500):
        present.update(x for (x,) in conn.execute(sa.select(SUPPRESSED.c.id).where(SUPPRESSED.c.id.in_(wanted[i : i + 500]))))
    rows = [{"id": x, "erased_ms": now_ms} for x in wanted if x not in present]
    if rows:
        conn.execute(SUPPRESSED.insert(), rows)


def is_suppressed(conn: Connection, ident: str) -> bool:
    return conn.execute(sa.select(SUPPRESSED.c.id).where(SUPPRESSED.c.id == ident)).first() is not None
