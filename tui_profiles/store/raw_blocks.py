"""Each message's own JSON text, kept compressed a few dozen messages to a block, beside the events table.

The events table holds what is read often: the parsed columns, and `props`, the
event's own properties that filters read. The whole message (1.1 KB of JSON on
average, most of it context that repeats from one message to the next) is read
only when one event is opened or exported. Kept in each row, it made the table
2.5 times as wide as the columns read, every page written twice through the WAL,
and every index build and ordered pass read it again. Here it is zlib-compressed
(level 1) 64 messages at a time: about an eighth of the bytes, at a few
microseconds a message. Each event row knows its block and its slot in it.

A block: zlib of `len1,len2,...\\n` followed by the members' UTF-8 bytes, one after
another, so any text survives (a member may hold any character). Erasing a person
blanks their members (length 0) and writes the block again, or deletes it when
nothing is left: no byte of an erased message stays, compressed or not.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .models import RAW_BLOCKS

BLOCK = 64  # messages a block: 32 gave 7.7x, 64 8.2x, 128 8.5x on the benchmark's traffic
LEVEL = 1  # zlib level: 6 compresses little better here, at twice the time

Ref = tuple[int, int]  # (block id, slot)


def pack(members: Sequence[bytes]) -> bytes:
    header = ",".join(str(len(m)) for m in members).encode() + b"\n"
    return zlib.compress(header + b"".join(members), LEVEL)


def unpack(data: bytes) -> list[bytes]:
    plain = zlib.decompress(data)
    end = plain.index(b"\n")
    if end == 0:
        return []
    members, at = [], end + 1
    for size in (int(s) for s in plain[:end].split(b",")):
        members.append(plain[at : at + size])
        at += size
    return members


def _next_id(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(RAW_BLOCKS.c.id), 0))).scalar_one()) + 1


def write(conn: Connection, texts: Sequence[str]) -> list[Ref]:
    """Store these messages' texts in new blocks, in the caller's transaction (the writer's lock held):
    each text's (block, slot), in order."""
    if not texts:
        return []
    block_id = _next_id(conn)
    rows, refs = [], []
    for start in range(0, len(texts), BLOCK):
        chunk = texts[start : start + BLOCK]
        rows.append((block_id, pack([t.encode() for t in chunk])))
        refs.extend((block_id, slot) for slot in range(len(chunk)))
        block_id += 1
    _insert(conn, rows)
    return refs


def write_packed(conn: Connection, blocks: Sequence[tuple[bytes, int]], members: Sequence[tuple[int, int]]) -> list[Ref]:
    """Store blocks packed where the batch was read (ingest/reader_process.py): `blocks` as (data, how many
    members), `members` the stored events' (block number, slot), in order; their refs, in the same order.

    A block all of whose events are stored goes as it is. One with events not stored (a duplicate, an
    erased id) is packed again without them: their bytes never reach the store."""
    kept: dict[int, list[int]] = defaultdict(list)
    for number, slot in members:
        kept[number].append(slot)
    block_id = _next_id(conn)
    rows, where = [], {}
    for number in sorted(kept):
        data, count = blocks[number]
        slots = kept[number]
        if len(slots) == count:  # each slot once: a batch's events are distinct
            rows.append((block_id, data))
            where.update(((number, slot), (block_id, slot)) for slot in slots)
        else:
            old = unpack(data)
            rows.append((block_id, pack([old[slot] for slot in slots])))
            where.update(((number, slot), (block_id, i)) for i, slot in enumerate(slots))
        block_id += 1
    _insert(conn, rows)
    return [where[m] for m in members]


def _insert(conn: Connection, rows: list[tuple[int, bytes]]) -> None:
    insert = "INSERT INTO raw_blocks (id, data) VALUES (?, ?)"
    if rows:
        conn.exec_driver_sql(insert if conn.dialect.name == "sqlite" else insert.replace("?", "%s"), rows)


def read(conn: Connection, refs: Iterable[tuple[int | None, int | None]]) -> dict[Ref, str]:
    """The texts of these members, each block read and unpacked once; a member not there (blanked) is left out."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for block, slot in refs:
        if block is not None and slot is not None:
            wanted[block].add(slot)
    out: dict[Ref, str] = {}
    ids = sorted(wanted)
    for i in range(0, len(ids), 500):
        for block, data in conn.execute(sa.select(RAW_BLOCKS.c.id, RAW_BLOCKS.c.data).where(RAW_BLOCKS.c.id.in_(ids[i : i + 500]))):
            members = unpack(bytes(data))
            for slot in wanted[block]:
                if slot < len(members) and members[slot]:
                    out[(block, slot)] = members[slot].decode()
    return out


def message(text: str | None) -> dict[str, Any]:
    """A member's text parsed, for what reads fields of it ({} when there is none, or it is not an object)."""
    parsed = orjson.loads(text) if text else {}
    return parsed if isinstance(parsed, dict) else {}


def text_of(conn: Connection, block: int | None, slot: int | None) -> str | None:
    return read(conn, [(block, slot)]).get((block, slot)) if block is not None and slot is not None else None  # type: ignore[arg-type]


def blank(conn: Connection, refs: Iterable[tuple[int | None, int | None]]) -> int:
    """Remove these members' bytes from their blocks (a block left empty goes); how many blocks were rewritten or removed."""
    gone: dict[int, set[int]] = defaultdict(set)
    for block, slot in refs:
        if block is not None and slot is not None:
            gone[block].add(slot)
    ids = sorted(gone)
    changed = 0
    for i in range(0, len(ids), 500):
        blocks = conn.execute(sa.select(RAW_BLOCKS.c.id, RAW_BLOCKS.c.data).where(RAW_BLOCKS.c.id.in_(ids[i : i + 500]))).all()
        for block, data in blocks:
            members = unpack(bytes(data))
            members = [b"" if slot in gone[block] else m for slot, m in enumerate(members)]
            if any(members):
                conn.execute(RAW_BLOCKS.update().where(RAW_BLOCKS.c.id == block).values(data=pack(members)))
            else:
                conn.execute(RAW_BLOCKS.delete().where(RAW_BLOCKS.c.id == block))
            changed += 1
    return changed
