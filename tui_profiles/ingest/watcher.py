"""Follow the inbox folder: a start-up scan, then watchfiles changes and periodic rescans; each committed batch announced.

watchfiles events are a signal to look, not the truth: it coalesces, reports
nothing from before it started, and can drop events in a burst (FIELD-NOTES).
So a change is only ever a reason to stat a file, and a periodic rescan stats
them all. A file whose stat has not changed since it was read is not opened.
"""

from __future__ import annotations

import os
import signal
import stat as stat_mode
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import watchfiles
from sqlalchemy.engine import Engine

from ..config import Settings
from ..store.writer import BatchResult, StoreWriter
from .files import FileIngestor, IngestSummary, Outcome, is_event_file, iter_event_files

StatKey = tuple[int, int, int, int]  # inode, size, mtime ns, ctime ns


class InboxWatcher:
    """Keeps the store in step with a folder of event files, until stopped.

    `on_batch` is called from the watcher's thread after each commit, with the
    profiles the batch touched. Not thread-safe: use one watcher from one thread.
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
        self._stop = threading.Event()
        self.ingestor = FileIngestor(
            StoreWriter(engine, settings), settings.batch_size, on_batch=on_batch, should_stop=lambda: self._stop.is_set()
        )
        self._seen: dict[Path, StatKey] = {}  # read as far as it goes at this stat
        self._waiting: dict[Path, tuple[StatKey, float]] = {}  # gzip not ending cleanly: stat, since when

    # -- public ------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        """Scan, then follow changes until `stop` is set; what has been read is committed before returning."""
        self._stop = stop
        try:
            self.scan_once()
            next_rescan = time.monotonic() + self.rescan_seconds
            tick_ms = int(1000 * max(0.05, min(self.rescan_seconds, self.gz_grace_seconds / 2, 1.0)))
            first = True
            for changes in watchfiles.watch(
                self.folder, watch_filter=None, debounce=self.debounce_ms, step=self.step_ms, stop_event=stop,
                rust_timeout=tick_ms, yield_on_timeout=True, raise_interrupt=False,
            ):
                if stop.is_set():
                    break
                if first:
                    # What arrived between the start-up scan and the watcher starting.
                    first = False
                    self.scan_once()
                if changes:
                    self._on_changes(Path(p) for _, p in changes)
                self._check_waiting()
                if time.monotonic() >= next_rescan:
                    self.scan_once()
                    next_rescan = time.monotonic() + self.rescan_seconds
        finally:
            self.ingestor.flush()

    def scan_once(self) -> IngestSummary:
        """One pass over the whole folder: read what is new, forget what is gone."""
        before = replace(self.ingestor.totals)
        listed = set(iter_event_files([self.folder])) if self.folder.is_dir() else set()
        for path in [p for p in self._seen if p not in listed]:
            del self._seen[path]
        for path in [p for p in self._waiting if p not in listed]:
            del self._waiting[path]
        self._process(listed)
        summary = self.ingestor.totals.since(before)
        summary.files = len(listed)
        return summary

    # -- changes -----------------------------------------------------------------
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
        self._process(candidates)

    def _check_waiting(self) -> None:
        now = time.monotonic()
        due = [p for p, (_, since) in self._waiting.items() if now - since >= self.gz_grace_seconds]
        if due:
            self._process(due)

    def _process(self, paths: Iterable[Path]) -> None:
        todo: list[tuple[Path, StatKey]] = []
        now = time.monotonic()
        # In name order, as `ingest` reads: exporters name files by time, and a profile's
        # aggregates extend cheaply with newer events but are rebuilt for older ones.
        for path in sorted(paths):
            try:
                st = os.stat(path)
            except OSError:
                self._forget(path)
                continue
            if not stat_mode.S_ISREG(st.st_mode):
                continue
            key = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            if self._seen.get(path) == key:
                continue
            waiting = self._waiting.get(path)
            if waiting and waiting[0] == key and now - waiting[1] < self.gz_grace_seconds:
                continue
            todo.append((path, key))
        while todo and not self._stop.is_set():
            self.ingestor.prefetch(p for p, _ in todo)
            for path, key in todo:
                if self._stop.is_set():
                    break
                self._read(path, key, now)
            self.ingestor.flush()
            # A stale batch (another reader got there first) is read again from what the store says.
            again, self.ingestor.read_again = self.ingestor.read_again, set()
            todo = []
            for path in again:
                self._seen.pop(path, None)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                todo.append((path, (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)))

    def _read(self, path: Path, key: StatKey, now: float) -> None:
        waiting = self._waiting.get(path)
        give_up = bool(waiting and waiting[0] == key and now - waiting[1] >= self.gz_grace_seconds)
        note = f" (unchanged for {self.gz_grace_seconds:g} s)" if give_up else ""
        outcome = self.ingestor.read_file(path, final=False, give_up=give_up, note=note)
        if outcome is Outcome.WAITING:
            if not waiting or waiting[0] != key:
                self._waiting[path] = (key, now)
            return
        self._waiting.pop(path, None)
        if outcome is Outcome.GONE:
            self._forget(path)
        elif outcome is not Outcome.AGAIN:
            self._seen[path] = key

    def _forget(self, path: Path) -> None:
        """A deleted file (or folder): its stat is forgotten; what the store knows of its content stays."""
        if self._seen.pop(path, None) is None and self._waiting.pop(path, None) is None:
            inside = str(path) + os.sep
            for p in [p for p in self._seen if str(p).startswith(inside)]:
                del self._seen[p]
            for p in [p for p in self._waiting if str(p).startswith(inside)]:
                del self._waiting[p]


def run_watch(engine: Engine, settings: Settings, folder: Path) -> int:
    """`tui-profiles watch DIR`: a line per committed batch until Ctrl-C, which commits what was read."""
    stop = threading.Event()
    failure: list[BaseException] = []

    def announce(result: BatchResult) -> None:
        print(
            f"{time.strftime('%H:%M:%S')}  new events {result.events}  duplicates {result.duplicates}  "
            f"rejected {result.rejected}  profiles {len(result.touched_profiles)}",
            flush=True,
        )

    watcher = InboxWatcher(engine, settings, folder, on_batch=announce)

    def body() -> None:
        try:
            watcher.run(stop)
        except BaseException as exc:  # reported by the main thread
            failure.append(exc)
            stop.set()

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
    total = watcher.ingestor.totals
    print(f"stopped: new events {total.events}  duplicates {total.duplicates}  rejected {total.rejected}", file=sys.stderr)
    return 0
