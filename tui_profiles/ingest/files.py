"""Read event files (gzipped or plain NDJSON) into the store in batches, from where reading stopped.

Each batch commits its events, its rejected lines and how far each file has
been read in one transaction (StoreWriter.apply). A batch also says which
progress it was read from; if the store says otherwise, another reader got
there first and nothing is written: the files are read again from what the
store says. So a line is read into the store once, whoever reads it and
whenever the reader dies.
"""

from __future__ import annotations

import enum
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa

from ..domain.clock import wall_ms
from ..domain.formats import Rejection, blocked_id_set, parse_line
from ..store.batch import Batch, BatchResult, FileProgress, IncomingEvent, Rejected
from ..store.writer import StoreWriter
from . import reader_process
from .tail import READ_CHUNK, GzipBroken, LineSplitter, content_identity, gzip_head, gzip_problem, iter_gzip, raw_identity

EVENT_SUFFIXES = (".jsonl", ".ndjson", ".json", ".gz")
TEMP_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload", ".swp")
READING, DONE, BROKEN = "reading", "done", "broken"
# A failed write is tried again this many times, waiting longer each time. Safe:
# a retried batch that did commit is refused as stale, so nothing doubles.
WRITE_ATTEMPTS = 6


def is_event_file(path: Path) -> bool:
    """Event files by name; temporary names writers use while copying are not (yet)."""
    name = path.name
    if name.startswith(".") or name.endswith(TEMP_SUFFIXES) or name.endswith("~"):
        return False
    return name.endswith(EVENT_SUFFIXES)


def iter_event_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files given, and event files found below folders given, in a stable order."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if is_event_file(candidate):
                        yield candidate
        else:
            yield path


def is_gzip(path: Path) -> bool:
    return path.name.endswith(".gz")


@dataclass(slots=True)
class IngestSummary:
    files: int = 0
    events: int = 0
    duplicates: int = 0
    rejected: int = 0
    suppressed: int = 0  # events and quarantined lines dropped: they carry an erased id
    # Files not read because they are byte copies of a file already read under another name (a batch
    # redelivered under a new name): counted, so files, events, duplicates, copies and rejected lines
    # account for everything given.
    copies: int = 0

    def add(self, result: BatchResult) -> None:
        self.events += result.events
        self.duplicates += result.duplicates
        self.rejected += result.rejected
        self.suppressed += result.suppressed

    def since(self, before: "IngestSummary") -> "IngestSummary":
        return IngestSummary(
            self.files - before.files, self.events - before.events,
            self.duplicates - before.duplicates, self.rejected - before.rejected,
            self.suppressed - before.suppressed, self.copies - before.copies,
        )

    def as_dict(self) -> dict[str, int]:
        """The counts scripts rely on (`ingest --json` adds `suppressed`)."""
        return {"files": self.files, "events": self.events, "duplicates": self.duplicates, "copies": self.copies,
                "rejected": self.rejected}  # fmt: skip


class Outcome(enum.Enum):
    READ = "read"  # everything that can be read now is in the pending batch (or was already stored)
    NOT_YET = "not yet"  # no complete first line yet: nothing to read
    WAITING = "waiting"  # a gzip stream that does not end cleanly (yet)
    GONE = "gone"  # deleted before it could be read
    AGAIN = "again"  # its batch was stale: read it again


@dataclass(slots=True)
class _Cursor:
    """A file being read into the pending batch."""

    fp: str
    path: str
    size: int
    mtime_ms: int
    expect: tuple[int, str]  # the stored progress reading started from
    offset: int
    line: int
    status: str

    def progress(self) -> FileProgress:
        return FileProgress(self.fp, self.path, self.size, self.offset, self.line, self.status, self.mtime_ms, self.expect)


@dataclass(slots=True)
class _Pending:
    events: list[IncomingEvent] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    cursors: dict[str, _Cursor] = field(default_factory=dict)


class _Stale(Exception):
    """The batch a file was being read into was refused: stop reading it."""


class FileIngestor:
    """Reads files through the writer, one transaction per batch, offsets included."""

    def __init__(
        self, writer: StoreWriter, batch_size: int = 5000, *,
        on_batch: Callable[[BatchResult], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        first_load: bool = False,
        read_in_parallel: bool = False,
        on_copy: Callable[[Path, str], None] | None = None,
    ) -> None:
        self.writer = writer
        # Told (path, path of the file it copies) when a file is skipped as a byte copy.
        self.on_copy = on_copy
        self._copies: set[str] = set()  # paths counted as copies: a file looked at again is counted once
        # `ingest_paths` into a store with no events loads them in one transaction (store/bulk.py).
        self.first_load = first_load
        # `ingest_paths` reads and parses in a second process (ingest/reader_process.py). Only
        # for a process without threads: the `ingest` command.
        self.read_in_parallel = read_in_parallel
        self.batch_size = batch_size
        # Setting `blocked_ids`: junk to the parser, like the built-in junk ids. The second process of a
        # first load is a fork of this one, so it reads with the same set.
        self.blocked_ids = blocked_id_set(writer.settings.blocked_ids)
        self.on_batch = on_batch
        self.should_stop = should_stop
        self.totals = IngestSummary()  # everything committed by this ingestor
        self.read_again: set[Path] = set()  # files whose batch was stale
        self._known: dict[str, FileProgress] = {}  # fingerprint -> progress as last committed (or found)
        self._nothing_known = False  # a first load into a store with no file rows: _known is all there is
        self._pending = _Pending()

    # -- the `ingest` command ----------------------------------------------------
    def ingest_paths(self, paths: Iterable[Path]) -> IngestSummary:
        """Read these files, or the event files below these folders, to their end, as complete files."""
        before = replace(self.totals)
        files = list(iter_event_files(paths))
        self.totals.files += len(files)
        bulk = self.first_load and self.writer.begin_bulk()
        try:
            if bulk and not self.writer.knows_files():
                # A first load into a store that has read no file: there is nothing to look up, and
                # finding each file's identity (the head of every gzip stream) only delayed the reading,
                # which finds it again. What this load reads it learns as it goes; no other writer runs.
                self._nothing_known = True
            else:
                self.prefetch(files)
            todo: Iterable[Path] = files
            if self.read_in_parallel and len(files) > 1 and reader_process.usable(self):
                try:
                    reader_process.read_in_second_process(self, files)
                    todo = []
                except reader_process.Stale:
                    # Another writer read some of these files meanwhile: go on here, from what the store says now.
                    self._known.clear()
                    self._nothing_known = False
                    self.prefetch(files)
            while todo:
                for path in todo:
                    self.read_file(path, final=True, give_up=True)
                    if self.should_stop():
                        break
                self.flush()
                todo, self.read_again = sorted(self.read_again), set()
            if bulk:
                result = self.writer.end_bulk()
                self.totals.add(result)
                if self.on_batch is not None:
                    self.on_batch(result)
        except BaseException:
            if bulk:
                self.writer.abort_bulk()
                self._known.clear()  # what this load read is gone with it
            raise
        finally:
            self._nothing_known = False
        return self.totals.since(before)

    # -- reading -----------------------------------------------------------------
    def identity(self, path: Path, *, complete: bool = False) -> str | None:
        """The content identity of a file, or None while it has no complete first line."""
        if is_gzip(path):
            return content_identity(gzip_head(path), complete=complete)
        with open(path, "rb") as fh:
            return content_identity(fh.read(4096), complete=complete)

    def prefetch(self, paths: Iterable[Path]) -> None:
        """Learn what the store knows about these files in a few queries rather than one per file."""
        fps = set()
        for path in paths:
            try:
                fp = self.identity(path)
            except OSError:
                continue
            if fp is not None and fp not in self._known:
                fps.add(fp)
        self._learn(fps)

    def read_file(self, path: Path, *, final: bool, give_up: bool = False, note: str = "") -> Outcome:
        """Read what is new in one file into the pending batch (committing full batches as it goes).

        `final`: a plain file is complete, so its last line counts without its newline.
        `give_up`: a gzip stream that does not end cleanly is read as far as it goes
        and the rest quarantined (with `note` added to the reason); else it is waited for.
        """
        try:
            if is_gzip(path):
                return self._read_gzip(path, give_up=give_up, note=note)
            return self._read_plain(path, final=final)
        except FileNotFoundError:
            return Outcome.GONE
        except _Stale:
            return Outcome.AGAIN

    def _read_plain(self, path: Path, *, final: bool) -> Outcome:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            fp = content_identity(fh.read(4096), complete=final)
            if fp is None:
                return Outcome.NOT_YET
            if self._is_copy(fp, path, st.st_size, plain=True):
                return Outcome.READ
            cur = self._cursor(fp, path, st.st_mtime_ns)
            start = cur.offset
            if st.st_size <= start:
                # Nothing new; or an older or still-arriving copy of what was read: a prefix of it.
                return Outcome.READ
            if start:
                fh.seek(start - 1)
                if fh.read(1) != b"\n":
                    # Not the content the stored offset was counted in: read all of it
                    # (message ids keep what is stored already from being stored again).
                    start = cur.offset = cur.line = 0
            fh.seek(start)
            splitter = LineSplitter(start)
            received = wall_ms()
            # Up to the size seen on opening: a file that grows faster than it is read
            # does not keep the others waiting (its growth is a change of its own).
            left = st.st_size - start
            while left > 0 and (chunk := fh.read(min(READ_CHUNK, left))):
                left -= len(chunk)
                for raw, end in splitter.feed(chunk):
                    cur = self._add(cur, raw, end, received)
                if self.should_stop():
                    break
            else:
                if final and (last := splitter.flush()):
                    cur = self._add(cur, *last, received)
            cur.size = st.st_size
        return Outcome.READ

    def _read_gzip(self, path: Path, *, give_up: bool, note: str) -> Outcome:
        # One open file for every pass: a file renamed over this one meanwhile cannot mix in.
        with open(path, "rb") as fh:
            return self._read_gzip_file(fh, path, give_up=give_up, note=note)

    def _read_gzip_file(self, fh: BinaryIO, path: Path, *, give_up: bool, note: str) -> Outcome:
        st = os.fstat(fh.fileno())
        fp = content_identity(gzip_head(fh), complete=True)
        problem = None
        if fp is None:  # nothing readable, or no content at all
            problem = gzip_problem(fh)
            if problem and not give_up:
                return Outcome.WAITING
            fp = raw_identity(fh)
        if self._is_copy(fp, path, st.st_size, plain=False):
            return Outcome.READ
        cur = self._cursor(fp, path, st.st_mtime_ns)
        if cur.status in (DONE, BROKEN) and cur.size == st.st_size:
            return Outcome.READ
        if problem is None:
            problem = gzip_problem(fh)
        if problem and not give_up:
            return Outcome.WAITING
        if cur.offset and cur.status in (DONE, BROKEN) and cur.size != st.st_size:
            # A finished batch file of another size that starts with the same line: a
            # redelivered batch, not the file the stored offset was counted in. Its bytes
            # after that offset are not the ones read, so read it all (message ids keep what
            # is stored). A plain file still being read and compressed since carries on.
            cur.offset = cur.line = 0
        cur.size = st.st_size
        skip = cur.offset
        splitter = LineSplitter(skip)
        received = wall_ms()
        stopped = False
        try:
            for chunk in iter_gzip(fh):
                if skip:
                    if len(chunk) <= skip:
                        skip -= len(chunk)
                        continue
                    chunk, skip = chunk[skip:], 0
                for raw, end in splitter.feed(chunk):
                    cur = self._add(cur, raw, end, received)
                if self.should_stop():
                    stopped = True
                    break
        except GzipBroken as exc:
            if not problem:  # it was whole a moment ago: it changed under us; look again later
                return Outcome.WAITING
            reason = f"gzip stream broken after line {cur.line}: {exc}{note}"
            self._pending.rejected.append(Rejected(str(path), cur.line + 1, reason, splitter.pending, received))
            cur.status = BROKEN
            cur.size = st.st_size
            return Outcome.READ
        if not stopped:
            if last := splitter.flush():
                cur = self._add(cur, *last, received)
            cur.status = DONE
            cur.size = st.st_size
        return Outcome.READ

    def _add(self, cur: _Cursor, raw: bytes, end: int, received: int) -> _Cursor:
        """One line into the pending batch; a full batch is committed (and the cursor renewed)."""
        cur.line += 1
        cur.offset = end
        parsed = parse_line(raw, received, self.blocked_ids)
        if isinstance(parsed, Rejection):
            self._pending.rejected.append(Rejected(cur.path, cur.line, parsed.reason, bytes(raw), received))
        elif parsed is not None:
            self._pending.events.append(IncomingEvent(parsed, cur.fp, cur.line))
        if len(self._pending.events) + len(self._pending.rejected) < self.batch_size:
            return cur
        result = self.flush()
        if result is None or result.stale_files:
            raise _Stale
        return self._cursor(cur.fp, Path(cur.path), cur.mtime_ms * 1_000_000)

    def _is_copy(self, fp: str, path: Path, size: int, *, plain: bool) -> bool:
        """A byte copy of a file already read whole under another name, which still exists: there is nothing
        to read in it (reading would find no new line), so it is counted, once, and not read. Its cursor is
        left alone, so the store keeps naming the file first read."""
        seen: _Cursor | FileProgress | None = self._pending.cursors.get(fp) or self._known.get(fp)
        if seen is None or not seen.path or seen.path == str(path) or seen.size != size:
            return False
        # Read whole: a plain file to its size (a still-growing original is not yet a copy's measure);
        # a gzip stream to its end.
        if seen.offset < size if plain else seen.status not in (DONE, BROKEN):
            return False
        if not os.path.exists(seen.path):
            return False  # the same file, renamed (or its original since removed): nothing was delivered twice
        if str(path) not in self._copies:
            self._copies.add(str(path))
            self.totals.copies += 1
            if self.on_copy is not None:
                self.on_copy(path, seen.path)
        return True

    def _cursor(self, fp: str, path: Path, mtime_ns: int) -> _Cursor:
        """The file's cursor in the pending batch; a new one starts from what the store said last."""
        cur = self._pending.cursors.get(fp)
        if cur is None:
            if fp not in self._known:
                self._learn({fp})
            known = self._known[fp]
            cur = _Cursor(fp, str(path), known.size, mtime_ns // 1_000_000, (known.offset, known.status),
                          known.offset, known.line, known.status)
            self._pending.cursors[fp] = cur
        else:
            cur.path = str(path)
        cur.mtime_ms = mtime_ns // 1_000_000
        return cur

    def _learn(self, fps: set[str]) -> None:
        found = self.writer.file_progress(fps) if fps and not self._nothing_known else {}
        for fp in fps:
            self._known[fp] = found.get(fp) or FileProgress(fp, "", 0, 0, 0, READING)

    # -- committing --------------------------------------------------------------
    def flush(self) -> BatchResult | None:
        """Commit the pending batch. None when there was nothing to commit."""
        pending, self._pending = self._pending, _Pending()
        # A file whose reading moved nothing needs no row (a finished gzip file that grew does).
        cursors = [
            c for c in pending.cursors.values()
            if (c.offset, c.status) != c.expect or (c.status != READING and c.size != self._known[c.fp].size)
        ]
        if not cursors and not pending.events and not pending.rejected:
            return None
        batch = Batch(pending.events, pending.rejected, [c.progress() for c in cursors])
        result = self._apply(batch)
        if result.stale_files:
            # Another reader moved on: learn where, and read these files again from there.
            self._learn(result.stale_files)
            self.read_again.update(Path(c.path) for c in pending.cursors.values())
            return result
        for c in cursors:
            self._known[c.fp] = c.progress()
        self.totals.add(result)
        result.files = tuple(sorted({c.path for c in pending.cursors.values()}))
        if self.on_batch is not None:
            self.on_batch(result)
        return result

    def commit_read(self, batch: Batch) -> BatchResult:
        """Commit a batch read elsewhere (the second process) as `flush` commits its own; a result with
        `stale_files` means another writer moved one of its files on, and nothing was counted."""
        result = self._apply(batch)
        if result.stale_files:
            return result
        for progress in batch.files:
            self._known[progress.fingerprint] = progress
        self.totals.add(result)
        if self.on_batch is not None:
            self.on_batch(result)
        return result

    def _apply(self, batch: Batch) -> BatchResult:
        if self.writer.in_bulk:  # one transaction for the whole load: a failure ends it
            return self.writer.apply(batch)
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return self.writer.apply(batch)
            except (sa.exc.OperationalError, sa.exc.IntegrityError):
                # The store is busy or gone for a moment (a long lock, a PostgreSQL restart), or
                # a writer that does not take the lock stored one of these message ids first.
                if attempt == WRITE_ATTEMPTS - 1:
                    raise
                time.sleep(min(0.25 * 2**attempt, 5.0))
        raise AssertionError("unreachable")
