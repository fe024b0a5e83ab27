"""The floor: the least a program must do to get the same events into a database, in a child process.

    python -m tests.bench.floor sqlite-load DB FOLDER     stdlib sqlite3 + orjson, executemany 5,000 rows a
                                                          transaction, WAL, then the unique message-id index
                                                          and the (user, time) index built after the load
    python -m tests.bench.floor sqlite-steady DB FOLDER   INSERT OR IGNORE into that indexed table
    python -m tests.bench.floor pg-load URL FOLDER        PostgreSQL: COPY 5,000 rows a transaction, then the indexes
    python -m tests.bench.floor pg-steady URL FOLDER      INSERT ... ON CONFLICT DO NOTHING

Each event becomes (message id, user key, time, name, properties JSON); the
time stays the text the line carries (no parsing). Prints {"rows", "inserted"}.
"""

from __future__ import annotations

import gzip
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson

BATCH = 5000
BAD_LINES_DIR = "bad-lines"


def rows(folder: Path) -> Iterator[tuple[str, str, str | None, str | None, str]]:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.parent.name == BAD_LINES_DIR:
            continue
        data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
        for line in data.split(b"\n"):
            if not line:
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if "type" in obj:  # Segment, RudderStack
                mid, user = obj.get("messageId"), obj.get("userId") or obj.get("anonymousId")
                name = obj.get("event") or obj.get("name") or obj.get("type")
                props = obj.get("properties") or obj.get("traits") or {}
            else:  # PostHog
                mid, user, name, props = obj.get("uuid"), obj.get("distinct_id"), obj.get("event"), obj.get("properties") or {}
            if mid and user:
                yield mid, user, obj.get("timestamp"), name, orjson.dumps(props).decode()


def batches(folder: Path) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows(folder):
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def sqlite_load(db: str, folder: Path) -> dict[str, int]:
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("CREATE TABLE events (message_id TEXT NOT NULL, user_key TEXT NOT NULL, ts TEXT, name TEXT, properties TEXT)")
    count = 0
    for batch in batches(folder):
        con.execute("BEGIN")
        con.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?)", batch)
        con.execute("COMMIT")
        count += len(batch)
    con.execute("CREATE UNIQUE INDEX ix_floor_message_id ON events (message_id)")
    con.execute("CREATE INDEX ix_floor_user_ts ON events (user_key, ts)")
    con.close()
    return {"rows": count, "inserted": count}


def sqlite_steady(db: str, folder: Path) -> dict[str, int]:
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    count = inserted = 0
    for batch in batches(folder):
        con.execute("BEGIN")
        before = con.total_changes
        con.executemany("INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?)", batch)
        inserted += con.total_changes - before
        con.execute("COMMIT")
        count += len(batch)
    con.close()
    return {"rows": count, "inserted": inserted}


def _pg(url: str):  # noqa: ANN202
    import psycopg

    from tests.bench.proc import pg_connect_kwargs

    return psycopg.connect(**pg_connect_kwargs(url))


def pg_load(url: str, folder: Path) -> dict[str, int]:
    count = 0
    with _pg(url) as conn:
        conn.execute("CREATE TABLE events (message_id text NOT NULL, user_key text NOT NULL, ts text, name text, properties jsonb)")
        conn.commit()
        for batch in batches(folder):
            with conn.cursor().copy("COPY events (message_id, user_key, ts, name, properties) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
            conn.commit()
            count += len(batch)
        conn.execute("CREATE UNIQUE INDEX ix_floor_message_id ON events (message_id)")
        conn.execute("CREATE INDEX ix_floor_user_ts ON events (user_key, ts)")
        conn.commit()
    return {"rows": count, "inserted": count}


def pg_steady(url: str, folder: Path) -> dict[str, int]:
    count = 0
    with _pg(url) as conn:
        before = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        for batch in batches(folder):
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO events VALUES (%s, %s, %s, %s, %s::jsonb) ON CONFLICT (message_id) DO NOTHING", batch)
            conn.commit()
            count += len(batch)
        after = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    return {"rows": count, "inserted": after - before}


def main(argv: list[str]) -> int:
    command, target, folder = argv
    run = {"sqlite-load": sqlite_load, "sqlite-steady": sqlite_steady, "pg-load": pg_load, "pg-steady": pg_steady}[command]
    sys.stdout.write(orjson.dumps(run(target, Path(folder))).decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
