"""Goals a profile completed, and when first: the configured conditions counted over its events in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..config import Settings
from ..domain.goals import Goal
from .filter_sql import event_condition
from .models import EVENTS
from .queries import events_of


@dataclass(frozen=True, slots=True)
class GoalCompletion:
    """One goal for one profile: the first event that met it, and how many did."""

    goal: str
    condition: str
    first_ms: int | None  # None: not completed
    first_event_id: int | None
    times: int

    @property
    def completed(self) -> bool:
        return self.first_ms is not None


def goal_completions(
    conn: Connection, profile_id: int, goals: Sequence[Goal], *, settings: Settings | None = None
) -> list[GoalCompletion]:
    """Every goal, in the configured order, completed or not (two indexed queries a goal)."""
    out = []
    mine = events_of(conn, profile_id)
    for goal in goals:
        cond = sa.and_(mine, event_condition(goal.node, settings=settings, conn=conn))
        times = int(conn.execute(sa.select(sa.func.count()).select_from(EVENTS).where(cond)).scalar_one())
        first = None
        if times:
            first = conn.execute(sa.select(EVENTS.c.id, EVENTS.c.ts).where(cond).order_by(EVENTS.c.ts, EVENTS.c.id).limit(1)).first()
        out.append(GoalCompletion(
            goal=goal.name, condition=goal.condition, first_ms=first.ts if first else None,
            first_event_id=first.id if first else None, times=times,
        ))  # fmt: skip
    return out
