"""The inbox watcher on real folders, real files and a real store: what happens to files, it keeps the store in step.

Negative checks ("nothing more was stored") use a barrier: a marker file written
after the change under test. The watcher handles changes in order of arrival, so
once the marker's event is stored, the watcher has looked at the earlier change.
"""

from __future__ import annotations

import gzip
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.ingest.support import WAIT, Store, seg_line, wait_for
from tui_profiles.config import Settings
from tui_profiles.ingest.watcher import InboxWatcher
from tui_profiles.store.batch import BatchResult
from tui_profiles.store.engine import make_engine
from tui_profiles.store.models import EVENTS, FILES, PROFILES


@dataclass
class Running:
    watcher: InboxWatcher
    results: list[BatchResult] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return sum(r.duplicates for r in self.results)

    @property
    def events(self) -> int:
        return sum(r.events for r in self.results)


@contextmanager
def watching(url: str, inbox: Path, **options: object) -> Iterator[Running]:
    """A real InboxWatcher in its own thread, on its own writer engine; stopped and checked on leaving."""
    batch_size = options.pop("batch_size", 5000)
    engine = make_engine(url, writer=True)
    running = Running(None)  # type: ignore[arg-type]
    options.setdefault("rescan_seconds", 0.5)
    running.watcher = InboxWatcher(engine, Settings(db_url=url, batch_size=batch_size), inbox,
                                   on_batch=running.results.append, **options)
    stop = threading.Event()

    def body() -> None:
        try:
            running.watcher.run(stop)
        except BaseException as exc:  # noqa: BLE001 - reported below
            running.errors.append(exc)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    try:
        yield running
    finally:
        stop.set()
        thread.join(WAIT)
        engine.dispose()
    assert not thread.is_alive(), "the watcher did not stop"
    assert not running.errors, running.errors


class Barrier:
    """Marker files: once one is stored, the watcher has handled every change made before it."""

    def __init__(self, inbox: Path, store: Store) -> None:
        self.inbox, self.store, self.n = inbox, store, 0

    def __call__(self, results: list[BatchResult] | None = None) -> None:
        """With `results` (a watcher's `on_batch` list), also until the barrier's batch is in it: the
        watcher reports a batch just after committing it, so the store has it a moment before."""
        self.n += 1
        mid, path = f"barrier-{self.n}", self.inbox / f"zz-barrier-{self.n}.jsonl"
        path.write_bytes(seg_line(mid, anon="barrier"))
        wait_for(lambda: self.store.has(mid), mid)
        if results is not None:
            wait_for(lambda: any(str(path) in r.files for r in list(results)), f"{mid} reported")


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def append(path: Path, data: bytes) -> None:
    with open(path, "ab") as fh:
        fh.write(data)


# -- appending -------------------------------------------------------------------------
def test_appends_in_small_random_chunks_split_lines_and_characters(db_url: str, inbox: Path) -> None:
    rng = random.Random(3)
    names = ["Café ☕", "日本語のページ", "emoji 🎉👩‍💻", "plain", "Ωμέγα"]
    lines = [seg_line(f"m-{i}", anon=f"a-{i % 5}", name=names[i % len(names)]) for i in range(300)]
    data = b"".join(lines)
    store = Store(db_url)
    path = inbox / "live.jsonl"
    with watching(db_url, inbox) as run:
        pos = 0
        with open(path, "ab", buffering=0) as fh:
            while pos < len(data):
                size = rng.choice([1, 2, 3, 5, 17, 64, 300])
                fh.write(data[pos : pos + size])
                pos += size
                if rng.random() < 0.1:
                    time.sleep(rng.choice([0.001, 0.005, 0.02]))
        wait_for(lambda: store.count() == 300, "300 events")
    assert store.names() == {f"m-{i}": names[i % len(names)] for i in range(300)}
    assert store.rejected() == []
    assert run.duplicates == 0 and run.events == 300


def test_a_partial_last_line_waits_for_its_newline(sqlite_url: str, inbox: Path) -> None:
    store = Store(sqlite_url)
    barrier = Barrier(inbox, store)
    path = inbox / "live.jsonl"
    second = seg_line("m-2")
    with watching(sqlite_url, inbox, rescan_seconds=0.05):
        path.write_bytes(seg_line("m-1") + second[:20])
        wait_for(lambda: store.has("m-1"), "m-1")
        barrier()
        time.sleep(0.3)  # several rescans look at the half-written line
        barrier()
    assert store.ids() == {"m-1", "barrier-1", "barrier-2"} and store.rejected() == []
    # Still half-written when a watcher starts: it waits too.
    with watching(sqlite_url, inbox):
        barrier()
        assert "m-2" not in store.ids() and store.rejected() == []
        append(path, second[20:])
        wait_for(lambda: store.has("m-2"), "m-2 once its newline arrived")
    assert store.rejected() == []


# -- gzip ------------------------------------------------------------------------------
def test_gz_written_slowly_is_read_once_complete(db_url: str, inbox: Path) -> None:
    store = Store(db_url)
    barrier = Barrier(inbox, store)
    body = b"".join(seg_line(f"gz-{i}", anon=f"a-{i % 3}") for i in range(2000))
    blob = gzip.compress(body, compresslevel=1)
    path = inbox / "batch.json.gz"
    with watching(db_url, inbox, gz_grace_seconds=60) as run:
        with open(path, "wb", buffering=0) as fh:
            step = len(blob) // 8
            for i in range(7):
                fh.write(blob[i * step : (i + 1) * step])
                time.sleep(0.03)
            barrier()
            assert not any(m.startswith("gz-") for m in store.ids()) and store.rejected() == []
            fh.write(blob[7 * step :])
        wait_for(lambda: store.count() == 2000 + 1, "the whole gz")
    assert store.rejected() == [] and run.duplicates == 0


def test_a_gz_that_stays_broken_is_quarantined_with_a_reason(sqlite_url: str, inbox: Path) -> None:
    store = Store(sqlite_url)
    body = b"".join(seg_line(f"gz-{i}") for i in range(50))
    blob = gzip.compress(body)
    with watching(sqlite_url, inbox, gz_grace_seconds=0.5):
        (inbox / "cut.json.gz").write_bytes(blob[: len(blob) - 20])
        rows = wait_for(store.rejected, "the quarantine")
    [(file, line, reason, raw)] = rows
    assert file.endswith("cut.json.gz")
    assert "ends before its end marker" in reason and "unchanged for 0.5 s" in reason
    # The lines that came out whole are stored; the cut one is what is quarantined.
    stored = {m for m in store.ids() if m.startswith("gz-")}
    assert stored == {f"gz-{i}" for i in range(len(stored))} and line == len(stored) + 1
    assert body[: sum(len(seg_line(f"gz-{i}")) for i in range(len(stored)))].count(b"\n") == len(stored)
    assert raw and seg_line(f"gz-{len(stored)}").startswith(raw)
    # Restarted, it is not quarantined again; completed later, the rest is read.
    with watching(sqlite_url, inbox, gz_grace_seconds=0.5):
        Barrier(inbox, store)()
        assert len(store.rejected()) == 1
        (inbox / "cut.json.gz").write_bytes(blob)
        wait_for(lambda: store.has(*(f"gz-{i}" for i in range(50))), "the completed gz")
    assert len(store.rejected()) == 1


def test_temporary_names_are_ignored_until_renamed(sqlite_url: str, inbox: Path) -> None:
    store = Store(sqlite_url)
    barrier = Barrier(inbox, store)
    (inbox / ".hidden").mkdir()
    temps = {
        "a.jsonl.part": seg_line("t-a"), "b.json.gz.tmp": gzip.compress(seg_line("t-b")),
        ".c.jsonl": seg_line("t-c"), ".hidden/d.jsonl": seg_line("t-d"),
    }
    with watching(sqlite_url, inbox):
        for name, data in temps.items():
            (inbox / name).write_bytes(data)
        barrier()
        assert not any(m.startswith("t-") for m in store.ids())
        os.rename(inbox / "a.jsonl.part", inbox / "a.jsonl")
        os.rename(inbox / "b.json.gz.tmp", inbox / "b.json.gz")
        wait_for(lambda: store.has("t-a", "t-b"), "renamed files")
        barrier()
    assert {m for m in store.ids() if m.startswith("t-")} == {"t-a", "t-b"}


# -- rotation, truncation, copies, deletion --------------------------------------------------
def test_rename_rotation_reads_every_line_once(db_url: str, inbox: Path) -> None:
    store = Store(db_url)
    path = inbox / "events.jsonl"
    with watching(db_url, inbox) as run:
        with open(path, "ab", buffering=0) as fh:
            for i in range(50):
                fh.write(seg_line(f"r-{i}"))
            wait_for(lambda: store.count() == 50, "first lines")
            os.rename(path, inbox / "events-1.jsonl")
            for i in range(50, 80):  # the writer still holds the rotated file open
                fh.write(seg_line(f"r-{i}"))
        with open(path, "ab", buffering=0) as fh:
            for i in range(80, 100):
                fh.write(seg_line(f"r-{i}"))
        wait_for(lambda: store.count() == 100, "every line")
    assert store.ids() == {f"r-{i}" for i in range(100)}
    assert run.duplicates == 0 and store.rejected() == []


def test_copy_truncate_reads_the_copy_from_where_it_stopped(db_url: str, inbox: Path) -> None:
    store = Store(db_url)
    path = inbox / "events.jsonl"
    with watching(db_url, inbox) as run:
        path.write_bytes(b"".join(seg_line(f"c-{i}") for i in range(40)))
        wait_for(lambda: store.count() == 40, "first lines")
        append(path, b"".join(seg_line(f"c-{i}") for i in range(40, 60)))  # maybe not read before the copy
        shutil.copyfile(path, inbox / "events-1.jsonl")
        with open(path, "r+b") as fh:
            fh.truncate(0)
        append(path, b"".join(seg_line(f"c-{i}") for i in range(60, 90)))
        wait_for(lambda: store.count() == 90, "every line")
    assert store.ids() == {f"c-{i}" for i in range(90)}
    assert run.duplicates == 0 and store.rejected() == []


def test_a_file_truncated_and_rewritten_while_stopped_is_read_from_the_start(db_url: str, inbox: Path) -> None:
    store = Store(db_url)
    short, long_ = inbox / "short.jsonl", inbox / "long.jsonl"
    short.write_bytes(b"".join(seg_line(f"old-s-{i}") for i in range(30)))
    long_.write_bytes(b"".join(seg_line(f"old-l-{i}") for i in range(5)))
    with watching(db_url, inbox):
        wait_for(lambda: store.count() == 35, "the first contents")
    short.write_bytes(b"".join(seg_line(f"new-s-{i}") for i in range(3)))  # shorter than what was read
    long_.write_bytes(b"".join(seg_line(f"new-l-{i}") for i in range(40)))  # longer
    with watching(db_url, inbox) as run:
        wait_for(lambda: store.count() == 35 + 43, "the new contents")
    assert {m for m in store.ids() if m.startswith("new-")} == {f"new-s-{i}" for i in range(3)} | {f"new-l-{i}" for i in range(40)}
    assert run.duplicates == 0 and store.rejected() == []


def test_a_copy_under_another_name_adds_nothing_and_is_not_read(sqlite_url: str, inbox: Path) -> None:
    store = Store(sqlite_url)
    barrier = Barrier(inbox, store)
    (inbox / "a.jsonl").write_bytes(b"".join(seg_line(f"a-{i}") for i in range(20)))
    (inbox / "b.json.gz").write_bytes(gzip.compress(b"".join(seg_line(f"b-{i}") for i in range(20))))
    with watching(sqlite_url, inbox) as run:
        wait_for(lambda: store.count() == 40, "both files")
        barrier(run.results)
        before = len(run.results)
        shutil.copyfile(inbox / "a.jsonl", inbox / "a-copy.jsonl")
        shutil.copyfile(inbox / "b.json.gz", inbox / "sub-b.json.gz")
        os.mkdir(inbox / "moved")
        shutil.copyfile(inbox / "a.jsonl", inbox / "moved" / "again.ndjson")
        barrier(run.results)
    # The only commit since is the barrier's own: the copies were known by their content.
    assert [r.events for r in run.results[before:]] == [1] and run.duplicates == 0


def test_a_deleted_file_is_forgotten_without_error(sqlite_url: str, inbox: Path) -> None:
    store = Store(sqlite_url)
    (inbox / "sub").mkdir()
    with watching(sqlite_url, inbox, rescan_seconds=0.05) as run:
        (inbox / "a.jsonl").write_bytes(seg_line("d-1"))
        (inbox / "sub" / "b.jsonl").write_bytes(seg_line("d-2"))
        wait_for(lambda: store.has("d-1", "d-2"), "both")
        (inbox / "a.jsonl").unlink()
        shutil.rmtree(inbox / "sub")
        (inbox / "half.jsonl").write_bytes(seg_line("d-3")[:10])
        (inbox / "half.jsonl").unlink()
        for i in range(20):  # deleted while being read, over and over
            path = inbox / f"churn-{i}.jsonl"
            path.write_bytes(b"".join(seg_line(f"churn-{i}-{j}") for j in range(50)))
            path.unlink()
        (inbox / "c.jsonl").write_bytes(seg_line("d-4"))
        wait_for(lambda: store.has("d-4"), "a file after the deletions")
        assert run.watcher.scan_once().files == 1
    assert store.rejected() == []


def test_a_folder_moved_in_is_read(sqlite_url: str, inbox: Path, tmp_path: Path) -> None:
    store = Store(sqlite_url)
    outside = tmp_path / "outside" / "2024-03-04"
    outside.mkdir(parents=True)
    for i in range(5):
        (outside / f"{i}.jsonl").write_bytes(seg_line(f"mv-{i}"))
    with watching(sqlite_url, inbox, rescan_seconds=60):
        Barrier(inbox, store)()
        os.rename(tmp_path / "outside", inbox / "outside")
        wait_for(lambda: store.has(*(f"mv-{i}" for i in range(5))), "the moved folder's files")


# -- many files, big backlogs ---------------------------------------------------------------
def test_a_burst_of_2000_small_files_then_a_fast_restart(sqlite_url: str, inbox: Path) -> None:
    store = Store(sqlite_url)
    expected = set()
    with watching(sqlite_url, inbox) as run:
        for i in range(2000):
            folder = inbox / f"d{i % 10}"
            folder.mkdir(exist_ok=True)
            mids = [f"b-{i}"] + ([f"b-{i}-x"] if i % 7 == 0 else [])
            expected.update(mids)
            (folder / f"{i}.jsonl").write_bytes(b"".join(seg_line(m, anon=f"a-{i % 50}") for m in mids))
        wait_for(lambda: store.count() == len(expected), "every file's events", timeout=120)
    assert store.ids() == expected and run.duplicates == 0
    # Fewer commits than files: files are batched together.
    assert len(run.results) < 1000
    # A new watcher reads nothing again; a second scan does not even open the files.
    engine = make_engine(sqlite_url, writer=True)
    watcher = InboxWatcher(engine, Settings(db_url=sqlite_url), inbox)
    summary = watcher.scan_once()
    assert summary.as_dict() == {"files": 2000, "events": 0, "duplicates": 0, "copies": 0, "rejected": 0}
    opened = []
    real_read = watcher.ingestor.read_file
    watcher.ingestor.read_file = lambda path, **kw: opened.append(path) or real_read(path, **kw)  # type: ignore[method-assign]
    assert watcher.scan_once().events == 0 and opened == []
    engine.dispose()


def test_a_backlog_is_committed_in_batches_of_the_batch_size(sqlite_url: str, inbox: Path) -> None:
    store = Store(sqlite_url)
    (inbox / "big.jsonl").write_bytes(b"".join(seg_line(f"big-{i}", anon=f"a-{i % 97}") for i in range(12_000)))
    with gzip.open(inbox / "big.json.gz", "wb") as fh:
        fh.write(b"".join(seg_line(f"bgz-{i}", anon=f"a-{i % 97}") for i in range(6_000)))
    with watching(sqlite_url, inbox, batch_size=1000) as run:
        wait_for(lambda: store.count() == 18_000, "the backlog")
    sizes = [r.events + r.rejected for r in run.results]
    assert max(sizes) <= 1000 and len(sizes) >= 18


@pytest.mark.parametrize("name", ["big.jsonl", "big.json.gz"])
def test_a_live_append_is_committed_while_a_big_backlog_file_is_still_being_read(
    db_url: str, inbox: Path, tmp_path: Path, name: str
) -> None:
    store = Store(db_url)
    body = b"".join(seg_line(f"big-{i}", anon=f"a-{i % 97}") for i in range(30_000))
    staged = tmp_path / name
    staged.write_bytes(gzip.compress(body, compresslevel=1) if name.endswith(".gz") else body)
    live = inbox / "live.jsonl"
    live.write_bytes(seg_line("live-0", anon="visitor"))
    with watching(db_url, inbox, batch_size=500) as run:
        wait_for(lambda: store.has("live-0"), "the live file's first line")
        os.rename(staged, inbox / name)  # lands whole
        wait_for(lambda: store.count() > 1, "the backlog's first batch")
        append(live, seg_line("live-1", anon="visitor"))
        wait_for(lambda: store.count() == 30_002, "the backlog and the live line")
    rows = store.row_ids()
    assert rows["live-1"] < max(rows[f"big-{i}"] for i in range(30_000)), "the live line waited for the whole backlog"
    assert run.duplicates == 0 and store.rejected() == []


def test_a_backlog_is_read_in_name_order_while_live_appends_jump_it(sqlite_url: str, inbox: Path, tmp_path: Path) -> None:
    store = Store(sqlite_url)
    day = tmp_path / "day"
    day.mkdir()
    for k in range(8):
        (day / f"{k:02}.jsonl").write_bytes(b"".join(seg_line(f"d{k}-{i}", anon=f"a-{i % 53}") for i in range(1000)))
    live = inbox / "live.jsonl"
    live.write_bytes(seg_line("live-0", anon="visitor"))
    with watching(sqlite_url, inbox, batch_size=200) as run:
        wait_for(lambda: store.has("live-0"), "the live file's first line")
        os.rename(day, inbox / "day")  # a day of files lands at once
        for n in range(1, 4):
            append(live, seg_line(f"live-{n}", anon="visitor"))
            wait_for(lambda: store.has(f"live-{n}"), f"live-{n}")
        wait_for(lambda: store.count() == 8000 + 4, "the backlog")
    rows = store.row_ids()
    # Each file is bigger than a batch: a file's last line is committed after the one of every file named before it.
    ends = [max(rows[f"d{k}-{i}"] for i in range(1000)) for k in range(8)]
    assert ends == sorted(ends)
    assert rows["live-1"] < ends[-1], "the live line waited for the whole backlog"
    assert run.duplicates == 0


def test_stopping_commits_what_was_read_and_a_restart_goes_on_from_there(sqlite_url: str, inbox: Path) -> None:
    store = Store(sqlite_url)
    (inbox / "big.jsonl").write_bytes(b"".join(seg_line(f"s-{i}", anon=f"a-{i % 31}") for i in range(30_000)))
    with watching(sqlite_url, inbox, batch_size=500) as run:
        wait_for(lambda: run.results, "a first batch")
    first = store.count()
    with store.engine.connect() as conn:
        [(offset, line)] = conn.execute(sa.select(FILES.c.offset, FILES.c.line)).all()
    # What is stored is exactly the lines the stored offset covers.
    assert line == first and offset == sum(len(seg_line(f"s-{i}", anon=f"a-{i % 31}")) for i in range(first))
    with watching(sqlite_url, inbox, batch_size=5000) as run:
        wait_for(lambda: store.count() == 30_000, "the rest")
    assert run.duplicates == 0


# -- announcements and concurrency ---------------------------------------------------
def test_each_batch_is_announced_with_the_profiles_it_touched(sqlite_url: str, inbox: Path) -> None:
    store = Store(sqlite_url)
    with watching(sqlite_url, inbox) as run:
        (inbox / "a.jsonl").write_bytes(seg_line("p-1", anon="anon-x") + seg_line("p-2", anon="anon-y"))
        wait_for(lambda: store.has("p-1", "p-2"), "both")
        seen = len(run.results)
        append(inbox / "a.jsonl", seg_line("p-3", anon="anon-y"))
        wait_for(lambda: len(run.results) > seen, "the next announcement")
    with store.engine.connect() as conn:
        pid = dict(conn.execute(sa.select(PROFILES.c.external_id, PROFILES.c.id)).all())
    assert set().union(*(r.touched_profiles for r in run.results[:seen])) == {pid["anon-x"], pid["anon-y"]}
    assert run.results[seen].touched_profiles == {pid["anon-y"]} and run.results[seen].events == 1


def test_reading_while_the_watcher_writes_never_meets_a_lock(sqlite_url: str, inbox: Path) -> None:
    store = Store(sqlite_url)  # a reading engine, as the app has
    (inbox / "big.jsonl").write_bytes(b"".join(seg_line(f"l-{i}", anon=f"a-{i % 211}") for i in range(20_000)))
    failures: list[BaseException] = []
    reads = 0
    done = threading.Event()

    def read() -> None:
        nonlocal reads
        while not done.is_set():
            try:
                with store.engine.connect() as conn:
                    conn.execute(sa.select(PROFILES.c.id).order_by(PROFILES.c.last_seen.desc()).limit(100)).all()
                    conn.execute(sa.select(sa.func.count()).select_from(EVENTS)).scalar_one()
                reads += 1
            except BaseException as exc:  # noqa: BLE001 - the assertion below shows it
                failures.append(exc)
                return

    reader = threading.Thread(target=read)
    with watching(sqlite_url, inbox, batch_size=500):
        reader.start()
        wait_for(lambda: store.count() == 20_000 or failures, "the backlog")
        done.set()
        reader.join(WAIT)
    assert failures == [] and reads > 0


def test_two_watchers_on_one_store_store_each_line_once(db_url: str, inbox: Path) -> None:
    store = Store(db_url)
    rng = random.Random(7)
    expected, bad = set(), set()
    with watching(db_url, inbox, batch_size=40) as one, watching(db_url, inbox, batch_size=40) as two:
        for round_ in range(30):
            with open(inbox / f"shared-{round_ % 3}.jsonl", "ab") as fh:
                for i in range(rng.randint(5, 40)):
                    mid = f"w-{round_}-{i}"
                    if i % 11 == 10:
                        line = f"not json {mid}\n".encode()
                        bad.add(line[:-1])
                    else:
                        line = seg_line(mid, anon=f"a-{i % 9}")
                        expected.add(mid)
                    fh.write(line)
            (inbox / f"small-{round_}.jsonl").write_bytes(seg_line(f"small-{round_}"))
            expected.add(f"small-{round_}")
            time.sleep(rng.choice([0, 0.01, 0.05]))
        wait_for(lambda: store.ids() == expected and len(store.rejected()) >= len(bad), "every line")
        Barrier(inbox, store)()
    rejected = [raw for _, _, _, raw in store.rejected()]
    assert sorted(rejected) == sorted(bad)  # a bad line read twice would be quarantined twice
    # Each line went into the store through one of them, once.
    assert one.events + two.events == len(expected) + 1
    assert one.duplicates + two.duplicates == 0


# -- the command ----------------------------------------------------------------------
def test_the_watch_command_prints_each_batch_and_stops_cleanly_on_ctrl_c(sqlite_url: str, inbox: Path) -> None:
    (inbox / "a.jsonl").write_bytes(seg_line("cmd-1") + seg_line("cmd-2", anon="anon-2"))
    exe = str(Path(sys.executable).with_name("tui-profiles"))
    proc = subprocess.Popen([exe, "--db", sqlite_url, "watch", str(inbox)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        store = Store(sqlite_url)
        wait_for(lambda: store.has("cmd-1", "cmd-2"), "the command's first batch")
        append(inbox / "a.jsonl", seg_line("cmd-3"))
        wait_for(lambda: store.has("cmd-3"), "an appended line")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    batches = [line.split("  ", 1)[1] for line in out.decode().splitlines()]
    assert batches == ["new events 2  duplicates 0  rejected 0  profiles 2", "new events 1  duplicates 0  rejected 0  profiles 1"]
    assert err.decode().splitlines()[0] == f"watching {inbox} (Ctrl-C to stop)"
    assert "stopped: new events 3" in err.decode()
