"""`tui-profiles watch` survives a PostgreSQL restart longer than its batch retries: it waits, losing and doubling nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.pgserver import OwnServer
from tui_profiles.store.engine import make_engine
from tui_profiles.store.models import EVENTS, PROFILES, REJECTED

ROOT = Path(__file__).resolve().parents[2]


def line(mid: str, anon: str) -> bytes:
    return (f'{{"type":"page","messageId":"{mid}","anonymousId":"{anon}","timestamp":"2026-11-20T11:59:00Z",'
            f'"properties":{{"path":"/x"}}}}\n').encode()  # fmt: skip


def counts(url: str) -> tuple[list[str], int, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        ids = [m for (m,) in conn.execute(sa.select(EVENTS.c.message_id))]
        folded = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(PROFILES.c.event_count), 0))).scalar_one()
        rejected = conn.execute(sa.select(sa.func.count()).select_from(REJECTED)).scalar_one()
    engine.dispose()
    return ids, int(folded), int(rejected)


def wait_until(condition, what: str, timeout: float = 60.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.mark.postgres
def test_the_watch_command_waits_out_a_database_restart(pg_server_url: object, tmp_path: Path) -> None:
    server = OwnServer.start(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    log = tmp_path / "watch.log"
    proc = None
    try:
        url = server.url
        make_engine(url).dispose()
        with open(log, "wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "tui_profiles", "--db", url, "watch", str(inbox)], cwd=ROOT,
                                    stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})  # fmt: skip
            (inbox / "a.jsonl").write_bytes(line("r-1", "anon-1") + line("r-2", "anon-2"))
            wait_until(lambda: len(counts(url)[0]) == 2, "the first file")
            server.stop()
            # Written while the database is down: appended to a file already read, a new file, and a bad line.
            with open(inbox / "a.jsonl", "ab") as fh:
                fh.write(line("r-3", "anon-1"))
            (inbox / "b.jsonl").write_bytes(line("r-4", "anon-4") + b"not json\n" + line("r-5", "anon-5"))
            time.sleep(14)  # longer than a batch's own retries (~8 s): the watcher itself must wait
            assert proc.poll() is None, log.read_text()
            server.start_again()
            wait_until(lambda: len(counts(url)[0]) == 5, "the lines written while it was down")
            (inbox / "c.jsonl").write_bytes(line("r-6", "anon-6"))
            wait_until(lambda: len(counts(url)[0]) == 6, "a file after the restart")
            proc.send_signal(signal.SIGINT)
            assert proc.wait(60) == 0, log.read_text()
        ids, folded, rejected = counts(url)
        assert sorted(ids) == [f"r-{i}" for i in range(1, 7)]
        assert folded == 6 and rejected == 1  # nothing doubled, the bad line quarantined once
        said = log.read_text()
        assert "the store is unavailable" in said and "the store is back" in said, said
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        server.remove()
