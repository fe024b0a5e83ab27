"""Read event files (gzipped or plain NDJSON) into the store in batches, from where reading stopped."""

from __future__ import annotations

import gzip
import hashlib
import os
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ..domain.formats import Rejection, parse_line
from ..store import models
from ..store.writer import Batch, BatchResult, FileProgress, IncomingEvent, Rejected, StoreWriter

EVENT_SUFFIXES = (".jsonl", ".ndjson", ".json", ".gz")
TEMP_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload", ".swp")
FINGERPRINT_BYTES = 1024
READ_CHUNK = 1 << 20


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def is_event_file(path: Path) -> bool:
    """Event files by name; temporary names writers use while copying are not (yet)."""
    name = path.name
    if name.startswith(".") or name.endswith(TEMP_SUFFIXES) or name.endswith("~"):
        return False
    return name.endswith(EVENT_SUFFIXES)


def iter_event_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files given, and event files found below folders given, in a stable order."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if is_event_file(candidate):
                        yield candidate
        else:
            yield path


def fingerprint(path: Path) -> str:
    """A file's identity: a hash of its first bytes, so a rename is the same file.

    A file shorter than FINGERPRINT_BYTES is still growing into its fingerprint:
    the hash of what there is names it until then.
    """
    with open(path, "rb") as fh:
        head = fh.read(FINGERPRINT_BYTES)
    return hashlib.blake2b(head, digest_size=16).hexdigest() + f":{len(head)}"


@dataclass(slots=True)
class IngestSummary:
    files: int = 0
    events: int = 0
    duplicates: int = 0
    rejected: int = 0

    def add(self, result: BatchResult) -> None:
        self.events += result.events
        self.duplicates += result.duplicates
        self.rejected += result.rejected

    def as_dict(self) -> dict[str, int]:
        return {"files": self.files, "events": self.events, "duplicates": self.duplicates, "rejected": self.rejected}


class FileIngestor:
    """Reads files through the writer, one transaction per batch, offsets included."""

    def __init__(self, writer: StoreWriter, batch_size: int = 5000) -> None:
        self.writer = writer
        self.batch_size = batch_size

    def ingest_paths(self, paths: Iterable[Path]) -> IngestSummary:
        summary = IngestSummary()
        for path in iter_event_files(paths):
            summary.files += 1
            for result in self.ingest_file(path, final=True):
                summary.add(result)
        return summary

    def stored_progress(self, fp: str) -> tuple[int, int, str] | None:
        files = models.SourceFile.__table__
        with self.writer.engine.connect() as conn:
            row = conn.execute(
                sa.select(files.c.offset, files.c.line, files.c.status).where(files.c.fingerprint == fp)
            ).first()
        return (row[0], row[1], row[2]) if row else None

    def ingest_file(self, path: Path, *, final: bool) -> Iterator[BatchResult]:
        """Ingest what is new in one file; yields the result of each committed batch.

        `final`: the file is complete, so a last line without its newline counts.
        """
        fp = fingerprint(path)
        stat = path.stat()
        progress = self.stored_progress(fp)
        offset, line_no, status = progress if progress else (0, 0, "reading")
        if status in ("done", "broken") and (path.suffix == ".gz" or offset >= stat.st_size):
            return
        if path.name.endswith(".gz"):
            yield from self._ingest_gzip(path, fp, line_no, stat)
        else:
            if offset > stat.st_size:  # truncated and rewritten under the same head
                offset, line_no = 0, 0
            yield from self._ingest_plain(path, fp, offset, line_no, stat, final=final)

    # -- readers ----------------------------------------------------------------
    def _ingest_plain(self, path: Path, fp: str, offset: int, line_no: int, stat: os.stat_result, *, final: bool) -> Iterator[BatchResult]:
        mtime = int(stat.st_mtime * 1000)
        with open(path, "rb") as fh:
            fh.seek(offset)
            lines = _complete_lines(fh, final=final)
            yield from self._batches(path, fp, lines, offset, line_no, mtime, done_status=None)

    def _ingest_gzip(self, path: Path, fp: str, skip_lines: int, stat: os.stat_result) -> Iterator[BatchResult]:
        mtime = int(stat.st_mtime * 1000)
        with gzip.open(path, "rb") as fh:
            lines = _complete_lines(fh, final=True)
            broken: str | None = None
            consumed = 0

            def guarded() -> Iterator[tuple[bytes, int]]:
                nonlocal broken, consumed
                try:
                    for raw, end in lines:
                        consumed += 1
                        if consumed <= skip_lines:
                            continue
                        yield raw, end
                except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
                    broken = f"gzip stream is broken after line {consumed}: {exc}"

            yield from self._batches(path, fp, guarded(), 0, skip_lines, mtime, done_status="done", broken=lambda: broken)

    def _batches(self, path, fp, lines, offset, line_no, mtime, *, done_status, broken=lambda: None) -> Iterator[BatchResult]:  # noqa: ANN001
        batch = Batch()
        received = now_ms()
        for raw, end in lines:
            line_no += 1
            offset = end
            parsed = parse_line(raw, received)
            if parsed is None:
                continue
            if isinstance(parsed, Rejection):
                batch.rejected.append(Rejected(str(path), line_no, parsed.reason, bytes(raw), received))
            else:
                batch.events.append(IncomingEvent(parsed, fp, line_no))
            if len(batch.events) + len(batch.rejected) >= self.batch_size:
                batch.files.append(FileProgress(fp, str(path), offset, offset, line_no, "reading", mtime))
                yield self.writer.apply(batch)
                batch = Batch()
                received = now_ms()
        reason = broken()
        if reason:
            batch.rejected.append(Rejected(str(path), line_no + 1, reason, b"", received))
            status = "broken"
        else:
            status = done_status or "reading"
        batch.files.append(FileProgress(fp, str(path), offset, offset, line_no, status, mtime))
        yield self.writer.apply(batch)


def _complete_lines(fh, *, final: bool) -> Iterator[tuple[bytes, int]]:  # noqa: ANN001
    """(line without newline, offset just after it) for each complete line.

    A last line without its newline is still being written unless `final`.
    """
    pos = fh.tell() if hasattr(fh, "seek") and not isinstance(fh, gzip.GzipFile) else 0
    pending = b""
    while True:
        chunk = fh.read(READ_CHUNK)
        if not chunk:
            break
        data = pending + chunk
        start = 0
        while True:
            nl = data.find(b"\n", start)
            if nl < 0:
                break
            yield data[start:nl], pos + nl + 1
            start = nl + 1
        pos += start
        pending = data[start:]
    if pending and final:
        yield pending, pos + len(pending)

