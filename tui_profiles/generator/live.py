"""Live mode: new visitors arriving now, their events released as their moment comes.

    feed = LiveFeed(seed=7, start_ms=now_ms())
    lines = feed.due(now_ms())   # every line whose time has come, stamped with that time

The first visitors show each kind once (anonymous browsing, a sign-up that
merges history, an order, a mobile session, a rage click); then kinds are drawn
at random. Same seed and same sequence of `due` times, same lines.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from typing import Any

from .messages import render
from .people import (
    ANDROID,
    ANON,
    IOS,
    KNOWN,
    POSTHOG,
    RUDDER,
    SEGMENT,
    SIGNUP,
    WEB,
    Person,
    make_companies,
    make_person,
)  # fmt: skip
from .sessions import Action, session_script

BROWSE, SIGN_UP, ORDER, MOBILE, RAGE = "browse", "sign-up", "order", "mobile", "rage-click"
KINDS = (BROWSE, SIGN_UP, ORDER, MOBILE, RAGE)
_KIND_WEIGHTS = (45, 20, 12, 15, 8)


class LiveFeed:
    """Visitors arriving at `per_minute` on average from `start_ms`, each one session long.

    `returning`: people from the history (`GenerateSummary.returning`) who may
    come back: an anonymous one signs up, merging weeks of history.
    """

    def __init__(
        self, seed: int = 0, *, start_ms: int, per_minute: float = 10.0,
        returning: Sequence[dict[str, Any]] = (), namespace: str | None = None,
    ) -> None:  # fmt: skip
        self.rng = random.Random(seed)
        self.namespace = namespace if namespace is not None else f"live-{seed}"
        self.per_ms = per_minute / 60_000
        self.next_arrival = start_ms
        self.visitors = 0
        self.returning = list(returning)
        self.companies = make_companies(self.rng, 8, self.namespace)
        self._queue: list[tuple[int, int, Person, Action]] = []
        self._seq = 0

    def due(self, now_ms: int) -> list[bytes]:
        """The lines of every event at or before `now_ms` not returned yet, oldest first."""
        while self.next_arrival <= now_ms:
            self._arrive(self.next_arrival)
            self.next_arrival += max(1000, int(self.rng.expovariate(self.per_ms)))
        out = []
        while self._queue and self._queue[0][0] <= now_ms:
            _, _, person, action = heapq.heappop(self._queue)
            out.append(render(self.rng, person, action)[2])
        return out

    @property
    def pending(self) -> int:
        return len(self._queue)

    def _arrive(self, at: int) -> None:
        rng = self.rng
        kind = KINDS[self.visitors] if self.visitors < len(KINDS) else rng.choices(KINDS, _KIND_WEIGHTS)[0]
        person = self._visitor(kind, self.visitors)
        self.visitors += 1
        size = {BROWSE: rng.randint(2, 7), SIGN_UP: rng.randint(5, 9), ORDER: rng.randint(10, 14),
                MOBILE: rng.randint(4, 9), RAGE: rng.randint(4, 7)}[kind]  # fmt: skip
        duration = int((size - 1) * rng.uniform(6_000, 20_000))
        person.signup_session = 0 if person.mode != ANON else None
        actions = session_script(rng, person, 0, at, duration, size, force_order=kind == ORDER, force_rage=kind == RAGE)
        for action in actions:
            self._seq += 1
            heapq.heappush(self._queue, (action.ts, self._seq, person, action))

    def _visitor(self, kind: str, number: int) -> Person:
        rng = self.rng
        mode, fmt, platform = ANON, rng.choice((SEGMENT, SEGMENT, RUDDER)), WEB
        if kind == SIGN_UP:
            mode = SIGNUP
        elif kind == ORDER:
            mode = KNOWN
        elif kind == MOBILE:
            platform, fmt = rng.choice((IOS, ANDROID)), rng.choice((SEGMENT, SEGMENT, POSTHOG))
            mode = rng.choice((ANON, KNOWN))
        elif kind == RAGE:
            fmt = POSTHOG
        person = make_person(rng, 1_000_000 + number, namespace=self.namespace, mode=mode, fmt=fmt, platform=platform,
                             companies=self.companies, created_ms=0)  # fmt: skip
        if mode == KNOWN:
            person.traits["createdAt"] = None  # filled at the identify
        back = self._returning_for(kind)
        if back is not None:
            # Someone from the history comes back on the same browser.
            person.fmt = back["fmt"]
            person.anonymous_ids[0] = back["anonymous_id"]
            if back.get("user_id"):
                person.user_id = back["user_id"]
                person.traits = dict(back.get("traits") or {})
        return person

    def _returning_for(self, kind: str) -> dict[str, Any] | None:
        if kind not in (SIGN_UP, ORDER) or not self.returning or self.rng.random() < 0.3:
            return None
        wanted = [r for r in self.returning if (r.get("user_id") is None) == (kind == SIGN_UP)]
        if not wanted:
            return None
        back = self.rng.choice(wanted)
        self.returning.remove(back)
        return back
