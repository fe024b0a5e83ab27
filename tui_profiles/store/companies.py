"""Companies, read side: the list, one company's figures over a period, its users; small frozen dataclasses out.

Membership is read from the events: a user belongs to every company whose id
one of its events carries (a group call, `context.groupId`, `$groups`), so it
follows re-attribution and erasure with nothing to keep in step. A company's
figures are its members' activity (every event and session of a member, not
only the events that carried the group id: most events carry none), and leave
excluded users out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..config import Settings
from ..domain.formats import PAGE, SCREEN, TRACK
from . import queries
from .filter_sql import text_contains
from .models import COMPANIES, EVENTS, PROFILES, SESSIONS


@dataclass(frozen=True, slots=True)
class CompanyRow:
    """One company as the Companies list shows it."""

    id: str  # the group id
    name: str | None
    display_name: str  # the name, else the id
    users: int  # members, excluded users left out
    first_seen: int  # first and last event that carried the id
    last_seen: int


@dataclass(frozen=True, slots=True)
class CompanyDetail:
    """One company over a period (`since_ms`, None: all time)."""

    company: CompanyRow
    traits: dict[str, Any]
    since_ms: int | None
    events: int  # members' events in the period
    sessions: int  # members' sessions active in the period
    total_session_ms: int
    avg_session_ms: int
    top_events: tuple[tuple[str, int], ...]
    top_pages: tuple[tuple[str, int], ...]
    live_users: tuple[queries.UserRow, ...]


def member_ids(company_id: str) -> sa.Select:
    """Profile ids that carried this group id on some event (the membership index answers it): the
    profile each counts for, and an anonymous profile whose merged history carried it."""
    carried = EVENTS.c.group_id == company_id
    return sa.union(
        sa.select(EVENTS.c.profile_id).where(carried),
        sa.select(EVENTS.c.anon_profile_id).where(carried, EVENTS.c.anon_profile_id != EVENTS.c.profile_id),
    )


def members_condition(company_id: str) -> sa.ColumnElement[bool]:
    """A condition on `profiles`: a counted member of the company (excluded users are not counted)."""
    return sa.and_(PROFILES.c.id.in_(member_ids(company_id)), PROFILES.c.excluded.is_(False))


def _search(conn: Connection, search: str | None) -> list[sa.ColumnElement[bool]]:
    if not search:
        return []
    dialect = conn.dialect.name
    return [sa.or_(text_contains(COMPANIES.c.id, search, dialect=dialect), text_contains(COMPANIES.c.name, search, dialect=dialect))]


def list_companies(conn: Connection, *, search: str | None = None, limit: int = 100, offset: int = 0) -> list[CompanyRow]:
    """Companies by last activity, newest first; `search` is a substring of the id or the name, ignoring case."""
    stmt = (
        sa.select(COMPANIES.c.id, COMPANIES.c.name, COMPANIES.c.first_seen, COMPANIES.c.last_seen)
        .where(*_search(conn, search))
        .order_by(COMPANIES.c.last_seen.desc(), COMPANIES.c.id)
        .limit(limit).offset(offset)
    )  # fmt: skip
    rows = conn.execute(stmt).all()
    users = _user_counts(conn, [r.id for r in rows])
    return [_company_row(r, users.get(r.id, 0)) for r in rows]


def count_companies(conn: Connection, *, search: str | None = None) -> int:
    stmt = sa.select(sa.func.count()).select_from(COMPANIES).where(*_search(conn, search))
    return int(conn.execute(stmt).scalar_one())


def _company_row(r: Any, users: int) -> CompanyRow:
    return CompanyRow(id=r.id, name=r.name, display_name=r.name or r.id, users=users, first_seen=r.first_seen, last_seen=r.last_seen)


def _user_counts(conn: Connection, company_ids: list[str]) -> dict[str, int]:
    """Counted members of each of these companies, in one query."""
    if not company_ids:
        return {}
    carried = EVENTS.c.group_id.in_(company_ids)
    pairs = sa.union(
        sa.select(EVENTS.c.group_id, EVENTS.c.profile_id).where(carried),
        sa.select(EVENTS.c.group_id, EVENTS.c.anon_profile_id).where(carried, EVENTS.c.anon_profile_id != EVENTS.c.profile_id),
    ).subquery()
    stmt = (
        sa.select(pairs.c.group_id, sa.func.count())
        .select_from(pairs.join(PROFILES, PROFILES.c.id == pairs.c.profile_id))
        .where(PROFILES.c.excluded.is_(False))
        .group_by(pairs.c.group_id)
    )
    return {gid: int(n) for gid, n in conn.execute(stmt)}


def find_company(conn: Connection, ident: str) -> str | None:
    """A company's id from its id, else from its name (ignoring case; the most recently active if several)."""
    if conn.execute(sa.select(COMPANIES.c.id).where(COMPANIES.c.id == ident)).first() is not None:
        return ident
    for row in conn.execute(
        sa.select(COMPANIES.c.id, COMPANIES.c.name).where(COMPANIES.c.name.is_not(None)).order_by(COMPANIES.c.last_seen.desc())
    ):
        if row.name.lower() == ident.lower():
            return row.id
    return None


def companies_of(conn: Connection, profile_id: int) -> list[CompanyRow]:
    """The companies a profile belongs to, most recently active first (to open one from the profile)."""
    ids = sa.select(EVENTS.c.group_id).where(queries.events_of(conn, profile_id), EVENTS.c.group_id.is_not(None)).distinct()
    rows = conn.execute(
        sa.select(COMPANIES.c.id, COMPANIES.c.name, COMPANIES.c.first_seen, COMPANIES.c.last_seen)
        .where(COMPANIES.c.id.in_(ids)).order_by(COMPANIES.c.last_seen.desc(), COMPANIES.c.id)
    ).all()
    users = _user_counts(conn, [r.id for r in rows])
    return [_company_row(r, users.get(r.id, 0)) for r in rows]


def company_detail(
    conn: Connection,
    company_id: str,
    *,
    settings: Settings,
    now_ms: int,
    since_ms: int | None = None,
    top: int = 10,
    live_limit: int = 50,
) -> CompanyDetail | None:
    row = conn.execute(sa.select(COMPANIES).where(COMPANIES.c.id == company_id)).first()
    if row is None:
        return None
    members = sa.select(PROFILES.c.id).where(members_condition(company_id))
    users = queries.count_users(conn, where=members_condition(company_id))
    e_conds = [EVENTS.c.profile_id.in_(members)]
    s_conds = [SESSIONS.c.profile_id.in_(members)]
    if since_ms is not None:
        e_conds.append(EVENTS.c.ts >= since_ms)
        s_conds.append(SESSIONS.c.end >= since_ms)
    events = int(conn.execute(sa.select(sa.func.count()).select_from(EVENTS).where(*e_conds)).scalar_one())
    sessions, total = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(SESSIONS.c.end - SESSIONS.c.start), 0)).where(*s_conds)
    ).one()
    sessions, total = int(sessions), int(total)
    named = [*e_conds, EVENTS.c.type.in_((TRACK, SCREEN)), EVENTS.c.name.is_not(None)]
    top_events = _top(conn, EVENTS.c.name, named, top)
    top_pages = _top(conn, EVENTS.c.path, [*e_conds, EVENTS.c.type == PAGE, EVENTS.c.path.is_not(None)], top)
    live = queries.list_users(
        conn, settings=settings, now_ms=now_ms, since_ms=now_ms - settings.live_ms + 1,
        where=members_condition(company_id), limit=live_limit,
    )  # fmt: skip
    return CompanyDetail(
        company=_company_row(row, users), traits=dict(row.traits or {}), since_ms=since_ms, events=events,
        sessions=sessions, total_session_ms=total, avg_session_ms=total // sessions if sessions else 0,
        top_events=top_events, top_pages=top_pages, live_users=tuple(live),
    )  # fmt: skip


def _top(conn: Connection, column: Any, conds: list[Any], limit: int) -> tuple[tuple[str, int], ...]:
    stmt = sa.select(column, sa.func.count().label("n")).where(*conds).group_by(column).order_by(sa.desc("n"), column).limit(limit)
    return tuple((value, int(n)) for value, n in conn.execute(stmt))


def company_users(
    conn: Connection, company_id: str, *, settings: Settings, now_ms: int, limit: int = 100, offset: int = 0
) -> list[queries.UserRow]:
    """A page of the company's users by last seen, newest first (excluded users left out, as in its figures)."""
    return queries.list_users(
        conn, settings=settings, now_ms=now_ms, where=members_condition(company_id), limit=limit, offset=offset
    )


def count_company_users(conn: Connection, company_id: str) -> int:
    return queries.count_users(conn, where=members_condition(company_id))
