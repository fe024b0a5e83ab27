"""A first load: events into an empty store in one transaction, indexes and profiles built once at its end.

Into an empty store the writer's per-batch work is mostly waste: each batch looks
its message ids up in a unique index, moves anonymous history when a link
arrives late, and folds every touched profile again; and every row pays for six
index entries placed at random. A first load (`ingest` into a store with no
events) instead:

- drops the events table's indexes (the table is empty) and appends rows in the
  order they are read, the profile each belongs to resolved with the links read
  so far;
- at the end, in the same transaction: finds duplicates by message id (the first
  copy read stays, as in a batch-by-batch ingest), builds the indexes, moves
  anonymous-only events whose owner a later link changed, rebuilds the companies,
  and folds every profile once, oldest event first, in one ordered pass.

The result is the store a batch-by-batch ingest of the same files in the same
order gives (tests/store/test_bulk_load.py compares them). It is one transaction: a
crash or kill leaves the store as empty as it was, and the next `ingest` starts
over; readers see nothing of the load until it commits. Memory stays bounded:
the fold streams the events a profile at a time.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any, Protocol

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateTable

from ..config import Settings
from ..domain.profile import EventFacts, ProfileState
from . import changes, company_upkeep, raw_blocks
from .batch import BatchResult
from .models import ANON_IDS, EVENTS, LINKS, PROFILES, RAW_BLOCKS, SESSIONS

UNIQUE_MESSAGE_ID = "ux_events_message_id"
CHUNK = 500
WRITE_EVERY = 2000  # profiles folded between writes


class LoadWriter(Protocol):
    """What a first load needs of the writer (store/writer.py's StoreWriter), which calls it: no import back."""

    settings: Settings
    order_events: frozenset[str]

    def move_to_current_owners(self, conn: Connection, anonymous_ids: set[str], identified: set[str]) -> None: ...

    def unguess_all(self, conn: Connection) -> None: ...

    def write_states(self, conn: Connection, states: dict[int, tuple[ProfileState, int | None]]) -> None: ...


def prepare(conn: Connection) -> bool:
    """Under the writer lock: if the store holds no events, recreate the events table bare. False otherwise."""
    if conn.execute(sa.select(EVENTS.c.id).limit(1)).first() is not None:
        return False
    # Derived rows can only be left over from events that are gone (an erasure removes them with
    # the events): nothing is lost, and the load starts from a clean slate.
    conn.execute(SESSIONS.delete())
    conn.execute(ANON_IDS.delete())
    conn.execute(PROFILES.delete())
    conn.execute(RAW_BLOCKS.delete())  # texts of no event
    # The table is empty: dropping it drops every index (a v2 store's unique constraint included)
    # in one statement; CreateTable makes it again with columns only.
    conn.execute(sa.text("DROP TABLE events"))
    conn.execute(CreateTable(EVENTS))
    return True


def finalize(writer: LoadWriter, conn: Connection) -> BatchResult:
    """Everything the load deferred, in its transaction; the duplicates found and the profiles made."""
    result = BatchResult()
    if conn.dialect.name == "sqlite":
        # Index builds sort on a second core; each sorter holds up to the page cache in memory
        # before it spills, so the cache shrinks for them (at 32 MB and two threads the build of
        # the unique index took the load 57 MB over its budget).
        conn.exec_driver_sql("PRAGMA threads=1")
        conn.exec_driver_sql("PRAGMA cache_size=-8192")
    # Later copies of a message were counted as new events by their batches: no longer.
    result.duplicates = _unique_message_ids(conn)
    result.events = -result.duplicates
    for index in EVENTS.indexes:
        if index.name != UNIQUE_MESSAGE_ID:
            index.create(conn)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA cache_size=-32768")  # the sorting is done; the passes below read by index
    else:
        # Filled inside this transaction, the table has no statistics autovacuum could have made: the
        # planner took the identity pass's lookups (500 anonymous ids a query) for parallel scans of the
        # whole table, 2 s each at 10M events (some thousand of them). A sample of the rows is enough.
        conn.exec_driver_sql("ANALYZE events")
    _settle_identity(writer, conn)
    company_upkeep.rebuild_all(conn)
    result.touched_profiles = _fold_all(writer, conn)
    changes.record(conn, None)  # every profile is new: open apps reload what they show
    return result


def _unique_message_ids(conn: Connection) -> int:
    """Build the unique message-id index; if a message id came more than once, keep its first copy. How many went."""
    unique = next(ix for ix in EVENTS.indexes if ix.name == UNIQUE_MESSAGE_ID)
    try:
        with conn.begin_nested():
            unique.create(conn)
        return 0
    except sa.exc.IntegrityError:
        pass
    # Rare in a first load (a file delivered twice under two names): find the later copies by an ordinary index.
    conn.exec_driver_sql("CREATE INDEX tmp_events_message_id ON events (message_id, id)")
    first = EVENTS.alias("first")
    later = sa.select(EVENTS.c.id).where(
        sa.exists(sa.select(first.c.id).where(first.c.message_id == EVENTS.c.message_id, first.c.id < EVENTS.c.id))
    )
    # Their texts leave the blocks too: a copy nobody points at would outlive an erasure of its sender.
    copies = sa.select(EVENTS.c.raw_block, EVENTS.c.raw_slot).where(EVENTS.c.id.in_(later.scalar_subquery()))
    raw_blocks.blank(conn, conn.execute(copies).all())
    gone = conn.execute(EVENTS.delete().where(EVENTS.c.id.in_(later.scalar_subquery()))).rowcount
    conn.exec_driver_sql("DROP INDEX tmp_events_message_id")
    # An identify read twice made its link twice; each message's first link stays.
    keep = sa.select(sa.func.min(LINKS.c.id)).group_by(LINKS.c.message_id)
    conn.execute(LINKS.delete().where(LINKS.c.id.not_in(keep.scalar_subquery())))
    unique.create(conn)
    return gone


def _settle_identity(writer: LoadWriter, conn: Connection) -> None:
    """Anonymous-only events whose owner changed with a link read after them: moved to it."""
    # Server-library events of an id that a later link named as anonymous are anonymous-only first.
    writer.unguess_all(conn)
    identified = {u for (u,) in conn.execute(sa.select(LINKS.c.user_id).distinct())}
    # The ids whose events may belong elsewhere now: those with identify links, and user ids
    # (a PostHog distinct_id stored as anonymous until identified), as a batch would re-resolve.
    candidates = sorted({a for (a,) in conn.execute(sa.select(LINKS.c.anonymous_id).distinct())} | identified)
    for i in range(0, len(candidates), CHUNK):
        # Every profile is folded afterwards: which ones changed does not matter here.
        writer.move_to_current_owners(conn, set(candidates[i : i + CHUNK]), identified)


def _fold_all(writer: LoadWriter, conn: Connection) -> set[int]:
    """Every profile folded from its events, oldest first, in one ordered pass; profiles left without events removed."""
    gap, orders = writer.settings.session_gap_ms, writer.order_events
    folded: set[int] = set()
    pending: dict[int, tuple[ProfileState, Any]] = {}
    current_pid, state = None, None
    for pid, ts, typ, name, path, source, country, city, traits, group_id in _ordered_events(conn):
        if pid != current_pid:
            if len(pending) >= WRITE_EVERY:
                writer.write_states(conn, pending)
                pending = {}
            current_pid, state = pid, ProfileState()
            pending[pid] = (state, None)
            folded.add(pid)
        state.add(EventFacts(ts, typ, name, path, source, country, city, traits, group_id), gap_ms=gap, order_events=orders)  # type: ignore[union-attr]
    writer.write_states(conn, pending)
    empty = [pid for (pid,) in conn.execute(sa.select(PROFILES.c.id)) if pid not in folded]
    for i in range(0, len(empty), CHUNK):
        chunk = empty[i : i + CHUNK]
        conn.execute(ANON_IDS.delete().where(ANON_IDS.c.profile_id.in_(chunk)))
        conn.execute(PROFILES.delete().where(PROFILES.c.id.in_(chunk)))
    return folded


_FOLD_COLS = "ts, type, name, path, source, country, city, traits, group_id, id FROM events"
# Every event by the profile it counts for; then, by anonymous profile, the history merged into a user
# (each read in its index's order: one ordered pass over both, merged here, sorts nothing).
_FOLD_SQL = f"SELECT profile_id, {_FOLD_COLS} ORDER BY profile_id, ts, id"
_FOLD_MERGED_SQL = (
    f"SELECT anon_profile_id, {_FOLD_COLS} WHERE anon_profile_id IS NOT NULL AND anon_profile_id <> profile_id"
    " ORDER BY anon_profile_id, ts, id"
)


def _ordered_events(conn: Connection) -> Iterator[tuple[Any, ...]]:
    """What the fold needs of every event, by profile and time, straight from the driver: a million rows
    through SQLAlchemy's row and JSON processing took three times as long as the fold itself."""
    rows = heapq.merge(
        _stream(conn, _FOLD_SQL, "tui_profiles_fold"), _stream(conn, _FOLD_MERGED_SQL, "tui_profiles_fold_merged"),
        key=lambda row: (row[0], row[1], row[10]),
    )
    for row in rows:
        yield row[:10]


def _stream(conn: Connection, sql: str, name: str) -> Iterator[tuple[Any, ...]]:
    """(profile, ts, ..., traits parsed, group id, event id) rows of `sql`, in its order."""
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    if conn.dialect.name == "sqlite":
        cursor = dbapi.cursor()
        try:
            cursor.execute(sql)
            loads = orjson.loads
            for row in cursor:
                traits = row[8]
                if traits is None or traits == "null":
                    yield row[:8] + (None,) + row[9:]
                else:
                    yield row[:8] + (loads(traits),) + row[9:]
        finally:
            cursor.close()
        return
    # PostgreSQL: a server-side cursor, so the rows stream rather than arrive all at once.
    with dbapi.cursor(name=name) as cursor:
        cursor.itersize = 5000
        cursor.execute(sql)
        yield from cursor
