"""People's identity decisions (link and unlink by hand), as the writer and the identity panel read them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .models import OVERRIDES, UNLINKED

LINK, UNLINK = "link", "unlink"
CHUNK = 500
# The message id a link made by hand carries in identity_links: it has no linking event.
BY_HAND_MESSAGE = "(linked by hand)"


@dataclass(frozen=True, slots=True)
class Override:
    anonymous_id: str
    user_id: str
    action: str  # LINK | UNLINK
    at_ms: int
    author: str


def unlinked_pairs(conn: Connection, anonymous_ids: Iterable[str]) -> set[tuple[str, str]]:
    """(anonymous id, user id) pairs among these ids that a person unlinked."""
    found: set[tuple[str, str]] = set()
    ids = sorted(set(anonymous_ids))
    for start in range(0, len(ids), CHUNK):
        rows = conn.execute(
            sa.select(OVERRIDES.c.anonymous_id, OVERRIDES.c.user_id)
            .where(OVERRIDES.c.anonymous_id.in_(ids[start : start + CHUNK]), OVERRIDES.c.action == UNLINK)
        )
        found.update((a, u) for a, u in rows)
    return found


def decisions(conn: Connection, *, anonymous_ids: Iterable[str] = (), user_ids: Iterable[str] = ()) -> list[Override]:
    """Every decision about these anonymous ids or these users, oldest first."""
    anon, users = sorted(set(anonymous_ids)), sorted(set(user_ids))
    if not anon and not users:
        return []
    conditions = []
    if anon:
        conditions.append(OVERRIDES.c.anonymous_id.in_(anon))
    if users:
        conditions.append(OVERRIDES.c.user_id.in_(users))
    rows = conn.execute(sa.select(OVERRIDES).where(sa.or_(*conditions)).order_by(OVERRIDES.c.at_ms))
    return [Override(r.anonymous_id, r.user_id, r.action, r.at_ms, r.author) for r in rows]


def decide(conn: Connection, anonymous_id: str, user_id: str, action: str, *, at_ms: int, author: str) -> None:
    """Keep this decision about the pair, replacing an earlier one."""
    conn.execute(OVERRIDES.delete().where(OVERRIDES.c.anonymous_id == anonymous_id, OVERRIDES.c.user_id == user_id))
    conn.execute(OVERRIDES.insert().values(anonymous_id=anonymous_id, user_id=user_id, action=action, at_ms=at_ms, author=author))


def forget(conn: Connection, ids: Iterable[str]) -> None:
    """Erasure: no decision, and no link kept apart by one, keeps an erased id."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        conn.execute(OVERRIDES.delete().where(sa.or_(OVERRIDES.c.anonymous_id.in_(chunk), OVERRIDES.c.user_id.in_(chunk))))
        conn.execute(UNLINKED.delete().where(sa.or_(UNLINKED.c.anonymous_id.in_(chunk), UNLINKED.c.user_id.in_(chunk))))
