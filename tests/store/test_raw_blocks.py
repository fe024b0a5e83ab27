"""Messages kept in compressed blocks: any text round-trips, exports are byte for byte, a schema-5 store upgrades in place."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from tests.store.filter_stores import fixed_store
from tests.store.test_filter_sql import CASES, matching
from tests.storekit import NOW, ingest, pid_of, store_snapshot
from tui_profiles.config import Settings
from tui_profiles.ingest.export import export_profile
from tui_profiles.store import models, queries, raw_blocks
from tui_profiles.store.engine import make_engine


@given(st.lists(st.text(), max_size=70), st.data())
def test_any_text_comes_back_and_blanked_members_are_gone(texts: list[str], data: st.DataObject) -> None:
    members = [t.encode("utf-8", "surrogatepass") for t in texts]
    packed = raw_blocks.pack(members)
    assert raw_blocks.unpack(packed) == members
    gone = data.draw(st.sets(st.integers(0, max(0, len(members) - 1))))
    kept = [b"" if i in gone else m for i, m in enumerate(members)]
    assert raw_blocks.unpack(raw_blocks.pack(kept)) == kept


def _texts(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ids = [eid for (eid,) in conn.execute(sa.select(models.EVENTS.c.id))]
            return {d.row.message_id: d.raw_text for eid in ids if (d := queries.event_detail(conn, eid)) is not None}
    finally:
        engine.dispose()


ODD_LINES = [
    # Spacing, key order, escapes and characters a re-serialiser would change: kept as they came.
    '{ "type" : "track", "event": "Ordered", "userId": "u-1", "messageId": "m-1",'
    ' "timestamp": "2024-03-04T09:00:00Z", "properties": {"b": 1.50, "a": "\\u00e9t\\u00e9", "z": "Zoë ☃"} }',
    '{"messageId":"m-2","type":"identify","userId":"u-1","timestamp":"2024-03-04T09:01:00Z",'
    '"traits":{"plan":"pro","email":"u1@example.com"},"context":{"page":{"path":"/x"}}}',
]


def test_export_writes_each_message_byte_for_byte(db_url: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "odd.jsonl").write_text("\n".join(ODD_LINES) + "\n", encoding="utf-8")
    ingest(db_url, [inbox])
    engine = make_engine(db_url)
    try:
        out = tmp_path / "u1.jsonl"
        assert export_profile(engine, pid_of(db_url, "u-1"), out, fmt="jsonl", settings=Settings(), now_ms=NOW) == 2
    finally:
        engine.dispose()
    assert out.read_text(encoding="utf-8").splitlines() == ODD_LINES
    assert _texts(db_url) == {"m-1": ODD_LINES[0], "m-2": ODD_LINES[1]}


def _as_schema_5(url: str) -> None:
    """Turn a store into what schema 5 wrote: the message in events.raw, no blocks, no props."""
    engine = make_engine(url)
    pg = engine.dialect.name == "postgresql"
    texts = {}
    with engine.connect() as conn:
        for eid, block, slot in conn.execute(sa.select(models.EVENTS.c.id, models.EVENTS.c.raw_block, models.EVENTS.c.raw_slot)):
            texts[eid] = raw_blocks.text_of(conn, block, slot)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"ALTER TABLE events ADD COLUMN raw {'JSONB' if pg else 'JSON'}")
        p = "%s" if pg else "?"
        conn.exec_driver_sql(f"UPDATE events SET raw = {p}{'::jsonb' if pg else ''} WHERE id = {p}", [(t, i) for i, t in texts.items()])
        for column in ("props", "raw_block", "raw_slot"):
            conn.exec_driver_sql(f"ALTER TABLE events DROP COLUMN {column}")
        conn.exec_driver_sql("DROP TABLE raw_blocks")
        conn.exec_driver_sql("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    engine.dispose()


def test_a_schema_5_store_upgrades_in_place(db_url: str, tmp_path: Path) -> None:
    fixed_store(db_url, tmp_path)
    engine = make_engine(db_url)
    answers = {query: matching(engine, query) for query, _ in CASES}
    engine.dispose()
    snapshot, texts = store_snapshot(db_url), _texts(db_url)
    _as_schema_5(db_url)

    engine = make_engine(db_url)  # upgrades
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'").scalar() == str(models.SCHEMA_VERSION)
            assert "raw" not in {c["name"] for c in sa.inspect(conn).get_columns("events")}
        assert {query: matching(engine, query) for query, _ in CASES} == answers
    finally:
        engine.dispose()
    assert store_snapshot(db_url) == snapshot
    after = _texts(db_url)
    if make_engine(db_url).dialect.name == "sqlite":
        assert after == texts  # the text schema 5 kept, byte for byte
    else:  # JSONB kept the document, not its text
        assert {m: json.loads(t) for m, t in after.items()} == {m: json.loads(t) for m, t in texts.items()}
