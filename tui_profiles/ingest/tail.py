"""Read complete lines from a file from an offset (sync, pure I/O): the line splitter, file identity, gzip streams.

A file is known by its content, not its name: the hash of its first line (at
most FINGERPRINT_BYTES), as Vector's checksum fingerprint does. The first line
of an event file carries a unique message id, it never changes once written,
and a small file has one as soon as it has a line worth reading. Offsets count
bytes of the content (decompressed for gzip), so a plain file later compressed
by a rotation tool is still the same content at the same offset.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Iterator
from typing import BinaryIO

Source = str | os.PathLike | BinaryIO

FINGERPRINT_BYTES = 1024
# The watcher can pause reading a backlog file for a live append only between chunks:
# 256 KiB (~400 lines) keeps that wait short and reads as fast as 1 MiB did.
READ_CHUNK = 1 << 18
# Longer lines are cut to this many bytes: memory stays bounded whatever the file,
# and the cut line is still over parse_line's 1 MiB limit, so it is quarantined.
MAX_KEPT_LINE = 8 << 20
_GZIP_WBITS = 31  # zlib: expect a gzip header and trailer (CRC and length checked)
_GZIP_MAGIC = b"\x1f\x8b"


class LineSplitter:
    """Cuts a byte stream into lines at b"\\n", whatever the chunk boundaries.

    `feed` returns (line without its newline, stream offset just after the newline)
    for each line the chunk completes. A last line without its newline is still
    being written: it stays in `pending` until its newline arrives.
    """

    def __init__(self, offset: int = 0, max_line: int = MAX_KEPT_LINE) -> None:
        self.max_line = max_line
        self._line_start = offset  # stream offset where the pending line begins
        self._pending = bytearray()  # its bytes, at most max_line of them
        self._pending_len = 0  # its true length

    @property
    def pending(self) -> bytes:
        return bytes(self._pending)

    @property
    def offset(self) -> int:
        """Stream offset just after the last complete line."""
        return self._line_start

    def feed(self, chunk: bytes) -> list[tuple[bytes, int]]:
        parts = chunk.split(b"\n")
        if len(parts) == 1:
            self._keep(chunk)
            return []
        first = parts[0]
        end = self._line_start + self._pending_len + len(first) + 1
        if self._pending_len:
            self._keep(first)
            line = bytes(self._pending)
        else:
            line = first[: self.max_line]
        out = [(line, end)]
        cap = self.max_line
        for part in parts[1:-1]:
            end += len(part) + 1
            out.append((part if len(part) <= cap else part[:cap], end))
        self._line_start = end
        self._pending.clear()
        self._pending_len = 0
        self._keep(parts[-1])
        return out

    def flush(self) -> tuple[bytes, int] | None:
        """The unterminated last line, for a stream known to be complete."""
        if not self._pending_len:
            return None
        line, end = bytes(self._pending), self._line_start + self._pending_len
        self._line_start = end
        self._pending.clear()
        self._pending_len = 0
        return line, end

    def _keep(self, data: bytes) -> None:
        room = self.max_line - len(self._pending)
        if room > 0:
            self._pending += data[:room]
        self._pending_len += len(data)


def content_identity(head: bytes, *, complete: bool = False) -> str | None:
    """The identity of content starting with `head`: a hash of its first line.

    The first line that holds more than whitespace counts (blank lines are the
    same in every file). None while that line is still being written and shorter
    than FINGERPRINT_BYTES, unless the content is `complete`.
    """
    head = head[:FINGERPRINT_BYTES]
    start = 0
    while True:
        nl = head.find(b"\n", start)
        if nl < 0:
            if len(head) < FINGERPRINT_BYTES and not (complete and head.strip()):
                return None
            key = head
            break
        if head[start:nl].strip():
            key = head[: nl + 1]
            break
        start = nl + 1
    return f"{hashlib.blake2b(key, digest_size=16).hexdigest()}:{len(key)}"


def raw_identity(fh: BinaryIO) -> str:
    """A fallback identity from a file's raw first bytes (a gzip file whose content cannot be read)."""
    fh.seek(0)
    head = fh.read(FINGERPRINT_BYTES)
    return f"raw:{hashlib.blake2b(head, digest_size=16).hexdigest()}:{len(head)}"


class GzipBroken(Exception):
    """The gzip stream does not end cleanly: still being written, truncated, or corrupt."""


def iter_gzip(source: Source, *, limit: int | None = None) -> Iterator[bytes]:
    """The decompressed content of a gzip file (one or more members), chunk by chunk.

    Raises GzipBroken, with a reason a person can act on, when the stream is cut
    short or damaged. `limit`: stop quietly after about that many bytes of content.
    An open file is read from its start (and left open).
    """
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            yield from _inflate(fh, limit)
    else:
        source.seek(0)
        yield from _inflate(source, limit)


def _inflate(fh: BinaryIO, limit: int | None) -> Iterator[bytes]:
    produced = 0
    members = 0
    decomp = None
    data = b""
    while True:
        if decomp is None:
            data = data.lstrip(b"\x00")  # gzip allows zero padding between and after members
            if not data:
                data = fh.read(READ_CHUNK)
                if not data:
                    break  # a clean end, between members
                continue
            if members and not _GZIP_MAGIC.startswith(data[:2]):
                raise GzipBroken(f"data that is not gzip after the end of gzip member {members}")
            decomp = zlib.decompressobj(_GZIP_WBITS)
        try:
            out = decomp.decompress(data, READ_CHUNK)
        except zlib.error as exc:
            raise GzipBroken(f"corrupt gzip data after {produced} bytes of content: {exc}") from None
        if out:
            produced += len(out)
            yield out
            if limit is not None and produced >= limit:
                return
        if decomp.eof:
            data, decomp = decomp.unused_data, None
            members += 1
            continue
        data = decomp.unconsumed_tail
        if data or len(out) == READ_CHUNK:
            continue  # output was capped: more is waiting in what was read
        data = fh.read(READ_CHUNK)
        if not data:
            raise GzipBroken("the gzip stream ends before its end marker (cut short, or still being written)")
    if not members:
        raise GzipBroken("the file is empty: no gzip stream yet")


def gzip_head(source: Source) -> bytes:
    """The first content bytes of a gzip file, as many as can be read (a stream still arriving gives fewer)."""
    head = bytearray()
    try:
        for chunk in iter_gzip(source, limit=FINGERPRINT_BYTES):
            head += chunk
    except GzipBroken:
        pass
    return bytes(head[:FINGERPRINT_BYTES])


def gzip_problem(source: Source) -> str | None:
    """None when the file is a complete gzip stream; otherwise why not. Reads it all, keeps nothing."""
    try:
        for _ in iter_gzip(source):
            pass
    except GzipBroken as exc:
        return str(exc)
    return None
