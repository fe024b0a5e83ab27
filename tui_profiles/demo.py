"""`tui-profiles demo`: the app on a demo store that a generator keeps feeding through an inbox folder.

The demo folder (TUI_PROFILES_DEMO_DIR, else the user's data folder /demo)
holds `demo.db` and `inbox/`. The first run (or one a week after the last
history was written) writes a few hundred users over the past weeks into
`inbox/history/`; every run then appends new visitors to a `.jsonl` under
`inbox/live/` every few seconds. The store is fed only by the real watcher
reading the inbox, as it would be fed in production.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .config import DAY_MS, Settings
from .domain.clock import wall_ms
from .generator import LiveFeed, generate

DEMO_DIR_ENV = "TUI_PROFILES_DEMO_DIR"
HISTORY_USERS = 300
HISTORY_EVENTS = 12_000
HISTORY_DAYS = 28
HISTORY_SEED = 7
# After this the history has slid out of the default 7-day period: write a fresh one.
REFRESH_AFTER_MS = 7 * DAY_MS
FEED_INTERVAL_S = 3.0
VISITORS_PER_MINUTE = 10.0


def demo_folder() -> Path:
    configured = os.environ.get(DEMO_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("tui-profiles", appauthor=False)) / "demo"


@dataclass(frozen=True)
class DemoPaths:
    folder: Path

    @property
    def inbox(self) -> Path:
        return self.folder / "inbox"

    @property
    def history(self) -> Path:
        return self.inbox / "history"

    @property
    def live(self) -> Path:
        return self.inbox / "live"

    @property
    def db(self) -> Path:
        return self.folder / "demo.db"

    @property
    def state(self) -> Path:
        return self.folder / "demo.json"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db}"


def prepare_demo(paths: DemoPaths, *, now: int, users: int | None = None, events: int | None = None) -> dict[str, Any]:
    """The demo's state; writes the history first when it is missing or a week old.

    A fresh history means a fresh store: the old one would keep the stale
    people, so the demo's own files (store, inbox) are removed first.
    """
    state = _read_state(paths.state)
    fresh = state is not None and paths.history.is_dir() and now - int(state.get("created_ms", 0)) < REFRESH_AFTER_MS
    if fresh:
        return state  # type: ignore[return-value]
    for name in ("demo.db", "demo.db-wal", "demo.db-shm", "demo.json"):
        (paths.folder / name).unlink(missing_ok=True)
    for folder in (paths.history, paths.live):
        shutil.rmtree(folder, ignore_errors=True)
    paths.folder.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed, so a watcher never reads a half-written history.
    staging = paths.folder / ".history-staging"
    shutil.rmtree(staging, ignore_errors=True)
    summary = generate(staging, events=events or HISTORY_EVENTS, users=users or HISTORY_USERS, days=HISTORY_DAYS,
                       seed=HISTORY_SEED, end_ms=now)  # fmt: skip
    paths.inbox.mkdir(parents=True, exist_ok=True)
    staging.rename(paths.history)
    state = {"created_ms": now, "events": summary.events, "users": summary.users, "returning": summary.returning}
    paths.state.write_bytes(orjson.dumps(state))
    return state


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        state = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return state if isinstance(state, dict) else None


class DemoFeeder:
    """A background thread appending new visitors' lines to one `.jsonl` in the live folder."""

    def __init__(
        self, live_dir: Path, *, seed: int | None = None, returning: list[dict[str, Any]] | None = None,
        interval_s: float = 3.0, per_minute: float = 10.0, clock: Callable[[], int] = wall_ms,
    ) -> None:  # fmt: skip
        self.clock = clock
        start = clock()
        # A new seed every run: the same seed would send the same message ids, deduplicated away.
        self.feed = LiveFeed(seed if seed is not None else start, start_ms=start, per_minute=per_minute, returning=returning or ())
        live_dir.mkdir(parents=True, exist_ok=True)
        self.path = live_dir / f"visitors-{time.strftime('%Y%m%d-%H%M%S', time.gmtime(start / 1000))}-{start % 1000:03d}.jsonl"
        self.interval_s = interval_s
        self.lines_written = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-feeder", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def step(self) -> int:
        """Append whatever is due now; the number of lines written."""
        lines = self.feed.due(self.clock())
        if lines:
            # One write of whole lines: a reader never sees half a line from us.
            with open(self.path, "ab") as fh:
                fh.write(b"\n".join(lines) + b"\n")
            self.lines_written += len(lines)
        return len(lines)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.step()
            self._stop.wait(self.interval_s)


def run_demo(settings: Settings, *, stop: threading.Event | None = None, mask: bool = False) -> int:
    """Prepare the demo folder, start the feeder, open the app on the demo store; stop the feeder after.

    Without the app in this build, the watcher runs headless instead (until
    Ctrl-C or `stop`), and without the watcher, a polling ingest does.
    """
    paths = DemoPaths(demo_folder())
    print(f"tui-profiles demo: {paths.folder}")
    state = prepare_demo(paths, now=wall_ms())
    demo_settings = settings.with_db(paths.db_url)
    feeder = DemoFeeder(paths.live, returning=list(state.get("returning") or []), interval_s=FEED_INTERVAL_S,
                        per_minute=VISITORS_PER_MINUTE)  # fmt: skip
    feeder.start()
    try:
        return _open(demo_settings, paths.inbox, stop or threading.Event(), mask=mask)
    finally:
        feeder.stop()


def _has(module: str) -> bool:
    # find_spec, not try/import: an error inside a module that exists must surface.
    return importlib.util.find_spec(module) is not None


def _open(settings: Settings, inbox: Path, stop: threading.Event, *, mask: bool = False) -> int:
    if _has("tui_profiles.tui.app"):
        from .tui.app import run_app

        return run_app(settings, inbox=inbox, mask=mask)
    from .store.engine import make_engine

    engine = make_engine(settings.db_url, writer=True)
    print(f"The app is not in this build yet: ingesting {inbox} headless; Ctrl-C stops.")
    print(f"  see it with: tui-profiles --db {settings.db_url} users")
    if _has("tui_profiles.ingest.watcher"):
        from .ingest.watcher import InboxWatcher

        def announce(result: Any) -> None:
            if result.events or result.rejected:
                print(f"  +{result.events} events, {result.duplicates} duplicates, {result.rejected} rejected", flush=True)

        InboxWatcher(engine, settings, inbox, on_batch=announce).run(stop)
        return 0
    from .ingest.files import FileIngestor
    from .store.writer import StoreWriter

    ingestor = FileIngestor(StoreWriter(engine, settings), settings.batch_size)
    while not stop.is_set():
        ingestor.ingest_paths([inbox])
        stop.wait(1.0)
    return 0
