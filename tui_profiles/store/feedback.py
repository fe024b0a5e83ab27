"""A profile's feedback: its survey and NPS answers, each with the page the user was on when answering."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..config import Settings
from ..domain import filters
from ..domain.feedback import read_answer
from ..domain.formats import PAGE
from ..domain.sessions import session_id
from . import raw_blocks
from .filter_sql import event_condition
from .models import EVENTS, SESSIONS
from .queries import events_of

OWN_PAGE, PAGE_BEFORE = "event", "before"


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    event_id: int
    ts: int
    event: str  # the event name, as sent
    session_id: str | None
    survey_id: str | None
    survey_name: str | None
    score: int | float | None
    answer: str | None
    responses: tuple[tuple[str, Any], ...]  # every answer field, in reading order
    page_path: str | None
    page_url: str | None
    # OWN_PAGE: the event says where it was sent from; PAGE_BEFORE: the last page
    # viewed before it in the same session; None: neither is known.
    page_from: str | None


def page_of_message(raw: dict[str, Any]) -> tuple[str | None, str | None]:
    """The page an event was sent from, as its message says: Segment context.page, PostHog $pathname/$current_url."""
    context = raw.get("context") if isinstance(raw.get("context"), dict) else {}
    page = context.get("page") if isinstance(context.get("page"), dict) else {}
    props = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}
    path = page.get("path") or props.get("$pathname")
    url = page.get("url") or props.get("$current_url")
    path = path if isinstance(path, str) and path else None
    url = url if isinstance(url, str) and url else None
    if path is None and url is not None:
        path = urlsplit(url).path or None
    return path, url


def feedback_of(conn: Connection, profile_id: int, *, settings: Settings, newest_first: bool = True) -> list[FeedbackItem]:
    """Every feedback event of the profile (the names in settings.feedback_events, ignoring case)."""
    names = [event_condition(filters.Did(name), settings=settings, conn=conn) for name in settings.feedback_events]
    if not names:
        return []
    order = (EVENTS.c.ts.desc(), EVENTS.c.id.desc()) if newest_first else (EVENTS.c.ts, EVENTS.c.id)
    rows = conn.execute(
        sa.select(EVENTS.c.id, EVENTS.c.ts, EVENTS.c.name, EVENTS.c.type, EVENTS.c.path, EVENTS.c.url, EVENTS.c.props,
                  EVENTS.c.raw_block, EVENTS.c.raw_slot)
        .where(events_of(conn, profile_id), sa.or_(*names)).order_by(*order)
    ).all()  # fmt: skip
    if not rows:
        return []
    starts = [s for (s,) in conn.execute(sa.select(SESSIONS.c.start).where(SESSIONS.c.profile_id == profile_id).order_by(SESSIONS.c.start))]
    out = []
    texts = raw_blocks.read(conn, [(r.raw_block, r.raw_slot) for r in rows if not r.path])  # the page it was sent from
    for r in rows:
        raw = raw_blocks.message(texts.get((r.raw_block, r.raw_slot)))
        i = bisect_right(starts, r.ts) - 1
        session_start = starts[i] if i >= 0 else None
        path, url = (r.path, r.url) if r.path else page_of_message(raw)
        page_from = OWN_PAGE if path or url else None
        if page_from is None and session_start is not None:
            before = conn.execute(
                sa.select(EVENTS.c.path, EVENTS.c.url)
                .where(EVENTS.c.profile_id == profile_id, EVENTS.c.type == PAGE, EVENTS.c.ts <= r.ts,
                       EVENTS.c.ts >= session_start, EVENTS.c.id != r.id)
                .order_by(EVENTS.c.ts.desc(), EVENTS.c.id.desc()).limit(1)
            ).first()  # fmt: skip
            if before is not None:
                path, url, page_from = before.path, before.url, PAGE_BEFORE
        answer = read_answer(r.props if isinstance(r.props, dict) else {})
        out.append(FeedbackItem(
            event_id=r.id, ts=r.ts, event=r.name, session_id=session_id(profile_id, session_start) if session_start is not None else None,
            survey_id=answer.survey_id, survey_name=answer.survey_name, score=answer.score, answer=answer.answer,
            responses=answer.responses, page_path=path, page_url=url, page_from=page_from,
        ))  # fmt: skip
    return out
