"""The test fixtures themselves: both backends really run, and each test gets its own empty database."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import create_engine, inspect, text


def test_both_backends_answer(db_url: str, request) -> None:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("select 1")).scalar_one() == 1
        expected = {"sqlite": "sqlite", "postgres": "postgresql"}[request.node.callspec.id]
        assert engine.dialect.name == expected
    finally:
        engine.dispose()


def test_each_database_starts_empty(db_url: str) -> None:
    # Runs once per backend; a database shared between tests, or kept after one, would already hold the table.
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            assert inspect(conn).get_table_names() == []
            conn.execute(text("create table leftover (id integer primary key)"))
            assert inspect(conn).get_table_names() == ["leftover"]
    finally:
        engine.dispose()


def test_pinned_now_is_one_instant(pinned_now: datetime, now_ms: int) -> None:
    assert pinned_now == datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
    assert now_ms == 1_795_176_000_000
    assert datetime.fromtimestamp(now_ms / 1000, tz=timezone.utc) == pinned_now
