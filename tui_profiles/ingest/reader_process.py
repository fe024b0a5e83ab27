"""A first load's files read and parsed in a second process while this one writes: two cores for one load.

Reading a line (gzip, JSON, the normalised event) costs about what writing it
does, and in one process the two take turns. Here the reader is a fork of this
process, so it starts knowing what this one knows of the files; it runs
FileIngestor's own reading and hands each batch over a pipe instead of writing
it: events as tuples of their fields with the message's JSON text (not the
parsed dict, which the writer does not need), quarantined lines and file
progress as they are. This process applies the batches in order in the load's
one transaction (store/bulk.py). The pipe holds about one batch, so memory stays
bounded: the reader parses the next batch while this one writes the last.
Either side failing ends the load, which then rolls back whole.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from orjson import OPT_NON_STR_KEYS
from orjson import dumps as _dumps

from ..domain.formats import NormalizedEvent
from ..store import raw_blocks
from ..store.batch import Batch, BatchResult, FileProgress, IncomingEvent

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


class FileIngestor(Protocol):
    """What this module needs of `files.FileIngestor` (which imports this module, so not the other way)."""

    writer: Any
    on_batch: Callable[[BatchResult], object] | None
    on_copy: Callable[[Path, str], object] | None
    totals: Any  # files.IngestSummary

    def read_file(self, path: Path, *, final: bool, give_up: bool = False, note: str = "") -> Any: ...
    def flush(self) -> BatchResult | None: ...
    def commit_read(self, batch: Batch) -> BatchResult: ...

_FIELDS = tuple(f.name for f in fields(NormalizedEvent))
_INHERITED: list[object] = []  # in the reader: what must outlive it untouched
_VALUES = attrgetter(*_FIELDS)


class ReaderFailed(RuntimeError):
    """The reading process stopped with an error (its traceback is the message)."""


class Stale(Exception):
    """Another writer moved a file on meanwhile: the batch was refused, and the reader stopped."""


def usable(ingestor: FileIngestor) -> bool:
    """Only where fork exists, and only from a process without threads (the `ingest` command):
    a fork copies one thread of many."""
    return "fork" in multiprocessing.get_all_start_methods()


def read_in_second_process(ingestor: FileIngestor, files: Iterable[Path]) -> None:
    """Read these files in a forked reader; apply its batches here, as FileIngestor.flush would.

    Raises Stale when a batch was refused because another writer read one of its files
    first: the batches before it are committed; the caller reads on from what the store says."""
    sys.stdout.flush()
    sys.stderr.flush()
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    reader = ctx.Process(target=_read, args=(ingestor, list(files), send, receive), name="tui-profiles reader", daemon=True)
    # Nothing inherited may be collected in the reader: a connection of the writer's, freed there,
    # would go back to its pool with a ROLLBACK down the socket (or into the SQLite file) the writer
    # is still using. Frozen objects are never collected; the reader also keeps the writer referenced.
    gc.freeze()
    try:
        reader.start()
    finally:
        gc.unfreeze()
    send.close()
    # Each batch arrives as some 100,000 new tuples and strings that live until it is written: the
    # collector's automatic passes, triggered every few hundred of them, walked each batch many times
    # over (a fifth of this process's time in unpickling and rebuilding). Nothing here needs them:
    # one pass over the young generations after each batch frees whatever cycles it left.
    collecting = gc.isenabled()
    gc.disable()
    try:
        while True:
            try:
                kind, payload = pickle.loads(receive.recv_bytes())
            except EOFError:
                raise ReaderFailed(f"the reading process ended without a word (exit code {reader.exitcode})") from None
            if kind == "done":
                ingestor.totals.copies += payload  # files the reader skipped as copies: no batch says so
                break
            if kind == "error":
                raise ReaderFailed(payload)
            batch = _unpack(payload)
            result = ingestor.commit_read(batch)
            del batch
            gc.collect(1)
            if result.stale_files:
                raise Stale(sorted(result.stale_files))
    finally:
        if collecting:
            gc.enable()
        receive.close()
        if reader.is_alive():
            reader.terminate()
        reader.join()


def _read(ingestor: FileIngestor, files: list[Path], send: Connection, receive: Connection) -> None:
    """The reader: FileIngestor's reading, its batches sent rather than written."""
    # Its own copy of the reading end closed, a writer that dies (even by kill -9) leaves no reader
    # of the pipe: the next batch sent fails, and this process ends.
    receive.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the writer decides when to stop, and ends this process
    gc.disable()
    _INHERITED.append(ingestor.writer)  # see gc.freeze() above: its open transaction is not ours to end
    ingestor.writer = _Handover(send)  # type: ignore[assignment]
    ingestor.on_batch = None
    ingestor.on_copy = None
    copies_before = ingestor.totals.copies
    try:
        for path in files:
            ingestor.read_file(path, final=True, give_up=True)
        ingestor.flush()
        send.send_bytes(pickle.dumps(("done", ingestor.totals.copies - copies_before)))
    except BaseException:  # noqa: BLE001 - whatever stopped the reader is the writer's to report
        try:
            send.send_bytes(pickle.dumps(("error", traceback.format_exc())))
        finally:
            os._exit(1)  # no clean-up of what the fork inherited (the writer's open store, above all)
    os._exit(0)


class _Handover:
    """Stands in for the writer in the reader: a batch goes down the pipe."""

    in_bulk = True

    def __init__(self, send: Connection) -> None:
        self.send = send

    def apply(self, batch: Batch) -> BatchResult:
        self.send.send_bytes(pickle.dumps(("batch", _pack(batch)), protocol=pickle.HIGHEST_PROTOCOL))
        return BatchResult()

    def file_progress(self, fingerprints: Iterable[str]) -> dict[str, FileProgress]:
        # A file first seen after the fork (its content changed since): read from its start. A line
        # the store has is then found a duplicate at the end of the load, never stored twice.
        return {}


def _pack(batch: Batch) -> tuple[list, list, list, list]:
    """The batch as it travels: the texts to store made here (properties as JSON, the messages packed
    in compressed blocks, store/raw_blocks.py), so the writer, the busier of the two, does not; the
    parsed copies stay behind. The writer drops a member whose event it does not store."""
    events, texts = [], []
    for ie in batch.events:
        e = ie.event
        e.properties_json = _dumps(e.properties, option=OPT_NON_STR_KEYS).decode()
        text = e.raw_json if e.raw_json is not None else _dumps(e.raw, option=OPT_NON_STR_KEYS).decode()
        e.raw, e.properties, e.raw_json = {}, {}, None
        events.append((ie.file_fingerprint, ie.line, divmod(len(texts), raw_blocks.BLOCK), _VALUES(e)))
        texts.append(text.encode())
    chunks = [texts[i : i + raw_blocks.BLOCK] for i in range(0, len(texts), raw_blocks.BLOCK)]
    blocks = [(raw_blocks.pack(chunk), len(chunk)) for chunk in chunks]
    return events, batch.rejected, batch.files, blocks


def _unpack(payload: tuple[list, list, list, list]) -> Batch:
    events, rejected, files, blocks = payload
    return Batch(
        [IncomingEvent(NormalizedEvent(*values), fp, line, ref) for fp, line, ref, values in events], rejected, files, blocks
    )
