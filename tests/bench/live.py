"""Live figures: watcher latency (idle and under a backlog) and the kill -9 loop.

Latency is from the moment a line is appended to the moment the watcher has
committed it and announced the batch: `on_batch` (the announcement) checks
which pending lines the store now holds.
"""

from __future__ import annotations

import importlib.util
import random
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import sqlalchemy as sa

from tui_profiles.config import Settings
from tui_profiles.generator import LiveFeed
from tui_profiles.store.engine import make_engine
from tui_profiles.store.models import EVENTS, PROFILES

from .data import Dataset, event_files, read_lines
from .proc import PYTHON, ROOT, check, run_measured
from .report import Figure, percentile, skipped


def message_id(line: bytes) -> str:
    obj = orjson.loads(line)
    return obj.get("messageId") or obj["uuid"]


def source_lines(folder: Path) -> Iterator[bytes]:
    """The lines of a generated set, file after file."""
    for path in event_files(folder):
        yield from read_lines(path)


def fresh_lines(seed: int) -> Iterator[bytes]:
    """New visitors' lines (live mode), none of them in any store yet."""
    start = int(time.time() * 1000)
    feed = LiveFeed(seed, start_ms=start, per_minute=60)
    moment = start
    while True:
        moment += 60_000
        yield from feed.due(moment)


class _Probe:
    """Called as `on_batch`: stamps each pending line the store now holds."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url)
        self.pending: dict[str, float] = {}
        self.latency_ms: dict[str, float] = {}
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.batches = 0

    def __call__(self, result: object) -> None:
        now = time.perf_counter()
        self.batches += 1
        with self.lock:
            ids = list(self.pending)
        if not ids or not getattr(result, "events", 0):
            return
        with self.engine.connect() as conn:
            found = [m for (m,) in conn.execute(sa.select(EVENTS.c.message_id).where(EVENTS.c.message_id.in_(ids)))]
        with self.changed:
            for m in found:
                self.latency_ms[m] = (now - self.pending.pop(m)) * 1000
            self.changed.notify_all()

    def append(self, path: Path, line: bytes) -> str:
        mid = message_id(line)
        with self.lock:
            self.pending[mid] = time.perf_counter()
        with open(path, "ab") as fh:
            fh.write(line + b"\n")
        return mid

    def wait(self, mids: list[str], timeout: float) -> bool:
        deadline = time.perf_counter() + timeout
        with self.changed:
            while any(m in self.pending for m in mids):
                left = deadline - time.perf_counter()
                if left <= 0:
                    return False
                self.changed.wait(left)
        return True


class _Watching:
    """The real InboxWatcher on a store and an inbox, in a thread, with a probe as its announcement."""

    def __init__(self, url: str, inbox: Path) -> None:
        from tui_profiles.ingest.watcher import InboxWatcher

        self.probe = _Probe(url)
        self.engine = make_engine(url, writer=True)
        self.stop = threading.Event()
        watcher = InboxWatcher(self.engine, Settings(db_url=url), inbox, on_batch=self.probe)
        self.thread = threading.Thread(target=watcher.run, args=(self.stop,), name="bench-watcher", daemon=True)

    def __enter__(self) -> "_Watching":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=120)
        self.engine.dispose()
        self.probe.engine.dispose()


def watcher_figures(url: str, backend: str, data: Dataset, work: Path, *, lines: int, log) -> list[Figure]:  # noqa: ANN001
    """`url` is a store the figures may write into (a copy of the loaded store)."""
    if importlib.util.find_spec("tui_profiles.ingest.watcher") is None:
        why = "the watcher (tui_profiles/ingest/watcher.py) is not in this build"
        return [skipped("watcher latency p95", backend, why, "< 200 ms"), skipped("watcher latency under backlog p95", backend, why, "< 2 s")]  # noqa: E501
    rng = random.Random(1)
    source = fresh_lines(int(time.time()))
    inbox = work / f"inbox-{backend}"
    shutil.rmtree(inbox, ignore_errors=True)
    (inbox / "live").mkdir(parents=True)
    live_file = inbox / "live" / "visitors.jsonl"
    with _Watching(url, inbox) as watching:
        probe = watching.probe
        assert probe.wait([probe.append(live_file, next(source))], 120), "the watcher never picked up the first line"
        idle: list[float] = []
        for _ in range(lines):
            mid = probe.append(live_file, next(source))
            ok = probe.wait([mid], 10)
            idle.append(probe.latency_ms[mid] if ok else 10_000.0)
            time.sleep(rng.uniform(0.05, 0.15))

        # A day of files lands at once; a visitor keeps browsing meanwhile.
        stored_before = _stored(url)
        began = time.perf_counter()
        shutil.copytree(data.steady, inbox / "backlog")
        busy_ids = []
        while time.perf_counter() - began < 600 and len(busy_ids) < lines * 10:
            busy_ids.append(probe.append(live_file, next(source)))
            time.sleep(0.1)
            with probe.lock:
                caught_up = not probe.pending and probe.batches > 0
            # Done when the backlog's new events are in (a lost one must not keep this going for ever).
            if len(busy_ids) >= lines and caught_up and _stored(url) - stored_before - len(busy_ids) >= 0.99 * data.steady_events:
                break
        probe.wait(busy_ids, 120)
        backlog_s = time.perf_counter() - began
        busy = [probe.latency_ms.get(m, float("inf")) for m in busy_ids]
    p50, p95 = percentile(idle, 50), percentile(idle, 95)
    idle_fig = Figure("watcher latency p95 (append -> committed, announced)", backend, "ms", value=p95, samples=idle,
                      target="< 200 ms", extra={"p50_ms": p50}, note=f"p50 {p50:.0f} ms over {len(idle)} lines").settle()  # fmt: skip
    idle_fig.met = p95 < 200
    b50, b95 = percentile(busy, 50), percentile(busy, 95)
    busy_fig = Figure(f"watcher latency under a {data.steady_events + data.steady_duplicates:,}-line backlog, p95", backend,
                      "ms", value=b95, samples=[b if b != float("inf") else -1 for b in busy], target="< 2,000 ms",
                      extra={"p50_ms": b50, "backlog_seconds": round(backlog_s, 1)},
                      note=f"p50 {b50:,.0f} ms over {len(busy)} lines; backlog and lines done in {backlog_s:.0f} s").settle()  # fmt: skip
    busy_fig.met = b95 < 2000
    log(f"  watcher [{backend}]: idle p50 {p50:.0f} / p95 {p95:.0f} ms; under backlog p50 {b50:,.0f} / p95 {b95:,.0f} ms")
    return [idle_fig, busy_fig]


def _stored(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(EVENTS)).scalar_one()
    finally:
        engine.dispose()


# -- kill -9 --------------------------------------------------------------------------
class _Appender(threading.Thread):
    """Appends lines without pause: new files now and then, and lines written in two halves."""

    def __init__(self, inbox: Path, source: Iterator[bytes], rng: random.Random) -> None:
        super().__init__(name="bench-appender", daemon=True)
        self.inbox, self.source, self.rng = inbox, source, rng
        self.written: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        number, in_file = 0, 0
        path = self.inbox / "live-0.jsonl"
        for line in self.source:
            if self.stop.is_set():
                return
            if in_file >= 400:
                number, in_file = number + 1, 0
                path = self.inbox / f"live-{number}.jsonl"
            with open(path, "ab") as fh:
                if self.rng.random() < 0.05:  # a torn write: the reader may see half a line
                    half = len(line) // 2
                    fh.write(line[:half])
                    fh.flush()
                    time.sleep(0.01)
                    fh.write(line[half:] + b"\n")
                else:
                    fh.write(line + b"\n")
            self.written.append(message_id(line))
            in_file += 1
            time.sleep(0.004)


def kill_loop_figure(work: Path, data: Dataset, *, cycles: int, log) -> Figure:  # noqa: ANN001
    name = f"kill -9 loop ({cycles} cycles) during live appends"
    if importlib.util.find_spec("tui_profiles.ingest.watcher") is None:
        return skipped(name, "sqlite", "the watcher is not in this build", "lost 0, doubled 0")
    rng = random.Random(9)
    db, inbox = work / "kill.db", work / "kill-inbox"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    url = f"sqlite:///{db}"
    appender = _Appender(inbox, source_lines(data.steady), rng)
    appender.start()
    began = time.perf_counter()
    killed_running = 0
    try:
        for _ in range(cycles):
            proc = subprocess.Popen([PYTHON, "-m", "tui_profiles", "--db", url, "watch", str(inbox)], cwd=ROOT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            time.sleep(rng.uniform(0.3, 2.5))
            killed_running += proc.poll() is None
            proc.kill()
            proc.wait()
    finally:
        appender.stop.set()
        appender.join()
    check(run_measured([PYTHON, "-m", "tui_profiles", "--db", url, "ingest", str(inbox), "--json"]), "final ingest")
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        stored = [m for (m,) in conn.execute(sa.select(EVENTS.c.message_id))]
        aggregated = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(PROFILES.c.event_count), 0))).scalar_one()
        # A merged event is stored once and counted by its user and by its anonymous profile.
        merged = conn.execute(
            sa.select(sa.func.count()).where(EVENTS.c.anon_profile_id.is_not(None), EVENTS.c.anon_profile_id != EVENTS.c.profile_id)
        ).scalar_one()
    engine.dispose()
    written = set(appender.written)
    lost = len(written - set(stored))
    doubled = len(stored) - len(set(stored)) + abs(aggregated - merged - len(stored))
    unknown = len(set(stored) - written)
    figure = Figure(name, "sqlite", "events", value=float(lost + doubled + unknown), target="lost 0, doubled 0",
                    extra={"written": len(written), "stored": len(stored), "lost": lost, "doubled": doubled,
                           "unknown": unknown, "killed_while_running": killed_running,
                           "seconds": round(time.perf_counter() - began)})  # fmt: skip
    figure.met = lost == 0 and doubled == 0 and unknown == 0
    figure.note = (f"{len(written):,} lines written, {len(stored):,} stored: lost {lost}, doubled {doubled} "
                   f"(profile counts vs events included), unknown {unknown}")  # fmt: skip
    log(f"  kill -9: {figure.note}")
    return figure
