"""What a user-list export holds, read from the store a page at a time: each listed user with their ids and traits.

The file itself is written by ingest/list_export.py (file I/O stays out of store/). Pages follow the
list's order (last seen, newest first, then the higher profile id) by keyset, so a page costs the same
wherever it is and memory holds one page: a user who gets new events during the export moves above the
pages already read and is not written twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..config import Settings
from .models import ANON_IDS, PROFILES
from .queries import UserRow, count_users, list_users

PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class ExportUser:
    user: UserRow
    anonymous_ids: tuple[str, ...]
    traits: dict[str, Any]


def count(conn: Connection, *, since_ms: int | None, where: sa.ColumnElement[bool] | None) -> int:
    """How many users an export of the list writes (as the list counts them)."""
    return count_users(conn, since_ms=since_ms, where=where)


def pages(
    conn: Connection,
    *,
    settings: Settings,
    now_ms: int,
    since_ms: int | None,
    where: sa.ColumnElement[bool] | None,
    page_size: int | None = None,
) -> Iterator[list[ExportUser]]:
    """The users of the list (period and search), newest last seen first, one page (`PAGE_SIZE`) at a time."""
    page_size = page_size or PAGE_SIZE
    edge: tuple[int, int] | None = None
    while True:
        condition = where
        if edge is not None:
            below = sa.tuple_(PROFILES.c.last_seen, PROFILES.c.id) < sa.tuple_(*edge)
            condition = below if where is None else sa.and_(where, below)
        rows = list_users(conn, settings=settings, now_ms=now_ms, since_ms=since_ms, where=condition, limit=page_size)
        if not rows:
            return
        ids = [u.profile_id for u in rows]
        anon: dict[int, list[str]] = {}
        for pid, anonymous_id in conn.execute(
            sa.select(ANON_IDS.c.profile_id, ANON_IDS.c.anonymous_id)
            .where(ANON_IDS.c.profile_id.in_(ids))
            .order_by(ANON_IDS.c.profile_id, ANON_IDS.c.anonymous_id)
        ):
            anon.setdefault(pid, []).append(anonymous_id)
        traits = dict(conn.execute(sa.select(PROFILES.c.id, PROFILES.c.traits).where(PROFILES.c.id.in_(ids))).all())
        yield [ExportUser(u, tuple(anon.get(u.profile_id, ())), dict(traits.get(u.profile_id) or {})) for u in rows]
        if len(rows) < page_size:
            return
        edge = (rows[-1].last_seen, rows[-1].profile_id)
