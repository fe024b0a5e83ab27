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
ASKED_CHUNK = 5000  # anonymous ids a query (SQLite allows 32,766 parameters)


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
        # Too many ids: at most max_anon_ids + 1 of each profile's ids counted, one probe of the
        # (profile, anonymous id) key a profile. Grouping every id of the page's profiles made
        # PostgreSQL scan the whole table (2.4 ms of a 300-row page, against 0.8 ms).
        some = (
            sa.select(sa.literal(1).label("one"))
            .where(ANON_IDS.c.profile_id == PROFILES.c.id)
            .limit(max_anon_ids + 1)
            .correlate(PROFILES)
            .subquery()
        )
        counted = sa.select(sa.func.count()).select_from(some).scalar_subquery()
        blob = sa.select(PROFILES.c.id).where(among(conn, PROFILES.c.id, [pid for pid, _, _ in chunk]), counted > max_anon_ids)
        found_here = [(int(pid), TOO_MANY_IDS) for (pid,) in conn.execute(blob)]
        # Shared device: an anonymous id linked to more than one user. Asked of one set of anonymous ids,
        # the page's anonymous profiles' own and those linked to its users, through the links' index
        # by anonymous id. (A join of the users' links to every other link had PostgreSQL hash the whole
        # links table: 15 ms for a page of 300 users.)
        linked: list[tuple[str, str]] = []
        if by_user:
            linked = [
                (u, a) for u, a in conn.execute(
                    sa.select(LINKS.c.user_id, LINKS.c.anonymous_id).where(among(conn, LINKS.c.user_id, list(by_user)))
                )
            ]
        asked = sorted(set(by_anon) | {a for _, a in linked})
        if asked:
            shared = set()
            for at in range(0, len(asked), ASKED_CHUNK):  # a user with thousands of ids stays in bounds
                shared.update(_shared(conn, asked[at : at + ASKED_CHUNK]))
            found_here += [(pid, SHARED_DEVICE) for ext, pid in by_anon.items() if ext in shared]
            found_here += [(by_user[u], SHARED_DEVICE) for u, a in linked if a in shared]
        for pid, flag in found_here:
            found.setdefault(pid, set()).add(flag)
    order = (SHARED_DEVICE, TOO_MANY_IDS)
    return {pid: tuple(f for f in order if f in flags) for pid, flags in found.items()}


# PostgreSQL: one probe of the links' index by anonymous id for each id asked. Given `anonymous_id =
# ANY(...)` of a few hundred ids it read the whole table instead (4.4 ms against ~1 ms at 37,000 links).
_SHARED_PG = sa.text(
    "SELECT a FROM unnest(CAST(:ids AS text[])) AS a"
    " WHERE (SELECT count(DISTINCT user_id) FROM identity_links WHERE anonymous_id = a) > 1"
)


def _shared(conn: Connection, anonymous_ids: list[str]) -> set[str]:
    """Those of these anonymous ids linked to more than one user."""
    if conn.dialect.name == "postgresql":
        return {a for (a,) in conn.execute(_SHARED_PG, {"ids": anonymous_ids})}
    stmt = (
        sa.select(LINKS.c.anonymous_id)
        .where(LINKS.c.anonymous_id.in_(anonymous_ids))
        .group_by(LINKS.c.anonymous_id)
        .having(sa.func.count(sa.distinct(LINKS.c.user_id)) > 1)
    )
    return {a for (a,) in conn.execute(stmt)}


def among(conn: Connection, column: sa.ColumnElement, values: list) -> sa.ColumnElement[bool]:
    """`column IN values`; on PostgreSQL one array parameter (`= ANY(:values)`): a page's 300 ids as
    300 parameters cost more to bind and plan than the lookups they ask for."""
    if conn.dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, values, type_=sa.ARRAY(column.type)))
    return column.in_(values)


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
