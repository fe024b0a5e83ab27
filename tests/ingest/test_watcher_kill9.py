"""kill -9 the `tui-profiles watch` process at random instants while a writer appends, rotates and drops gz files.

After the last restart the stored message ids must be exactly the ids written
(lost = 0, doubled = 0). Re-reading is caught too, though message ids would hide
it from the events table: the writer also writes bad lines, which go to the
quarantine with no dedupe, so a line read twice shows up twice; every stored
event carries the line number the writer gave it, which an offset gone wrong
would break; and the duplicates each committed batch reports must add up to 0.

    .venv/bin/python -m tests.test_watcher_kill9 bench --cycles 100 [--db URL]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from tui_profiles.store.engine import make_engine
from tui_profiles.store.models import EVENTS, REJECTED

EXE = str(Path(sys.executable).with_name("tui-profiles"))
ROOT = Path(__file__).resolve().parents[2]
ROTATE_EVERY = 250  # lines a plain file gets before it is renamed away
GZ_EVERY = 300  # a gz batch of GZ_LINES lines is dropped this often
GZ_LINES = 40
BAD_EVERY = 23  # every 23rd line is not JSON


# -- the writer (its own process) ---------------------------------------------------------
def good_line(mid: str, line: int) -> bytes:
    doc = {"type": "track", "event": "Tick ✓", "messageId": mid, "anonymousId": f"anon-{hash(mid) % 40}",
           "timestamp": "2024-03-04T09:00:00.000Z", "properties": {"line": line, "note": "héllo 日本"}}
    return json.dumps(doc, ensure_ascii=False).encode() + b"\n"


def bad_line(seq: int) -> bytes:
    return f"not json k-{seq}\n".encode()


def expected(total: int) -> tuple[set[str], set[bytes]]:
    """The message ids and the bad lines `write(total)` produces."""
    ids = {f"k-{s}" for s in range(total) if s % BAD_EVERY != BAD_EVERY - 1}
    ids |= {f"g-{s}-{j}" for s in range(total) if s % GZ_EVERY == GZ_EVERY - 1 for j in range(GZ_LINES)}
    bad = {bad_line(s)[:-1] for s in range(total) if s % BAD_EVERY == BAD_EVERY - 1}
    return ids, bad


def write(inbox: Path, total: int, seconds: float, seed: int) -> None:
    """Append `total` lines over about `seconds`, in random chunks that split lines; rotate; drop gz files."""
    rng = random.Random(seed)
    current = inbox / "current.jsonl"
    fh = open(current, "ab", buffering=0)
    line_no, rotations, pending = 0, 0, b""
    pause = seconds / max(total, 1)
    for seq in range(total):
        line_no += 1
        pending += bad_line(seq) if seq % BAD_EVERY == BAD_EVERY - 1 else good_line(f"k-{seq}", line_no)
        while len(pending) > rng.randint(0, 400):
            cut = rng.randint(1, len(pending))
            fh.write(pending[:cut])
            pending = pending[cut:]
        time.sleep(rng.uniform(0, 2 * pause))
        if seq % GZ_EVERY == GZ_EVERY - 1:
            part = inbox / f"batch-{seq}.json.gz.part"
            part.write_bytes(gzip.compress(b"".join(good_line(f"g-{seq}-{j}", j + 1) for j in range(GZ_LINES))))
            os.rename(part, inbox / f"batch-{seq}.json.gz")
        if line_no == ROTATE_EVERY:
            fh.write(pending)
            pending = b""
            rotations += 1
            os.rename(current, inbox / f"rotated-{rotations}.jsonl")
            fh.close()
            fh = open(current, "ab", buffering=0)
            line_no = 0
    fh.write(pending)
    fh.close()


# -- the kill loop ----------------------------------------------------------------------
@dataclass
class Outcome:
    cycles: int
    written: int
    stored: int
    lost: int
    extra: int
    doubled_rows: int
    rejected_twice: int
    bad_lines_missing: int
    wrong_line_numbers: int
    reported_duplicates: int
    batches: int
    seconds: float


def start_watcher(url: str, inbox: Path, log: Path, batch_size: int) -> subprocess.Popen:
    env = {**os.environ, "TUI_PROFILES_BATCH_SIZE": str(batch_size)}
    out = open(log, "ab")
    return subprocess.Popen([EXE, "--db", url, "watch", str(inbox)], stdout=out, stderr=out, env=env, cwd=ROOT)


def wait_for_line(log: Path, needle: bytes, before: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while needle not in log.read_bytes()[before:]:
        if time.monotonic() > deadline:
            raise AssertionError(f"no {needle!r} in {log}:\n{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.01)


def kill_loop(url: str, workdir: Path, *, cycles: int, total: int, seconds: float, seed: int, batch_size: int = 25) -> Outcome:
    inbox = workdir / "inbox"
    inbox.mkdir()
    log = workdir / "watch.log"
    log.touch()
    rng = random.Random(seed)
    began = time.monotonic()
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.ingest.test_watcher_kill9", "write", str(inbox), str(total), str(seconds), str(seed)], cwd=ROOT
    )
    done = 0
    try:
        while done < cycles or writer.poll() is None:
            mark = log.stat().st_size
            watcher = start_watcher(url, inbox, log, batch_size)
            try:
                wait_for_line(log, b"watching", mark)
                time.sleep(rng.uniform(0, 0.6))
            finally:
                watcher.send_signal(signal.SIGKILL)
                watcher.wait()
            done += 1
        assert writer.wait(60) == 0
        # The last run is left to finish, then stopped with Ctrl-C.
        ids, bad = expected(total)
        engine = make_engine(url)
        mark = log.stat().st_size
        watcher = start_watcher(url, inbox, log, batch_size)
        deadline = time.monotonic() + 300
        while _count(engine, EVENTS) < len(ids) or _count(engine, REJECTED) < len(bad):
            assert time.monotonic() < deadline, "the last watcher did not catch up"
            time.sleep(0.05)
        wait_for_line(log, b"watching", mark)
        watcher.send_signal(signal.SIGINT)
        assert watcher.wait(60) == 0, log.read_text(errors="replace")[-2000:]
    finally:
        if writer.poll() is None:
            writer.kill()
    return _outcome(engine, ids, bad, log, done, time.monotonic() - began)


def _count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def _outcome(engine: sa.Engine, ids: set[str], bad: set[bytes], log: Path, cycles: int, seconds: float) -> Outcome:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(EVENTS.c.message_id, EVENTS.c.line, EVENTS.c.props)).all()
        rejected = [bytes(raw) for (raw,) in conn.execute(sa.select(REJECTED.c.raw))]
    engine.dispose()
    stored = {m for m, _, _ in rows}
    text = log.read_text(errors="replace")
    return Outcome(
        cycles=cycles,
        written=len(ids),
        stored=len(rows),
        lost=len(ids - stored),
        extra=len(stored - ids),
        doubled_rows=len(rows) - len(stored),
        rejected_twice=len(rejected) - len(set(rejected)),
        bad_lines_missing=len(bad - set(rejected)),
        wrong_line_numbers=sum(1 for _, line, props in rows if line != props["line"]),
        reported_duplicates=sum(int(n) for n in re.findall(r"duplicates (\d+)  rejected", text)),
        batches=len(re.findall(r"new events \d+", text)),
        seconds=round(seconds, 1),
    )


def assert_exactly_once(outcome: Outcome) -> None:
    assert (outcome.lost, outcome.extra, outcome.doubled_rows) == (0, 0, 0), outcome
    assert (outcome.rejected_twice, outcome.bad_lines_missing, outcome.wrong_line_numbers) == (0, 0, 0), outcome
    assert outcome.reported_duplicates == 0, outcome


# -- the tests ---------------------------------------------------------------------------
@pytest.mark.slow
def test_kill_9_at_random_instants_loses_nothing_and_doubles_nothing(sqlite_url: str, tmp_path: Path) -> None:
    outcome = kill_loop(sqlite_url, tmp_path, cycles=20, total=3000, seconds=14, seed=11)
    assert outcome.cycles >= 20 and outcome.batches > outcome.cycles
    assert_exactly_once(outcome)


@pytest.mark.slow
def test_kill_9_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    outcome = kill_loop(pg_url, tmp_path, cycles=8, total=1500, seconds=6, seed=12)
    assert_exactly_once(outcome)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="the writer process")
    w.add_argument("inbox", type=Path)
    w.add_argument("total", type=int)
    w.add_argument("seconds", type=float)
    w.add_argument("seed", type=int)
    b = sub.add_parser("bench", help="a long kill loop, with its figures")
    b.add_argument("--cycles", type=int, default=100)
    b.add_argument("--db", help="store URL (default: a SQLite file in a temporary folder)")
    b.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.command == "write":
        write(args.inbox, args.total, args.seconds, args.seed)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/store.db"
        outcome = kill_loop(url, Path(tmp), cycles=args.cycles, total=args.cycles * 150, seconds=args.cycles * 0.7, seed=args.seed)
    print(json.dumps(outcome.__dict__, indent=2))
    assert_exactly_once(outcome)


if __name__ == "__main__":
    main()
