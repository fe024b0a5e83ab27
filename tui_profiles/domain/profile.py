"""A profile's aggregates folded from its events in time order: traits, sessions, counts.

The same fold serves a full rebuild (every event of the profile from the start)
and the fast path at ingest (the stored state, then only the newer events), so
both give the same profile.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .formats import GROUP, PAGE
from .sessions import SessionSpan, new_session
from .tags import has_contact, has_custom_attributes


@dataclass(slots=True)
class EventFacts:
    """What the fold needs of one event."""

    ts: int
    type: str
    name: str | None
    path: str | None
    source: str
    country: str | None
    city: str | None
    traits: dict[str, Any] | None  # {"set": ..., "set_once": ..., "group": ...}
    group_id: str | None


@dataclass(slots=True)
class ProfileState:
    first_seen: int | None = None
    last_seen: int | None = None
    event_count: int = 0
    session_count: int = 0
    total_session_ms: int = 0
    order_count: int = 0
    traits: dict[str, Any] = field(default_factory=dict)
    country: str | None = None
    city: str | None = None
    group_name: str | None = None
    # The last session, still open to more events; and every session started or
    # extended by this fold, oldest first (the ones to write back).
    current: SessionSpan | None = None
    touched: list[SessionSpan] = field(default_factory=list)

    def add(self, ev: EventFacts, *, gap_ms: int, order_events: frozenset[str]) -> None:
        """Fold one event in; events must come in time order (not before last_seen)."""
        if self.first_seen is None or ev.ts < self.first_seen:
            self.first_seen = ev.ts
        self.last_seen = ev.ts if self.last_seen is None else max(self.last_seen, ev.ts)
        self.event_count += 1
        if ev.name in order_events and ev.type != PAGE:
            self.order_count += 1
        if ev.country:
            self.country, self.city = ev.country, ev.city
        if ev.traits:
            self._apply_traits(ev)
        self._add_to_session(ev, gap_ms)

    def _apply_traits(self, ev: EventFacts) -> None:
        # "Traits: the latest value wins ($set_once only sets once)". A trait is
        # replaced whole (a later company {name} replaces an earlier company
        # {name, plan}), as Segment and PostHog do for a top-level property.
        assert ev.traits is not None
        for key, value in (ev.traits.get("set_once") or {}).items():
            self.traits.setdefault(key, value)
        self.traits.update(ev.traits.get("set") or {})
        group = ev.traits.get("group")
        if ev.type == GROUP and group and isinstance(group.get("name"), str):
            self.group_name = group["name"]
        elif ev.type == GROUP and ev.group_id and not self.group_name:
            self.group_name = ev.group_id

    def _add_to_session(self, ev: EventFacts, gap_ms: int) -> None:
        current = self.current
        if current is not None and current.continues_with(ev.ts, gap_ms):
            before = current.end
            current.add(ev.ts, ev.path if ev.type == PAGE else None)
            self.total_session_ms += current.end - before
            if not self.touched or self.touched[-1] is not current:
                self.touched.append(current)
            return
        current = new_session(ev.ts, ev.source, ev.path if ev.type == PAGE else None)
        self.current = current
        self.session_count += 1
        self.touched.append(current)

    # Derived fields, written to the profile row.
    @property
    def name(self) -> str | None:
        return display_name_from_traits(self.traits)

    @property
    def email(self) -> str | None:
        email = self.traits.get("email")
        return str(email) if email not in (None, "") else None

    @property
    def company(self) -> str | None:
        company = self.traits.get("company")
        if isinstance(company, dict):
            name = company.get("name") or company.get("id")
            if name:
                return str(name)
        elif isinstance(company, (str, int, float)) and company != "":
            return str(company)
        return self.group_name

    @property
    def has_contact(self) -> bool:
        return has_contact(self.traits)

    @property
    def has_custom_attributes(self) -> bool:
        return has_custom_attributes(self.traits)


def display_name_from_traits(traits: dict[str, Any]) -> str | None:
    name = traits.get("name")
    if isinstance(name, str) and name.strip():
        return name
    first = traits.get("firstName") or traits.get("first_name")
    last = traits.get("lastName") or traits.get("last_name")
    parts = [str(p) for p in (first, last) if isinstance(p, (str, int)) and str(p).strip()]
    return " ".join(parts) if parts else None


def fold(events: Iterable[EventFacts], *, gap_ms: int, order_events: frozenset[str], state: ProfileState | None = None) -> ProfileState:
    """Fold events (in time order) into a state: a new one, or one carried on."""
    state = state if state is not None else ProfileState()
    for ev in events:
        state.add(ev, gap_ms=gap_ms, order_events=order_events)
    return state
