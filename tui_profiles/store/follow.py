"""Follow what other processes store: wake on their commits, read the change log since the last number seen.

- SQLite: `PRAGMA data_version` on a connection of our own changes when another connection commits and
  costs microseconds to read (no write, no lock), so it is polled a few times a second; the log is read only
  when it moved.
- PostgreSQL: `LISTEN` on the writers' channel (store/changes.py sends a NOTIFY at commit), on a
  dedicated autocommit connection, with a read of the log every few seconds as a fallback. A
  notification sent while the connection is down is lost: after reconnecting, the log is read from the
  last number seen, so nothing is missed. While it is down, `on_status(False)` says so.

Runs in the caller's thread until `stop` is set; no Textual here (the app runs it in a thread).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import changes
from .changes import Changes

SQLITE_POLL_S = 0.1  # data_version is read this often: the wait it adds to a change, at worst
PG_FALLBACK_S = 2.0  # with no notification for this long, the log is read anyway
STOP_CHECK_S = 0.25  # how long a wait for a notification lasts before the stop is looked at
RETRY_S = (0.25, 0.5, 1.0, 2.0)  # waits between attempts while the store cannot be reached, then the last one


class StoreFollower:
    """Calls `on_changes` (from the running thread) with what each new entry of the change log says.

    `start`: the number to follow from (the newest entry when the caller last read the store); None
    reads it when `run` starts. `skip_origin`: entries this process wrote (`changes.ORIGIN`), which the
    caller announced itself, are read but not reported.
    """

    def __init__(
        self,
        engine: Engine,
        on_changes: Callable[[Changes], None],
        *,
        on_status: Callable[[bool], None] = lambda connected: None,
        start: int | None = None,
        skip_origin: str | None = None,
        poll_s: float | None = None,
    ) -> None:
        self.engine = engine
        self.on_changes = on_changes
        self.on_status = on_status
        self.last = start
        self.skip_origin = skip_origin
        self.sqlite = engine.dialect.name == "sqlite"
        self.poll_s = poll_s if poll_s is not None else (SQLITE_POLL_S if self.sqlite else PG_FALLBACK_S)
        self.connected = True
        self.reconnects = 0

    def run(self, stop: threading.Event) -> None:
        attempt = 0
        while not stop.is_set():
            try:
                if self.sqlite:
                    self._follow_sqlite(stop)
                else:
                    self._follow_postgresql(stop)
                return
            except (sa.exc.OperationalError, sa.exc.InterfaceError, *_driver_errors()) as exc:  # the store went away
                if stop.is_set():
                    return
                self._set_connected(False, exc)
                stop.wait(RETRY_S[min(attempt, len(RETRY_S) - 1)])
                attempt += 1

    def catch_up(self) -> Changes | None:
        """Read what was logged since the last number seen and report it; what was reported, if anything."""
        with self.engine.connect() as conn:
            if self.last is None:
                self.last = changes.latest(conn)
                return None
            found = changes.since(conn, self.last, skip_origin=self.skip_origin)
        if not found.any and found.last == self.last:
            return None
        self.last = found.last
        if found.reported:
            self.on_changes(found)
        return found

    # -- the two ways of waking ---------------------------------------------------
    def _follow_sqlite(self, stop: threading.Event) -> None:
        # A connection of our own, never written through: its data_version moves on others' commits only.
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            version = _data_version(cursor)  # before reading the log: a commit after this moves it
            self._drain()
            self._set_connected(True)
            while not stop.wait(self.poll_s):
                now = _data_version(cursor)
                if now != version:
                    version = now
                    self._drain()
        finally:
            raw.close()

    def _follow_postgresql(self, stop: threading.Event) -> None:
        import psycopg

        url = self.engine.url.set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as listener:
            listener.execute(f"LISTEN {changes.CHANNEL}")
            self._drain()  # after LISTEN: a change committed from here on is heard or read, never lost
            self._set_connected(True)
            read_at = time.monotonic()
            while not stop.is_set():
                # A short wait, so a stop is seen at once; the log is read on a notification or every poll_s.
                heard = any(True for _ in listener.notifies(timeout=STOP_CHECK_S, stop_after=1))
                if heard or time.monotonic() - read_at >= self.poll_s:
                    self._drain()
                    read_at = time.monotonic()

    def _drain(self) -> None:
        while (found := self.catch_up()) is not None and len(found.seqs) >= changes.SINCE_LIMIT:
            pass

    def _set_connected(self, connected: bool, why: BaseException | None = None) -> None:
        if connected != self.connected:
            self.connected = connected
            self.reconnects += connected
            self.on_status(connected)


def _data_version(cursor) -> int:  # noqa: ANN001 - a DB-API cursor
    cursor.execute("PRAGMA data_version")
    return int(cursor.fetchone()[0])


def _driver_errors() -> tuple[type[BaseException], ...]:
    """The drivers' own connection errors (psycopg raises them from the listening connection)."""
    import sqlite3

    try:
        import psycopg
    except ImportError:
        return (sqlite3.OperationalError,)
    return (sqlite3.OperationalError, psycopg.OperationalError, psycopg.InterfaceError)
