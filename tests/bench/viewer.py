"""Live for a team: from a file landing in a separate watcher's inbox to its visitor's row painted in a viewer app.

Two processes besides this one: `tui-profiles watch INBOX` (the team's watcher) and the app, headless, with no
inbox of its own (tui_driver.py `viewer` mode), which hears of the batch through the store's change log
(SQLite data_version, PostgreSQL NOTIFY). Each landing is one new file holding one new visitor's page view;
the viewer stamps the moment that visitor's row is painted at the top of its list. Beside it, the same
measurement with the app running the watcher itself (`--inbox`), the single-process path.
Both clocks are this machine's wall clock (`time.time()`).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import orjson

from .proc import PYTHON, ROOT
from .report import Figure, percentile


def visitor_line(anon: str) -> bytes:
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return orjson.dumps({
        "type": "page", "messageId": f"viewer-{uuid.uuid4().hex}", "anonymousId": anon, "timestamp": now,
        "name": "/landing", "properties": {"path": "/landing", "url": "https://shop.example/landing"},
        "context": {"library": {"name": "analytics.js", "version": "2.11.1"}},
    })  # fmt: skip


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"the viewer exited ({proc.returncode}) before it was ready")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the viewer was not ready after {timeout:.0f} s")
        time.sleep(0.05)


def arrivals(url: str, work: Path, *, lines: int, separate: bool, now_ms: int, seed: int = 3) -> dict:
    """Land `lines` files one at a time; the latencies (ms) the viewer saw, and what it said."""
    tag = "separate" if separate else "single"
    inbox, out, ready, stop = (work / f"viewer-{tag}-{n}" for n in ("inbox", "out.json", "ready", "stop"))
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    for path in (out, ready, stop):
        path.unlink(missing_ok=True)
    watch = None
    if separate:
        watch = subprocess.Popen([PYTHON, "-m", "tui_profiles", "--db", url, "watch", str(inbox)], cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    viewer = subprocess.Popen([PYTHON, "-m", "tests.bench.tui_driver", str(out), url, str(now_ms), repr(time.time()), "viewer",
                               "", "" if separate else str(inbox), str(stop), str(ready)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    rng = random.Random(seed)
    landed: dict[str, float] = {}
    try:
        _wait_for(ready, viewer, 300)
        time.sleep(1.0)  # the watcher's start-up scan is done
        for i in range(lines):
            anon = f"viewer-{tag}-{os.getpid()}-{i:04d}"
            line = visitor_line(anon)
            landed[anon] = time.time()
            (inbox / f"{anon}.jsonl").write_bytes(line + b"\n")
            time.sleep(rng.uniform(0.6, 1.0))
        time.sleep(2.0)
    finally:
        stop.touch()
        try:
            _, err = viewer.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            viewer.kill()
            _, err = viewer.communicate()
        if watch is not None:
            watch.terminate()
            watch.wait(60)
    if viewer.returncode != 0 or not out.exists():
        raise RuntimeError(f"the viewer failed ({viewer.returncode}):\n{err.decode(errors='replace')[-3000:]}")
    seen = orjson.loads(out.read_bytes())
    painted = seen["painted"]
    latencies = [(painted[a] - t) * 1000 if a in painted else float("inf") for a, t in landed.items()]
    return {"latency_ms": latencies, "missed": sum(a not in painted for a in landed), "rss_mb": seen.get("rss_mb")}


def figures(url: str, backend: str, work: Path, *, lines: int, now_ms: int, log) -> list[Figure]:  # noqa: ANN001
    """`url`: a store the figure may write into (a copy of the loaded one)."""
    separate = arrivals(url, work, lines=lines, separate=True, now_ms=now_ms)
    single = arrivals(url, work, lines=lines, separate=False, now_ms=now_ms)
    sep, one = separate["latency_ms"], single["latency_ms"]
    p50, p95 = percentile(sep, 50), percentile(sep, 95)
    s50, s95 = percentile(one, 50), percentile(one, 95)
    figure = Figure("file in a separate watcher's inbox -> row painted in a viewer, p95", backend, "ms", value=p95,
                    samples=[x if x != float("inf") else -1 for x in sep], baseline_name="the app's own watcher", baseline=s95,
                    baseline_samples=[x if x != float("inf") else -1 for x in one], target="< 1,000 ms",
                    extra={"p50_ms": p50, "single_process_p50_ms": s50, "single_process_p95_ms": s95,
                           "missed": separate["missed"], "single_process_missed": single["missed"]})  # fmt: skip
    figure.ratio = p95 / s95 if p95 and s95 and s95 != float("inf") else None
    figure.met = p95 is not None and p95 < 1000 and separate["missed"] == 0
    figure.note = (f"separate viewer p50 {p50:,.0f} / p95 {p95:,.0f} ms; the app's own watcher p50 {s50:,.0f} / p95 {s95:,.0f} ms; "
                   f"{len(sep)} files each, missed {separate['missed']} / {single['missed']}")  # fmt: skip
    log(f"  viewer [{backend}]: {figure.note}")
    return [figure]
