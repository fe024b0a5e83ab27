"""What a batch carries to the writer (events, quarantined lines, file progress) and what it reports back.

Plain dataclasses shared by the readers in ingest/ and the writer, so neither has to import the other's workings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..domain.formats import NormalizedEvent


@dataclass(slots=True)
class IncomingEvent:
    event: NormalizedEvent
    file_fingerprint: str | None = None
    line: int | None = None
    # Where its text is in the batch's packed blocks (Batch.raw_blocks): (block number, slot); None: not packed.
    raw_ref: tuple[int, int] | None = None


@dataclass(slots=True)
class Rejected:
    file: str
    line: int
    reason: str
    raw: bytes
    received_at: int


@dataclass(slots=True)
class FileProgress:
    """How far a file has been read; committed with the events read from it."""

    fingerprint: str
    path: str
    size: int
    offset: int
    line: int
    status: str = "reading"  # reading | done | broken
    mtime_ms: int = 0
    # (offset, status) the reader started from; if the store says otherwise, another
    # reader got there first and the whole batch is refused (BatchResult.stale_files).
    # No row counts as (0, "reading"). None: no check.
    expect: tuple[int, str] | None = None


@dataclass(slots=True)
class Batch:
    events: list[IncomingEvent] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    files: list[FileProgress] = field(default_factory=list)
    # The events' texts already compressed where they were read (store/raw_blocks.py): (block, members).
    raw_blocks: list[tuple[bytes, int]] = field(default_factory=list)


@dataclass(slots=True)
class BatchResult:
    events: int = 0  # new events stored
    duplicates: int = 0
    rejected: int = 0
    suppressed: int = 0  # events and quarantined lines dropped: they carry an erased id
    touched_profiles: set[int] = field(default_factory=set)  # created or changed
    removed_profiles: set[int] = field(default_factory=set)  # left with no events
    stale_files: set[str] = field(default_factory=set)  # fingerprints not as expected: nothing was written
    files: tuple[str, ...] = ()  # the paths of the files the batch read from (set by the ingestor)

    def __iadd__(self, other: "BatchResult") -> "BatchResult":
        self.events += other.events
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.suppressed += other.suppressed
        self.touched_profiles |= other.touched_profiles
        self.removed_profiles |= other.removed_profiles
        self.stale_files |= other.stale_files
        return self
