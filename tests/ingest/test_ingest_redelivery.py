"""A redelivered batch that starts with a line already stored is read whole: nothing of it is lost."""

from __future__ import annotations

import gzip
import json

from tests.storekit import ingest


def _line(i: int) -> bytes:
    return json.dumps({"type": "track", "event": "E", "userId": "u", "messageId": f"m{i}",
                       "timestamp": "2024-01-01T00:00:00Z"}).encode()  # fmt: skip


def test_a_gzip_batch_sharing_its_first_line_with_a_stored_file_is_read_whole(db_url, tmp_path):
    (tmp_path / "a.json.gz").write_bytes(gzip.compress(_line(0) + b"\n"))
    assert ingest(db_url, [tmp_path / "a.json.gz"]).as_dict() == {"files": 1, "events": 1, "duplicates": 0, "copies": 0, "rejected": 0}
    (tmp_path / "b.json.gz").write_bytes(gzip.compress(b"\n".join(_line(i) for i in range(6)) + b"\n"))
    # Same first line, so the same identity as a.json.gz; yet its other five lines are new.
    assert ingest(db_url, [tmp_path / "b.json.gz"]).as_dict() == {"files": 1, "events": 5, "duplicates": 1, "copies": 0, "rejected": 0}


def test_a_gzip_batch_after_a_stored_one_that_was_longer(db_url, tmp_path):
    (tmp_path / "a.json.gz").write_bytes(gzip.compress(b"\n".join(_line(i) for i in range(4)) + b"\n"))
    ingest(db_url, [tmp_path / "a.json.gz"])
    (tmp_path / "b.json.gz").write_bytes(gzip.compress(b"\n".join(_line(i) for i in (0, 7, 8)) + b"\n"))
    assert ingest(db_url, [tmp_path / "b.json.gz"]).as_dict() == {"files": 1, "events": 2, "duplicates": 1, "copies": 0, "rejected": 0}
