"""A first load (`ingest` into a store with no events) gives the store a batch-by-batch ingest gives, in one transaction."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.scenarios import run_scenario
from tests.storekit import store_snapshot, stored_messages
from tui_profiles.config import Settings
from tui_profiles.generator import generate
from tui_profiles.ingest.files import FileIngestor, IngestSummary, iter_event_files
from tui_profiles.store import models
from tui_profiles.store.engine import make_engine
from tui_profiles.store.writer import StoreWriter

END = 1_795_000_000_000


def _ingest(url: str, paths: list[Path], *, first_load: bool, batch_size: int, parallel: bool = False) -> IngestSummary:
    engine = make_engine(url, writer=True)
    try:
        ingestor = FileIngestor(StoreWriter(engine, Settings(db_url=url)), batch_size, first_load=first_load, read_in_parallel=parallel)
        return ingestor.ingest_paths(paths)
    finally:
        engine.dispose()


def _extras(url: str) -> dict[str, object]:
    """What store_snapshot leaves out: companies, the catalog, identity links, quarantined lines, file progress."""
    engine = make_engine(url)
    c, k, links, rej, files = (models.Company.__table__, models.CatalogEntry.__table__, models.IdentityLink.__table__,
                               models.RejectedLine.__table__, models.SourceFile.__table__)  # fmt: skip
    try:
        with engine.connect() as conn:
            return {
                "companies": sorted((r.id, r.name, json.dumps(r.traits, sort_keys=True), r.traits_ts, r.first_seen, r.last_seen) for r in conn.execute(sa.select(c))),  # noqa: E501
                "catalog": sorted((r.kind, r.value) for r in conn.execute(sa.select(k.c.kind, k.c.value))),
                "links": sorted((r.anonymous_id, r.user_id, r.ts, r.message_id) for r in conn.execute(sa.select(links))),
                "rejected": sorted((r.file, r.line, r.reason) for r in conn.execute(sa.select(rej))),
                "files": sorted((r.path, r.offset, r.line, r.status) for r in conn.execute(sa.select(files))),
                "indexes": sorted(i["name"] for i in sa.inspect(conn).get_indexes("events")),
                # Each event's message byte for byte, and no text left in a block by a duplicate dropped.
                "messages": stored_messages(url),
            }
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> list[Path]:
    """Generated history, files in an order that brings identity links after the events they merge,
    and a redelivered part of a file (new name, new first line) so duplicates span batches."""
    out = tmp_path_factory.mktemp("history")
    generate(out, events=3000, users=150, days=10, seed=11, end_ms=END, file_hours=12)
    files = list(iter_event_files([out]))
    source = next(p for p in files if p.name.endswith(".gz") and len(gzip.decompress(p.read_bytes()).splitlines()) > 20)
    lines = gzip.decompress(source.read_bytes()).splitlines()
    again = out / "redelivered" / "part.jsonl"
    again.parent.mkdir()
    again.write_bytes(b"\n".join(lines[3:]) + b"\n")
    return [again, *reversed(files)]


@pytest.mark.parametrize("parallel", [False, True], ids=["one-process", "reader-process"])
def test_a_first_load_gives_the_store_a_batch_by_batch_ingest_gives(db_url, tmp_path, history, parallel):
    reference = f"sqlite:///{tmp_path}/reference.db"
    expected = _ingest(reference, history, first_load=False, batch_size=97)
    got = _ingest(db_url, history, first_load=True, batch_size=97, parallel=parallel)

    assert got == expected
    assert got.duplicates > 0, "the redelivered lines count as duplicates"
    assert store_snapshot(db_url) == store_snapshot(reference)
    want, have = _extras(reference), _extras(db_url)
    if not db_url.startswith("sqlite"):  # index names are the schema's, whichever database
        want.pop("indexes"), have.pop("indexes")
    assert have == want


@pytest.mark.parametrize("scenario", ["posthog_server_anonymous", "anonymous_then_signup", "shared_browser"])
def test_a_link_in_a_later_batch_than_the_events_it_moves_settles_them_as_a_batch_would(db_url, tmp_path, scenario):
    """One event a batch: every link comes after the events it concerns, including a server library's
    distinct_id stored as a user of its own until an identify names it anonymous (re-classified at the end)."""
    path, _ = run_scenario(scenario, tmp_path / "in")
    reference = f"sqlite:///{tmp_path}/reference.db"
    assert _ingest(db_url, [path], first_load=True, batch_size=1) == _ingest(reference, [path], first_load=False, batch_size=1)
    assert store_snapshot(db_url) == store_snapshot(reference)


def test_a_second_ingest_into_a_loaded_store_goes_batch_by_batch(sqlite_url, tmp_path, history):
    half = len(history) // 2
    reference = f"sqlite:///{tmp_path}/reference.db"
    _ingest(reference, history, first_load=False, batch_size=500)

    _ingest(sqlite_url, history[:half], first_load=True, batch_size=500)
    engine = make_engine(sqlite_url, writer=True)
    try:
        assert StoreWriter(engine, Settings(db_url=sqlite_url)).begin_bulk() is False
    finally:
        engine.dispose()
    second = _ingest(sqlite_url, history[half:], first_load=True, batch_size=500)

    assert second.events > 0
    assert store_snapshot(sqlite_url) == store_snapshot(reference)


def test_a_killed_first_load_leaves_the_store_empty_and_the_next_one_loads_everything(tmp_path, history):
    """One transaction: a kill -9 at any moment leaves no events and no profiles, or the whole load."""
    url = f"sqlite:///{tmp_path}/store.db"
    reference = f"sqlite:///{tmp_path}/reference.db"
    _ingest(reference, history, first_load=False, batch_size=5000)
    whole = store_snapshot(reference)
    root = Path(os.path.commonpath([str(p) for p in history]))
    env = {**os.environ, "TUI_PROFILES_BATCH_SIZE": "50"}
    command = [sys.executable, "-m", "tui_profiles", "--db", url, "ingest", str(root), "--json"]
    for delay in (0.5, 1.0, 1.5):
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                events = conn.execute(sa.select(sa.func.count()).select_from(models.Event.__table__)).scalar_one()
                profiles = conn.execute(sa.select(sa.func.count()).select_from(models.Profile.__table__)).scalar_one()
        finally:
            engine.dispose()
        if events:  # the load had committed before the kill landed: then it is whole
            assert store_snapshot(url) == whole
            return
        assert profiles == 0
    subprocess.run(command, env=env, check=True, capture_output=True)
    assert store_snapshot(url) == whole


def test_two_ingests_at_once_store_each_line_once(tmp_path, history):
    """The `ingest` command reads in a second process; when another writer reads a file first, its
    batch is refused and reading goes on from what the store says: nothing lost, nothing twice."""
    url = f"sqlite:///{tmp_path}/store.db"
    reference = f"sqlite:///{tmp_path}/reference.db"
    _ingest(reference, history, first_load=False, batch_size=5000)
    _ingest(url, history[:3], first_load=True, batch_size=50)  # not empty: both go batch by batch
    before = store_snapshot(url)
    root = Path(os.path.commonpath([str(p) for p in history]))
    env = {**os.environ, "TUI_PROFILES_BATCH_SIZE": "50"}
    command = [sys.executable, "-m", "tui_profiles", "--db", url, "ingest", str(root), "--json"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err.decode()[-2000:] for _, err in outputs]
    counts = [json.loads(out) for out, _ in outputs]
    whole = store_snapshot(reference)
    assert store_snapshot(url) == whole
    stored_before = sum(len(p["message_ids"]) for p in before.values())
    # Events stored (each counted by the profile it counts for; anonymous profiles show merged ones again).
    assert sum(c["events"] for c in counts) == sum(len(p["message_ids"]) for p in whole.values()) - stored_before
