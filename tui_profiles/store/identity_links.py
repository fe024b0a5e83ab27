"""The identity panel's read: every anonymous id of a person, how and when it was linked, and what the link brought.

For an identified profile, one row per link of one of its anonymous ids to it, and one per anonymous id it only
used while signed in; for an anonymous profile, one row per user its id was linked to.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..domain.identity import IDENTIFIED, VIA_BY_HAND, VIA_SIGNED_IN, VIA_UNLINKED_BY_HAND, link_via
from . import overrides
from .identity_flags import flags_of
from .models import ANON_IDS, EVENTS, FILES, LINKS, PROFILES

CHUNK = 500


@dataclass(frozen=True, slots=True)
class IdentityLinkRow:
    anonymous_id: str
    user_id: str
    via: str  # identify | alias | $identify | $create_alias | signed in | unknown (domain/identity.link_via)
    at: int  # when the link was made (for `signed in`: the first event with both ids)
    event_id: int | None  # the linking event, when it is stored
    file: str | None  # where that event was read from
    line: int | None
    events: int  # anonymous-only events on this id that the link moved to the user
    shared_with: tuple[str, ...]  # other users this anonymous id is linked to
    first_seen: int | None  # the user's events on this anonymous id
    last_seen: int | None
    source: str | None  # web | ios | android | server | unknown: where most of those events came from
    by: str | None = None  # who linked or unlinked it by hand


@dataclass(frozen=True, slots=True)
class IdentityReport:
    profile_id: int
    id: str
    kind: str
    links: tuple[IdentityLinkRow, ...]
    flags: tuple[str, ...]  # shared_device, too_many_ids


def identity_report(conn: Connection, profile_id: int, *, max_anon_ids: int) -> IdentityReport | None:
    profile = conn.execute(sa.select(PROFILES.c.kind, PROFILES.c.external_id).where(PROFILES.c.id == profile_id)).first()
    if profile is None:
        return None
    kind, external_id = profile
    if kind == IDENTIFIED:
        used = {a for (a,) in conn.execute(sa.select(ANON_IDS.c.anonymous_id).where(ANON_IDS.c.profile_id == profile_id))}
        linked = {a for (a,) in conn.execute(sa.select(LINKS.c.anonymous_id).where(LINKS.c.user_id == external_id).distinct())}
        anon_ids = used | linked
    else:
        anon_ids = {external_id}
    links = _links(conn, anon_ids)
    users = {user for rows in links.values() for _, user, _ in rows} | ({external_id} if kind == IDENTIFIED else set())
    profile_of = _identified_profiles(conn, users)
    stats = _stats(conn, anon_ids)
    brought = _brought(conn, anon_ids, links, profile_of)
    origin = _linking_events(conn, [mid for rows in links.values() for _, _, mid in rows])

    decided = overrides.decisions(conn, anonymous_ids=anon_ids) if kind != IDENTIFIED else \
        overrides.decisions(conn, user_ids=[external_id])
    by_hand = {(d.anonymous_id, d.user_id): d for d in decided}
    rows: list[IdentityLinkRow] = []
    for d in decided:
        if d.action == overrides.UNLINK:  # "unlinked by hand at <time> by <who>": no link, the decision kept
            rows.append(IdentityLinkRow(
                anonymous_id=d.anonymous_id, user_id=d.user_id, via=VIA_UNLINKED_BY_HAND, at=d.at_ms, event_id=None,
                file=None, line=None, events=0, shared_with=(), first_seen=None, last_seen=None, source=None, by=d.author,
            ))  # fmt: skip
    for anon in sorted(anon_ids):
        on_id = links.get(anon, [])
        users_on_id = list(dict.fromkeys(user for _, user, _ in on_id))
        for i, (ts, user, mid) in enumerate(on_id):
            if kind == IDENTIFIED and user != external_id:
                continue
            event = origin.get(mid)
            first, last, source = stats.get((anon, profile_of.get(user)), (None, None, None))
            manual = by_hand.get((anon, user)) if mid == overrides.BY_HAND_MESSAGE else None
            via = VIA_BY_HAND if mid == overrides.BY_HAND_MESSAGE else link_via(*event[1:3]) if event else link_via(None, None)
            rows.append(IdentityLinkRow(
                anonymous_id=anon, user_id=user, via=via, at=ts, by=manual.author if manual else None,
                event_id=event[0] if event else None, file=event[3] if event else None, line=event[4] if event else None,
                events=brought.get((anon, i), 0), shared_with=tuple(u for u in users_on_id if u != user),
                first_seen=first, last_seen=last, source=source,
            ))  # fmt: skip
        if kind == IDENTIFIED and external_id not in users_on_id:
            first, last, source = stats.get((anon, profile_id), (None, None, None))
            first_use = _first_use(conn, anon, profile_id)
            rows.append(IdentityLinkRow(
                anonymous_id=anon, user_id=external_id, via=VIA_SIGNED_IN, at=first if first is not None else 0,
                event_id=first_use[0] if first_use else None, file=first_use[1] if first_use else None,
                line=first_use[2] if first_use else None, events=0, shared_with=tuple(users_on_id),
                first_seen=first, last_seen=last, source=source,
            ))  # fmt: skip
    rows.sort(key=lambda r: (r.at, r.anonymous_id, r.user_id))
    flags = flags_of(conn, [(profile_id, kind, external_id)], max_anon_ids=max_anon_ids).get(profile_id, ())
    return IdentityReport(profile_id, external_id, kind, tuple(rows), flags)


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _links(conn: Connection, anon_ids: set[str]) -> dict[str, list[tuple[int, str, str]]]:
    """Every link of these anonymous ids, to anyone, as (time, user id, message id) in time order."""
    found: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for chunk in _chunks(anon_ids):
        stmt = (
            sa.select(LINKS.c.anonymous_id, LINKS.c.ts, LINKS.c.user_id, LINKS.c.message_id)
            .where(LINKS.c.anonymous_id.in_(chunk)).order_by(LINKS.c.anonymous_id, LINKS.c.ts, LINKS.c.id)
        )
        for anon, ts, user, mid in conn.execute(stmt):
            found[anon].append((int(ts), user, mid))
    return found


def _identified_profiles(conn: Connection, users: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(users):
        stmt = sa.select(PROFILES.c.external_id, PROFILES.c.id).where(PROFILES.c.kind == IDENTIFIED, PROFILES.c.external_id.in_(chunk))
        found.update((ext, int(pid)) for ext, pid in conn.execute(stmt))
    return found


def _stats(conn: Connection, anon_ids: set[str]) -> dict[tuple[str, int], tuple[int, int, str]]:
    """(anonymous id, profile) -> first and last seen and the commonest source of that profile's events on that id."""
    spans: dict[tuple[str, int], list[int]] = {}
    sources: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    for chunk in _chunks(anon_ids):
        stmt = (
            sa.select(EVENTS.c.anonymous_id, EVENTS.c.profile_id, EVENTS.c.source, sa.func.min(EVENTS.c.ts),
                      sa.func.max(EVENTS.c.ts), sa.func.count())  # fmt: skip
            .where(EVENTS.c.anonymous_id.in_(chunk))
            .group_by(EVENTS.c.anonymous_id, EVENTS.c.profile_id, EVENTS.c.source)
        )
        for anon, pid, source, first, last, n in conn.execute(stmt):
            key = (anon, int(pid))
            span = spans.setdefault(key, [int(first), int(last)])
            span[0], span[1] = min(span[0], int(first)), max(span[1], int(last))
            sources[key][source] += int(n)
    return {key: (first, last, sources[key].most_common(1)[0][0]) for key, (first, last) in spans.items()}


def _brought(
    conn: Connection, anon_ids: set[str], links: dict[str, list[tuple[int, str, str]]], profile_of: dict[str, int]
) -> dict[tuple[str, int], int]:
    """(anonymous id, index of its link) -> anonymous-only events that link moved to its user.

    The identity rule: such an event joins the user of the first link at or after it on its id
    (domain/identity.first_identify_after); it is counted only if it is that user's now.
    """
    counts: Counter[tuple[str, int]] = Counter()
    for chunk in _chunks(a for a in anon_ids if a in links):
        stmt = sa.select(EVENTS.c.anonymous_id, EVENTS.c.profile_id, EVENTS.c.ts).where(
            EVENTS.c.anonymous_id.in_(chunk), EVENTS.c.user_id.is_(None)
        )
        for anon, pid, ts in conn.execute(stmt):
            on_id = links[anon]
            i = bisect_left(on_id, int(ts), key=lambda link: link[0])
            if i < len(on_id) and profile_of.get(on_id[i][1]) == pid:
                counts[(anon, i)] += 1
    return counts


def _linking_events(conn: Connection, message_ids: list[str]) -> dict[str, tuple[int, str, str | None, str | None, int | None]]:
    """message id -> (event id, type, name, file, line) of the events that made the links."""
    found = {}
    for chunk in _chunks(set(message_ids)):
        stmt = (
            sa.select(EVENTS.c.message_id, EVENTS.c.id, EVENTS.c.type, EVENTS.c.name, FILES.c.path, EVENTS.c.line)
            .select_from(EVENTS.outerjoin(FILES, FILES.c.id == EVENTS.c.file_id)).where(EVENTS.c.message_id.in_(chunk))
        )
        for mid, eid, type_, name, path, line in conn.execute(stmt):
            found[mid] = (int(eid), type_, name, path, line)
    return found


def _first_use(conn: Connection, anon: str, profile_id: int) -> tuple[int, str | None, int | None] | None:
    stmt = (
        sa.select(EVENTS.c.id, FILES.c.path, EVENTS.c.line).select_from(EVENTS.outerjoin(FILES, FILES.c.id == EVENTS.c.file_id))
        .where(EVENTS.c.anonymous_id == anon, EVENTS.c.profile_id == profile_id).order_by(EVENTS.c.ts, EVENTS.c.id).limit(1)
    )
    row = conn.execute(stmt).first()
    return (int(row[0]), row[1], row[2]) if row else None
