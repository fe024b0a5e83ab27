"""The change log: every write that changes profiles logs them in its own transaction; a follower in another thread hears them.

Both databases (`db_url`): a first load, batches, exclude and erase each add one entry; a reader asks "what
changed since N"; trimming never lets a reader miss a change unnoticed; the follower (store/follow.py) wakes
on another connection's commit (SQLite data_version, PostgreSQL NOTIFY) and reports what changed.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.people import write_people
from tests.storekit import NOW, ingest
from tests.tui.support import Journal
from tui_profiles.config import Settings
from tui_profiles.ingest.files import FileIngestor
from tui_profiles.store import actions, changes, queries
from tui_profiles.store.changes import Changes
from tui_profiles.store.engine import make_engine
from tui_profiles.store.follow import StoreFollower
from tui_profiles.store.models import CHANGES
from tui_profiles.store.writer import StoreWriter


def log_rows(url: str) -> list[tuple[int, list | None, list | None]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [(r.seq, r.touched, r.removed) for r in conn.execute(sa.select(CHANGES).order_by(CHANGES.c.seq))]
    engine.dispose()
    return rows


def journal(prefix: str, anon: str, at: int) -> Journal:
    j = Journal(prefix)
    j.page(at, "/live", anon=anon)
    return j


def test_every_kind_of_write_logs_the_profiles_it_changed(db_url: str, tmp_path: Path) -> None:
    writer = make_engine(db_url, writer=True)
    FileIngestor(StoreWriter(writer, Settings(db_url=db_url)), first_load=True).ingest_paths([write_people(tmp_path / "inbox")])
    writer.dispose()  # a first load (as `ingest` into an empty store): one entry, "every profile"
    first = log_rows(db_url)
    assert len(first) == 1 and first[0][1] is None, first

    ingest(db_url, [journal("b", "anon-new", NOW).write(tmp_path / "b.jsonl")])  # a batch
    engine = make_engine(db_url, writer=True)
    with engine.connect() as conn:
        new_id = queries.find_profile(conn, "anon-new")
        bob = queries.find_profile(conn, "user-bob")
    rows = log_rows(db_url)
    assert rows[1][1:] == ([new_id], [])

    # Nothing new (the same file again): no entry.
    ingest(db_url, [journal("b", "anon-new", NOW).write(tmp_path / "b2.jsonl")])
    assert len(log_rows(db_url)) == 2

    with engine.begin() as conn:
        actions.set_excluded(conn, bob, True, author="dana", now_ms=NOW)
        bobs = sorted([bob, *actions.person_of(conn, bob).anonymous_profiles])  # his devices' anonymous profiles too
    assert len(bobs) == 4 and log_rows(db_url)[2][1:] == (bobs, [])

    report = actions.erase_profile(engine, new_id, settings=Settings(db_url=db_url), now_ms=NOW, author="dana")
    assert report is not None
    assert log_rows(db_url)[3][1:] == ([], [new_id])

    with engine.connect() as conn:
        found = changes.since(conn, rows[0][0])
        assert found.seqs == tuple(r[0] for r in log_rows(db_url)[1:])
        assert found.touched == {new_id, *bobs} and found.removed == {new_id}
        assert not found.everything and not found.missed
        assert changes.since(conn, 0).everything  # the first load: reload everything
        assert changes.latest(conn) == found.last
    engine.dispose()


def test_a_write_that_rolls_back_logs_nothing(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url, writer=True)
    with pytest.raises(RuntimeError):
        with engine.begin() as conn:
            changes.record(conn, {1, 2})
            raise RuntimeError("the batch failed")
    assert log_rows(db_url) == []
    engine.dispose()


def test_a_reader_behind_the_trimmed_entries_knows_it_missed_some(db_url: str) -> None:
    engine = make_engine(db_url, writer=True)
    with engine.begin() as conn:
        seqs = [changes.record(conn, {i}) for i in range(1, 11)]
    with engine.begin() as conn:
        changes.trim(conn, seqs[5])
    with engine.connect() as conn:
        behind = changes.since(conn, seqs[2])  # entries 4-6 are gone: it cannot know what they said
        assert behind.missed and behind.everything and behind.last == seqs[-1]
        on_time = changes.since(conn, seqs[5])  # it had read up to the last trimmed one: nothing missed
        assert not on_time.missed and on_time.touched == {7, 8, 9, 10}
    # Once every entry is trimmed, numbers still never repeat, and a reader at the end missed nothing.
    with engine.begin() as conn:
        changes.trim(conn, seqs[-1])
    with engine.begin() as conn:
        later = changes.record(conn, {99})
    assert later is not None and later > seqs[-1]
    with engine.connect() as conn:
        assert changes.since(conn, seqs[-1]).touched == {99}
        assert changes.since(conn, seqs[-1]).missed is False
    engine.dispose()


def test_the_log_trims_itself_as_it_grows(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changes, "KEEP", 5)
    monkeypatch.setattr(changes, "TRIM_EVERY", 4)
    engine = make_engine(db_url, writer=True)
    for i in range(1, 13):
        with engine.begin() as conn:
            changes.record(conn, {i})
    assert len(log_rows(db_url)) <= 5 + 4
    with engine.connect() as conn:
        assert changes.since(conn, 1).missed
        assert changes.trimmed_through(conn) >= 3
    engine.dispose()


class Heard:
    def __init__(self) -> None:
        self.changes: list[Changes] = []
        self.status: list[bool] = []
        self.lock = threading.Condition()

    def __call__(self, found: Changes) -> None:
        with self.lock:
            self.changes.append(found)
            self.lock.notify_all()

    def touched(self) -> set[int]:
        return {pid for c in self.changes for pid in c.touched}

    def wait_for(self, condition, timeout: float = 15.0) -> None:  # noqa: ANN001
        deadline = time.monotonic() + timeout
        with self.lock:
            while not condition():
                left = deadline - time.monotonic()
                assert left > 0, f"not heard: {self.changes}"
                self.lock.wait(left)


def test_the_follower_hears_another_connections_commits_from_where_it_started(db_url: str, tmp_path: Path) -> None:
    reader_engine = make_engine(db_url)
    writer_engine = make_engine(db_url, writer=True)
    with writer_engine.begin() as conn:
        changes.record(conn, {40})  # before it starts: not reported
    heard = Heard()
    follower = StoreFollower(reader_engine, heard, on_status=heard.status.append)
    stop = threading.Event()
    thread = threading.Thread(target=follower.run, args=(stop,), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while follower.last is None and time.monotonic() < deadline:
            time.sleep(0.01)
        with writer_engine.begin() as conn:
            first = changes.record(conn, {41})
        with writer_engine.begin() as conn:
            changes.record(conn, {42}, {43})
        heard.wait_for(lambda: {41, 42} <= heard.touched())
        assert 40 not in heard.touched()
        assert {pid for c in heard.changes for pid in c.removed} == {43}
        assert follower.last == first + 1
    finally:
        stop.set()
        thread.join(10)
        reader_engine.dispose()
        writer_engine.dispose()
    assert not thread.is_alive()
    assert heard.status == []  # never disconnected


def test_a_reader_can_skip_what_its_own_process_wrote(db_url: str) -> None:
    """An app announces its own watcher's batches and its people's actions itself: their entries add nothing."""
    engine = make_engine(db_url, writer=True)
    with engine.begin() as conn:
        mine = changes.record(conn, {7})
        conn.execute(CHANGES.insert().values(at_ms=NOW, touched=[8], removed=[], origin="another-process"))
    with engine.connect() as conn:
        found = changes.since(conn, 0, skip_origin=changes.ORIGIN)
        assert found.touched == {8} and found.last == mine + 1
        assert changes.since(conn, 0).touched == {7, 8}
    engine.dispose()
