"""Follow the inbox folder: a start-up scan, then watchfiles changes and periodic rescans; each committed batch announced.

watchfiles events are a signal to look, not the truth: it coalesces, reports
nothing from before it started, and can drop events in a burst (its own docs say so).
So a change is only ever a reason to stat a file, and a periodic rescan stats
them all. A file whose stat has not changed since it was read is not opened.

A backlog must not starve live files. Files to look at wait in a queue; appends
to files already read to their end (live files) jump it, the rest is read in
name order. watchfiles runs in a thread of its own, so a change is noticed while
a backlog is being read: reading the backlog pauses (between files, or between
chunks of a file), the live append is read and committed, and the backlog goes
on from where it stopped (the ingestor keeps each file's offset).
"""

from __future__ import annotations

import os
import queue
import signal
import stat as stat_mode
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa
import watchfiles
from sqlalchemy.engine import Engine

from ..config import Settings
from ..store.batch import BatchResult
from ..store.writer import StoreWriter
from .files import FileIngestor, IngestSummary, Outcome, is_event_file, is_gzip, iter_event_files

StatKey = tuple[int, int, int, int]  # inode, size, mtime ns, ctime ns
# A live append waits for the backlog batch being committed, then commits with what
# was read of the backlog since: while live files change, backlog batches are kept
# this small. It costs backlog speed (1,000-event batches took ~1.4x as long per
# event as 5,000 on a 1M-event SQLite store), so only while live files change.
LIVE_BATCH_SIZE = 1000
LIVE_SECONDS = 10.0  # a live file that changed this recently is still live
WINDOW = 256  # backlog files looked at (stat, stored progress) together


def stat_key(st: os.stat_result) -> StatKey:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class _Either:
    """Set when either event is: watchfiles stops on the caller's stop or when the watcher leaves."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(e.is_set() for e in self.events)


class InboxWatcher:
    """Keeps the store in step with a folder of event files, until stopped.

    `on_batch` is called from the watcher's thread after each commit, with the
    profiles the batch touched. Not thread-safe: use one watcher from one thread
    (it starts a thread of its own for watchfiles, which only hands changes over).
    """

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        folder: Path,
        *,
        on_batch: Callable[[BatchResult], None] | None = None,
        rescan_seconds: float = 5.0,
        step_ms: int = 10,
        debounce_ms: int = 100,
        gz_grace_seconds: float = 30.0,
    ) -> None:
        self.folder = Path(os.path.abspath(folder))  # watchfiles reports absolute paths
        self.rescan_seconds = rescan_seconds
        self.step_ms = step_ms
        # A steady trickle of appends never leaves `step` ms quiet: this caps how long
        # watchfiles groups changes before it yields them.
        self.debounce_ms = debounce_ms
        #: A gzip file that does not end cleanly and has not changed for this long is quarantined.
        self.gz_grace_seconds = gz_grace_seconds
        self.on_batch = on_batch
        self.batch_size = settings.batch_size
        self._stop = threading.Event()
        self.ingestor = FileIngestor(
            StoreWriter(engine, settings), settings.batch_size, on_batch=self._committed, should_stop=self._should_pause
        )
        self._seen: dict[Path, StatKey] = {}  # read as far as it goes at this stat
        self._waiting: dict[Path, tuple[StatKey, float]] = {}  # gzip not ending cleanly: stat, since when
        self._due: set[Path] = set()  # to look at: changed, or not read to their end yet
        self._order: list[Path] = []  # due files not read before, in name order (some may be done since)
        self._order_stale = False  # a file not in `_order` became due
        self._prefetched: dict[Path, StatKey] = {}  # the stat at which the store's progress was looked up
        self._changes: queue.SimpleQueue | None = None  # from the watchfiles thread, while running
        self._live_at = float("-inf")  # when a live file last changed
        self._notified = False  # watchfiles has handed something over: it is running
        self._unwatched = False  # watchfiles has stopped
        self._failure: BaseException | None = None  # why, if it failed
        self._commits = 0
        # While the backlog is read: a live append is waiting, and the read was paused for it.
        self._may_pause = self._live_waiting = self._paused = False
        self._pause_after = 0  # a gzip read pauses only once a batch of it is committed (resuming re-inflates it)

    # -- public ------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        """Scan, then follow changes until `stop` is set; what has been read is committed before returning."""
        self._stop = stop
        leaving = threading.Event()
        tick = max(0.05, min(self.rescan_seconds, self.gz_grace_seconds / 2, 1.0))
        self._changes = queue.SimpleQueue()
        notifier = threading.Thread(target=self._notify, args=(self._changes, _Either(stop, leaving), tick),
                                    name="inbox-notify", daemon=True)  # fmt: skip
        notifier.start()
        try:
            self._rescan()
            next_rescan = time.monotonic() + self.rescan_seconds
            while not stop.is_set() and not self._unwatched:
                self._work()
                was_running = self._notified
                self._take_changes(0.0 if self._due else tick)
                if self._failure is not None:
                    raise self._failure
                if self._notified and not was_running:
                    self._rescan()  # what arrived between the start-up scan and watchfiles starting
                self._check_waiting()
                if time.monotonic() >= next_rescan:
                    self._rescan()
                    next_rescan = time.monotonic() + self.rescan_seconds
        finally:
            leaving.set()
            self._changes = None
            self.ingestor.flush()
            notifier.join(5.0)

    def scan_once(self) -> IngestSummary:
        """One pass over the whole folder: read what is new, forget what is gone."""
        before = replace(self.ingestor.totals)
        listed = self._rescan()
        while self._due and not self._stop.is_set():
            self._work(may_pause=False)
        summary = self.ingestor.totals.since(before)
        summary.files = len(listed)
        return summary

    # -- changes -----------------------------------------------------------------
    def _notify(self, out: queue.SimpleQueue, stop: _Either, tick: float) -> None:
        """The watchfiles thread: hands each set of changes over (an empty one on time-out: it is running)."""
        try:
            for changes in watchfiles.watch(
                self.folder, watch_filter=None, debounce=self.debounce_ms, step=self.step_ms, stop_event=stop,
                rust_timeout=int(tick * 1000), yield_on_timeout=True, raise_interrupt=False,
            ):
                out.put(changes)
        except BaseException as exc:  # raised in the watcher's thread
            out.put(exc)
        out.put(None)  # wakes the watcher when stopped

    def _take_changes(self, timeout: float) -> None:
        """Everything watchfiles handed over, waiting up to `timeout` for the first of it."""
        if self._changes is None:
            return
        paths: set[Path] = set()
        try:
            item = self._changes.get(timeout=timeout) if timeout > 0 else self._changes.get_nowait()
            while True:
                if isinstance(item, BaseException):
                    # Raised by `run`, not here: this may be in the middle of reading a file.
                    self._failure = item
                if item is None or self._failure is not None:
                    self._unwatched = True
                else:
                    self._notified = True
                    paths.update(Path(p) for _, p in item)
                item = self._changes.get_nowait()
        except queue.Empty:
            pass
        if paths:
            self._on_changes(paths)

    def _on_changes(self, paths: Iterable[Path]) -> None:
        candidates: set[Path] = set()
        for path in paths:
            try:
                rel = path.relative_to(self.folder)
            except ValueError:
                continue
            if any(part.startswith(".") for part in rel.parts[:-1]):
                continue
            if path.is_dir():  # a folder moved in arrives as one event
                candidates.update(iter_event_files([path]))
            elif not path.exists():
                self._forget(path)
            elif is_event_file(path):
                candidates.add(path)
        if any(p in self._seen for p in candidates):
            self._live_waiting = True
            self._live_at = time.monotonic()
        self._make_due(candidates)

    def _rescan(self) -> set[Path]:
        """Every event file in the folder is looked at again; what is gone is forgotten."""
        listed = set(iter_event_files([self.folder])) if self.folder.is_dir() else set()
        for known in (self._seen, self._waiting, self._prefetched):
            for path in [p for p in known if p not in listed]:
                del known[path]
        self._due &= listed
        self._make_due(listed)
        return listed

    def _check_waiting(self) -> None:
        now = time.monotonic()
        self._make_due([p for p, (_, since) in self._waiting.items() if now - since >= self.gz_grace_seconds])

    # -- reading -----------------------------------------------------------------
    def _work(self, *, may_pause: bool = True) -> None:
        """Read what is due: live appends first, then the rest in name order until a live append waits.

        Name order, as `ingest` reads: exporters name files by time, and a profile's
        aggregates extend cheaply with newer events but are rebuilt for older ones.
        """
        now = time.monotonic()
        self._live_waiting = False
        live = self._changed(sorted(p for p in self._due if p in self._seen), now)
        for path, key in live:
            if self._stop.is_set():
                return
            self._read(path, key, now)
        if live:
            self._flush()  # the live lines go now, with whatever of the backlog was read before them
        self._may_pause = may_pause and self._changes is not None
        self._paused = False
        live_lately = self._may_pause and time.monotonic() - self._live_at < LIVE_SECONDS
        self.ingestor.batch_size = min(self.batch_size, LIVE_BATCH_SIZE) if live_lately else self.batch_size
        try:
            if self._order_stale:
                self._order = sorted(p for p in self._due if p not in self._seen)
                self._order_stale = False
            for start in range(0, len(self._order), WINDOW):
                window = [p for p in self._order[start : start + WINDOW] if p in self._due and p not in self._seen]
                for path, key in self._changed(window, now):
                    if self._stop.is_set():
                        return
                    self._pause_after = self._commits
                    if self._should_pause() or not self._read(path, key, now):
                        return
        finally:
            self._may_pause = False
        if not self._due:
            self._order = []
            self._flush()

    def _changed(self, paths: list[Path], now: float) -> list[tuple[Path, StatKey]]:
        """These due files, with their stat, if there is something to read in them; the store's progress looked up."""
        todo: list[tuple[Path, StatKey]] = []
        for path in paths:
            try:
                st = os.stat(path)
            except OSError:
                self._forget(path)
                continue
            key = stat_key(st)
            waiting = self._waiting.get(path)
            if (
                not stat_mode.S_ISREG(st.st_mode) or self._seen.get(path) == key
                or (waiting and waiting[0] == key and now - waiting[1] < self.gz_grace_seconds)
            ):  # fmt: skip
                self._due.discard(path)
            else:
                todo.append((path, key))
        fetch = [p for p, key in todo if self._prefetched.get(p) != key]
        if fetch:
            self.ingestor.prefetch(fetch)
            self._prefetched.update(todo)
        return todo

    def _make_due(self, paths: Iterable[Path]) -> None:
        for path in paths:
            if path not in self._due:
                self._due.add(path)
                self._order_stale = self._order_stale or path not in self._seen

    def _read(self, path: Path, key: StatKey, now: float) -> bool:
        """Read what is new in one file; False when reading paused before its end (it stays due)."""
        self._due.discard(path)  # a change noticed while it is read makes it due again
        waiting = self._waiting.get(path)
        give_up = bool(waiting and waiting[0] == key and now - waiting[1] >= self.gz_grace_seconds)
        note = f" (unchanged for {self.gz_grace_seconds:g} s)" if give_up else ""
        self._paused = False
        self._pause_after = self._commits + 1 if is_gzip(path) else self._commits
        outcome = self.ingestor.read_file(path, final=False, give_up=give_up, note=note)
        self._requeue_stale()
        if outcome is Outcome.WAITING:
            if not waiting or waiting[0] != key:
                self._waiting[path] = (key, now)
            return True
        self._waiting.pop(path, None)
        if outcome is Outcome.GONE:
            self._forget(path)
        elif self._paused:
            self._due.add(path)  # still in `_order`: no new sort
            return False
        elif outcome is not Outcome.AGAIN:
            self._seen[path] = key
        return True

    def _should_pause(self) -> bool:
        """Asked by the ingestor between chunks (and by `_work` between files): stop reading this backlog file now?"""
        if self._stop.is_set() or self._unwatched:
            self._paused = True
        elif self._may_pause:
            self._take_changes(0.0)
            if self._live_waiting and self._commits >= self._pause_after:
                self._paused = True
        return self._paused

    def _flush(self) -> None:
        self.ingestor.flush()
        self._requeue_stale()

    def _requeue_stale(self) -> None:
        """A stale batch (another reader got there first): its files are read again from what the store says."""
        again, self.ingestor.read_again = self.ingestor.read_again, set()
        for path in again:
            self._seen.pop(path, None)
            self._make_due([path])

    def _committed(self, result: BatchResult) -> None:
        self._commits += 1
        if self.on_batch is not None:
            self.on_batch(result)

    def _forget(self, path: Path) -> None:
        """A deleted file (or folder): its stat is forgotten; what the store knows of its content stays."""
        self._due.discard(path)
        self._prefetched.pop(path, None)
        if self._seen.pop(path, None) is None and self._waiting.pop(path, None) is None:
            inside = str(path) + os.sep
            for known in (self._seen, self._waiting, self._prefetched):
                for p in [p for p in known if str(p).startswith(inside)]:
                    del known[p]
            self._due = {p for p in self._due if not str(p).startswith(inside)}


# While the store cannot be reached, `watch` tries again after these waits (then the last, for ever).
RETRY_S = (1.0, 2.0, 5.0, 10.0)


def run_watch(engine: Engine, settings: Settings, folder: Path) -> int:
    """`tui-profiles watch DIR`: a line per committed batch until Ctrl-C, which commits what was read.

    A store that goes away (a PostgreSQL restart, a long lock) is waited for: the watcher starts over
    from what the store says was read, so a batch that did not commit is read again and one that did
    is not (offsets and message ids are committed with the events).
    """
    stop = threading.Event()
    failure: list[BaseException] = []
    totals = IngestSummary()

    def announce(result: BatchResult) -> None:
        # The time and the files read, then the counts, each after two spaces (scripts split on them).
        totals.add(result)
        print(
            f"{time.strftime('%H:%M:%S')} {_files(result.files, folder)}  new events {result.events}  duplicates {result.duplicates}  "
            f"rejected {result.rejected}  profiles {len(result.touched_profiles)}",
            flush=True,
        )

    copies = [0]

    def copy_skipped(path: Path, original: str) -> None:
        copies[0] += 1
        print(f"{time.strftime('%H:%M:%S')}  copy skipped: {path} (the same bytes as {original}, already read)", flush=True)

    def body() -> None:
        attempt = 0
        while not stop.is_set():
            try:
                if attempt:
                    with engine.connect():
                        pass
                    print(f"{time.strftime('%H:%M:%S')}  the store is back: going on from what it holds", file=sys.stderr, flush=True)
                    attempt = 0
                # A new watcher each time: the files' progress is read again from the store.
                watcher = InboxWatcher(engine, settings, folder, on_batch=announce)
                watcher.ingestor.on_copy = copy_skipped
                watcher.run(stop)
                return
            except sa.exc.DBAPIError as exc:  # the store went away: wait for it, then start over
                wait = RETRY_S[min(attempt, len(RETRY_S) - 1)]
                print(f"{time.strftime('%H:%M:%S')}  the store is unavailable ({_first_line(exc)}); retrying in {wait:g} s",
                      file=sys.stderr, flush=True)  # fmt: skip
                engine.dispose()  # its pooled connections are dead
                stop.wait(wait)
                attempt += 1
            except BaseException as exc:  # reported by the main thread
                failure.append(exc)
                stop.set()
                return

    def on_signal(signum: int, _frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second Ctrl-C: leave now (the last transaction rolls back)
        print("stopping: committing what has been read", file=sys.stderr, flush=True)
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)
    thread = threading.Thread(target=body, name="inbox-watcher", daemon=True)
    print(f"watching {folder} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        thread.start()
        while thread.is_alive():
            thread.join(0.2)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if failure:
        print(f"tui-profiles: the watcher stopped: {failure[0]}", file=sys.stderr)
        return 1
    print(f"stopped: new events {totals.events}  duplicates {totals.duplicates}  rejected {totals.rejected}  copies {copies[0]}",
          file=sys.stderr)  # fmt: skip
    return 0


def _files(paths: tuple[str, ...], folder: Path, most: int = 3) -> str:
    """`a.jsonl, live/b.jsonl (+4 more)`: the batch's files under the folder, on one line, single-spaced."""
    shown = []
    for path in paths[:most]:
        try:
            name = str(Path(path).relative_to(os.path.abspath(folder)))
        except ValueError:
            name = path
        shown.append(" ".join(name.encode("unicode_escape").decode("ascii").split()))
    more = f" (+{len(paths) - most} more)" if len(paths) > most else ""
    return (", ".join(shown) or "(no file)") + more


def _first_line(exc: sa.exc.DBAPIError) -> str:
    said = str(exc.orig if exc.orig is not None else exc).strip()
    return said.splitlines()[0] if said else type(exc).__name__
