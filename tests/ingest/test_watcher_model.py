"""A randomised model of what writers and rotation tools do to an inbox, checked against the lines written (as Vector does).

Hypothesis picks a sequence of operations (append a chunk that may split a line
or a character, rotate by rename, copy-truncate, compress-and-rotate, drop a gz
batch, delete a file already read, look) and the watcher's scan runs between
them. At the end every line written is stored exactly once: every message id,
every bad line quarantined once, and no batch ever reported a duplicate.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from pathlib import Path

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ingest.support import seg_line
from tui_profiles.config import Settings
from tui_profiles.ingest.watcher import InboxWatcher
from tui_profiles.store import models
from tui_profiles.store.batch import BatchResult
from tui_profiles.store.engine import make_engine

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.integers(1, 400)),
        st.tuples(st.just("line"), st.integers(0, 0)),  # finish the line being written
        st.tuples(st.sampled_from(["rename", "copytruncate", "compress", "gz", "delete", "look"]), st.integers(0, 0)),
    ),
    min_size=1,
    max_size=40,
)


class Inbox:
    """The writer side: a current file written in chunks, rotated files, gz batches; what was written."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.current = folder / "current.jsonl"
        self.current.touch()
        self.seq = 0
        self.ids: set[str] = set()
        self.bad: list[bytes] = []
        self.unwritten = b""  # the rest of the line being written
        self.rotated: list[Path] = []
        self.looked_since: set[Path] = set()  # rotated files a look has seen since they last changed

    def _next_line(self) -> bytes:
        self.seq += 1
        if self.seq % 9 == 0:
            line = f"bad line {self.seq} ✗\n".encode()
            self.bad.append(line[:-1])
            return line
        mid = f"m-{self.seq}"
        self.ids.add(mid)
        return seg_line(mid, anon=f"a-{self.seq % 5}", name="Vu ✓ 日本")

    def append(self, size: int) -> None:
        data = b""
        while len(data) < size:
            if not self.unwritten:
                self.unwritten = self._next_line()
            take = self.unwritten[: size - len(data)]
            self.unwritten = self.unwritten[len(take):]
            data += take
        with open(self.current, "ab") as fh:
            fh.write(data)

    def finish_line(self) -> None:
        with open(self.current, "ab") as fh:
            fh.write(self.unwritten)
        self.unwritten = b""

    def rotated_name(self, suffix: str = ".jsonl") -> Path:
        return self.folder / f"rotated-{len(self.rotated) + 1}{suffix}"

    def rename(self) -> None:
        self.finish_line()
        target = self.rotated_name()
        os.rename(self.current, target)
        self.rotated.append(target)
        self.current.touch()

    def copytruncate(self) -> None:
        self.finish_line()
        target = self.rotated_name()
        shutil.copyfile(self.current, target)
        os.truncate(self.current, 0)
        self.rotated.append(target)

    def compress(self) -> None:
        # logrotate's compress: the rotated file is gzipped beside, then the plain one removed.
        self.finish_line()
        target = self.rotated_name(".jsonl.gz")
        part = target.with_name(target.name + ".tmp")
        part.write_bytes(gzip.compress(self.current.read_bytes()))
        os.rename(part, target)
        self.current.unlink()
        self.current.touch()
        self.rotated.append(target)

    def gz_batch(self) -> None:
        target = self.folder / f"batch-{self.seq}.json.gz"
        part = target.with_name(target.name + ".part")
        part.write_bytes(gzip.compress(b"".join(self._next_line() for _ in range(5))))
        os.rename(part, target)
        self.rotated.append(target)

    def delete(self) -> None:
        # Only a file the watcher has read to its end: deleting unread lines loses them by definition.
        for path in self.rotated:
            if path in self.looked_since and path.exists():
                path.unlink()
                return


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPS)
def test_any_sequence_of_writes_and_rotations_stores_each_line_once(ops: list[tuple[str, int]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "inbox"
        folder.mkdir()
        url = f"sqlite:///{tmp}/store.db"
        engine = make_engine(url, writer=True)
        results: list[BatchResult] = []
        watcher = InboxWatcher(engine, Settings(db_url=url, batch_size=7), folder, on_batch=results.append)
        inbox = Inbox(folder)
        actions = {"line": lambda _: inbox.finish_line(), "rename": lambda _: inbox.rename(),
                   "copytruncate": lambda _: inbox.copytruncate(), "compress": lambda _: inbox.compress(),
                   "gz": lambda _: inbox.gz_batch(), "delete": lambda _: inbox.delete(), "append": inbox.append}
        for op, arg in ops:
            if op == "look":
                watcher.scan_once()
                inbox.looked_since = set(inbox.rotated)
            else:
                actions[op](arg)
        inbox.finish_line()
        watcher.scan_once()
        with engine.connect() as conn:
            stored = [m for (m,) in conn.execute(sa.select(models.Event.__table__.c.message_id))]
            rejected = [bytes(r) for (r,) in conn.execute(sa.select(models.RejectedLine.__table__.c.raw))]
        engine.dispose()
        assert sorted(stored) == sorted(inbox.ids)
        assert sorted(rejected) == sorted(inbox.bad)
        assert sum(r.duplicates for r in results) == 0
