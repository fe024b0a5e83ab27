"""The identity guardrails read from the links: `shared_device` and `too_many_ids`, for a page of profiles or as a filter.

Computed when read, not kept at ingest: they follow every new link, erasure and re-attribution by themselves,
and a change of the `max_anon_ids` setting applies at once. A page of the user list asks about its own rows
only (index lookups per row), so the list does not pay for the whole store.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..domain.identity import ANONYMOUS, IDENTIFIED
from ..domain.tags import SHARED_DEVICE, TOO_MANY_IDS
from .models import ANON_IDS, LINKS, PROFILES

CHUNK = 500


def _shared_by(column: sa.ColumnElement[str]) -> sa.Exists:
    """A link on `column` (the anonymous id or the user id, compared to the profile's external id) whose
    anonymous id is also linked to another user."""
    mine, other = LINKS.alias("mine"), LINKS.alias("other")
    return sa.exists(
        sa.select(sa.literal(1))
        .select_from(mine.join(other, sa.and_(other.c.anonymous_id == mine.c.anonymous_id, other.c.user_id != mine.c.user_id)))
        .where(mine.c[column.key] == PROFILES.c.external_id)
    )


def _shared_device_here() -> sa.ColumnElement[bool]:
    """Spec: "an anonymous id that has been linked to more than one user is flagged on each of those users
    and on the anonymous profile". Per profile, correlated: for a page of rows."""
    return sa.or_(
        sa.and_(PROFILES.c.kind == ANONYMOUS, _shared_by(LINKS.c.anonymous_id)),
        sa.and_(PROFILES.c.kind == IDENTIFIED, _shared_by(LINKS.c.user_id)),
    )


def flags_of(conn: Connection, profile_ids: Iterable[int], *, max_anon_ids: int) -> dict[int, tuple[str, ...]]:
    """The guardrail flags of these profiles (only those with one), in tag order."""
    found: dict[int, set[str]] = {}
    ids = list(profile_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        blob = (
            sa.select(ANON_IDS.c.profile_id, sa.literal(TOO_MANY_IDS))
            .where(ANON_IDS.c.profile_id.in_(chunk))
            .group_by(ANON_IDS.c.profile_id)
            .having(sa.func.count() > max_anon_ids)
        )
        shared = sa.select(PROFILES.c.id, sa.literal(SHARED_DEVICE)).where(PROFILES.c.id.in_(chunk), _shared_device_here())
        for pid, flag in conn.execute(sa.union_all(blob, shared)):
            found.setdefault(int(pid), set()).add(flag)
    order = (SHARED_DEVICE, TOO_MANY_IDS)
    return {pid: tuple(f for f in order if f in flags) for pid, flags in found.items()}


def flag_condition(flag: str, *, max_anon_ids: int) -> sa.ColumnElement[bool]:
    """`tag:shared_device` / `tag:too_many_ids` over every profile: the shared ids and the blobs found once,
    rather than a probe per profile."""
    if flag == TOO_MANY_IDS:
        blobs = sa.select(ANON_IDS.c.profile_id).group_by(ANON_IDS.c.profile_id).having(sa.func.count() > max_anon_ids)
        return PROFILES.c.id.in_(blobs)
    if flag == SHARED_DEVICE:
        shared_ids = (
            sa.select(LINKS.c.anonymous_id).group_by(LINKS.c.anonymous_id).having(sa.func.count(sa.distinct(LINKS.c.user_id)) > 1)
        )
        sharing_users = sa.select(LINKS.c.user_id).where(LINKS.c.anonymous_id.in_(shared_ids))
        return sa.or_(
            sa.and_(PROFILES.c.kind == ANONYMOUS, PROFILES.c.external_id.in_(shared_ids)),
            sa.and_(PROFILES.c.kind == IDENTIFIED, PROFILES.c.external_id.in_(sharing_users)),
        )
    raise ValueError(flag)
