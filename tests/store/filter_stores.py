"""Stores for the filter tests: a fixed one with hostile values, and random ones to check SQL against the evaluator."""

from __future__ import annotations

import json
import random
from pathlib import Path

from tests.storekit import ingest
from tui_profiles.config import DAY_MS, MINUTE_MS

NOW = 1_795_000_000_000  # 2026-11-18T...Z, pinned
HOSTILE_NAME = "50% off_[bold]\"quote'\\ [/"


def iso(ms: int) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat().replace("+00:00", "Z")


class Lines:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, type_: str, ms: int, *, user: str | None = None, anon: str | None = None, **more) -> None:
        msg = {"type": type_, "messageId": f"m{len(self.rows)}", "timestamp": iso(ms), **more}
        if user:
            msg["userId"] = user
        if anon:
            msg["anonymousId"] = anon
        self.rows.append(msg)

    def write(self, path: Path) -> Path:
        path.write_text("\n".join(json.dumps(r) for r in self.rows) + "\n")
        return path


def fixed_store(url: str, folder: Path) -> None:
    lines = Lines()
    # alice: 3 sessions, first seen 90 days ago, live now; a buyer with a company.
    t = NOW - 90 * DAY_MS
    lines.add("identify", t, user="u-alice", anon="a-alice", traits={
        "name": "Alice Smith", "email": "alice@acme.com", "plan": "pro", "employees": 150, "vip": True,
        "company": {"name": "Acme Inc", "legal name": "Acme, Inc."}}, context={"location": {"country": "United States", "city": "Austin"}})
    lines.add("page", t + MINUTE_MS, user="u-alice", properties={"path": "/pricing"})
    lines.add("page", NOW - 5 * DAY_MS, user="u-alice", properties={"path": "/docs/intro"})
    lines.add("track", NOW - MINUTE_MS, user="u-alice", event="Order Completed", properties={"total": 120, "currency": "EUR"})
    # bob: seen 10 days ago, employees as text, did two things.
    t = NOW - 10 * DAY_MS
    lines.add("identify", t, user="u-bob", traits={"name": "Zoë Bob", "email": "bob@example.com", "plan": "free", "employees": "200"})
    lines.add("track", t + MINUTE_MS, user="u-bob", event="Order Completed", properties={"total": 50})
    lines.add("track", t + 2 * MINUTE_MS, user="u-bob", event="Signed Up", properties={"via": "google"})
    # an anonymous visitor 40 days ago.
    lines.add("page", NOW - 40 * DAY_MS, anon="anon-visitor-1", properties={"path": "/pricing"})
    # hostile values everywhere.
    lines.add("identify", NOW - 2 * DAY_MS, user="u-hostile", traits={"name": HOSTILE_NAME, "email": "x'y@e.com",
              'q"x': "v", "plan": "%", "under_score": "a_b"})
    lines.add("track", NOW - 2 * DAY_MS, user="u-hostile", event="Drop'; DROP TABLE events;--", properties={"k": "%_\\"})
    ingest(url, [lines.write(folder / "fixed.jsonl")])



VOCAB_EVENTS = ("Order Completed", "Signed Up", "clicked", "ORDER completed")
VOCAB_VALUES = ("pro", "Pro", "free", "", "150", "a_b", "%", "Zoë", "zoë")
VOCAB_PATHS = ("/", "/pricing", "/docs/a", "/docs/b", "/Pricing")
VOCAB_GROUPS = ("acme", "ACME", "globex", "pro")


def random_store(url: str, folder: Path, seed: int) -> None:
    rng = random.Random(seed)
    lines = Lines()
    for i in range(40):
        user = f"u{i}" if rng.random() < 0.7 else None
        anon = f"anon{i}" if (user is None or rng.random() < 0.5) else None
        t = NOW - rng.randint(0, 100) * DAY_MS - rng.randint(0, 1000) * MINUTE_MS
        traits = {}
        for key in ("plan", "employees", "vip", "company"):
            choice = rng.random()
            if choice < 0.25:
                continue
            traits[key] = rng.choice([
                rng.choice(VOCAB_VALUES), rng.choice([0, 99, 100, 150, 150.5, -3]), rng.choice([True, False]), None,
                {"name": rng.choice(VOCAB_VALUES), "size": rng.choice([1, 500])}])  # fmt: skip
        if rng.random() < 0.5:
            traits["email"] = rng.choice(["a@acme.com", "b@ACME.com", "c@example.com"])
        if traits and (user or anon):
            lines.add("identify", t, user=user, anon=anon, traits=traits)
        # Companies: a group call (name and traits), or only a group id on an event's context.
        if rng.random() < 0.4:
            group_traits = {"name": rng.choice(VOCAB_VALUES), "plan": rng.choice(["pro", "free", 150])}
            lines.add("group", t, user=user, anon=anon, groupId=rng.choice(VOCAB_GROUPS), traits=group_traits)
        if rng.random() < 0.3:
            lines.add("track", t, user=user, anon=anon, event="clicked", context={"groupId": rng.choice(VOCAB_GROUPS)})
        for _ in range(rng.randint(1, 6)):
            t += rng.choice([1, 5, 29, 31, 120, 3000]) * MINUTE_MS
            t = min(t, NOW)
            if rng.random() < 0.5:
                lines.add("page", t, user=user, anon=anon, properties={"path": rng.choice(VOCAB_PATHS)})
            else:
                props = {"total": rng.choice([5, 50, 100, 150, "150", None, True])}
                if rng.random() < 0.5:
                    props["note"] = rng.choice(VOCAB_VALUES)
                lines.add("track", t, user=user, anon=anon, event=rng.choice(VOCAB_EVENTS), properties=props)
    ingest(url, [lines.write(folder / f"random-{seed}.jsonl")])
