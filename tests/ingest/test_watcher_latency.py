"""From a line appended to a watched file to its batch committed and announced: measured here, never asserted.

    .venv/bin/python -m tests.test_watcher_latency --samples 300 [--backlog 200000] [--db URL]

prints p50/p95/max in milliseconds. The test below runs the same measurement on a
few samples and checks only that every appended line was stored and announced.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from tests.ingest.support import Store, seg_line, wait_for
from tui_profiles.config import Settings
from tui_profiles.ingest.files import FileIngestor
from tui_profiles.ingest.watcher import InboxWatcher
from tui_profiles.store.batch import BatchResult
from tui_profiles.store.engine import make_engine
from tui_profiles.store.writer import StoreWriter


def fill(url: str, folder: Path, events: int) -> None:
    """A store that already holds `events` events (from another folder), so commits cost what they will in use."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "backlog.jsonl"
    with open(path, "wb") as fh:
        for i in range(events):
            fh.write(seg_line(f"old-{i}", anon=f"anon-{i % 20_000}", name=f"Event {i % 40}"))
    engine = make_engine(url, writer=True)
    FileIngestor(StoreWriter(engine, Settings(db_url=url))).ingest_paths([path])
    engine.dispose()


def measure(url: str, inbox: Path, samples: int, *, seed: int = 5) -> list[float]:
    """Latencies in ms: each sample appends one line, then waits for the batch holding it to be announced."""
    rng = random.Random(seed)
    announced: list[tuple[float, BatchResult]] = []
    arrived = threading.Condition()

    def on_batch(result: BatchResult) -> None:
        with arrived:
            announced.append((time.perf_counter(), result))
            arrived.notify_all()

    engine = make_engine(url, writer=True)
    watcher = InboxWatcher(engine, Settings(db_url=url), inbox, on_batch=on_batch)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    path = inbox / "live.jsonl"
    path.write_bytes(seg_line("warm-up"))
    thread.start()
    store = Store(url)
    wait_for(lambda: store.has("warm-up"), "the warm-up line")
    latencies = []
    try:
        with open(path, "ab", buffering=0) as fh:
            for i in range(samples):
                time.sleep(rng.uniform(0.02, 0.1))
                with arrived:
                    seen = len(announced)
                start = time.perf_counter()
                fh.write(seg_line(f"live-{i}", anon=f"anon-{i % 7}"))
                with arrived:
                    if not arrived.wait_for(lambda: any(r.events for _, r in announced[seen:]), timeout=60):
                        raise AssertionError(f"live-{i} was not announced")
                    done = next(t for t, r in announced[seen:] if r.events)
                latencies.append((done - start) * 1000)
    finally:
        stop.set()
        thread.join(60)
        engine.dispose()
    assert store.has(*(f"live-{i}" for i in range(samples)))
    return latencies


def test_each_appended_line_is_stored_and_announced(sqlite_url: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    assert len(measure(sqlite_url, inbox, 5)) == 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--backlog", type=int, default=0, help="events in the store before measuring")
    parser.add_argument("--db", help="store URL (default: a SQLite file in a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/store.db"
        if args.backlog:
            fill(url, Path(tmp) / "old", args.backlog)
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        ms = sorted(measure(url, inbox, args.samples))
    pct = statistics.quantiles(ms, n=100)
    print(json.dumps({"samples": len(ms), "backlog_events": args.backlog, "p50_ms": round(pct[49], 1),
                      "p95_ms": round(pct[94], 1), "max_ms": round(ms[-1], 1)}))


if __name__ == "__main__":
    main()
