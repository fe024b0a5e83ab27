"""Helpers for the ingest tests: a Segment line, a poll with a deadline, a store read back as plain values."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from tui_profiles.store.engine import make_engine
from tui_profiles.store.models import EVENTS, REJECTED

WAIT = 60.0  # generous: a slow machine waits longer, a broken watcher fails


def seg_line(mid: str, *, anon: str = "anon-1", name: str = "Clicked", **props: object) -> bytes:
    """One Segment track message as a line, newline included."""
    doc = {"type": "track", "event": name, "messageId": mid, "anonymousId": anon,
           "timestamp": "2024-03-04T09:00:00.000Z", "properties": props}
    return json.dumps(doc, ensure_ascii=False).encode() + b"\n"


def wait_for(condition: Callable[[], object], what: str, timeout: float = WAIT) -> object:
    """Poll until `condition()` is truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


class Store:
    """Reads a store the way a test wants to see it."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)

    def ids(self) -> set[str]:
        with self.engine.connect() as conn:
            return {m for (m,) in conn.execute(sa.select(EVENTS.c.message_id))}

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(EVENTS)).scalar_one()

    def rejected(self) -> list[tuple[str, int, str, bytes]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(REJECTED.c.file, REJECTED.c.line, REJECTED.c.reason, REJECTED.c.raw).order_by(REJECTED.c.id))
            return [(f, n, r, bytes(raw)) for f, n, r, raw in rows]

    def names(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.select(EVENTS.c.message_id, EVENTS.c.name)).all())

    def has(self, *ids: str) -> bool:
        return set(ids) <= self.ids()

    def row_ids(self) -> dict[str, int]:
        """message id -> row id: rows are numbered as they are committed."""
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.select(EVENTS.c.message_id, EVENTS.c.id)).all())
