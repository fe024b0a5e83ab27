"""FileIngestor, as `tui-profiles ingest` uses it: files known by content, offsets kept exact, a stale batch read again."""

from __future__ import annotations

import gzip
from pathlib import Path

import sqlalchemy as sa

from tests.ingest.support import Store, seg_line
from tui_profiles.config import Settings
from tui_profiles.ingest.files import FileIngestor
from tui_profiles.store.engine import make_engine
from tui_profiles.store.models import FILES
from tui_profiles.store.writer import StoreWriter


def ingestor(url: str, batch_size: int = 5000) -> FileIngestor:
    return FileIngestor(StoreWriter(make_engine(url, writer=True), Settings(db_url=url)), batch_size)


def first_load(url: str) -> FileIngestor:
    """As `tui-profiles ingest` makes it: a first load when the store has no events, read in a second process."""
    return FileIngestor(StoreWriter(make_engine(url, writer=True), Settings(db_url=url)), 5000, first_load=True, read_in_parallel=True)


def lines(prefix: str, n: int, start: int = 0) -> bytes:
    return b"".join(seg_line(f"{prefix}-{i}", anon=f"a-{i % 4}") for i in range(start, start + n))


def test_plain_and_gz_read_to_the_end_then_nothing_again(sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(lines("a", 10) + seg_line("a-last")[:-1])  # the last line has no newline
    (tmp_path / "b.json.gz").write_bytes(gzip.compress(lines("b", 10)))
    first = ingestor(sqlite_url).ingest_paths([tmp_path])
    assert first.as_dict() == {"files": 2, "events": 21, "duplicates": 0, "copies": 0, "rejected": 0}
    (tmp_path / "a.jsonl").rename(tmp_path / "renamed.jsonl")
    again = ingestor(sqlite_url).ingest_paths([tmp_path])
    assert again.as_dict() == {"files": 2, "events": 0, "duplicates": 0, "copies": 0, "rejected": 0}


def test_an_older_or_half_copied_prefix_is_not_read_again(sqlite_url: str, tmp_path: Path) -> None:
    full = lines("p", 50)
    (tmp_path / "full.jsonl").write_bytes(full)
    assert ingestor(sqlite_url).ingest_paths([tmp_path]).events == 50
    (tmp_path / "full.jsonl").unlink()
    cut = full.index(seg_line("p-20", anon="a-0"))
    (tmp_path / "copy.jsonl").write_bytes(full[: cut + 7])  # a copy still arriving
    assert ingestor(sqlite_url).ingest_paths([tmp_path]).as_dict() == {"files": 1, "events": 0, "duplicates": 0, "copies": 0, "rejected": 0}


def test_the_same_first_line_with_other_content_after_it_is_read_from_the_start(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    head = seg_line("same-first")
    path.write_bytes(head + seg_line("x-1", pad="y" * 300) + seg_line("x-2"))
    assert ingestor(db_url).ingest_paths([path]).events == 3
    # Rewritten: the stored offset now falls inside a line, so it is not this content's offset.
    path.write_bytes(head + b"".join(seg_line(f"z-{i}") for i in range(10)))
    summary = ingestor(db_url).ingest_paths([path])
    assert summary.as_dict() == {"files": 1, "events": 10, "duplicates": 1, "copies": 0, "rejected": 0}


def test_a_gzipped_rotation_goes_on_where_the_plain_file_stopped(db_url: str, tmp_path: Path) -> None:
    plain = tmp_path / "events.jsonl"
    plain.write_bytes(lines("g", 30))
    assert ingestor(db_url).ingest_paths([plain]).events == 30
    plain.unlink()
    (tmp_path / "events.1.json.gz").write_bytes(gzip.compress(lines("g", 45)))
    assert ingestor(db_url).ingest_paths([tmp_path]).as_dict() == {"files": 1, "events": 15, "duplicates": 0, "copies": 0, "rejected": 0}
    assert Store(db_url).ids() == {f"g-{i}" for i in range(45)}


def test_files_starting_with_blank_lines_are_not_taken_for_each_other(sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(b"\n\n" + lines("blank-a", 3))
    (tmp_path / "b.jsonl").write_bytes(b"\n\n" + lines("blank-b", 5))
    assert ingestor(sqlite_url).ingest_paths([tmp_path]).events == 8


def test_a_broken_gz_is_quarantined_at_once_by_ingest(sqlite_url: str, tmp_path: Path) -> None:
    blob = gzip.compress(lines("cut", 40))
    (tmp_path / "cut.json.gz").write_bytes(blob[:-30])
    summary = ingestor(sqlite_url).ingest_paths([tmp_path])
    [(file, line, reason, _)] = Store(sqlite_url).rejected()
    assert summary.rejected == 1 and summary.events == line - 1 and summary.events > 0
    assert file.endswith("cut.json.gz") and reason.startswith("gzip stream broken after line")
    assert ingestor(sqlite_url).ingest_paths([tmp_path]).as_dict() == {"files": 1, "events": 0, "duplicates": 0, "copies": 0, "rejected": 0}


def test_a_stale_batch_is_refused_and_read_again_from_where_the_store_says(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "shared.jsonl"
    path.write_bytes(lines("s", 30) + b"not json\n")
    late = ingestor(db_url, batch_size=7)
    late.prefetch([path])  # learns "nothing read yet"
    early = ingestor(db_url)
    assert early.ingest_paths([path]).as_dict() == {"files": 1, "events": 30, "duplicates": 0, "copies": 0, "rejected": 1}
    refused = []
    late.on_batch = refused.append
    summary = late.ingest_paths([path])
    # Its first batch was refused, nothing was written twice, and it knows where the file stands now.
    assert summary.as_dict() == {"files": 1, "events": 0, "duplicates": 0, "copies": 0, "rejected": 0} and refused == []
    assert len(Store(db_url).rejected()) == 1
    with open(path, "ab") as fh:
        fh.write(lines("s", 5, start=30))
    assert late.ingest_paths([path]).as_dict() == {"files": 1, "events": 5, "duplicates": 0, "copies": 0, "rejected": 0}


def test_more_files_in_one_batch_than_one_statement_can_bind(sqlite_url: str, tmp_path: Path) -> None:
    for i in range(4200):  # 8 values a file: over SQLite's 32,766
        (tmp_path / f"{i}.jsonl").write_bytes(seg_line(f"many-{i}"))
    assert ingestor(sqlite_url).ingest_paths([tmp_path]).events == 4200
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(FILES)).scalar_one() == 4200


def test_a_first_load_into_a_store_that_has_read_files_goes_on_from_them(db_url: str, tmp_path: Path) -> None:
    """A store with file rows but no events (its only file held broken lines) still gets a first load,
    which learns those files from the store: the broken file is not read, nor quarantined, again."""
    (tmp_path / "1-broken.jsonl").write_bytes(b"not json\n{also not\n")
    (tmp_path / "1-broken.json.gz").write_bytes(gzip.compress(b"not json either\n"))
    first = FileIngestor(StoreWriter(make_engine(db_url, writer=True), Settings(db_url=db_url)), 5000, first_load=True)
    assert first.ingest_paths([tmp_path]).as_dict() == {"files": 2, "events": 0, "duplicates": 0, "copies": 0, "rejected": 3}
    (tmp_path / "2-new.jsonl").write_bytes(lines("n", 10))
    (tmp_path / "3-new.json.gz").write_bytes(gzip.compress(lines("m", 10)))
    assert first_load(db_url).ingest_paths([tmp_path]).as_dict() == {"files": 4, "events": 20, "duplicates": 0, "copies": 0, "rejected": 0}
    assert len(Store(db_url).rejected()) == 3 and Store(db_url).count() == 20


def test_a_first_load_from_nothing_stores_what_it_reports(db_url: str, tmp_path: Path) -> None:
    """The load that skips looking its files up (the store has read none) commits them and their events."""
    (tmp_path / "a.jsonl").write_bytes(lines("a", 10) + b"not json\n")
    (tmp_path / "b.json.gz").write_bytes(gzip.compress(lines("b", 10)))
    assert first_load(db_url).ingest_paths([tmp_path]).as_dict() == {"files": 2, "events": 20, "duplicates": 0, "copies": 0, "rejected": 1}
    assert Store(db_url).count() == 20 and len(Store(db_url).rejected()) == 1
    assert first_load(db_url).ingest_paths([tmp_path]).as_dict() == {"files": 2, "events": 0, "duplicates": 0, "copies": 0, "rejected": 0}
