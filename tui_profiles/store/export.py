"""What a profile export holds, read from the store: a summary as labelled text (the notes on the profile
last, one `note` row each, newest first), then every event, oldest first.

The file itself is written by ingest/export.py (file I/O stays out of store/).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..config import Settings
from ..domain.sessions import session_id
from . import raw_blocks
from .feedback import page_of_message
from .models import EVENTS, PROFILES, SESSIONS
from .notes import notes_of
from .queries import ProfileDetail, profile_detail


@dataclass(frozen=True, slots=True)
class ExportEvent:
    message_id: str
    ts: int
    session_id: str | None
    type: str
    name: str | None
    page: str | None  # a page's path, or the page another event was sent from
    properties: dict[str, Any]
    raw: dict[str, Any]  # the message as received
    raw_text: str = ""  # and its JSON text, byte for byte


def iso(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def as_json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def summary(conn: Connection, profile_id: int, *, settings: Settings, now_ms: int) -> list[tuple[str, str]] | None:
    """(label, text) pairs describing the profile, as the export's first block; None if there is no such profile."""
    detail = profile_detail(conn, profile_id, settings=settings, now_ms=now_ms)
    if detail is None:
        return None
    excluded = bool(conn.execute(sa.select(PROFILES.c.excluded).where(PROFILES.c.id == profile_id)).scalar())
    notes = [("note", f"{iso(n.at)} {n.author}: {n.text}") for n in notes_of(conn, profile_id)]
    return _summary_pairs(detail, excluded) + notes


def _summary_pairs(d: ProfileDetail, excluded: bool) -> list[tuple[str, str]]:
    u = d.user
    return [
        ("id", u.id), ("kind", u.kind), ("name", u.name or ""), ("email", u.email or ""),
        ("anonymous_ids", "; ".join(d.anonymous_ids)), ("country", u.country or ""), ("city", u.city or ""),
        ("companies", "; ".join(d.companies)), ("first_seen", iso(u.first_seen)), ("last_seen", iso(u.last_seen)),
        ("signed_up", iso(d.signed_up)), ("sessions", str(u.sessions)), ("events", str(u.events)),
        ("avg_session_seconds", str(round(d.avg_session_ms / 1000, 3))), ("sources", "; ".join(d.sources)),
        ("tags", "; ".join(u.tags)), ("excluded", "yes" if excluded else "no"), ("traits", as_json_text(d.traits)),
    ]  # fmt: skip


def events(conn: Connection, profile_id: int, *, page_size: int = 1000) -> Iterator[ExportEvent]:
    """Every event of the profile, oldest first, read a page at a time."""
    starts = [s for (s,) in conn.execute(sa.select(SESSIONS.c.start).where(SESSIONS.c.profile_id == profile_id).order_by(SESSIONS.c.start))]
    cols = (EVENTS.c.id, EVENTS.c.message_id, EVENTS.c.ts, EVENTS.c.type, EVENTS.c.name, EVENTS.c.path, EVENTS.c.props,
            EVENTS.c.raw_block, EVENTS.c.raw_slot)  # fmt: skip
    after: tuple[int, int] | None = None
    i = -1
    while True:
        stmt = sa.select(*cols).where(EVENTS.c.profile_id == profile_id)
        if after is not None:
            stmt = stmt.where(sa.tuple_(EVENTS.c.ts, EVENTS.c.id) > sa.tuple_(*after))
        rows = conn.execute(stmt.order_by(EVENTS.c.ts, EVENTS.c.id).limit(page_size)).all()
        texts = raw_blocks.read(conn, [(r.raw_block, r.raw_slot) for r in rows])  # a page's blocks, each read once
        for r in rows:
            while i + 1 < len(starts) and starts[i + 1] <= r.ts:
                i += 1
            text = texts.get((r.raw_block, r.raw_slot), "")
            raw = raw_blocks.message(text)
            yield ExportEvent(
                message_id=r.message_id, ts=r.ts, session_id=session_id(profile_id, starts[i]) if i >= 0 else None,
                type=r.type, name=r.name, page=r.path or page_of_message(raw)[0],
                properties=r.props if isinstance(r.props, dict) else {}, raw=raw, raw_text=text,
            )  # fmt: skip
        if len(rows) < page_size:
            return
        after = (rows[-1].ts, rows[-1].id)
