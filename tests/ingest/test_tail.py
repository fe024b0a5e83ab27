"""The line splitter against `bytes.split(b"\\n")` for any chunking; file identity; gzip streams cut anywhere."""

from __future__ import annotations

import gzip
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from tui_profiles.ingest.tail import (
    FINGERPRINT_BYTES,
    LineSplitter,
    content_identity,
    gzip_head,
    gzip_problem,
    iter_gzip,
)

# Bytes that make line splitting interesting: newlines, CR, multi-byte UTF-8, NUL.
_PIECES = st.sampled_from([b"\n", b"\r\n", b"a", b"{}", b"\xc3\xa9", b"\xe6\x97\xa5", b"\xf0\x9f\x8e\x89", b"\x00", b" "])
STREAMS = st.lists(_PIECES, max_size=200).map(b"".join)


def reference(data: bytes, start: int = 0, max_line: int | None = None) -> tuple[list[tuple[bytes, int]], bytes]:
    """Complete lines with the offset after each newline, and the unterminated rest: bytes.split semantics."""
    parts = data.split(b"\n")
    lines, end = [], start
    for part in parts[:-1]:
        end += len(part) + 1
        lines.append((part if max_line is None else part[:max_line], end))
    return lines, parts[-1]


def split_in_chunks(data: bytes, cuts: list[int], start: int = 0, max_line: int = 1 << 20) -> tuple[list[tuple[bytes, int]], LineSplitter]:
    splitter = LineSplitter(start, max_line)
    out: list[tuple[bytes, int]] = []
    bounds = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    for a, b in zip(bounds, bounds[1:]):
        out += splitter.feed(data[a:b])
    return out, splitter


@settings(max_examples=400, deadline=None)
@given(data=STREAMS, cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=40), start=st.integers(0, 10**12))
def test_any_chunking_gives_the_lines_of_bytes_split(data: bytes, cuts: list[int], start: int) -> None:
    lines, splitter = split_in_chunks(data, cuts, start)
    expected_lines, expected_rest = reference(data, start)
    assert lines == expected_lines
    assert splitter.pending == expected_rest
    assert splitter.offset == (expected_lines[-1][1] if expected_lines else start)
    last = splitter.flush()
    assert last == ((expected_rest, start + len(data)) if expected_rest else None)
    assert splitter.pending == b"" and splitter.flush() is None


@settings(max_examples=200, deadline=None)
@given(data=STREAMS, cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=40), max_line=st.integers(1, 12))
def test_long_lines_are_cut_but_offsets_stay_true(data: bytes, cuts: list[int], max_line: int) -> None:
    lines, splitter = split_in_chunks(data, cuts, max_line=max_line)
    expected_lines, expected_rest = reference(data, max_line=max_line)
    assert lines == expected_lines
    assert splitter.pending == expected_rest[:max_line]


@settings(max_examples=200, deadline=None)
@given(data=STREAMS, cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=20), pick=st.integers(0, 1000))
def test_resuming_at_a_stored_offset_gives_the_remaining_lines(data: bytes, cuts: list[int], pick: int) -> None:
    # What a restarted reader does: start again just after a line it committed.
    all_lines, _ = reference(data)
    offsets = [0] + [end for _, end in all_lines]
    resume = offsets[pick % len(offsets)]
    lines, _ = split_in_chunks(data[resume:], cuts, start=resume)
    assert lines == [(line, end) for line, end in all_lines if end > resume]


def test_identity_is_the_first_line_and_stable_as_the_file_grows() -> None:
    first = b'{"type":"track","messageId":"m1"}\n'
    grown = first + b'{"type":"track","messageId":"m2"}\n' * 100
    assert content_identity(first) == content_identity(grown) == content_identity(grown[:FINGERPRINT_BYTES])
    assert content_identity(first[:-1]) is None  # still being written
    assert content_identity(first[:-1], complete=True) is not None
    assert content_identity(b'{"type":"track","messageId":"m3"}\n') != content_identity(first)
    # Blank lines are the same everywhere: the first line with something in it counts.
    assert content_identity(b"\n\r\n" + first) != content_identity(b"\n\r\n" + b'{"x":2}\n')
    assert content_identity(b"\n \n") is None and content_identity(b"", complete=True) is None
    # A first line longer than the fingerprint: its first FINGERPRINT_BYTES.
    long = b"x" * (FINGERPRINT_BYTES + 10)
    assert content_identity(long) == content_identity(long + b"\nmore")


def test_gzip_cut_anywhere_is_reported_never_read_as_whole(tmp_path) -> None:
    body = b"".join(b'{"n": %d, "text": "caf\xc3\xa9"}\n' % i for i in range(3000))
    whole = gzip.compress(body) + gzip.compress(b'{"n": "second member"}\n') + b"\x00" * 4
    path = tmp_path / "x.json.gz"
    path.write_bytes(whole)
    assert gzip_problem(path) is None
    assert b"".join(iter_gzip(path)) == body + b'{"n": "second member"}\n'
    assert gzip_head(path) == body[:FINGERPRINT_BYTES]
    for cut in sorted({0, 1, 2, 9, 10, 11, 100, len(whole) // 3, len(whole) - 40, len(whole) - 30, len(whole) - 8}):
        path.write_bytes(whole[:cut])
        assert gzip_problem(path), cut
    damaged = bytearray(whole)
    damaged[len(whole) // 4] ^= 0x55
    path.write_bytes(bytes(damaged))
    assert gzip_problem(path)
    path.write_bytes(whole + b"trailing junk")
    assert "not gzip" in gzip_problem(path)


def test_a_gzip_bomb_is_streamed_in_bounded_chunks(tmp_path) -> None:
    path = tmp_path / "bomb.json.gz"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(path, "wb") as fh:
        block = b"\n" * (1 << 20)
        for _ in range(64):
            fh.write(compressor.compress(block))
        fh.write(compressor.flush())
    sizes = [len(chunk) for chunk in iter_gzip(path)]
    assert sum(sizes) == 64 << 20 and max(sizes) <= 1 << 20
