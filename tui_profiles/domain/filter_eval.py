"""The reference meaning of a filter tree: does one user, described in plain Python, match it?

The SQL compiler in store/ must agree with this module (a property-based test
compares the two), so every rule is spelled out once here, literally:

- Ignoring case means both sides through `str.lower()`.
- Text tests (`:value` on text, `:~`) look at text values only; booleans equal
  `true`/`false`; numeric tests (`:>`, `:<`, ... and `:` with a number-looking
  value) look at JSON numbers only, so a number stored as the text "150"
  equals `:150` as text but is not `:>100`. Arrays and objects match `:*` only.
- Set means present, not null and not the empty text.
- `id:` looks at the id and every anonymous id; `source:` at every source; the
  test holds if it holds for any of them.
- A user whose first/last seen time is unknown matches no time condition.
- Companies: `company:` looks at the company trait (its name, as the profile
  shows it), and at the id and the name of every company the user belongs to
  (was grouped with, or carried the id of on an event). `company.<key>:` looks
  at the identify trait `company.<key>` and at the group trait `<key>` of every
  company the user belongs to; `company.id` there is the group id.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .filters import (
    And,
    Compare,
    Contains,
    Count,
    Did,
    Equals,
    Everything,
    Field,
    Filter,
    IsSet,
    Not,
    NoteText,
    Or,
    Search,
    Seen,
    State,
    Tag,
    Test,
    Trait,
    Visited,
    as_number,
    time_bound,
)
from .formats import PAGE

COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

_MISSING = object()  # a path that leads nowhere: not the same as a JSON null, but neither is set


@dataclass(frozen=True)
class UserEvent:
    """One event of the user, as far as filters look at it."""

    name: str | None
    type: str  # formats.TRACK, PAGE, ...
    path: str | None = None  # page path, for page events
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CompanyFacts:
    """A company the user belongs to: its group id, name and group traits."""

    id: str
    name: str | None = None
    traits: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UserFacts:
    """One user, in memory, with everything a filter can ask about. Times are epoch ms UTC."""

    id: str
    kind: Literal["identified", "anonymous"]
    anonymous_ids: tuple[str, ...] = ()
    name: str | None = None
    email: str | None = None
    traits: Mapping[str, Any] = field(default_factory=dict)  # nested, as JSON
    country: str | None = None
    city: str | None = None
    sources: frozenset[str] = frozenset()
    company: str | None = None
    companies: tuple[CompanyFacts, ...] = ()
    is_live: bool = False
    is_excluded: bool = False
    tags: frozenset[str] = frozenset()
    first_seen_ms: int | None = None
    last_seen_ms: int | None = None
    session_count: int = 0
    event_count: int = 0
    events: tuple[UserEvent, ...] = ()
    notes: tuple[str, ...] = ()  # the text of each note written on the user


def evaluate(tree: Filter, user: UserFacts, now_ms: int) -> bool:
    """Whether the user matches the filter, "now" being now_ms."""
    match tree:
        case Everything():
            return True
        case And(terms):
            return all(evaluate(term, user, now_ms) for term in terms)
        case Or(terms):
            return any(evaluate(term, user, now_ms) for term in terms)
        case Not(term):
            return not evaluate(term, user, now_ms)
        case Search(text):
            # "Plain words match id, anonymous ids, name and email, case-insensitively, as substrings"
            haystacks = (user.id, *user.anonymous_ids, user.name, user.email)
            return any(text.lower() in hay.lower() for hay in haystacks if hay is not None)
        case Field(name, test):
            return any(passes(test, value) for value in field_values(user, name))
        case Trait(path, test):
            if passes(test, lookup(user.traits, path)):
                return True
            if path[0] == "company" and len(path) > 1:
                return any(passes(test, lookup({**c.traits, "id": c.id}, path[1:])) for c in user.companies)
            return False
        case State(name):
            return {
                "live": user.is_live,
                "identified": user.kind == "identified",
                "anonymous": user.kind == "anonymous",
                "excluded": user.is_excluded,
            }[name]
        case Tag(name):
            return name in user.tags
        case Seen():
            bound = time_bound(tree, now_ms)
            seen = user.last_seen_ms if bound.field == "last_seen" else user.first_seen_ms
            if seen is None:
                return False
            return (bound.after_ms is None or bound.after_ms <= seen) and (
                bound.before_ms is None or seen < bound.before_ms
            )
        case Count(field_name, op, value):
            count = user.session_count if field_name == "sessions" else user.event_count
            return COMPARE[op](count, value)
        case Did(event, where):
            return any(
                ev.name is not None
                and ev.name.lower() == event.lower()
                and (where is None or passes(where.test, lookup(ev.properties, where.path)))
                for ev in user.events
            )
        case Visited(path, prefix):
            return any(
                ev.type == PAGE
                and ev.path is not None
                and (ev.path.startswith(path) if prefix else ev.path == path)
                for ev in user.events
            )
        case NoteText(text):
            return any(text.lower() in note.lower() for note in user.notes)
    raise TypeError(f"not a filter node: {tree!r}")


def field_values(user: UserFacts, name: str) -> tuple[Any, ...]:
    """The values a built-in field test looks at; it holds if it holds for any of them."""
    if name == "id":
        return (user.id, *user.anonymous_ids)
    if name == "source":
        return tuple(user.sources)
    if name == "company":
        return (user.company, *(c.id for c in user.companies), *(c.name for c in user.companies))
    return (getattr(user, name),)  # email, name, country, city, company


def lookup(document: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at a path into nested objects, or _MISSING."""
    value: Any = document
    for name in path:
        if not isinstance(value, Mapping) or name not in value:
            return _MISSING
        value = value[name]
    return value


def passes(test: Test, value: Any) -> bool:
    """Whether one value passes one test (the rules are in the module docstring)."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    match test:
        case IsSet():
            return value is not _MISSING and value is not None and value != ""
        case Contains(text):
            return isinstance(value, str) and text.lower() in value.lower()
        case Equals(text):
            if isinstance(value, str):
                return value.lower() == text.lower()
            if isinstance(value, bool):
                return text.lower() == ("true" if value else "false")
            number = as_number(text)
            return is_number and number is not None and value == number
        case Compare(op, number):
            return is_number and COMPARE[op](value, number)
    raise TypeError(f"not a test: {test!r}")
