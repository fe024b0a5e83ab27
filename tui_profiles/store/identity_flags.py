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


def flags_of(conn: Connection, profiles: Iterable[tuple[int, str, str]], *, max_anon_ids: int) -> dict[int, tuple[str, ...]]:
    """The guardrail flags of these (profile id, kind, external id), only those with one, in tag order.

    Spec: "an anonymous id that has been linked to more than one user is flagged on each of those users
    and on the anonymous profile". Each part is driven by the page's own ids through an index (the
    profile's anonymous ids, the links by anonymous id and by user id), never by a pass over every profile.
    """
    found: dict[int, set[str]] = {}
    rows = list(profiles)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        by_anon = {ext: pid for pid, kind, ext in chunk if kind == ANONYMOUS}
        by_user = {ext: pid for pid, kind, ext in chunk if kind == IDENTIFIED}
        blob = (
            sa.select(ANON_IDS.c.profile_id.label("key"), sa.literal(TOO_MANY_IDS).label("flag"))
            .where(ANON_IDS.c.profile_id.in_([pid for pid, _, _ in chunk]))
            .group_by(ANON_IDS.c.profile_id)
            .having(sa.func.count() > max_anon_ids)
        )
        found_here = [(int(pid), flag) for pid, flag in conn.execute(blob)]
        parts = []
        if by_anon:
            parts.append(
                sa.select(LINKS.c.anonymous_id.label("ext"), sa.literal(ANONYMOUS).label("kind"))
                .where(LINKS.c.anonymous_id.in_(list(by_anon)))
                .group_by(LINKS.c.anonymous_id)
                .having(sa.func.count(sa.distinct(LINKS.c.user_id)) > 1)
            )
        if by_user:
            mine, other = LINKS.alias("mine"), LINKS.alias("other")
            parts.append(
                sa.select(mine.c.user_id.label("ext"), sa.literal(IDENTIFIED).label("kind"))
                .select_from(mine.join(other, sa.and_(other.c.anonymous_id == mine.c.anonymous_id, other.c.user_id != mine.c.user_id)))
                .where(mine.c.user_id.in_(list(by_user)))
                .distinct()
            )
        if parts:
            stmt = parts[0] if len(parts) == 1 else sa.union_all(*parts)
            for ext, kind in conn.execute(stmt):
                found_here.append(((by_anon if kind == ANONYMOUS else by_user)[ext], SHARED_DEVICE))
        for pid, flag in found_here:
            found.setdefault(pid, set()).add(flag)
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
