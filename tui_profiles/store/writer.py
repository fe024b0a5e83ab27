"""Apply one batch in one transaction: events, identity links, profiles, sessions, file offsets.

What a batch read of a file is committed together with the events it produced,
so a crash at any instant loses nothing and doubles nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine

from ..config import Settings
from ..domain.formats import PAGE, NormalizedEvent
from ..domain.identity import ANONYMOUS, IDENTIFIED, ProfileKey, anonymous_profile_for, profile_for, settle_guessed_user_id
from ..domain.profile import EventFacts, ProfileState, fold
from ..domain.sessions import SessionSpan
from . import bulk, changes, company_upkeep, overrides, raw_blocks, suppression
from .batch import Batch, BatchResult, FileProgress, IncomingEvent
from .models import ANON_IDS, CATALOG, EVENTS, FILES, LINKS, PROFILES, REJECTED, SESSIONS, UNLINKED

CHUNK = 500  # values in one IN (...) list
# The events columns in the order StoreWriter._insert_events builds a row for SQLite.
_EVENT_COLUMNS = (
    "message_id", "profile_id", "anon_profile_id", "user_id", "anonymous_id", "id_ambiguous", "format", "type", "name", "path", "url",
    "title", "source", "country", "city", "group_id", "ts", "received_at", "time_flag", "traits", "props", "raw_block", "raw_slot",
    "file_id", "line",
)  # fmt: skip
assert set(_EVENT_COLUMNS) == {c.name for c in EVENTS.columns} - {"id"}, "an events column is missing from _EVENT_COLUMNS"
_SQLITE_INSERT_EVENTS = f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(_EVENT_COLUMNS))})"
_PG_WRITER_LOCK = 7417002
_PG_COPY_EVENTS = f"COPY events ({', '.join(_EVENT_COLUMNS)}) FROM STDIN"
# The JSON columns (traits, props) go as text, parsed by the server into JSONB.
_PG_INSERT_EVENTS = (
    f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)}) VALUES "
    f"({', '.join('%s::jsonb' if c in ('traits', 'props') else '%s' for c in _EVENT_COLUMNS)})"
)
_PROFILE_FIELDS = (
    "name", "email", "country", "city", "company", "first_seen", "last_seen", "event_count", "session_count",
    "total_session_ms", "order_count", "has_contact", "has_custom_attributes", "traits",
)  # fmt: skip
_SQLITE_UPDATE_PROFILE = f"UPDATE profiles SET {', '.join(f'{k} = ?' for k in _PROFILE_FIELDS)} WHERE id = ?"
_PG_UPDATE_PROFILE = (
    f"UPDATE profiles SET {', '.join(f'{k} = %s::jsonb' if k == 'traits' else f'{k} = %s' for k in _PROFILE_FIELDS)} WHERE id = %s"
)
_SESSION_FIELDS = ("profile_id", "start", "end", "event_count", "source", "entry_path")
assert set(_SESSION_FIELDS) == {c.name for c in SESSIONS.columns} - {"id"}, "a sessions column is missing from _SESSION_FIELDS"
_SQLITE_INSERT_SESSION = (
    "INSERT INTO sessions (" + ", ".join('"' + k + '"' for k in _SESSION_FIELDS) + ")"  # "end" is an SQL word
    + f" VALUES ({', '.join('?' * len(_SESSION_FIELDS))})"
)
_PG_INSERT_SESSION = _SQLITE_INSERT_SESSION.replace("?", "%s")


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


class StoreWriter:
    """The one place that writes events and everything derived from them."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.order_events = frozenset(settings.order_events)
        self._dialect = engine.dialect.name
        # What the JSON column type serialises with (make_engine's orjson), for the raw insert.
        self._json_dumps = getattr(engine.dialect, "_json_serializer", None) or json.dumps
        self._suppressed: tuple[int, suppression.Suppressed] = (0, suppression.EMPTY)
        # The open transaction of a first load (store/bulk.py), or None.
        self._bulk: tuple[Connection, Any] | None = None
        self._bulk_rows = self._analyzed_at = 0  # profiles a PostgreSQL first load has made; as last analyzed

    # -- public -----------------------------------------------------------------
    @property
    def in_bulk(self) -> bool:
        return self._bulk is not None

    def begin_bulk(self) -> bool:
        """Start a first load if the store holds no events: one transaction for the whole load,
        indexes and profiles built at its end (store/bulk.py). False: the store has events;
        batches go through the usual path."""
        conn = self.engine.connect()
        if self._dialect == "sqlite":
            # Index builds sort in temporary files (page cache), not in this process's memory, and
            # the page cache is smaller: a first load stays under its memory budget whatever its size.
            # Set before BEGIN (SQLite refuses temp_store inside a transaction); the connection is
            # dropped at the end rather than pooled with these settings.
            dbapi = conn.connection.dbapi_connection
            assert dbapi is not None
            dbapi.execute("PRAGMA temp_store=FILE")
            dbapi.execute("PRAGMA cache_size=-32768")
        try:
            trans = conn.begin()
        except sa.exc.OperationalError:
            # Another writer has held the store for the whole busy timeout (its own first load, say):
            # this is no first load; batches go the usual way, which waits and retries.
            conn.invalidate()
            return False
        try:
            if self._dialect == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_WRITER_LOCK})")
            if not bulk.prepare(conn):
                trans.rollback()
                conn.invalidate()
                return False
        except BaseException:
            trans.rollback()
            conn.invalidate()
            raise
        self._bulk = (conn, trans)
        self._bulk_rows, self._analyzed_at = 0, 0
        return True

    def end_bulk(self) -> BatchResult:
        """Build what the first load deferred and commit it all."""
        assert self._bulk is not None
        conn, trans = self._bulk
        try:
            result = bulk.finalize(self, conn)
            trans.commit()
        except BaseException:
            self.abort_bulk()
            raise
        self._bulk = None
        conn.invalidate()
        if self._dialect == "postgresql":
            # Fresh tables have no statistics and no visibility map: until autovacuum comes by, the
            # planner guesses and index-only scans visit the heap (visited:/x took 295 ms, 25 ms after).
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
                auto.exec_driver_sql("VACUUM (ANALYZE) events, profiles, sessions, identity_links")
        return result

    def abort_bulk(self) -> None:
        """Roll the first load back: the store is as empty as before it."""
        if self._bulk is None:
            return
        conn, trans = self._bulk
        self._bulk = None
        try:
            trans.rollback()
        finally:
            conn.invalidate()

    def apply(self, batch: Batch, now_ms: int | None = None) -> BatchResult:
        if self._bulk is not None:
            conn = self._bulk[0]
            stale = self._stale_files(conn, batch.files)
            if stale:
                return BatchResult(stale_files=stale)
            return self._apply(conn, batch, bulk=True)
        with self.engine.begin() as conn:
            if self._dialect == "postgresql":
                # One writer at a time across processes: two watchers on one store
                # must not both decide an event is new.
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_WRITER_LOCK})")
            stale = self._stale_files(conn, batch.files)
            if stale:
                return BatchResult(stale_files=stale)
            result = self._apply(conn, batch)
            changes.record(conn, result.touched_profiles, result.removed_profiles)  # how every open app hears of it
            return result

    def knows_files(self) -> bool:
        """Whether the store has progress for any file (within a first load: as its transaction sees it)."""
        stmt = sa.select(FILES.c.fingerprint).limit(1)
        if self._bulk is not None:
            return self._bulk[0].execute(stmt).first() is not None
        with self.engine.connect() as conn:
            return conn.execute(stmt).first() is not None

    def file_progress(self, fingerprints: Iterable[str]) -> dict[str, FileProgress]:
        """What the store knows about these files, by fingerprint (unknown ones are left out)."""
        fps = sorted(set(fingerprints))
        out: dict[str, FileProgress] = {}
        if not fps:
            return out
        cols = (FILES.c.fingerprint, FILES.c.path, FILES.c.size, FILES.c.offset, FILES.c.line, FILES.c.status, FILES.c.mtime_ms)

        def read(conn: Connection) -> None:
            for chunk in _chunks(fps):
                for row in conn.execute(sa.select(*cols).where(FILES.c.fingerprint.in_(chunk))):
                    out[row[0]] = FileProgress(*row)

        if self._bulk is not None:  # what this load has read so far is in its own transaction
            read(self._bulk[0])
        else:
            with self.engine.connect() as conn:
                read(conn)
        return out

    def move_to_current_owners(self, conn: Connection, anonymous_ids: set[str], identified: set[str]) -> None:
        """Give the stored anonymous-only events of these ids the profile they belong to now (the first
        load's late identity links, store/bulk.py); the profiles are not folded again here."""
        links = self._links_for(conn, anonymous_ids)
        moved = self._reresolve(conn, anonymous_ids, links, identified)
        if moved:
            keys = {m.key for m in moved} | {m.anon_key for m in moved if m.anon_key is not None}
            self._move_events(conn, moved, self._profile_ids(conn, keys))

    def unguess_all(self, conn: Connection) -> None:
        """Re-classify every stored server-library event whose id a link names as anonymous (a first load's end)."""
        self._unguess(conn, None)

    def reresolve(self, conn: Connection, anonymous_ids: set[str]) -> tuple[set[int], set[int]]:
        """Give the stored anonymous-only events of these ids the owners the links say now (after a link
        or unlink by hand), and fold every profile that gained or lost one; (profiles rewritten, removed)."""
        links = self._links_for(conn, anonymous_ids)
        identified = self._identified_ids(conn, set(anonymous_ids) | {u for pairs in links.values() for _, u in pairs if u})
        moved = self._reresolve(conn, anonymous_ids, links, identified)
        keys = {m.key for m in moved} | {m.anon_key for m in moved if m.anon_key is not None}
        rebuild = self._move_events(conn, moved, self._profile_ids(conn, keys)) if moved else set()
        return self._update_aggregates(conn, {}, rebuild)

    def rebuild_profiles(self, conn: Connection, profile_ids: Iterable[int]) -> tuple[set[int], set[int]]:
        """Fold these profiles again from their stored events, in the caller's transaction
        (after events were removed); (profiles rewritten, profiles removed as left empty)."""
        return self._update_aggregates(conn, {}, set(profile_ids))

    # -- steps ------------------------------------------------------------------
    def _suppression(self, conn: Connection) -> suppression.Suppressed:
        """The suppression list, re-read only when it grew (ids are never taken off it)."""
        n = suppression.count(conn)
        if n == 0:
            return suppression.EMPTY
        if n != self._suppressed[0]:
            self._suppressed = (n, suppression.load(conn))
        return self._suppressed[1]

    def _drop_suppressed(self, conn: Connection, batch: Batch, result: BatchResult) -> Batch:
        """Events and quarantined lines that carry an erased id never enter the store."""
        erased = self._suppression(conn)
        if not erased.ids:
            return batch
        events = [ie for ie in batch.events if not erased.carries_event(ie.event)]
        rejected = [r for r in batch.rejected if not erased.carries_line(r.raw)]
        result.suppressed = len(batch.events) - len(events) + len(batch.rejected) - len(rejected)
        return Batch(events, rejected, batch.files, batch.raw_blocks)

    def _apply(self, conn: Connection, batch: Batch, *, bulk: bool = False) -> BatchResult:
        """One batch. `bulk`: a first load, whose duplicates across batches, late identity links,
        companies and profile aggregates are settled once at its end (store/bulk.py)."""
        result = BatchResult()
        file_ids = self._upsert_files(conn, batch.files)
        batch = self._drop_suppressed(conn, batch, result)
        if batch.rejected:
            conn.execute(
                REJECTED.insert(),
                [{"file": r.file, "line": r.line, "reason": r.reason, "raw": r.raw, "received_at": r.received_at} for r in batch.rejected],
            )
            result.rejected = len(batch.rejected)

        fresh, result.duplicates = self._new_events(conn, batch.events, stored=not bulk)
        if not fresh:
            return result
        result.events = len(fresh)

        new_links = [(ie.event.link[0], ie.event.link[1], ie.event.ts, ie.event.message_id) for ie in fresh if ie.event.link]
        if new_links:
            # A pair a person unlinked stays unlinked: the identify that made it may come again
            # (a re-ingest, a late file, a replay), and the decision wins over the data.
            unlinked = overrides.unlinked_pairs(conn, {a for a, _, _, _ in new_links})
            if unlinked:
                barriers = [link for link in new_links if (link[0], link[1]) in unlinked]
                conn.execute(UNLINKED.insert(), [{"anonymous_id": a, "user_id": u, "ts": t, "message_id": m} for a, u, t, m in barriers])
                new_links = [link for link in new_links if (link[0], link[1]) not in unlinked]
        if new_links:
            conn.execute(LINKS.insert(), [{"anonymous_id": a, "user_id": u, "ts": t, "message_id": m} for a, u, t, m in new_links])
        linked_users = {u for _, u, _, _ in new_links}
        linked_anons = {a for a, _, _, _ in new_links}
        # A server library's distinct_id taken for a user id (formats) is an anonymous id once a
        # link names it so: the batch's own events are settled below, stored ones re-classified here.
        guessed = {ie.event.user_id for ie in fresh if ie.event.id_ambiguous and ie.event.user_id is not None}
        if not bulk and linked_anons:
            self._unguess(conn, linked_anons)
        # Anonymous ids whose earlier events may now belong elsewhere: the ones that
        # got a new identify, and ids that just became known user ids (PostHog
        # distinct_ids stored as anonymous until identified).
        reresolve_ids = linked_anons | linked_users
        lookup_ids = {ie.event.anonymous_id for ie in fresh if ie.event.user_id is None} | reresolve_ids | guessed
        lookup_ids.discard(None)
        links = self._links_for(conn, lookup_ids)
        if guessed:
            linked_anonymous = {g for g in guessed if links.get(g)}
            for ie in fresh:
                e = ie.event
                e.user_id, e.anonymous_id = settle_guessed_user_id(e.user_id, e.anonymous_id, e.id_ambiguous, linked_anonymous)
        identified = self._identified_ids(
            conn, {ie.event.anonymous_id for ie in fresh if ie.event.id_ambiguous} | linked_users | reresolve_ids
        )

        keys: list[ProfileKey] = []
        anon_keys: list[ProfileKey | None] = []
        for ie in fresh:
            e = ie.event
            keys.append(profile_for(
                user_id=e.user_id, anonymous_id=e.anonymous_id, ts=e.ts, id_ambiguous=e.id_ambiguous,
                links=links.get(e.anonymous_id, ()), identified_ids=identified,
            ))  # fmt: skip
            anon = anonymous_profile_for(
                user_id=e.user_id, anonymous_id=e.anonymous_id, id_ambiguous=e.id_ambiguous, identified_ids=identified
            )
            anon_keys.append((ANONYMOUS, anon) if anon is not None else None)
        moved = [] if bulk else self._reresolve(conn, reresolve_ids, links, identified)
        wanted = set(keys) | {k for k in anon_keys if k is not None}
        for m in moved:
            wanted.add(m.key)
            if m.anon_key is not None:
                wanted.add(m.anon_key)
        profile_ids = self._profile_ids(conn, wanted)

        # Events that changed owner: both owners are rebuilt from their events.
        rebuild = self._move_events(conn, moved, profile_ids)

        self._insert_events(conn, fresh, keys, anon_keys, profile_ids, file_ids, batch.raw_blocks, copy=bulk)
        self._record_anonymous_ids(conn, fresh, keys, profile_ids, new_links, moved)
        self._record_catalog(conn, fresh)
        if bulk:
            return result
        company_upkeep.record(conn, [ie.event for ie in fresh])

        # An event merged into a user counts for the user and for its anonymous profile alike.
        by_profile: dict[int, list[NormalizedEvent]] = defaultdict(list)
        for ie, key, anon_key in zip(fresh, keys, anon_keys):
            pid = profile_ids[key]
            by_profile[pid].append(ie.event)
            if anon_key is not None and profile_ids[anon_key] != pid:
                by_profile[profile_ids[anon_key]].append(ie.event)
        touched, removed = self._update_aggregates(conn, by_profile, rebuild)
        result.touched_profiles = touched
        result.removed_profiles = removed
        return result

    def _stale_files(self, conn: Connection, files: list[FileProgress]) -> set[str]:
        """Files whose stored progress is not what the batch was read from (checked under the writer lock)."""
        expected = {f.fingerprint: f.expect for f in files if f.expect is not None}
        stored: dict[str, tuple[int, str]] = {}
        for chunk in _chunks(sorted(expected)):
            rows = conn.execute(sa.select(FILES.c.fingerprint, FILES.c.offset, FILES.c.status).where(FILES.c.fingerprint.in_(chunk)))
            stored.update((fp, (offset, status)) for fp, offset, status in rows)
        return {fp for fp, expect in expected.items() if stored.get(fp, (0, "reading")) != tuple(expect)}

    def _upsert_files(self, conn: Connection, files: list[FileProgress]) -> dict[str, int]:
        if not files:
            return {}
        rows = [
            {
                "fingerprint": f.fingerprint, "path": f.path, "size": f.size, "offset": f.offset,
                "line": f.line, "status": f.status, "mtime_ms": f.mtime_ms, "updated_ms": f.mtime_ms,
            }
            for f in files
        ]
        # One statement run for every file (executemany), not one multi-row VALUES statement: that one
        # was compiled anew for each batch's number of files, hundreds in a first load's batch (~8% of
        # the writer's time, py-spy on tests/bench), where this one is compiled once and cached.
        stmt = self._insert(FILES)
        stmt = stmt.on_conflict_do_update(
            index_elements=["fingerprint"],
            set_={c: stmt.excluded[c] for c in ("path", "size", "offset", "line", "status", "mtime_ms", "updated_ms")},
        )
        conn.execute(stmt, rows)
        ids: dict[str, int] = {}
        for chunk in _chunks([f.fingerprint for f in files]):
            ids.update(conn.execute(sa.select(FILES.c.fingerprint, FILES.c.id).where(FILES.c.fingerprint.in_(chunk))).all())
        return ids

    def _insert(self, table: sa.Table) -> Any:
        return (pg_dialect.insert if self._dialect == "postgresql" else sqlite_dialect.insert)(table)

    def _new_events(self, conn: Connection, events: list[IncomingEvent], *, stored: bool = True) -> tuple[list[IncomingEvent], int]:
        """The events not stored yet (first of each message id); and how many were duplicates.
        `stored=False`: only duplicates within the batch (a first load finds the rest at its end)."""
        unique: dict[str, IncomingEvent] = {}
        for ie in events:
            unique.setdefault(ie.event.message_id, ie)
        duplicates = len(events) - len(unique)
        ids = list(unique) if stored else []
        for chunk in _chunks(ids):
            for (mid,) in conn.execute(sa.select(EVENTS.c.message_id).where(EVENTS.c.message_id.in_(chunk))):
                del unique[mid]
                duplicates += 1
        return list(unique.values()), duplicates

    def _links_for(self, conn: Connection, anonymous_ids: set[str]) -> dict[str, list[tuple[int, str | None]]]:
        """(time, user id) links of these anonymous ids in time order; a link a person unlinked is there
        with no user (None): it joins no one, yet the events before it stay anonymous (store/identity_repair.py)."""
        links: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
        for chunk in _chunks(sorted(anonymous_ids)):
            rows = conn.execute(
                sa.select(LINKS.c.anonymous_id, LINKS.c.ts, LINKS.c.user_id)
                .where(LINKS.c.anonymous_id.in_(chunk))
                .order_by(LINKS.c.anonymous_id, LINKS.c.ts, LINKS.c.id)
            )
            for anon, ts, user in rows:
                links[anon].append((ts, user))
            barriers = conn.execute(
                sa.select(UNLINKED.c.anonymous_id, UNLINKED.c.ts).where(UNLINKED.c.anonymous_id.in_(chunk))
            ).all()
            for anon, ts in barriers:
                links[anon].append((ts, None))
            for anon in {anon for anon, _ in barriers}:
                links[anon].sort(key=lambda link: link[0])  # stable: a link and a barrier at one time keep their order
        return links

    def _identified_ids(self, conn: Connection, candidates: set[str | None]) -> set[str]:
        """Which of these ids have been the target of an identify or alias."""
        candidates.discard(None)
        found: set[str] = set()
        for chunk in _chunks(sorted(candidates)):  # type: ignore[arg-type]
            found.update(u for (u,) in conn.execute(sa.select(LINKS.c.user_id).where(LINKS.c.user_id.in_(chunk)).distinct()))
        return found

    def _unguess(self, conn: Connection, anonymous_ids: set[str] | None) -> None:
        """Stored events of a server library whose distinct_id (taken for a user id) a link names as
        the anonymous side: from now on tracked with no user id (domain/identity.settle_guessed_user_id),
        so the re-resolution that follows gives them their anonymous profile and, per the links, their user.
        `None`: every id that is the anonymous side of a link. Found through the guessed user's
        profile (events by profile are indexed; by user id they are not)."""
        guessed = sa.select(PROFILES.c.id).where(PROFILES.c.kind == IDENTIFIED)
        if anonymous_ids is None:
            guessed = guessed.where(PROFILES.c.external_id.in_(sa.select(LINKS.c.anonymous_id)))
            pids = [pid for (pid,) in conn.execute(guessed)]
        else:
            pids = []
            for chunk in _chunks(sorted(anonymous_ids)):
                pids.extend(pid for (pid,) in conn.execute(guessed.where(PROFILES.c.external_id.in_(chunk))))
        for chunk in _chunks(pids):
            conn.execute(
                EVENTS.update()
                .where(EVENTS.c.profile_id.in_(chunk), EVENTS.c.id_ambiguous.is_(True), EVENTS.c.user_id.is_not(None),
                       EVENTS.c.anonymous_id.is_(None))
                .values(anonymous_id=EVENTS.c.user_id, user_id=None)
            )  # fmt: skip

    def _reresolve(
        self, conn: Connection, anonymous_ids: set[str], links: dict[str, list[tuple[int, str]]], identified: set[str]
    ) -> list[_Move]:
        """Stored anonymous-only events of these ids, with the profiles they belong to now."""
        out: list[_Move] = []
        for chunk in _chunks(sorted(anonymous_ids)):
            rows = conn.execute(
                sa.select(
                    EVENTS.c.id, EVENTS.c.profile_id, EVENTS.c.anon_profile_id, EVENTS.c.anonymous_id, EVENTS.c.ts,
                    EVENTS.c.id_ambiguous,
                ).where(EVENTS.c.anonymous_id.in_(chunk), EVENTS.c.user_id.is_(None))
            )
            for eid, pid, anon_pid, anon, ts, ambiguous in rows:
                key = profile_for(
                    user_id=None, anonymous_id=anon, ts=ts, id_ambiguous=bool(ambiguous),
                    links=links.get(anon, ()), identified_ids=identified,
                )
                anon_ext = anonymous_profile_for(
                    user_id=None, anonymous_id=anon, id_ambiguous=bool(ambiguous), identified_ids=identified
                )
                out.append(_Move(eid, pid, anon_pid, key, (ANONYMOUS, anon_ext) if anon_ext is not None else None))
        if not out:
            return out
        # Only the events whose owners change matter; compare against current owners.
        current = self._keys_of(conn, {m.old_pid for m in out} | {m.old_anon_pid for m in out if m.old_anon_pid is not None})
        return [
            m for m in out
            if current.get(m.old_pid) != m.key
            or (current.get(m.old_anon_pid) if m.old_anon_pid is not None else None) != m.anon_key
        ]  # fmt: skip

    def _move_events(self, conn: Connection, moved: list[_Move], profile_ids: dict[ProfileKey, int]) -> set[int]:
        """Give these events their due owners (both columns); the profiles that lost or gained one."""
        updates = []
        touched: set[int] = set()
        for m in moved:
            pid = profile_ids[m.key]
            anon_pid = profile_ids[m.anon_key] if m.anon_key is not None else None
            if pid == m.old_pid and anon_pid == m.old_anon_pid:
                continue
            updates.append({"eid": m.eid, "pid": pid, "apid": anon_pid})
            touched.update(p for p in (m.old_pid, pid, m.old_anon_pid, anon_pid) if p is not None)
        if updates:
            conn.execute(
                EVENTS.update().where(EVENTS.c.id == sa.bindparam("eid"))
                .values(profile_id=sa.bindparam("pid"), anon_profile_id=sa.bindparam("apid")),
                updates,
            )  # fmt: skip
        return touched

    def _keys_of(self, conn: Connection, profile_ids: set[int]) -> dict[int, ProfileKey]:
        keys: dict[int, ProfileKey] = {}
        for chunk in _chunks(sorted(profile_ids)):
            for pid, kind, ext in conn.execute(
                sa.select(PROFILES.c.id, PROFILES.c.kind, PROFILES.c.external_id).where(PROFILES.c.id.in_(chunk))
            ):
                keys[pid] = (kind, ext)
        return keys

    def _profile_ids(self, conn: Connection, keys: set[ProfileKey]) -> dict[ProfileKey, int]:
        """Ids of these profiles, creating the missing ones."""
        ids: dict[ProfileKey, int] = {}
        for kind in (IDENTIFIED, ANONYMOUS):
            wanted = sorted(ext for k, ext in keys if k == kind)
            for chunk in _chunks(wanted):
                for pid, ext in conn.execute(
                    sa.select(PROFILES.c.id, PROFILES.c.external_id).where(PROFILES.c.kind == kind, PROFILES.c.external_id.in_(chunk))
                ):
                    ids[(kind, ext)] = pid
        missing = [key for key in keys if key not in ids]
        if missing:
            conn.execute(PROFILES.insert(), [{"kind": k, "external_id": ext, "traits": {}} for k, ext in missing])
            self._analyze_while_loading(conn, len(missing))
            for kind in (IDENTIFIED, ANONYMOUS):
                wanted = sorted(ext for k, ext in missing if k == kind)
                for chunk in _chunks(wanted):
                    for pid, ext in conn.execute(
                        sa.select(PROFILES.c.id, PROFILES.c.external_id).where(PROFILES.c.kind == kind, PROFILES.c.external_id.in_(chunk))
                    ):
                        ids[(kind, ext)] = pid
        return ids

    def _analyze_while_loading(self, conn: Connection, new_profiles: int) -> None:
        """PostgreSQL, first load: statistics for the tables each batch looks up, whenever they have doubled.

        Made in the load's own transaction, the tables have no statistics autovacuum could gather (it
        cannot see the rows): the planner took them for empty and looked each batch's profiles up by
        a parallel scan of the whole table, quadratic in the load (a 3M-event load ran 20 minutes, and
        had not finished, where 1M took two). ANALYZE in the transaction sees its rows."""
        if self._bulk is None or self._dialect != "postgresql":
            return
        self._bulk_rows += new_profiles
        if self._bulk_rows >= max(1000, 2 * self._analyzed_at):
            conn.exec_driver_sql("ANALYZE profiles, identity_links, files")
            self._analyzed_at = self._bulk_rows

    def _insert_events(
        self, conn: Connection, fresh: list[IncomingEvent], keys: list[ProfileKey], anon_keys: list[ProfileKey | None],
        profile_ids: dict[ProfileKey, int], file_ids: dict[str, int], packed: list[tuple[bytes, int]], *, copy: bool = False,
    ) -> None:
        # The hottest statement of an ingest. SQLAlchemy's per-row parameter processing (dict per
        # row, bind processors, construct_params) was ~12% of an ingest's time (py-spy, tests/bench):
        # the rows go to the driver as tuples, the JSON columns as text from the engine's own
        # serializer, as its JSON type would write them (None -> 'null').
        # The message's own text goes to compressed blocks (store/raw_blocks.py); the row keeps where. A
        # second reading process packs them (ingest/reader_process.py): compressing here was a tenth of this process.
        dumps = self._json_dumps
        if packed and all(ie.raw_ref is not None for ie in fresh):
            refs = raw_blocks.write_packed(conn, packed, [ie.raw_ref for ie in fresh])  # type: ignore[misc]
        else:
            refs = raw_blocks.write(conn, [e.raw_json if e.raw_json is not None else dumps(e.raw) for ie in fresh for e in (ie.event,)])
        rows = [
            (
                e.message_id, profile_ids[key], profile_ids[anon_key] if anon_key is not None else None, e.user_id,
                e.anonymous_id, e.id_ambiguous, e.format, e.type, e.name,
                e.path, e.url, e.title, e.source, e.country, e.city, e.group_id, e.ts, e.received_at, e.time_flag,
                dumps(_event_traits(e)), e.properties_json if e.properties_json is not None else dumps(e.properties),
                block, slot, file_ids.get(ie.file_fingerprint) if ie.file_fingerprint else None, ie.line,
            )
            for ie, key, anon_key, (block, slot) in zip(fresh, keys, anon_keys, refs)
            for e in (ie.event,)
        ]  # fmt: skip
        if self._dialect == "sqlite":
            conn.exec_driver_sql(_SQLITE_INSERT_EVENTS, rows)
        elif copy:  # a first load on PostgreSQL: COPY, as the floor does
            dbapi = conn.connection.dbapi_connection
            assert dbapi is not None
            with dbapi.cursor() as cursor, cursor.copy(_PG_COPY_EVENTS) as out:
                for row in rows:
                    out.write_row(row)
        else:
            conn.exec_driver_sql(_PG_INSERT_EVENTS, rows)

    def _record_anonymous_ids(
        self,
        conn: Connection,
        fresh: list[IncomingEvent],
        keys: list[ProfileKey],
        profile_ids: dict[ProfileKey, int],
        new_links: list[tuple[str, str, int, str]],
        moved: list[_Move],
    ) -> None:
        """An identified profile lists every anonymous id it used or was linked with."""
        pairs: set[tuple[int, str]] = set()
        for ie, key in zip(fresh, keys):
            if key[0] == IDENTIFIED and ie.event.anonymous_id and ie.event.anonymous_id != key[1]:
                pairs.add((profile_ids[key], ie.event.anonymous_id))
        for anon, user, _, _ in new_links:
            pid = profile_ids.get((IDENTIFIED, user))
            if pid is not None and anon != user:
                pairs.add((pid, anon))
        if not pairs:
            return
        stmt = self._insert(ANON_IDS).on_conflict_do_nothing()
        conn.execute(stmt, [{"profile_id": p, "anonymous_id": a} for p, a in sorted(pairs)])

    def _record_catalog(self, conn: Connection, fresh: list[IncomingEvent]) -> None:
        """Event names, page paths and trait keys seen, for suggestions and case-insensitive filters."""
        entries: set[tuple[str, str]] = set()
        for ie in fresh:
            e = ie.event
            if e.name:
                entries.add(("event", e.name))
            if e.type == PAGE and e.path:
                entries.add(("page", e.path))
            for traits in (e.traits_set, e.traits_set_once):
                if traits:
                    entries.update(("trait", key) for key in trait_paths(traits))
        if entries:
            conn.execute(self._insert(CATALOG).on_conflict_do_nothing(), [{"kind": k, "value": v} for k, v in sorted(entries)])

    # -- aggregates -------------------------------------------------------------
    def _update_aggregates(
        self, conn: Connection, new_by_profile: dict[int, list[NormalizedEvent]], rebuild: set[int]
    ) -> tuple[set[int], set[int]]:
        gap = self.settings.session_gap_ms
        rows = self._profile_rows(conn, set(new_by_profile) | rebuild)
        incremental: dict[int, list[NormalizedEvent]] = {}
        for pid, events in new_by_profile.items():
            if pid in rebuild:
                continue
            row = rows[pid]
            # The fast path: everything new comes after what is stored, so the
            # stored state carries on. Late data rebuilds the profile instead.
            if row.event_count and min(e.ts for e in events) < row.last_seen:
                rebuild.add(pid)
            else:
                incremental[pid] = events
        last_sessions = self._last_sessions(conn, [pid for pid in incremental if rows[pid].event_count])

        states: dict[int, tuple[ProfileState, int | None]] = {}
        for pid, events in incremental.items():
            state = _state_from_row(rows[pid], last_sessions.get(pid))
            events.sort(key=lambda e: e.ts)
            fold((_facts(e) for e in events), gap_ms=gap, order_events=self.order_events, state=state)
            # Sessions from the first one this fold extended or started are rewritten.
            states[pid] = (state, state.touched[0].start if state.touched else None)

        removed: set[int] = set()
        if rebuild:
            for pid, state in self._rebuild_states(conn, rebuild).items():
                if state is None:
                    removed.add(pid)
                else:
                    states[pid] = (state, -1)  # -1: replace every session
        self.write_states(conn, states)
        if removed:
            ids = sorted(removed)
            for chunk in _chunks(ids):
                conn.execute(SESSIONS.delete().where(SESSIONS.c.profile_id.in_(chunk)))
                conn.execute(ANON_IDS.delete().where(ANON_IDS.c.profile_id.in_(chunk)))
                conn.execute(PROFILES.delete().where(PROFILES.c.id.in_(chunk)))
        return set(states), removed

    def _profile_rows(self, conn: Connection, profile_ids: set[int]) -> dict[int, Any]:
        rows: dict[int, Any] = {}
        for chunk in _chunks(sorted(profile_ids)):
            for row in conn.execute(sa.select(PROFILES).where(PROFILES.c.id.in_(chunk))):
                rows[row.id] = row
        return rows

    def _last_sessions(self, conn: Connection, profile_ids: list[int]) -> dict[int, Any]:
        out: dict[int, Any] = {}
        latest = (
            sa.select(SESSIONS.c.profile_id, sa.func.max(SESSIONS.c.start).label("start"))
            .group_by(SESSIONS.c.profile_id)
        )
        for chunk in _chunks(sorted(profile_ids)):
            sub = latest.where(SESSIONS.c.profile_id.in_(chunk)).subquery()
            rows = conn.execute(
                sa.select(SESSIONS).join(sub, sa.and_(SESSIONS.c.profile_id == sub.c.profile_id, SESSIONS.c.start == sub.c.start))
            )
            for row in rows:
                out[row.profile_id] = row
        return out

    def _rebuild_states(self, conn: Connection, profile_ids: set[int]) -> dict[int, ProfileState | None]:
        """Fold every event of these profiles again, oldest first. None: no events left."""
        states: dict[int, ProfileState | None] = {pid: None for pid in profile_ids}
        cols = [EVENTS.c.profile_id, EVENTS.c.ts, EVENTS.c.type, EVENTS.c.name, EVENTS.c.path, EVENTS.c.source,
                EVENTS.c.country, EVENTS.c.city, EVENTS.c.traits, EVENTS.c.group_id]
        anon_cols = [EVENTS.c.anon_profile_id.label("profile_id"), *cols[1:]]
        for chunk in _chunks(sorted(profile_ids), 50):
            # A profile's events: those it counts (profile_id) and, for an anonymous one, its history merged into a user.
            own = sa.select(*cols, EVENTS.c.id).where(EVENTS.c.profile_id.in_(chunk))
            merged = sa.select(*anon_cols, EVENTS.c.id).where(
                EVENTS.c.anon_profile_id.in_(chunk), EVENTS.c.anon_profile_id != EVENTS.c.profile_id
            )
            union = sa.union_all(own, merged).subquery()
            rows = conn.execute(
                sa.select(*[c for c in union.c if c.name != "id"]).order_by(union.c.profile_id, union.c.ts, union.c.id)
            )
            for pid, ts, typ, name, path, source, country, city, traits, group_id in rows:
                state = states[pid]
                if state is None:
                    state = states[pid] = ProfileState()
                state.add(EventFacts(ts, typ, name, path, source, country, city, traits, group_id),
                          gap_ms=self.settings.session_gap_ms, order_events=self.order_events)
        return states

    def write_states(self, conn: Connection, states: dict[int, tuple[ProfileState, int | None]]) -> None:
        """Write folded profiles and their sessions: {profile id: (state, sessions to replace from:
        None none, -1 all, else from that start)}; the first load writes every profile through it."""
        if not states:
            return
        profile_updates = []
        session_deletes_from: list[dict[str, int]] = []
        session_deletes_all: list[int] = []
        session_inserts = []
        for pid, (state, replace_from) in states.items():
            profile_updates.append(
                {
                    "pid": pid, "name": state.name, "email": state.email, "country": state.country,
                    "city": state.city, "company": state.company, "first_seen": state.first_seen,
                    "last_seen": state.last_seen, "event_count": state.event_count,
                    "session_count": state.session_count, "total_session_ms": state.total_session_ms,
                    "order_count": state.order_count, "has_contact": state.has_contact,
                    "has_custom_attributes": state.has_custom_attributes, "traits": state.traits,
                }
            )
            if replace_from == -1:
                session_deletes_all.append(pid)
            elif replace_from is not None:
                session_deletes_from.append({"pid": pid, "start": replace_from})
            for span in state.touched:
                session_inserts.append(_session_row(pid, span))
        for chunk in _chunks(sorted(session_deletes_all)):
            conn.execute(SESSIONS.delete().where(SESSIONS.c.profile_id.in_(chunk)))
        if session_deletes_from:
            conn.execute(
                SESSIONS.delete().where(SESSIONS.c.profile_id == sa.bindparam("pid"), SESSIONS.c.start >= sa.bindparam("start")),
                session_deletes_from,
            )
        # As for events: tuples straight to the driver (a first load writes every profile at once; on
        # PostgreSQL SQLAlchemy's per-row dicts and bind processing were half of a first load's fold).
        update_profile, insert_session = (
            (_SQLITE_UPDATE_PROFILE, _SQLITE_INSERT_SESSION) if self._dialect == "sqlite" else (_PG_UPDATE_PROFILE, _PG_INSERT_SESSION)
        )
        dumps = self._json_dumps
        conn.exec_driver_sql(
            update_profile,
            [tuple(dumps(u[k]) if k == "traits" else u[k] for k in _PROFILE_FIELDS) + (u["pid"],) for u in profile_updates],
        )
        if session_inserts:
            conn.exec_driver_sql(insert_session, [tuple(r[k] for k in _SESSION_FIELDS) for r in session_inserts])


class _Move(NamedTuple):
    """A stored event and the owners it has (profile, anonymous profile) and is due."""

    eid: int
    old_pid: int
    old_anon_pid: int | None
    key: ProfileKey
    anon_key: ProfileKey | None


def trait_paths(traits: dict[str, Any], prefix: str = "", depth: int = 3) -> Iterable[str]:
    """Dotted paths of traits, nested objects included (`company.name`), a few levels deep."""
    for key, value in traits.items():
        if not isinstance(key, str):
            continue
        path = f"{prefix}{key}"
        yield path
        if isinstance(value, dict) and depth > 1:
            yield from trait_paths(value, path + ".", depth - 1)


def _event_traits(e: NormalizedEvent) -> dict[str, Any] | None:
    traits: dict[str, Any] = {}
    if e.traits_set:
        traits["set"] = e.traits_set
    if e.traits_set_once:
        traits["set_once"] = e.traits_set_once
    if e.group_traits:
        traits["group"] = e.group_traits
    return traits or None


def _facts(e: NormalizedEvent) -> EventFacts:
    return EventFacts(e.ts, e.type, e.name, e.path, e.source, e.country, e.city, _event_traits(e), e.group_id)


def _session_row(pid: int, span: SessionSpan) -> dict[str, Any]:
    return {"profile_id": pid, "start": span.start, "end": span.end, "event_count": span.event_count,
            "source": span.source, "entry_path": span.entry_path}


def _state_from_row(row: Any, last_session: Any | None) -> ProfileState:
    state = ProfileState(
        first_seen=row.first_seen if row.event_count else None,
        last_seen=row.last_seen if row.event_count else None,
        event_count=row.event_count,
        session_count=row.session_count,
        total_session_ms=row.total_session_ms,
        order_count=row.order_count,
        traits=dict(row.traits or {}),
        country=row.country,
        city=row.city,
        group_name=row.company,
    )
    if last_session is not None:
        state.current = SessionSpan(
            start=last_session.start, end=last_session.end, event_count=last_session.event_count,
            source=last_session.source, entry_path=last_session.entry_path,
        )
    return state
