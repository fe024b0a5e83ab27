"""Repair by hand: unlink an anonymous id from a user, or link one to a user, as a kept decision.

Spec: "that anonymous id's history leaves the user (it stays on the anonymous profile); aggregates,
tags and sessions of both follow." "links by hand, with the same merge rule as an identify at the
moment of the link." "A manual decision is kept in the store and wins over the data: re-ingesting
the same files, a restart, a late file carrying the same identify, or a watcher replay does not undo
it." The decision is kept in identity_overrides (store/overrides.py). An unlink moves the pair's links to
identity_unlinked, where they link no one but still end the run of anonymous events before them (so a shared
device's history before Alice's sign-in stays anonymous instead of joining Bob, who signed in next); the writer
puts a later link of that pair from the data there too. A link by hand brings them back and adds a link of its
own at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..config import Settings
from ..domain.identity import ANONYMOUS, IDENTIFIED
from . import audit, changes, overrides
from .actions import take_writer_lock
from .models import ANON_IDS, EVENTS, LINKS, PROFILES, UNLINKED
from .writer import StoreWriter


class RepairError(ValueError):
    """The link or unlink cannot be done; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class RepairReport:
    action: str  # link | unlink
    anonymous_id: str
    user_id: str
    events_moved: int  # anonymous-only events that joined (link) or left (unlink) the user
    # For views to refresh, as after an ingest batch: profiles rewritten, profiles gone.
    touched_profiles: frozenset[int] = frozenset()
    removed_profiles: frozenset[int] = frozenset()


def _profile_id(conn: Connection, kind: str, external_id: str) -> int | None:
    return conn.execute(
        sa.select(PROFILES.c.id).where(PROFILES.c.kind == kind, PROFILES.c.external_id == external_id)
    ).scalar()


def _merged_events(conn: Connection, anonymous_id: str, user_pid: int) -> int:
    """Anonymous-only events of this id that count for this user."""
    return conn.execute(
        sa.select(sa.func.count()).select_from(EVENTS)
        .where(EVENTS.c.anonymous_id == anonymous_id, EVENTS.c.user_id.is_(None), EVENTS.c.profile_id == user_pid)
    ).scalar_one()  # fmt: skip


def _is_linked(conn: Connection, anonymous_id: str, user_id: str) -> bool:
    return conn.execute(
        sa.select(sa.literal(1)).where(LINKS.c.anonymous_id == anonymous_id, LINKS.c.user_id == user_id).limit(1)
    ).first() is not None


def unlink_plan(conn: Connection, anonymous_id: str, user_id: str) -> int:
    """How many events an unlink would take from the user (to show before asking); RepairError if not linked."""
    user_pid = _profile_id(conn, IDENTIFIED, user_id)
    if user_pid is None:
        raise RepairError(f"no user with the id {user_id!r}")
    if not _is_linked(conn, anonymous_id, user_id):
        raise RepairError(f"{anonymous_id!r} is not linked to {user_id!r}")
    return _merged_events(conn, anonymous_id, user_pid)


def unlink(engine: Engine, anonymous_id: str, user_id: str, *, settings: Settings, author: str, now_ms: int) -> RepairReport:
    """Take this anonymous id's history from the user, for good; it stays on the anonymous profile."""
    with engine.begin() as conn:
        take_writer_lock(conn)
        before = unlink_plan(conn, anonymous_id, user_id)
        user_pid = _profile_id(conn, IDENTIFIED, user_id)
        overrides.decide(conn, anonymous_id, user_id, overrides.UNLINK, at_ms=now_ms, author=author)
        # The pair's links from the data become barriers: they join no one, and what came before them stays
        # on the anonymous profile rather than joining whoever identified next on that id (a shared device).
        pair = (LINKS.c.anonymous_id == anonymous_id, LINKS.c.user_id == user_id, LINKS.c.message_id != overrides.BY_HAND_MESSAGE)
        conn.execute(UNLINKED.insert().from_select(
            ["anonymous_id", "user_id", "ts", "message_id"],
            sa.select(LINKS.c.anonymous_id, LINKS.c.user_id, LINKS.c.ts, LINKS.c.message_id).where(*pair),
        ))  # fmt: skip
        conn.execute(LINKS.delete().where(LINKS.c.anonymous_id == anonymous_id, LINKS.c.user_id == user_id))
        # The user no longer lists the id, unless it also sent events with the user id itself (signed in).
        signed_in = conn.execute(
            sa.select(sa.literal(1)).where(EVENTS.c.user_id == user_id, EVENTS.c.anonymous_id == anonymous_id).limit(1)
        ).first()
        if signed_in is None:
            conn.execute(ANON_IDS.delete().where(ANON_IDS.c.profile_id == user_pid, ANON_IDS.c.anonymous_id == anonymous_id))
        touched, removed = StoreWriter(engine, settings).reresolve(conn, {anonymous_id})
        touched.add(user_pid)
        left = _merged_events(conn, anonymous_id, user_pid)
        audit.record(conn, author=author, action=audit.UNLINK, target=f"{anonymous_id} from {user_id}", at_ms=now_ms,
                     detail={"anonymous_id": anonymous_id, "user_id": user_id, "events": before - left})  # fmt: skip
        changes.record(conn, touched - removed, removed, at_ms=now_ms)  # every open app hears of it
    return RepairReport(audit.UNLINK, anonymous_id, user_id, before - left, frozenset(touched), frozenset(removed))


def link(engine: Engine, anonymous_id: str, user_id: str, *, settings: Settings, author: str, now_ms: int) -> RepairReport:
    """Link this anonymous id to the user now, as an identify at this moment would, for good."""
    if anonymous_id == user_id:
        raise RepairError("an id cannot be linked to itself")
    with engine.begin() as conn:
        take_writer_lock(conn)
        user_pid = _profile_id(conn, IDENTIFIED, user_id)
        if user_pid is None:
            raise RepairError(f"no user with the id {user_id!r}")
        if _profile_id(conn, ANONYMOUS, anonymous_id) is None and not _is_linked(conn, anonymous_id, user_id):
            raise RepairError(f"no anonymous profile with the id {anonymous_id!r}")
        before = _merged_events(conn, anonymous_id, user_pid)
        overrides.decide(conn, anonymous_id, user_id, overrides.LINK, at_ms=now_ms, author=author)
        # A link by hand undoes an unlink of the pair: its links from the data count again...
        barrier = (UNLINKED.c.anonymous_id == anonymous_id, UNLINKED.c.user_id == user_id)
        conn.execute(LINKS.insert().from_select(
            ["anonymous_id", "user_id", "ts", "message_id"],
            sa.select(UNLINKED.c.anonymous_id, UNLINKED.c.user_id, UNLINKED.c.ts, UNLINKED.c.message_id).where(*barrier),
        ))  # fmt: skip
        conn.execute(UNLINKED.delete().where(*barrier))
        # ...and it is an identify of its own at this moment.
        conn.execute(LINKS.insert().values(anonymous_id=anonymous_id, user_id=user_id, ts=now_ms, message_id=overrides.BY_HAND_MESSAGE))
        conn.execute(
            ANON_IDS.insert().from_select(
                ["profile_id", "anonymous_id"],
                sa.select(sa.literal(user_pid), sa.literal(anonymous_id)).where(
                    ~sa.exists().where(ANON_IDS.c.profile_id == user_pid, ANON_IDS.c.anonymous_id == anonymous_id)
                ),
            )
        )
        touched, removed = StoreWriter(engine, settings).reresolve(conn, {anonymous_id})
        touched.add(user_pid)
        after = _merged_events(conn, anonymous_id, user_pid)
        audit.record(conn, author=author, action=audit.LINK, target=f"{anonymous_id} to {user_id}", at_ms=now_ms,
                     detail={"anonymous_id": anonymous_id, "user_id": user_id, "events": after - before})  # fmt: skip
        changes.record(conn, touched - removed, removed, at_ms=now_ms)
    return RepairReport(audit.LINK, anonymous_id, user_id, after - before, frozenset(touched), frozenset(removed))
