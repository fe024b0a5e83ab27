"""Keep the companies table in step with the events: folded in at ingest, rebuilt after late data or an erasure.

A company is a group id (Segment `group` calls, `context.groupId`; PostHog
`$groupidentify`, `$groups`). Its name and traits fold the group calls of that id
in time order, the latest value of each trait winning, as Segment and PostHog
merge group traits; its first and last seen span every event carrying the id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..domain.formats import GROUP, NormalizedEvent
from .models import COMPANIES, EVENTS

CHUNK = 500


def company_name(traits: dict[str, Any]) -> str | None:
    """The `name` group trait, when it is text worth showing."""
    name = traits.get("name")
    return name if isinstance(name, str) and name.strip() else None


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def record(conn: Connection, events: Iterable[NormalizedEvent]) -> None:
    """Fold freshly stored events into their companies (the events are in the table already).

    The fast path carries the stored traits on; a group call older than the last
    one folded in folds that company's traits again from its group calls. First and
    last seen are a min and a max either way: no event but the new ones is read for them.
    """
    by_company: dict[str, list[NormalizedEvent]] = defaultdict(list)
    for e in events:
        if e.group_id:
            by_company[e.group_id].append(e)
    if not by_company:
        return
    stored: dict[str, Any] = {}
    for chunk in _chunks(sorted(by_company)):
        stored.update((row.id, row) for row in conn.execute(sa.select(COMPANIES).where(COMPANIES.c.id.in_(chunk))))
    inserts, updates, late = [], [], []
    for gid, evs in by_company.items():
        evs.sort(key=lambda e: e.ts)
        calls = [e for e in evs if e.type == GROUP]
        first, last = evs[0].ts, evs[-1].ts
        row = stored.get(gid)
        if row is None:
            traits, traits_ts = _fold({}, None, calls)
            inserts.append({"id": gid, "name": company_name(traits), "traits": traits, "traits_ts": traits_ts,
                            "first_seen": first, "last_seen": last})  # fmt: skip
            continue
        if calls and row.traits_ts is not None and calls[0].ts < row.traits_ts:
            late.append(gid)
            traits, traits_ts = dict(row.traits or {}), row.traits_ts
        else:
            traits, traits_ts = _fold(dict(row.traits or {}), row.traits_ts, calls)
        updates.append({"gid": gid, "name": company_name(traits), "traits": traits, "traits_ts": traits_ts,
                        "first_seen": min(row.first_seen, first), "last_seen": max(row.last_seen, last)})  # fmt: skip
    if inserts:
        conn.execute(COMPANIES.insert(), inserts)
    if updates:
        values = {k: sa.bindparam(k) for k in updates[0] if k != "gid"}
        conn.execute(COMPANIES.update().where(COMPANIES.c.id == sa.bindparam("gid")).values(**values), updates)
    if late:
        _refold_traits(conn, late)


def _fold(traits: dict[str, Any], traits_ts: int | None, calls: list[NormalizedEvent]) -> tuple[dict[str, Any], int | None]:
    for call in calls:
        traits.update(call.group_traits or {})
        traits_ts = call.ts
    return traits, traits_ts


def _group_calls(conn: Connection, company_ids: Sequence[str]) -> dict[str, tuple[dict[str, Any], int | None]]:
    """(traits, time of the last call) of these companies, folded from their stored group calls in time order."""
    folded: dict[str, tuple[dict[str, Any], int | None]] = {}
    calls = conn.execute(
        sa.select(EVENTS.c.group_id, EVENTS.c.ts, EVENTS.c.traits)
        .where(EVENTS.c.group_id.in_(company_ids), EVENTS.c.type == GROUP)
        .order_by(EVENTS.c.group_id, EVENTS.c.ts, EVENTS.c.id)
    )
    for gid, ts, event_traits in calls:
        traits, _ = folded.get(gid, ({}, None))
        group = (event_traits or {}).get("group")
        traits.update(group if isinstance(group, dict) else {})
        folded[gid] = (traits, ts)
    return folded


def _refold_traits(conn: Connection, company_ids: Sequence[str]) -> None:
    """Name and traits of these companies folded again from their group calls (one came late); first and
    last seen stay as record() set them."""
    for chunk in _chunks(sorted(company_ids)):
        updates = [
            {"gid": gid, "name": company_name(traits), "traits": traits, "traits_ts": traits_ts}
            for gid, (traits, traits_ts) in _group_calls(conn, chunk).items()
        ]  # fmt: skip
        if updates:
            values = {k: sa.bindparam(k) for k in updates[0] if k != "gid"}
            conn.execute(COMPANIES.update().where(COMPANIES.c.id == sa.bindparam("gid")).values(**values), updates)


def rebuild(conn: Connection, company_ids: Iterable[str]) -> None:
    """Recompute these companies from the events stored now; a company no event carries any more is removed."""
    ids = sorted(set(company_ids))
    for chunk in _chunks(ids):
        spans = {
            gid: (first, last)
            for gid, first, last in conn.execute(
                sa.select(EVENTS.c.group_id, sa.func.min(EVENTS.c.ts), sa.func.max(EVENTS.c.ts))
                .where(EVENTS.c.group_id.in_(chunk)).group_by(EVENTS.c.group_id)
            )
        }
        calls = _group_calls(conn, chunk)
        folded = {gid: calls.get(gid, ({}, None)) for gid in spans}
        conn.execute(COMPANIES.delete().where(COMPANIES.c.id.in_(chunk)))
        rows = [
            {"id": gid, "name": company_name(traits), "traits": traits, "traits_ts": traits_ts,
             "first_seen": spans[gid][0], "last_seen": spans[gid][1]}
            for gid, (traits, traits_ts) in folded.items()
        ]  # fmt: skip
        if rows:
            conn.execute(COMPANIES.insert(), rows)


def rebuild_all(conn: Connection) -> None:
    """Every company from scratch (a store upgraded from before companies were kept)."""
    ids = [gid for (gid,) in conn.execute(sa.select(EVENTS.c.group_id).where(EVENTS.c.group_id.is_not(None)).distinct())]
    rebuild(conn, ids)
