"""Cohorts and retention, computed in SQL: who came back, week by week; saved filters with their size now.

Weeks start on Monday 00:00 UTC. A user's cohort is the week it was first seen
(or, for "did X then came back and did Y", the week of its first X). Week k of a
cohort counts the users who came back in the k-th week after it: started a
session in it (or did Y in it, at or after their first X). Week 0 counts the
cohort's own week, so it is everyone for sessions. Excluded users are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..config import DAY_MS, Settings
from ..domain import filters
from ..domain.goals import Condition
from .filter_sql import compile_filter, event_condition
from .models import EVENTS, PROFILES, SESSIONS
from .queries import saved_filters

WEEK_MS = 7 * DAY_MS
MONDAY_MS = 4 * DAY_MS  # 1970-01-01 was a Thursday: the first Monday is four days on


def week_of(ms: int) -> int:
    """The number of the week (Monday to Sunday, UTC) a time falls in."""
    return (ms - MONDAY_MS) // WEEK_MS


def week_start(week: int) -> int:
    return week * WEEK_MS + MONDAY_MS


def _week(column: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
    # Integer division: times in the store come after 1970-01-05, so truncation is floor.
    return (column - MONDAY_MS) // WEEK_MS


@dataclass(frozen=True, slots=True)
class RetentionRow:
    """One cohort: the users who started in a week, and how many came back in each week after."""

    week_start: int  # epoch ms, Monday 00:00 UTC
    users: int
    returned: tuple[int | None, ...]  # [k]: users back in week k; None: that week has not begun

    @property
    def shares(self) -> tuple[float | None, ...]:
        """[k]: the share (0..1) of the cohort back in week k; None: not begun (or an empty cohort)."""
        return tuple(None if n is None or not self.users else n / self.users for n in self.returned)


@dataclass(frozen=True, slots=True)
class RetentionTable:
    weeks: int
    rows: tuple[RetentionRow, ...]  # oldest cohort first, one a week, empty cohorts included
    first_event: str | None = None  # None: cohorts by first seen, return = a session
    return_event: str | None = None
    filter: str | None = None


def _cohort_weeks(now_ms: int, weeks: int) -> tuple[int, int]:
    """The first and last cohort week: the last `weeks` weeks, this one included."""
    last = week_of(now_ms)
    return last - weeks + 1, last


def _assemble(first: int, last: int, weeks: int, sizes: dict[int, int], cells: dict[tuple[int, int], int]) -> tuple[RetentionRow, ...]:
    rows = []
    for w0 in range(first, last + 1):
        returned = tuple(None if w0 + k > last else cells.get((w0, k), 0) for k in range(weeks))
        rows.append(RetentionRow(week_start=week_start(w0), users=sizes.get(w0, 0), returned=returned))
    return tuple(rows)


def session_retention(
    conn: Connection, *, now_ms: int, weeks: int = 8, where: sa.ColumnElement[bool] | None = None
) -> tuple[RetentionRow, ...]:
    """Users by the week they were first seen (the last `weeks` weeks); week k: started a session in it."""
    first, last = _cohort_weeks(now_ms, weeks)
    conds = [PROFILES.c.excluded.is_(False), PROFILES.c.event_count > 0, PROFILES.c.first_seen >= week_start(first)]
    if where is not None:
        conds.append(where)
    cohort = sa.select(PROFILES.c.id.label("pid"), _week(PROFILES.c.first_seen).label("w0")).where(*conds).subquery()
    sizes = {int(w): int(n) for w, n in conn.execute(sa.select(cohort.c.w0, sa.func.count()).group_by(cohort.c.w0))}
    k = (_week(SESSIONS.c.start) - cohort.c.w0).label("k")
    stmt = (
        sa.select(cohort.c.w0, k, sa.func.count(sa.distinct(cohort.c.pid)))
        .select_from(cohort.join(SESSIONS, SESSIONS.c.profile_id == cohort.c.pid))
        .where(SESSIONS.c.start >= week_start(first), SESSIONS.c.start < week_start(last + 1))
        .group_by(cohort.c.w0, sa.text("k"))
    )
    cells = {(int(w), int(kk)): int(n) for w, kk, n in conn.execute(stmt) if 0 <= kk < weeks}
    return _assemble(first, last, weeks, sizes, cells)


def event_retention(
    conn: Connection,
    *,
    first_event: Condition,
    return_event: Condition,
    now_ms: int,
    weeks: int = 8,
    where: sa.ColumnElement[bool] | None = None,
    settings: Settings | None = None,
) -> tuple[RetentionRow, ...]:
    """Users by the week of their first `first_event` (the last `weeks` weeks); week k: did `return_event`
    in it, at or after that first one."""
    first, last = _cohort_weeks(now_ms, weeks)
    did_first = event_condition(first_event, settings=settings, conn=conn)
    conds = [PROFILES.c.excluded.is_(False)]
    if where is not None:
        conds.append(where)
    did = _holders_events(did_first)
    firsts = (
        sa.select(did.c.pid, sa.func.min(did.c.ts).label("t0"))
        .select_from(did.join(PROFILES, PROFILES.c.id == did.c.pid))
        .where(*conds).group_by(did.c.pid)
    ).subquery()  # fmt: skip
    cohort = (
        sa.select(firsts.c.pid, firsts.c.t0, _week(firsts.c.t0).label("w0")).where(firsts.c.t0 >= week_start(first))
    ).subquery()
    sizes = {int(w): int(n) for w, n in conn.execute(sa.select(cohort.c.w0, sa.func.count()).group_by(cohort.c.w0))}
    back = _holders_events(event_condition(return_event, settings=settings, conn=conn))
    k = (_week(back.c.ts) - cohort.c.w0).label("k")
    stmt = (
        sa.select(cohort.c.w0, k, sa.func.count(sa.distinct(cohort.c.pid)))
        .select_from(cohort.join(back, back.c.pid == cohort.c.pid))
        .where(back.c.ts >= cohort.c.t0, back.c.ts < week_start(last + 1))
        .group_by(cohort.c.w0, sa.text("k"))
    )
    cells = {(int(w), int(kk)): int(n) for w, kk, n in conn.execute(stmt) if 0 <= kk < weeks}
    return _assemble(first, last, weeks, sizes, cells)


def _holders_events(cond: sa.ColumnElement[bool]) -> Any:
    """(pid, ts) of the events meeting `cond`, for every profile they are part of: the one each
    counts for and, when merged into a user, its anonymous profile too (as filter_sql.holders_of)."""
    counted = sa.select(EVENTS.c.profile_id.label("pid"), EVENTS.c.ts).where(cond)
    merged = sa.select(EVENTS.c.anon_profile_id.label("pid"), EVENTS.c.ts).where(cond, EVENTS.c.anon_profile_id != EVENTS.c.profile_id)
    return sa.union_all(counted, merged).subquery()


def retention(
    conn: Connection,
    *,
    settings: Settings,
    now_ms: int,
    weeks: int = 8,
    filter_text: str | None = None,
    first_event: str | None = None,
    return_event: str | None = None,
) -> RetentionTable:
    """The retention table for a cohort filter (the search-bar language) and, optionally, an event pair.

    `first_event`/`return_event` are goal conditions (an event name, `page /pricing`,
    a `did:` term: domain/goals.parse_condition); give both or neither. Raises
    filters.FilterSyntaxError or goals.GoalError for text that does not parse.
    """
    from ..domain.goals import parse_condition

    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    if (first_event is None) != (return_event is None):
        raise ValueError("give both the first event and the return event, or neither")
    where = None
    if filter_text:
        where = compile_filter(filters.parse(filter_text), now_ms=now_ms, settings=settings, conn=conn)
    if first_event is not None and return_event is not None:
        rows = event_retention(
            conn, first_event=parse_condition(first_event), return_event=parse_condition(return_event),
            now_ms=now_ms, weeks=weeks, where=where, settings=settings,
        )  # fmt: skip
    else:
        rows = session_retention(conn, now_ms=now_ms, weeks=weeks, where=where)
    return RetentionTable(weeks, rows, first_event, return_event, filter_text or None)


@dataclass(frozen=True, slots=True)
class CohortRow:
    """A saved filter seen as a cohort: its size now (excluded users left out), or why it cannot be counted."""

    name: str
    query: str
    users: int | None
    error: str | None = None


def cohort_size(conn: Connection, query: str, *, settings: Settings, now_ms: int) -> int:
    """Users matching a filter now, excluded users left out. Raises filters.FilterSyntaxError."""
    where = compile_filter(filters.parse(query), now_ms=now_ms, settings=settings, conn=conn)
    stmt = sa.select(sa.func.count()).select_from(PROFILES).where(where, PROFILES.c.excluded.is_(False))
    return int(conn.execute(stmt).scalar_one())


def cohorts(conn: Connection, *, settings: Settings, now_ms: int) -> list[CohortRow]:
    """Every saved filter with its size now, by name."""
    out = []
    for saved in saved_filters(conn):
        try:
            out.append(CohortRow(saved.name, saved.query, cohort_size(conn, saved.query, settings=settings, now_ms=now_ms)))
        except filters.FilterSyntaxError as exc:
            out.append(CohortRow(saved.name, saved.query, None, str(exc)))
    return out
