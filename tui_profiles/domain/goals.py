"""Goals: named event conditions from the settings, parsed once, and which of them one event meets.

A condition is written the way support staff say it:

    Signed Up                         an event name (ignoring case, as `did:` does)
    did Signed Up                     the same
    did page /pricing, page /pricing  a page view of that path (`/docs/*`: any path under /docs/)
    /pricing                          the same (a condition starting with `/` is a page)
    did:"Order Completed".total:>100  any `did:` or `visited:` term of the filter language

Each becomes a `Did` or `Visited` node of the filter language, so the store counts
goal events with the SQL the filter compiles, and the timeline tags its rows with
the reference evaluator: one meaning in both places.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from . import filters
from .filter_eval import UserEvent, UserFacts, evaluate

Condition = filters.Did | filters.Visited


class GoalError(ValueError):
    """A goal that cannot be understood; the message names it."""


@dataclass(frozen=True, slots=True)
class Goal:
    name: str
    condition: str  # as configured
    node: Condition


def parse_condition(text: str) -> Condition:
    """One condition (see the module docstring) -> a `did:`/`visited:` node; GoalError if it cannot be read."""
    stripped = text.strip()
    if not stripped:
        raise GoalError("an empty condition")
    lowered = stripped.lower()
    if lowered.startswith(("did:", "visited:")):
        try:
            tree = filters.parse(stripped)
        except filters.FilterSyntaxError as exc:
            raise GoalError(f"{stripped!r} does not parse: {exc}") from None
        if isinstance(tree, (filters.Did, filters.Visited)):
            return tree
        raise GoalError(f"{stripped!r}: a goal is one did: or visited: term")
    if lowered in ("did page", "page", "visited"):
        raise GoalError(f"{stripped!r}: no page path")
    for prefix in ("did page ", "page ", "visited "):
        if lowered.startswith(prefix):
            return _page(stripped[len(prefix) :].strip(), stripped)
    if stripped.startswith("/"):
        return _page(stripped, stripped)
    if lowered.startswith("did "):
        stripped = stripped[4:].strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        stripped = stripped[1:-1]
    if not stripped:
        raise GoalError(f"{text!r}: no event name")
    return filters.Did(stripped)


def _page(path: str, typed: str) -> filters.Visited:
    if not path:
        raise GoalError(f"{typed!r}: no page path")
    return filters.Visited(path[:-1], True) if path.endswith("*") else filters.Visited(path)


def parse_goals(goals: Mapping[str, str]) -> tuple[Goal, ...]:
    """The configured goals in their configured order; GoalError names the first that cannot be read."""
    parsed = []
    for name, condition in goals.items():
        try:
            parsed.append(Goal(name, condition, parse_condition(condition)))
        except GoalError as exc:
            raise GoalError(f"goal {name!r}: {exc}") from None
    return tuple(parsed)


class EventLike(Protocol):
    """What tagging looks at in an event (store.queries.EventRow has it)."""

    name: str | None
    type: str
    path: str | None
    properties: Mapping[str, Any]


def meets(node: Condition, event: EventLike) -> bool:
    """Whether this one event meets the condition, exactly as the filter's reference evaluator decides."""
    one = UserEvent(name=event.name, type=event.type, path=event.path, properties=event.properties or {})
    return evaluate(node, UserFacts(id="", kind="anonymous", events=(one,)), 0)


def goals_met(event: EventLike, goals: Iterable[Goal]) -> tuple[str, ...]:
    """Names of the goals this event meets, in the goals' order (for marking a timeline row)."""
    return tuple(goal.name for goal in goals if meets(goal.node, event))


def tag_goal_events(events: Iterable[Any], goals: Iterable[Goal]) -> dict[int, tuple[str, ...]]:
    """{event_id: goal names} for the events (EventRows) that meet at least one goal."""
    goals = tuple(goals)
    tagged = {}
    for event in events:
        met = goals_met(event, goals)
        if met:
            tagged[event.event_id] = met
    return tagged
