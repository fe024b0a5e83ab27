"""make_engine(url): SQLite pragmas or PostgreSQL, the schema created or upgraded, one clear error."""

from __future__ import annotations

from pathlib import Path

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

from . import models
from .models import SCHEMA_VERSION


class StoreError(Exception):
    """The store cannot be used; the message is one line a person can act on."""


def _json_dumps(value: object) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, writer: bool = False, create: bool = True) -> Engine:
    """An engine for the store at `url`, schema ready.

    `writer=True` makes every SQLite transaction start with BEGIN IMMEDIATE: a
    deferred read-then-write transaction can fail with SQLITE_BUSY at once,
    whatever the busy timeout (SQLite's documented behaviour), so the writer takes the lock first.
    """
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError and ValueError alike
        raise StoreError(f"not a database URL: {url!r} ({exc})") from None
    kwargs: dict = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            path = Path(db).expanduser()
            if not path.parent.exists():
                if not create:
                    raise StoreError(f"no store at {path}")
                path.parent.mkdir(parents=True, exist_ok=True)
            elif not create and not path.exists():
                raise StoreError(f"no store at {path}")
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        engine = sa.create_engine(parsed, **kwargs)
        _install_sqlite_hooks(engine, writer=writer)
    elif parsed.get_backend_name() == "postgresql":
        kwargs["pool_pre_ping"] = True
        kwargs["connect_args"] = {"connect_timeout": 5}
        engine = sa.create_engine(parsed, **kwargs)
    else:
        raise StoreError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql+psycopg://")
    try:
        ensure_schema(engine)
    except sa.exc.OperationalError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"cannot open the store at {parsed.render_as_string(hide_password=True)}: {first}") from None
    return engine


def _install_sqlite_hooks(engine: Engine, *, writer: bool) -> None:
    begin = "BEGIN IMMEDIATE" if writer else "BEGIN"

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        # Take transaction control from the sqlite3 module so BEGIN is ours.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        # Events are ~1.4 KB rows: 4 KB pages hold two and waste a third of each; 8 KB pages
        # hold five. Takes effect only in a new file (before the first table and WAL).
        cur.execute("PRAGMA page_size=8192")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA cache_size=-65536")
        cur.execute("PRAGMA temp_store=MEMORY")
        if writer:
            # A batch rewrites the same index and profile pages as the one before; checkpointing
            # every 8 MB of WAL (the default 1,000 pages) copied them back into the file after
            # nearly every commit, a fifth of a steady ingest. 10,000 pages: once in ~80 MB.
            cur.execute("PRAGMA wal_autocheckpoint=10000")
        cur.close()
        # SQLite's lower() folds ASCII only; filters ignore case the way Python does.
        dbapi_conn.create_function("py_lower", 1, _py_lower, deterministic=True)

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        conn.exec_driver_sql(begin)


def _py_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def ensure_schema(engine: Engine) -> None:
    """Create the tables, or upgrade a store written by an older version."""
    assert models  # the tables register on import
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Two processes opening a new store at once must not race on CREATE TABLE.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7417001)")
        SQLModel.metadata.create_all(conn)
        row = conn.execute(sa.select(models.Meta.value).where(models.Meta.key == "schema_version")).first()
        version = int(row[0]) if row else None
        if version is None:
            conn.execute(sa.insert(models.Meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
        elif version > SCHEMA_VERSION:
            raise StoreError(f"the store was written by a newer tui-profiles (schema {version}, this one knows {SCHEMA_VERSION})")
        elif version < SCHEMA_VERSION:
            _upgrade(conn, version)


def _upgrade(conn: sa.Connection, version: int) -> None:
    """Step the schema forward one version at a time (new tables come from create_all)."""
    while version < SCHEMA_VERSION:
        version += 1
        if version == 2:
            # Companies: the membership index on an existing events table, and the
            # companies table filled from the events already stored.
            from .company_upkeep import rebuild_all

            for index in models.Event.__table__.indexes:
                index.create(conn, checkfirst=True)
            rebuild_all(conn)
        if version == 3:
            # Read indexes on tables already stored (the user list's order, `source:`, `visited:`);
            # the two they replace go. Indexes only: no data changes.
            conn.exec_driver_sql("DROP INDEX IF EXISTS ix_profiles_last_seen")
            conn.exec_driver_sql("DROP INDEX IF EXISTS ix_events_path_profile")
            for table in (models.Profile.__table__, models.ProfileSession.__table__, models.Event.__table__):
                for index in table.indexes:
                    index.create(conn, checkfirst=True)
        if version == 4:
            _upgrade_to_4(conn)
        # 5: the notes table, which create_all has just made (with its index): nothing to move.
        if version == 6:
            _upgrade_to_6(conn)
        conn.execute(
            sa.update(models.Meta).where(models.Meta.key == "schema_version").values(value=str(version))
        )


def _upgrade_to_4(conn: sa.Connection) -> None:
    """events.anon_profile_id: an anonymous profile keeps the history merged into a user.

    A v3 store moved that history to the user and dropped an anonymous profile left with
    nothing: the column is added, the anonymous profiles that vanished are made again, every
    event tracked with no user id gets its anonymous profile (a PostHog distinct_id known as a
    user id excepted), and the anonymous profiles are folded again from their own events.
    The indexes that carry the column are made again with it.
    """
    from ..config import Settings
    from .writer import StoreWriter

    events = models.Event.__table__
    profiles = models.Profile.__table__
    links = models.IdentityLink.__table__
    if "anon_profile_id" not in {c["name"] for c in sa.inspect(conn).get_columns("events")}:
        conn.exec_driver_sql("ALTER TABLE events ADD COLUMN anon_profile_id INTEGER")
    for name in ("ix_events_name_profile", "ix_events_page_profile", "ix_events_group_profile"):
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    # Anonymous ids of events tracked with no user id, less PostHog distinct_ids known to be user ids.
    anonymous = sa.and_(
        events.c.user_id.is_(None),
        events.c.anonymous_id.is_not(None),
        sa.not_(sa.and_(events.c.id_ambiguous.is_(True), events.c.anonymous_id.in_(sa.select(links.c.user_id)))),
    )
    have = sa.select(profiles.c.external_id).where(profiles.c.kind == "anonymous")
    missing = sa.select(events.c.anonymous_id).where(anonymous, events.c.anonymous_id.not_in(have)).distinct()
    conn.execute(
        profiles.insert().from_select(
            ["kind", "external_id", "traits"],
            sa.select(sa.literal("anonymous"), missing.subquery().c.anonymous_id, sa.literal_column("NULL")),
        )
    )
    owner = sa.select(profiles.c.id).where(profiles.c.kind == "anonymous", profiles.c.external_id == events.c.anonymous_id)
    conn.execute(events.update().where(anonymous).values(anon_profile_id=owner.scalar_subquery()))
    for index in events.indexes:
        index.create(conn, checkfirst=True)
    # Fold the anonymous profiles again from their own events (the made ones have none folded yet).
    # Settings do not matter beyond the session gap and order events, which ingest fixes on each batch
    # anyway; the defaults are the ones a store is read with when no settings are given.
    pids = [pid for (pid,) in conn.execute(sa.select(profiles.c.id).where(profiles.c.kind == "anonymous"))]
    writer = StoreWriter(conn.engine, Settings())
    for i in range(0, len(pids), 500):
        writer.rebuild_profiles(conn, pids[i : i + 500])


def _upgrade_to_6(conn: sa.Connection) -> None:
    """The raw message leaves the events table for compressed blocks; `props` keeps what filters read.

    Every event's stored text goes into blocks (store/raw_blocks.py) in id order, its properties into
    `props`, then the `raw` column goes. About a minute for a million events.
    """
    from . import raw_blocks
    from .queries import properties_of

    columns = {c["name"] for c in sa.inspect(conn).get_columns("events")}
    for name in ("props", "raw_block", "raw_slot"):
        if name not in columns:
            kind = models.EVENTS.c[name].type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE events ADD COLUMN {name} {kind}")
    if "raw" not in columns:
        return
    pg = conn.dialect.name == "postgresql"
    select = "SELECT id, type, format, raw{} FROM events WHERE id > {} ORDER BY id LIMIT 5000".format(
        "::text" if pg else "", "%s" if pg else "?"
    )
    update = "UPDATE events SET props = {}, raw_block = {p}, raw_slot = {p} WHERE id = {p}".format(
        "%s::jsonb" if pg else "?", p="%s" if pg else "?"
    )
    after = 0
    while True:
        rows = conn.exec_driver_sql(select, (after,)).all()
        if not rows:
            break
        after = rows[-1][0]
        kept = [(eid, typ, fmt, text) for eid, typ, fmt, text in rows if text is not None and text != "null"]
        refs = raw_blocks.write(conn, [text for _, _, _, text in kept])
        updates = []
        for (eid, typ, fmt, text), (block, slot) in zip(kept, refs):
            message = orjson.loads(text)
            own = {} if typ == "alias" and fmt == "segment" else properties_of(typ, message if isinstance(message, dict) else {})
            updates.append((_json_dumps(own), block, slot, eid))
        if updates:
            conn.exec_driver_sql(update, updates)
    conn.exec_driver_sql("ALTER TABLE events DROP COLUMN raw")
