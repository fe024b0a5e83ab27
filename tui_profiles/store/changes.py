"""The change log: each committed write that changed profiles gets a sequence number, so any reader can ask "what changed since N".

Every writer calls `record` in its own transaction, under the writer lock (the watcher's and `ingest`'s
batches, the first load, a person's exclude and erase): an entry exists exactly when its change
committed, and the numbers come in commit order, so a reader that has seen N and reads every entry
above it has missed nothing. On PostgreSQL `record` also sends a NOTIFY on `CHANNEL` with the number,
delivered to listeners at commit (store/follow.py listens).

Old entries are trimmed (`trim`) as the log grows; the highest number trimmed is kept in `meta`, so a
reader whose last number is below it knows it may have missed a change (`Changes.missed`) and reloads
what it shows rather than trusting the entries that are left.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..domain.clock import now_ms
from .models import CHANGES, META

CHANNEL = "tui_profiles_changes"
# More profiles than this in one write (a first load, a large backlog batch) are recorded as "every
# profile": a reader reloads what it shows instead of reading a list as long as the store.
MAX_IDS = 5_000
KEEP = 10_000  # entries kept; older ones are trimmed every TRIM_EVERY entries
TRIM_EVERY = 500
SINCE_LIMIT = 1_000  # entries read at a time
_TRIMMED_KEY = "change_log_trimmed_through"
# Which process wrote an entry: an app announces its own watcher's batches and its people's actions at
# once, and skips their entries when it reads the log (store/follow.py), so each refreshes once.
ORIGIN = uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed after a reader's last number: profiles touched and removed, up to `last`.

    `everything`: a change too large to list, or entries the reader never saw were trimmed (`missed`):
    whatever it shows may be out of date.
    """

    last: int
    touched: frozenset[int] = frozenset()
    removed: frozenset[int] = frozenset()
    seqs: tuple[int, ...] = ()
    everything: bool = False
    missed: bool = False

    @property
    def any(self) -> bool:
        return bool(self.seqs) or self.missed

    @property
    def reported(self) -> bool:
        """Something for a reader to refresh: profiles, or everything."""
        return bool(self.touched or self.removed or self.everything)


def record(conn: Connection, touched: Collection[int] | None, removed: Collection[int] = (), *, at_ms: int | None = None) -> int | None:
    """Log one write in the caller's transaction; its number (None when it changed no profile).

    `touched=None`: every profile may have changed (a first load). Call under the writer lock, so
    numbers are handed out in commit order (PostgreSQL's sequences are not transactional).
    """
    if touched is not None and not touched and not removed:
        return None
    many = touched is None or len(touched) + len(removed) > MAX_IDS
    values = {
        "at_ms": now_ms() if at_ms is None else at_ms,
        "touched": None if many else sorted(touched or ()),
        "removed": None if many else sorted(removed),
        "origin": ORIGIN,
    }
    seq = int(conn.execute(CHANGES.insert().values(**values).returning(CHANGES.c.seq)).scalar_one())
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_notify(CHANNEL, str(seq))))
    if seq % TRIM_EVERY == 0:
        trim(conn, seq - KEEP)
    return seq


def trim(conn: Connection, through: int) -> None:
    """Remove the entries numbered `through` and below (the caller's transaction, under the writer lock)."""
    if through <= 0:
        return
    conn.execute(CHANGES.delete().where(CHANGES.c.seq <= through))
    if trimmed_through(conn) >= through:
        return
    updated = conn.execute(META.update().where(META.c.key == _TRIMMED_KEY).values(value=str(through)))
    if updated.rowcount == 0:
        conn.execute(META.insert().values(key=_TRIMMED_KEY, value=str(through)))


def trimmed_through(conn: Connection) -> int:
    row = conn.execute(sa.select(META.c.value).where(META.c.key == _TRIMMED_KEY)).first()
    return int(row[0]) if row else 0


def latest(conn: Connection) -> int:
    """The number of the newest entry: where a reader that has just read the whole store starts following."""
    newest = conn.execute(sa.select(sa.func.max(CHANGES.c.seq))).scalar()
    return int(newest) if newest is not None else trimmed_through(conn)


def since(conn: Connection, last: int, *, limit: int = SINCE_LIMIT, skip_origin: str | None = None) -> Changes:
    """What changed after entry `last`, up to `limit` entries (ask again from `Changes.last` for the rest).

    Entries written by `skip_origin` (the reader's own process, which announced them itself) count as
    read but add nothing.
    """
    columns = (CHANGES.c.seq, CHANGES.c.touched, CHANGES.c.removed, CHANGES.c.origin)
    rows = conn.execute(sa.select(*columns).where(CHANGES.c.seq > last).order_by(CHANGES.c.seq).limit(limit)).all()
    # Read after the entries: a trim that commits in between is then seen (a needless reload at worst);
    # read before them, it could remove entries unseen and go unnoticed.
    missed = trimmed_through(conn) > last
    touched: set[int] = set()
    removed: set[int] = set()
    everything = missed
    for _, t, r, origin in rows:
        if skip_origin is not None and origin == skip_origin:
            continue
        if t is None or r is None:
            everything = True
            continue
        touched.update(t)
        removed.update(r)
    seqs = tuple(int(row[0]) for row in rows)
    newest = seqs[-1] if seqs else last
    if missed and not seqs:
        newest = max(last, latest(conn))
    return Changes(newest, frozenset(touched), frozenset(removed), seqs, everything, missed)
