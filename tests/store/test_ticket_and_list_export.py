"""The reader's ticket summary (a long session read as its first and last events) and the user list's paged export.

On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
import re
from datetime import timezone
from pathlib import Path
from typing import Any

import pytest

from tests.storekit import NOW, ingest
from tui_profiles.config import Settings
from tui_profiles.domain.clock import Clock
from tui_profiles.domain.ticket import HEAD_EVENTS, TAIL_EVENTS
from tui_profiles.reader import ExportCancelled, SessionNotFound, StoreReader, UserQuery
from tui_profiles.store import queries, user_export
from tui_profiles.store.engine import make_engine

MIN = 60_000


def iso(ms: int) -> str:
    from tui_profiles.store.export import iso as export_iso

    return export_iso(ms)


def write(folder: Path, lines: list[dict[str, Any]]) -> Path:
    path = folder / "events.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def reader(url: str) -> StoreReader:
    return StoreReader(make_engine(url), Settings(db_url=url), Clock(now=lambda: NOW, tz=timezone.utc))


def test_a_long_session_is_read_as_its_first_and_last_events(db_url, tmp_path):
    start = NOW - 10 * 60 * MIN
    lines = [{"type": "track", "userId": "u-long", "event": f"Step {i}", "messageId": f"s{i}", "timestamp": iso(start + i * 1000),
              "properties": {"i": i}} for i in range(150)]  # fmt: skip
    lines.append({"type": "track", "userId": "u-long", "event": "Earlier", "messageId": "e0", "timestamp": iso(start - 5 * 60 * MIN)})
    ingest(db_url, [write(tmp_path, lines)])
    r = reader(db_url)
    pid = r.find_profile("u-long")
    ticket = r.ticket(pid)
    assert ticket is not None and ticket.session == f"{'2024-03-04 23:00 UTC'} (150 events)"
    steps = re.findall(r"\*\*Step (\d+)\*\*", ticket.markdown)
    assert steps == [str(i) for i in range(HEAD_EVENTS)] + [str(i) for i in range(150 - TAIL_EVENTS, 150)]
    assert f"- … {150 - HEAD_EVENTS - TAIL_EVENTS} more events …" in ticket.markdown
    # The earlier session, by its start or its id; a session that is not the person's is refused.
    with make_engine(db_url).connect() as conn:
        first = queries.sessions_of(conn, pid, settings=Settings(), now_ms=NOW)[0]
    by_start = r.ticket(pid, first.start)
    assert by_start is not None and "**Earlier**" in by_start.markdown and "Step" not in by_start.markdown
    assert r.ticket(pid, first.id) == by_start
    with pytest.raises(SessionNotFound):
        r.ticket(pid, f"{pid + 1}-{first.start}")
    with pytest.raises(SessionNotFound):
        r.ticket(pid, first.start + 1)
    assert r.ticket(pid + 1000) is None


def people(n: int) -> list[dict[str, Any]]:
    """`n` users, several seen at the same moment (ties the keyset must order by profile id)."""
    return [{"type": "identify", "userId": f"u-{i:03d}", "messageId": f"p{i}", "timestamp": iso(NOW - (i // 3) * MIN),
             "traits": {"name": f"Person {i}", "email": f"p{i}@example.com", "phone": "+1 555 0100", "plan": "pro" if i % 2 else "free"},
             **({"anonymousId": f"a-{i:03d}"} if i % 4 == 0 else {})} for i in range(n)]  # fmt: skip


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_list_export_pages_by_keyset_in_the_lists_order(db_url, tmp_path, monkeypatch):
    ingest(db_url, [write(tmp_path, people(23))])
    monkeypatch.setattr(user_export, "PAGE_SIZE", 4)
    r = reader(db_url)
    seen: list[tuple[int, int]] = []
    out = tmp_path / "all.csv"
    assert r.export_users(UserQuery(period="all"), out, progress=lambda n, total: seen.append((n, total))) == 23
    assert seen == [(0, 23), (4, 23), (8, 23), (12, 23), (16, 23), (20, 23), (23, 23)]
    listed = [u.id for u in r.user_window(UserQuery(period="all"), 0, 100).rows]
    rows = read_csv(out)
    assert [row["id"] for row in rows] == listed
    zero = next(row for row in rows if row["id"] == "u-000")
    assert zero["anonymous_ids"] == "a-000" and json.loads(zero["traits"])["plan"] == "free" and zero["email"] == "p0@example.com"


def test_the_list_export_follows_the_search_masks_and_stops(db_url, tmp_path):
    ingest(db_url, [write(tmp_path, people(10))])
    r = reader(db_url)
    plan = UserQuery(period="all", condition=lambda _conn, _now: queries.plain_text_condition("u-00"))
    out = tmp_path / "some.csv"
    assert r.export_users(plan, out) == 10

    class Masker:
        def text(self, s: str) -> str:
            return re.sub(r"\S+@\S+", "•••", s)

        def value(self, key: str, value: Any) -> Any:
            return "•••" if key in ("name", "email", "phone") and isinstance(value, str) else value

    masked = tmp_path / "masked.csv"
    r.export_users(UserQuery(period="all"), masked, mask=Masker())
    text = masked.read_text(encoding="utf-8-sig")
    assert "Person" not in text and "@example.com" not in text and "555" not in text and '""plan"":""pro""' in text
    with pytest.raises(ExportCancelled):
        r.export_users(UserQuery(period="all"), tmp_path / "stopped.csv", cancelled=lambda: True)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("store.db")) == ["events.jsonl", "masked.csv", "some.csv"]
