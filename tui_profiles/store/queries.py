"""The read side: small frozen dataclasses out, never ORM objects; every function takes a connection."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..config import Settings
from ..domain.formats import PAGE, SCREEN, TRACK
from ..domain.identity import ANONYMOUS, IDENTIFIED
from ..domain.sessions import is_live, session_id
from ..domain.tags import profile_tags
from ..domain.timeline_filter import EventFilter
from . import audit, raw_blocks
from .identity_flags import flags_of
from .models import ANON_IDS, CATALOG, EVENTS, FILES, LINKS, PROFILES, REJECTED, SAVED, SESSIONS


@dataclass(frozen=True, slots=True)
class UserRow:
    """One profile as the user list shows it."""

    profile_id: int
    id: str  # the user id or the anonymous id
    kind: str  # identified | anonymous
    name: str | None
    email: str | None
    display_name: str
    country: str | None
    city: str | None
    company: str | None
    first_seen: int
    last_seen: int
    live: bool
    sessions: int
    events: int
    tags: tuple[str, ...]
    # Left out of every count, top list, live count, company figure and retention;
    # still listed (and marked) so staff can find them: `is:excluded`.
    excluded: bool = False


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: str
    profile_id: int
    start: int
    end: int
    duration_ms: int
    events: int
    source: str
    entry_path: str | None
    live: bool
    # On an anonymous profile: the users some of the session's events were merged into, first first.
    merged_into: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventRow:
    """One event of a timeline."""

    event_id: int
    message_id: str
    ts: int
    type: str
    name: str | None
    path: str | None
    source: str
    session_id: str | None
    properties: dict[str, Any]
    time_flag: str | None
    # On an anonymous profile: the user this event was merged into (it is part of both), else None.
    merged_into: str | None = None


@dataclass(frozen=True, slots=True)
class EventDetail:
    """Everything about one event: its properties, context, raw message and origin."""

    row: EventRow
    profile_id: int
    user_id: str | None
    anonymous_id: str | None
    format: str
    url: str | None
    title: str | None
    received_at: int
    context: dict[str, Any]
    raw: dict[str, Any]
    file: str | None
    line: int | None
    raw_text: str = ""  # the message's own JSON text, byte for byte as received


@dataclass(frozen=True, slots=True)
class ProfileDetail:
    user: UserRow
    anonymous_ids: tuple[str, ...]
    traits: dict[str, Any]
    signed_up: int
    avg_session_ms: int
    sources: tuple[str, ...]
    companies: tuple[str, ...]
    top_events: tuple[tuple[str, int], ...]
    top_pages: tuple[tuple[str, int], ...]
    linked_users: tuple[str, ...]  # for an anonymous profile: users this id was later identified as
    # For an anonymous profile: (user id, time of the first link to it), first first.
    merged_into: tuple[tuple[str, int], ...] = ()
    merged_into_profiles: tuple[int, ...] = ()  # the profile ids of those users (that still exist), in the same order
    signed_up_known: bool = True  # False: no sign-up date in the traits, `signed_up` is first seen


@dataclass(frozen=True, slots=True)
class RejectedRow:
    id: int
    file: str
    line: int
    reason: str
    raw: bytes
    received_at: int


# -- users -----------------------------------------------------------------------
_USER_COLS = (
    PROFILES.c.id, PROFILES.c.external_id, PROFILES.c.kind, PROFILES.c.name, PROFILES.c.email,
    PROFILES.c.country, PROFILES.c.city, PROFILES.c.company, PROFILES.c.first_seen, PROFILES.c.last_seen,
    PROFILES.c.session_count, PROFILES.c.event_count, PROFILES.c.order_count, PROFILES.c.has_contact,
    PROFILES.c.has_custom_attributes, PROFILES.c.traits, PROFILES.c.excluded,
)


def _user_rows(conn: Connection, rows: Any, settings: Settings, now_ms: int) -> list[UserRow]:
    """UserRows with their identity flags (shared_device, too_many_ids), asked for these rows only."""
    users = [_user_row(r, settings, now_ms) for r in rows]
    if not users:
        return users
    flags = flags_of(conn, [(u.profile_id, u.kind, u.id) for u in users], max_anon_ids=settings.max_anon_ids)
    return [replace(u, tags=u.tags + flags[u.profile_id]) if u.profile_id in flags else u for u in users]


def _user_row(row: Any, settings: Settings, now_ms: int) -> UserRow:
    # Unpacked by position (in _USER_COLS order): a SQLAlchemy row's attributes cost ~0.5 us
    # each, and ~25 of them were most of the time a 300-row page of the user list took.
    (profile_id, external_id, kind, name, email, country, city, company, first_seen, last_seen, session_count,
     event_count, order_count, has_contact, has_custom_attributes, traits, excluded) = row  # fmt: skip
    if not country:
        traits = traits or {}
        address = traits.get("address")
        country = (address.get("country") if isinstance(address, dict) else None) or traits.get("country")
        country = str(country) if country else None
    return UserRow(
        profile_id=profile_id,
        id=external_id,
        kind=kind,
        name=name,
        email=email,
        display_name=name or email or external_id,
        country=country,
        city=city,
        company=company,
        first_seen=first_seen,
        last_seen=last_seen,
        live=is_live(last_seen, now_ms, settings.live_ms),
        sessions=session_count,
        events=event_count,
        tags=profile_tags(
            session_count=session_count, first_seen=first_seen, last_seen=last_seen,
            company=company, has_contact=has_contact, order_count=order_count,
            has_custom_attributes=has_custom_attributes, now_ms=now_ms,
            longtime_ms=settings.longtime_ms, live_ms=settings.live_ms,
        ),
        excluded=bool(excluded),
    )


def list_users(
    conn: Connection,
    *,
    settings: Settings,
    now_ms: int,
    since_ms: int | None = None,
    limit: int = 100,
    offset: int = 0,
    where: sa.ColumnElement[bool] | None = None,
) -> list[UserRow]:
    """Profiles by last seen, newest first; `since_ms` keeps those seen since then."""
    stmt = sa.select(*_USER_COLS).where(*_user_conditions(since_ms, where))
    stmt = stmt.order_by(PROFILES.c.last_seen.desc(), PROFILES.c.id.desc()).limit(limit).offset(offset)
    return _user_rows(conn, conn.execute(stmt), settings, now_ms)


def count_users(conn: Connection, *, since_ms: int | None = None, where: sa.ColumnElement[bool] | None = None) -> int:
    """How many rows list_users has (excluded users included: the list shows them, marked)."""
    stmt = sa.select(sa.func.count()).select_from(PROFILES).where(*_user_conditions(since_ms, where))
    return int(conn.execute(stmt).scalar_one())


def live_count(conn: Connection, *, settings: Settings, now_ms: int) -> int:
    stmt = sa.select(sa.func.count()).select_from(PROFILES).where(
        PROFILES.c.last_seen > now_ms - settings.live_ms, PROFILES.c.excluded.is_(False)
    )
    return int(conn.execute(stmt).scalar_one())


def _user_conditions(since_ms: int | None, where: sa.ColumnElement[bool] | None) -> list[sa.ColumnElement[bool]]:
    conds: list[sa.ColumnElement[bool]] = []
    if since_ms is not None:
        conds.append(PROFILES.c.last_seen >= since_ms)
    if where is not None:
        conds.append(where)
    return conds


def users_by_ids(conn: Connection, profile_ids: Sequence[int], *, settings: Settings, now_ms: int) -> list[UserRow]:
    if not profile_ids:
        return []
    rows = conn.execute(sa.select(*_USER_COLS).where(PROFILES.c.id.in_(list(profile_ids))))
    return _user_rows(conn, rows, settings, now_ms)


def plain_text_condition(text: str) -> sa.ColumnElement[bool]:
    """Substring match on id, anonymous ids, name and email, case-insensitive, literal."""
    needle = "%" + _escape_like(text.lower()) + "%"
    anon = sa.select(ANON_IDS.c.profile_id).where(sa.func.lower(ANON_IDS.c.anonymous_id).like(needle, escape="\\"))
    return sa.or_(
        sa.func.lower(PROFILES.c.external_id).like(needle, escape="\\"),
        sa.func.lower(sa.func.coalesce(PROFILES.c.name, "")).like(needle, escape="\\"),
        sa.func.lower(sa.func.coalesce(PROFILES.c.email, "")).like(needle, escape="\\"),
        PROFILES.c.id.in_(anon),
    )


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- one profile -----------------------------------------------------------------
def find_profile(conn: Connection, ident: str) -> int | None:
    """A user id, else an anonymous profile's id, else the user an anonymous id became (an id
    only ever seen in an identify's link, with no event of its own)."""
    for kind in (IDENTIFIED, ANONYMOUS):
        pid = conn.execute(
            sa.select(PROFILES.c.id).where(PROFILES.c.kind == kind, PROFILES.c.external_id == ident)
        ).scalar()
        if pid is not None:
            return int(pid)
    pid = conn.execute(
        sa.select(ANON_IDS.c.profile_id).where(ANON_IDS.c.anonymous_id == ident).order_by(ANON_IDS.c.profile_id.desc()).limit(1)
    ).scalar()
    return int(pid) if pid is not None else None


def profile_detail(conn: Connection, profile_id: int, *, settings: Settings, now_ms: int, top: int = 10) -> ProfileDetail | None:
    """Everything the profile's header shows; `top=0` leaves the all-time top events and pages
    out (each reads every event of the profile: ~45 ms for a 10,000-event user on PostgreSQL)."""
    row = conn.execute(sa.select(*_USER_COLS, PROFILES.c.total_session_ms).where(PROFILES.c.id == profile_id)).first()
    if row is None:
        return None
    (user,) = _user_rows(conn, [row[: len(_USER_COLS)]], settings, now_ms)
    traits = dict(row.traits or {})
    anon_ids = tuple(
        a for (a,) in conn.execute(
            sa.select(ANON_IDS.c.anonymous_id).where(ANON_IDS.c.profile_id == profile_id).order_by(ANON_IDS.c.anonymous_id)
        )
    )
    merged: tuple[tuple[str, int], ...] = ()
    if row.kind == ANONYMOUS:
        merged = merged_into(conn, row.external_id)
    linked = tuple(u for u, _ in merged)
    sources = tuple(
        s for (s,) in conn.execute(
            sa.select(SESSIONS.c.source).where(SESSIONS.c.profile_id == profile_id).group_by(SESSIONS.c.source)
            .order_by(sa.func.count().desc(), SESSIONS.c.source)
        )
    )
    companies = list(dict.fromkeys(
        g for (g,) in conn.execute(
            sa.select(EVENTS.c.group_id).where(owned_by(profile_id, row.kind), EVENTS.c.group_id.is_not(None)).distinct()
        )
    ))
    if row.company and row.company not in companies:
        companies.insert(0, row.company)
    signed_up = _signed_up(traits, row.first_seen)
    avg = int(row.total_session_ms or 0) // row.session_count if row.session_count else 0
    return ProfileDetail(
        user=user,
        anonymous_ids=anon_ids,
        traits=traits,
        signed_up=signed_up,
        avg_session_ms=avg,
        sources=sources,
        companies=tuple(companies),
        top_events=top_events(conn, profile_id, limit=top) if top else (),
        top_pages=top_pages(conn, profile_id, limit=top) if top else (),
        linked_users=linked,
        merged_into=merged,
        signed_up_known=_signed_up(traits, -1) != -1,
        merged_into_profiles=tuple(
            pid for u, _ in merged
            for pid in [conn.execute(sa.select(PROFILES.c.id).where(PROFILES.c.kind == IDENTIFIED, PROFILES.c.external_id == u)).scalar()]
            if pid is not None
        ),
    )


def merged_into(conn: Connection, anonymous_id: str) -> tuple[tuple[str, int], ...]:
    """The users an anonymous id was linked to, each with the time of its first link, first first."""
    stmt = (
        sa.select(LINKS.c.user_id, sa.func.min(LINKS.c.ts).label("at")).where(LINKS.c.anonymous_id == anonymous_id)
        .group_by(LINKS.c.user_id).order_by(sa.text("at"), LINKS.c.user_id)
    )
    return tuple((u, int(at)) for u, at in conn.execute(stmt) if u != anonymous_id)


def profile_kind(conn: Connection, profile_id: int) -> str | None:
    return conn.execute(sa.select(PROFILES.c.kind).where(PROFILES.c.id == profile_id)).scalar()


def owned_by(profile_id: int, kind: str | None) -> sa.ColumnElement[bool]:
    """A profile's events: an identified profile's are those it counts (profile_id, the plan as
    ever); an anonymous profile's are its whole history, merged into a user or not (anon_profile_id)."""
    if kind == ANONYMOUS:
        return EVENTS.c.anon_profile_id == profile_id
    return EVENTS.c.profile_id == profile_id


def events_of(conn: Connection, profile_id: int) -> sa.ColumnElement[bool]:
    """The condition on events that are this profile's (owned_by, its kind read first)."""
    return owned_by(profile_id, profile_kind(conn, profile_id))


def _signed_up(traits: dict[str, Any], first_seen: int) -> int:
    """`createdAt` if it parses, else first seen."""
    from datetime import datetime, timezone

    created = traits.get("createdAt") or traits.get("created_at")
    if isinstance(created, (int, float)) and created > 0:
        return int(created * 1000) if created < 10**11 else int(created)
    if isinstance(created, str):
        try:
            dt = datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            return first_seen
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return int(dt.timestamp() * 1000)
    return first_seen


def top_events(
    conn: Connection, profile_id: int, *, limit: int = 10, since_ms: int | None = None, contains: str | None = None
) -> tuple[tuple[str, int], ...]:
    conds = [events_of(conn, profile_id), EVENTS.c.type.in_((TRACK, SCREEN)), EVENTS.c.name.is_not(None)]
    if since_ms is not None:
        conds.append(EVENTS.c.ts >= since_ms)
    if contains:
        conds.append(sa.func.lower(EVENTS.c.name).like("%" + _escape_like(contains.lower()) + "%", escape="\\"))
    stmt = (
        sa.select(EVENTS.c.name, sa.func.count().label("n")).where(*conds).group_by(EVENTS.c.name)
        .order_by(sa.desc("n"), EVENTS.c.name).limit(limit)
    )
    return tuple((name, int(n)) for name, n in conn.execute(stmt))


def top_pages(
    conn: Connection, profile_id: int, *, limit: int = 10, since_ms: int | None = None, contains: str | None = None
) -> tuple[tuple[str, int], ...]:
    conds = [events_of(conn, profile_id), EVENTS.c.type == PAGE, EVENTS.c.path.is_not(None)]
    if since_ms is not None:
        conds.append(EVENTS.c.ts >= since_ms)
    if contains:
        conds.append(sa.func.lower(EVENTS.c.path).like("%" + _escape_like(contains.lower()) + "%", escape="\\"))
    stmt = (
        sa.select(EVENTS.c.path, sa.func.count().label("n")).where(*conds).group_by(EVENTS.c.path)
        .order_by(sa.desc("n"), EVENTS.c.path).limit(limit)
    )
    return tuple((path, int(n)) for path, n in conn.execute(stmt))


def events_per_day(conn: Connection, profile_id: int, *, since_ms: int) -> list[tuple[int, int]]:
    """(day start epoch ms, events) for each day with events since then."""
    day = (EVENTS.c.ts / 86_400_000).cast(sa.BigInteger) if conn.dialect.name == "sqlite" else sa.func.floor(EVENTS.c.ts / 86_400_000)
    stmt = (
        sa.select(day.label("d"), sa.func.count()).where(events_of(conn, profile_id), EVENTS.c.ts >= since_ms)
        .group_by(sa.text("d")).order_by(sa.text("d"))
    )
    return [(int(d) * 86_400_000, int(n)) for d, n in conn.execute(stmt)]


def period_stats(conn: Connection, profile_id: int, *, since_ms: int | None) -> tuple[int, int, int]:
    """(events, sessions, total session ms) of a profile within a period."""
    e_conds = [events_of(conn, profile_id)]
    s_conds = [SESSIONS.c.profile_id == profile_id]
    if since_ms is not None:
        e_conds.append(EVENTS.c.ts >= since_ms)
        s_conds.append(SESSIONS.c.end >= since_ms)
    # One statement (a round trip fewer on opening a profile).
    events = sa.select(sa.func.count()).select_from(EVENTS).where(*e_conds).scalar_subquery()
    sessions = sa.select(sa.func.count()).select_from(SESSIONS).where(*s_conds).scalar_subquery()
    total = sa.select(sa.func.coalesce(sa.func.sum(SESSIONS.c.end - SESSIONS.c.start), 0)).where(*s_conds).scalar_subquery()
    events, sessions, total = conn.execute(sa.select(events, sessions, total)).one()
    return int(events), int(sessions), int(total)


# -- sessions and events ---------------------------------------------------------
def sessions_of(conn: Connection, profile_id: int, *, settings: Settings, now_ms: int, newest_first: bool = False) -> list[SessionRow]:
    order = SESSIONS.c.start.desc() if newest_first else SESSIONS.c.start
    rows = conn.execute(sa.select(*_SESSION_COLS).where(SESSIONS.c.profile_id == profile_id).order_by(order))
    out = [_session_row(r, settings, now_ms) for r in rows]
    if out and profile_kind(conn, profile_id) == ANONYMOUS:
        out = _mark_merged_sessions(conn, profile_id, out)
    return out


def _merged_events(conn: Connection, profile_id: int, *conds: sa.ColumnElement[bool]) -> list[tuple[int, str]]:
    """(time, user id) of an anonymous profile's events merged into a user, oldest first."""
    stmt = (
        sa.select(EVENTS.c.ts, PROFILES.c.external_id)
        .select_from(EVENTS.join(PROFILES, PROFILES.c.id == EVENTS.c.profile_id))
        .where(EVENTS.c.anon_profile_id == profile_id, EVENTS.c.profile_id != profile_id, *conds)
        .order_by(EVENTS.c.ts)
    )
    return [(int(ts), ext) for ts, ext in conn.execute(stmt)]


def _mark_merged_sessions(conn: Connection, profile_id: int, sessions: list[SessionRow]) -> list[SessionRow]:
    merged = _merged_events(conn, profile_id)
    if not merged:
        return sessions
    times = [ts for ts, _ in merged]
    out = []
    for s in sessions:
        lo, hi = bisect_left(times, s.start), bisect_right(times, s.end)
        users = tuple(dict.fromkeys(user for _, user in merged[lo:hi]))
        out.append(replace(s, merged_into=users) if users else s)
    return out


_SESSION_COLS = (
    SESSIONS.c.profile_id, SESSIONS.c.start, SESSIONS.c.end, SESSIONS.c.event_count, SESSIONS.c.source, SESSIONS.c.entry_path,
)


def _session_row(r: Any, settings: Settings, now_ms: int) -> SessionRow:
    profile_id, start, end, event_count, source, entry_path = r  # by position, as _user_row
    return SessionRow(
        id=session_id(profile_id, start), profile_id=profile_id, start=start, end=end,
        duration_ms=end - start, events=event_count, source=source, entry_path=entry_path,
        live=is_live(end, now_ms, settings.live_ms),
    )


def session_at(conn: Connection, profile_id: int, start: int, *, settings: Settings, now_ms: int) -> SessionRow | None:
    r = conn.execute(sa.select(*_SESSION_COLS).where(SESSIONS.c.profile_id == profile_id, SESSIONS.c.start == start)).first()
    return _session_row(r, settings, now_ms) if r else None


def neighbour_session(conn: Connection, profile_id: int, start: int, *, step: int, settings: Settings, now_ms: int) -> SessionRow | None:
    """The previous (step=-1) or next (step=1) session of a profile."""
    if step < 0:
        earlier = (SESSIONS.c.profile_id == profile_id, SESSIONS.c.start < start)
        stmt = sa.select(*_SESSION_COLS).where(*earlier).order_by(SESSIONS.c.start.desc())
    else:
        stmt = sa.select(*_SESSION_COLS).where(SESSIONS.c.profile_id == profile_id, SESSIONS.c.start > start).order_by(SESSIONS.c.start)
    r = conn.execute(stmt.limit(1)).first()
    return _session_row(r, settings, now_ms) if r else None


_EVENT_COLS = (
    EVENTS.c.id, EVENTS.c.message_id, EVENTS.c.ts, EVENTS.c.type, EVENTS.c.name, EVENTS.c.path,
    EVENTS.c.source, EVENTS.c.props, EVENTS.c.time_flag, EVENTS.c.profile_id,
)


def properties_of(type_: str, raw: dict[str, Any] | None) -> dict[str, Any]:
    """An event's own properties: identify and group traits, else `properties`."""
    raw = raw or {}
    if type_ in ("identify", "group") and isinstance(raw.get("traits"), dict):
        return raw["traits"]
    props = raw.get("properties")
    return props if isinstance(props, dict) else {}


def _session_starts(conn: Connection, profile_id: int) -> list[int]:
    return [s for (s,) in conn.execute(sa.select(SESSIONS.c.start).where(SESSIONS.c.profile_id == profile_id).order_by(SESSIONS.c.start))]


def _event_row(r: Any, starts: list[int], owner: int | None = None, users: dict[int, str] | None = None) -> EventRow:
    """`owner`: the profile whose timeline this is (sessions are its own); `users`: on an anonymous
    profile's, the user id of each profile its events were merged into."""
    # By position (_EVENT_COLS first), as _user_row.
    event_id, message_id, ts, type_, name, path, source, props, time_flag, profile_id = r[: len(_EVENT_COLS)]
    i = bisect_right(starts, ts) - 1
    sid = session_id(owner if owner is not None else profile_id, starts[i]) if i >= 0 else None
    merged = users.get(profile_id) if users and profile_id != owner else None
    return EventRow(
        event_id=event_id, message_id=message_id, ts=ts, type=type_, name=name, path=path,
        source=source, session_id=sid, properties=props if isinstance(props, dict) else {}, time_flag=time_flag, merged_into=merged,
    )


def _event_rows(conn: Connection, profile_id: int, kind: str | None, rows: Any, starts: list[int]) -> list[EventRow]:
    rows = list(rows)
    users: dict[int, str] = {}
    if kind == ANONYMOUS:
        others = sorted({r[len(_EVENT_COLS) - 1] for r in rows} - {profile_id})
        if others:
            users = dict(conn.execute(sa.select(PROFILES.c.id, PROFILES.c.external_id).where(PROFILES.c.id.in_(others))).all())
    return [_event_row(r, starts, profile_id, users) for r in rows]


def timeline(
    conn: Connection,
    profile_id: int,
    *,
    newest_first: bool = False,
    limit: int | None = None,
    before: tuple[int, int] | None = None,
    after: tuple[int, int] | None = None,
    names: EventFilter | None = None,
    since: int | None = None,
) -> list[EventRow]:
    """A profile's events. Keyset pages: `before`/`after` are (ts, event id) of an edge row; `names`
    keeps or hides events by name (domain/timeline_filter.py). The first page at or before a moment
    is `before=(moment + 1, 0)`: nothing between it and now is read. `since`: none older (ms)."""
    kind = profile_kind(conn, profile_id)
    stmt = sa.select(*_EVENT_COLS).where(owned_by(profile_id, kind), *name_conditions(names))
    if since is not None:
        stmt = stmt.where(EVENTS.c.ts >= since)
    key = sa.tuple_(EVENTS.c.ts, EVENTS.c.id)
    if before is not None:
        stmt = stmt.where(key < sa.tuple_(*before))
    if after is not None:
        stmt = stmt.where(key > sa.tuple_(*after))
    if newest_first:
        stmt = stmt.order_by(EVENTS.c.ts.desc(), EVENTS.c.id.desc())
    else:
        stmt = stmt.order_by(EVENTS.c.ts, EVENTS.c.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    starts = _session_starts(conn, profile_id)
    return _event_rows(conn, profile_id, kind, conn.execute(stmt), starts)


def name_conditions(names: EventFilter | None) -> list[sa.ColumnElement[bool]]:
    """The SQL of an event filter: kept names only, hidden names not (an event with no name is kept
    unless names are kept)."""
    if not names:
        return []
    conds: list[sa.ColumnElement[bool]] = []
    if names.keep:
        conds.append(EVENTS.c.name.in_(names.keep))
    if names.hide:
        conds.append(sa.or_(EVENTS.c.name.is_(None), EVENTS.c.name.not_in(names.hide)))
    return conds


def event_names(conn: Connection, profile_id: int, *, limit: int = 500) -> list[str]:
    """The distinct names of a profile's events (an identified person's merged anonymous ones too), by name."""
    stmt = (
        sa.select(EVENTS.c.name).where(events_of(conn, profile_id), EVENTS.c.name.is_not(None))
        .group_by(EVENTS.c.name).order_by(EVENTS.c.name).limit(limit)
    )
    return [n for (n,) in conn.execute(stmt)]


def newest_session(conn: Connection, profile_id: int, *, settings: Settings, now_ms: int) -> SessionRow | None:
    r = conn.execute(
        sa.select(*_SESSION_COLS).where(SESSIONS.c.profile_id == profile_id).order_by(SESSIONS.c.start.desc()).limit(1)
    ).first()
    return _session_row(r, settings, now_ms) if r else None


def session_events(conn: Connection, profile_id: int, start: int, end: int) -> list[EventRow]:
    kind = profile_kind(conn, profile_id)
    stmt = (
        sa.select(*_EVENT_COLS)
        .where(owned_by(profile_id, kind), EVENTS.c.ts >= start, EVENTS.c.ts <= end)
        .order_by(EVENTS.c.ts, EVENTS.c.id)
    )
    return _event_rows(conn, profile_id, kind, conn.execute(stmt), [start])


def event_detail(conn: Connection, event_id: int) -> EventDetail | None:
    stmt = sa.select(
        *_EVENT_COLS, EVENTS.c.user_id, EVENTS.c.anonymous_id, EVENTS.c.format, EVENTS.c.url,
        EVENTS.c.title, EVENTS.c.received_at, EVENTS.c.line, FILES.c.path.label("file_path"), EVENTS.c.raw_block, EVENTS.c.raw_slot,
    ).select_from(EVENTS.outerjoin(FILES, FILES.c.id == EVENTS.c.file_id)).where(EVENTS.c.id == event_id)
    r = conn.execute(stmt).first()
    if r is None:
        return None
    starts = [s for (s,) in conn.execute(
        sa.select(SESSIONS.c.start).where(SESSIONS.c.profile_id == r.profile_id, SESSIONS.c.start <= r.ts)
        .order_by(SESSIONS.c.start.desc()).limit(1)
    )]
    raw_text = raw_blocks.text_of(conn, r.raw_block, r.raw_slot) or ""
    raw = raw_blocks.message(raw_text)
    context = raw.get("context") if isinstance(raw.get("context"), dict) else {}
    if r.format == "posthog":
        props = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}
        context = {k: v for k, v in props.items() if k.startswith("$")}
    return EventDetail(
        row=_event_row(r, starts), profile_id=r.profile_id, user_id=r.user_id, anonymous_id=r.anonymous_id,
        format=r.format, url=r.url, title=r.title, received_at=r.received_at, context=context, raw=raw,
        file=r.file_path, line=r.line, raw_text=raw_text,
    )


def rejected_lines(conn: Connection, *, limit: int | None = None) -> list[RejectedRow]:
    stmt = sa.select(REJECTED).order_by(REJECTED.c.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [RejectedRow(r.id, r.file, r.line, r.reason, bytes(r.raw), r.received_at) for r in conn.execute(stmt)]


# -- suggestions and saved filters ------------------------------------------------
def catalog_values(conn: Connection, kind: str, prefix: str = "", *, limit: int = 20) -> list[str]:
    """Stored event names (`event`), page paths (`page`) or trait keys (`trait`) starting with a prefix.

    Case-insensitive prefix on the stored text; exact-case matches come first.
    """
    stmt = sa.select(CATALOG.c.value).where(CATALOG.c.kind == kind)
    if prefix:
        stmt = stmt.where(sa.func.lower(sa.func.substr(CATALOG.c.value, 1, len(prefix))) == prefix.lower())
    rows = [v for (v,) in conn.execute(stmt.order_by(CATALOG.c.value).limit(limit * 4))]
    rows.sort(key=lambda v: (not v.startswith(prefix), v.lower()))
    return rows[:limit]


@dataclass(frozen=True, slots=True)
class SavedFilterRow:
    name: str
    query: str
    created_ms: int


def saved_filters(conn: Connection) -> list[SavedFilterRow]:
    return [SavedFilterRow(r.name, r.query, r.created_ms) for r in conn.execute(sa.select(SAVED).order_by(SAVED.c.name))]


def save_filter(conn: Connection, name: str, query: str, *, now_ms: int, author: str) -> None:
    """Save (or replace) a named filter, recorded in the audit log; the caller commits (use engine.begin())."""
    before = conn.execute(sa.select(SAVED.c.query).where(SAVED.c.name == name)).scalar()
    conn.execute(SAVED.delete().where(SAVED.c.name == name))
    conn.execute(SAVED.insert().values(name=name, query=query, created_ms=now_ms))
    detail = {"query": query} if before is None else {"query": query, "replaced": before}
    audit.record(conn, author=author, action=audit.SAVE_FILTER, target=name, detail=detail, at_ms=now_ms)


def delete_filter(conn: Connection, name: str, *, now_ms: int, author: str) -> bool:
    """Delete a named filter, recorded in the audit log; False (and no entry) if there was none."""
    before = conn.execute(sa.select(SAVED.c.query).where(SAVED.c.name == name)).scalar()
    # The delete's own count decides: someone else may have deleted it since the read.
    if conn.execute(SAVED.delete().where(SAVED.c.name == name)).rowcount == 0:
        return False
    audit.record(conn, author=author, action=audit.DELETE_FILTER, target=name, detail={"query": before}, at_ms=now_ms)
    return True
