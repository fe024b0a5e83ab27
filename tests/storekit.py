"""Test helpers: ingest files into a real store and read it back as plain comparable values."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tui_profiles.config import Settings
from tui_profiles.ingest.files import FileIngestor, IngestSummary
from tui_profiles.store import models, queries, raw_blocks
from tui_profiles.store.engine import make_engine
from tui_profiles.store.writer import StoreWriter

# The pinned "now" of the store-level CLI tests (erasure, export, companies, goals).
NOW_ISO = "2024-03-05T09:00:00Z"
NOW = 1709629200000  # NOW_ISO in epoch ms


def cli(*args: str, db: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `tui-profiles --db DB ARGS...` in a subprocess at the pinned now."""
    env = {**os.environ, "TUI_PROFILES_NOW": NOW_ISO}
    return subprocess.run([sys.executable, "-m", "tui_profiles", "--db", db, *args], capture_output=True, text=True,
                          env=env, timeout=120, input=stdin)  # fmt: skip


def ingest(url: str, paths: Iterable[Path], settings: Settings | None = None, batch_size: int = 5000) -> IngestSummary:
    settings = settings or Settings(db_url=url)
    engine = make_engine(url, writer=True)
    try:
        return FileIngestor(StoreWriter(engine, settings), batch_size).ingest_paths(list(paths))
    finally:
        engine.dispose()


def profile_doc(url: str, ident: str, now_ms: int, settings: Settings | None = None) -> dict[str, Any] | None:
    """The same document `tui-profiles profile ID --json` prints."""
    from tui_profiles.cli import profile_json

    settings = settings or Settings(db_url=url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            pid = queries.find_profile(conn, ident)
            if pid is None:
                return None
            detail = queries.profile_detail(conn, pid, settings=settings, now_ms=now_ms)
            return profile_json(
                detail,
                queries.sessions_of(conn, pid, settings=settings, now_ms=now_ms),
                queries.timeline(conn, pid),
            )
    finally:
        engine.dispose()


def pid_of(url: str, ident: str) -> int:
    """The id of the profile a user id or anonymous id belongs to (asserted to exist)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        pid = queries.find_profile(conn, ident)
    engine.dispose()
    assert pid is not None, ident
    return pid


def users(url: str, now_ms: int, settings: Settings | None = None) -> list[queries.UserRow]:
    settings = settings or Settings(db_url=url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return queries.list_users(conn, settings=settings, now_ms=now_ms, limit=10_000)
    finally:
        engine.dispose()


def store_snapshot(url: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Every profile with what the rules decide about it, keyed by (kind, id), free of row ids and order."""
    engine = make_engine(url)
    p, e, s, a = (models.Profile.__table__, models.Event.__table__, models.ProfileSession.__table__,
                  models.ProfileAnonymousId.__table__)  # fmt: skip
    out: dict[tuple[str, str], dict[str, Any]] = {}
    try:
        with engine.connect() as conn:
            for row in conn.execute(sa.select(p)):
                out[(row.kind, row.external_id)] = {
                    "name": row.name, "email": row.email, "country": row.country, "city": row.city,
                    "company": row.company, "first_seen": row.first_seen, "last_seen": row.last_seen,
                    "events": row.event_count, "sessions": row.session_count,
                    "total_session_ms": row.total_session_ms, "orders": row.order_count,
                    "has_contact": row.has_contact, "custom": row.has_custom_attributes,
                    "traits": row.traits,
                    "message_ids": sorted(m for (m,) in conn.execute(sa.select(e.c.message_id).where(e.c.profile_id == row.id))),
                    # An anonymous profile's own history, merged into a user or not.
                    "history_ids": sorted(
                        m for (m,) in conn.execute(sa.select(e.c.message_id).where(e.c.anon_profile_id == row.id))
                    ),
                    "session_spans": sorted(
                        (r.start, r.end, r.event_count, r.source, r.entry_path)
                        for r in conn.execute(sa.select(s).where(s.c.profile_id == row.id))
                    ),
                    "anonymous_ids": sorted(x for (x,) in conn.execute(sa.select(a.c.anonymous_id).where(a.c.profile_id == row.id))),
                }
    finally:
        engine.dispose()
    return out


def stored_messages(url: str) -> tuple[dict[str, str], int]:
    """Every event's message text by message id, read from its block; and how many non-empty block
    members no event points at (texts that would outlive their event: always 0)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            e = models.EVENTS
            refs = {(b, s): m for m, b, s in conn.execute(sa.select(e.c.message_id, e.c.raw_block, e.c.raw_slot))}
            texts, orphans = {}, 0
            for block, data in conn.execute(sa.select(models.RAW_BLOCKS.c.id, models.RAW_BLOCKS.c.data)):
                for slot, member in enumerate(raw_blocks.unpack(bytes(data))):
                    if (block, slot) in refs:
                        texts[refs[(block, slot)]] = member.decode()
                    elif member:
                        orphans += 1
    finally:
        engine.dispose()
    return texts, orphans
