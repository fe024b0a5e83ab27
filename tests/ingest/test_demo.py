"""The demo: its history is written once, its feeder writes lines the real watcher accepts, run_demo stops the feeder."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tui_profiles import demo
from tui_profiles.config import DAY_MS, Settings
from tui_profiles.demo import DemoFeeder, DemoPaths, prepare_demo, run_demo
from tui_profiles.domain.formats import NormalizedEvent, parse_line
from tui_profiles.ingest.watcher import InboxWatcher
from tui_profiles.store.engine import make_engine
from tui_profiles.store.models import EVENTS

END = 1_795_176_000_000


def stored_events(url: str) -> int:
    """Events in the store; 0 while the store is still being created by the process under test."""
    engine = sa.create_engine(url)  # not make_engine: a reader must not race the writer creating the schema
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(EVENTS)).scalar_one()
    except sa.exc.OperationalError:
        return 0
    finally:
        engine.dispose()


def wait_for(condition, timeout: float = 60.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_the_history_is_written_once_and_renewed_when_a_week_old(tmp_path: Path) -> None:
    paths = DemoPaths(tmp_path / "demo")
    state = prepare_demo(paths, now=END, users=40, events=800)
    assert state["events"] == 800 and state["created_ms"] == END and state["returning"]
    written = {p: p.stat().st_mtime_ns for p in paths.history.rglob("*") if p.is_file()}
    assert written
    paths.db.write_bytes(b"a store")
    assert prepare_demo(paths, now=END + DAY_MS, users=40, events=800) == state
    assert {p: p.stat().st_mtime_ns for p in paths.history.rglob("*") if p.is_file()} == written
    assert paths.db.exists()

    renewed = prepare_demo(paths, now=END + 8 * DAY_MS, users=40, events=800)
    assert renewed["created_ms"] == END + 8 * DAY_MS
    assert not paths.db.exists()  # a fresh history means a fresh store


def test_the_feeder_appends_lines_the_watcher_accepts(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    started = time.monotonic()
    # Twenty times real speed: minutes of visitors in seconds.
    feeder = DemoFeeder(inbox / "live", seed=5, interval_s=0.1, per_minute=30,
                        clock=lambda: END + int((time.monotonic() - started) * 20_000))  # fmt: skip
    url = f"sqlite:///{tmp_path}/store.db"
    engine = make_engine(url, writer=True)
    results = []
    stop = threading.Event()
    watcher = threading.Thread(
        target=InboxWatcher(engine, Settings(db_url=url), inbox, on_batch=results.append, rescan_seconds=0.5).run,
        args=(stop,),
    )
    watcher.start()
    try:
        feeder.start()
        wait_for(lambda: feeder.lines_written >= 60)
        feeder.stop()
        written = feeder.lines_written
        wait_for(lambda: sum(r.events for r in results) >= written)
    finally:
        feeder.stop()
        stop.set()
        watcher.join(timeout=30)
    lines = feeder.path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) - 1 == written
    assert all(isinstance(parse_line(line, END + 86_400_000), NormalizedEvent) for line in lines[:-1])
    assert sum(r.events for r in results) == written == stored_events(url)
    assert sum(r.rejected for r in results) == 0


@pytest.fixture
def small_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DemoPaths:
    monkeypatch.setenv(demo.DEMO_DIR_ENV, str(tmp_path / "demo"))
    monkeypatch.setattr(demo, "HISTORY_USERS", 30)
    monkeypatch.setattr(demo, "HISTORY_EVENTS", 600)
    monkeypatch.setattr(demo, "FEED_INTERVAL_S", 0.2)
    monkeypatch.setattr(demo, "VISITORS_PER_MINUTE", 120.0)
    return DemoPaths(tmp_path / "demo")


def feeder_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "demo-feeder" and t.is_alive()]


def test_run_demo_opens_the_app_on_the_demo_store_and_inbox(small_demo: DemoPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    import tui_profiles.tui.app as app

    seen = {}

    def fake_run_app(settings: Settings, inbox: Path | None = None, *, mask: bool = False) -> int:
        seen.update(url=settings.db_url, inbox=inbox, feeding=bool(feeder_threads()))
        return 0

    monkeypatch.setattr(app, "run_app", fake_run_app)
    assert run_demo(Settings(db_url="sqlite:///elsewhere.db")) == 0
    assert seen == {"url": small_demo.db_url, "inbox": small_demo.inbox, "feeding": True}
    assert not feeder_threads()  # stopped when the app exited
    assert len(list(small_demo.history.rglob("*.gz"))) > 0


def test_run_demo_without_the_app_watches_headless(small_demo: DemoPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    real_has = demo._has
    monkeypatch.setattr(demo, "_has", lambda module: module != "tui_profiles.tui.app" and real_has(module))
    stop = threading.Event()
    codes = []
    runner = threading.Thread(target=lambda: codes.append(run_demo(Settings(db_url="unused"), stop=stop)))
    runner.start()
    try:
        wait_for(lambda: small_demo.db.exists() and stored_events(small_demo.db_url) > 600)  # history, then live visitors
    finally:
        stop.set()
        runner.join(timeout=30)
    assert codes == [0]
    assert not feeder_threads()
