"""Write a profile export file: CSV for a spreadsheet, or JSONL of the raw events (the inverse of ingest).

ingest/ is where the product meets files: it reads event files in and, here,
writes one profile's events out; what goes in the file is read by store/export.py.
A file is written beside its destination and renamed into place, so a failed
export never leaves half a file under the name asked for.

CSV: every field quoted; a cell starting with `=`, `+`, `-`, `@`, tab or carriage
return gets a leading `'` so no spreadsheet runs it as a formula (OWASP CSV
injection); UTF-8 with a byte-order mark, which spreadsheets need to read UTF-8.

With a masker (the app's screen-sharing mask is on), personal values are masked in both
formats, as on screen: the summary, every event's properties and its raw message.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson
from sqlalchemy.engine import Engine

from ..config import Settings
from ..domain.masking import Masker, properties_key
from ..store import export as store_export
from ..store.export import ExportEvent, as_json_text, iso

CSV, JSONL = "csv", "jsonl"
FORMATS = (CSV, JSONL)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EVENT_HEADER = ("time", "session", "type", "name", "page", "properties")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text, never evaluates."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def write_csv(out, summary: Iterable[tuple[str, str]], events: Iterable[ExportEvent]) -> int:  # noqa: ANN001
    """The summary block (`field`, `value`), a blank line, then a header and one row per event; returns the events written."""
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(("field", "value"))
    for label, value in summary:
        writer.writerow((neutralise(label), neutralise(value)))
    writer.writerow(())
    writer.writerow(EVENT_HEADER)
    n = 0
    for e in events:
        cells = (iso(e.ts), e.session_id or "", e.type, e.name or "", e.page or "", as_json_text(e.properties))
        writer.writerow(tuple(neutralise(c) for c in cells))
        n += 1
    return n


def write_jsonl(out, events: Iterable[ExportEvent]) -> int:  # noqa: ANN001
    """Each raw message on its own line, as it was received; returns the events written."""
    n = 0
    for e in events:
        # The text as it came, byte for byte; a masked export writes the masked message instead.
        out.write((e.raw_text.encode() if e.raw_text else orjson.dumps(e.raw, option=orjson.OPT_NON_STR_KEYS)) + b"\n")
        n += 1
    return n


def write_export(path: Path, fmt: str, summary: Iterable[tuple[str, str]], events: Iterable[ExportEvent]) -> int:
    """Write the export to `path` (replacing it), all or nothing; returns the number of events written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (one of: {', '.join(FORMATS)})")
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or Path("."))
    try:
        if fmt == CSV:
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
                n = write_csv(out, summary, events)
        else:
            with os.fdopen(fd, "wb") as out:
                n = write_jsonl(out, events)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n


def masked_summary(summary: Iterable[tuple[str, str]], mask: Masker) -> list[tuple[str, str]]:
    """The summary block with personal values masked: by label (`name`, `email`), traits by their keys, the rest as text."""
    out = []
    for label, value in summary:
        if label == "traits" and value:
            value = as_json_text(mask.value("", orjson.loads(value)))
        else:
            value = str(mask.value(label, value))
        out.append((label, value))
    return out


def masked_events(events: Iterable[ExportEvent], mask: Masker) -> Iterator[ExportEvent]:
    for e in events:
        yield dataclasses.replace(
            e, name=mask.text(e.name) if e.name else e.name, page=mask.text(e.page) if e.page else e.page,
            properties=mask.value(properties_key(e.type), e.properties), raw=mask.value("", e.raw), raw_text="",
        )  # fmt: skip


def export_profile(
    engine: Engine, profile_id: int, path: Path, *, fmt: str, settings: Settings, now_ms: int, mask: Masker | None = None,
) -> int | None:  # fmt: skip
    """Export one profile to a file (the CLI's `export` and the profile screen's key); None if there is no such profile.

    `mask`: personal values masked (the app's screen-sharing mask is on)."""
    with engine.connect() as conn:
        pairs = store_export.summary(conn, profile_id, settings=settings, now_ms=now_ms)
        if pairs is None:
            return None
        events: Iterable[ExportEvent] = store_export.events(conn, profile_id)
        if mask is not None:
            pairs, events = masked_summary(pairs, mask), masked_events(events, mask)
        return write_export(path, fmt, pairs, events)
