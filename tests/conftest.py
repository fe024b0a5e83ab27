"""Shared fixtures: a store URL for each backend (a SQLite file, a fresh PostgreSQL database) and a pinned "now"."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import URL, make_url

PG_URL_ENV = "TUI_PROFILES_TEST_PG_URL"

PINNED_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
PINNED_NOW_MS = int(PINNED_NOW.timestamp()) * 1000


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def _connect_kwargs(url: URL) -> dict[str, object]:
    """libpq connection parameters for a SQLAlchemy URL (query arguments such as `host=/socket/dir` included)."""
    params = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
        **url.query,
    }
    return {key: value for key, value in params.items() if value is not None}


@pytest.fixture(scope="session", autouse=True)
def no_personal_config_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The config.toml of whoever runs the tests must not change them: every test, and every command it runs, reads an empty one."""
    empty = tmp_path_factory.mktemp("config") / "config.toml"
    empty.write_text("")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TUI_PROFILES_CONFIG", str(empty))
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test that asks for pg_url needs the server, so `-m "not postgres"` leaves it out too.
    for item in items:
        if "pg_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def pg_server_url() -> URL:
    """The server from $TUI_PROFILES_TEST_PG_URL, checked once per worker; tests want `pg_url`, not this.

    Skips without the variable, except in CI, where PostgreSQL is half of what must be tested.
    """
    raw = os.environ.get(PG_URL_ENV, "").strip()
    if not raw:
        message = f"{PG_URL_ENV} is not set, so there is no PostgreSQL server to test against (`make test` starts one)"
        if _in_ci():
            pytest.fail(f"{message}; CI must test PostgreSQL", pytrace=False)
        pytest.skip(message)
    url = make_url(raw)
    if url.drivername.split("+")[0] not in ("postgresql", "postgres"):
        pytest.fail(f"{PG_URL_ENV} must be a postgresql:// URL, not {url.drivername}://", pytrace=False)
    url = url.set(drivername="postgresql+psycopg")
    # Set but unreachable fails everywhere: whoever set it meant PostgreSQL to be tested.
    try:
        with psycopg.connect(**_connect_kwargs(url), connect_timeout=10):
            pass
    except psycopg.Error as exc:
        pytest.fail(f"PostgreSQL at {url.render_as_string()} is unreachable: {exc}", pytrace=False)
    return url


@pytest.fixture
def pg_url(pg_server_url: URL) -> Iterator[str]:
    """A SQLAlchemy URL (postgresql+psycopg://...) of a new, empty database that only this test uses.

    Dropped afterwards, with any connection the test left open. The name is random, so xdist workers
    sharing one server never meet.
    """
    name = f"tp_test_{uuid.uuid4().hex}"
    admin = _connect_kwargs(pg_server_url)
    with psycopg.connect(**admin, autocommit=True) as conn:
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if conn.info.server_version >= 150000:
            # ~20 ms against ~85 ms for the default WAL_LOG copy of a tiny template on the fsync=off test server.
            create += sql.SQL(" STRATEGY FILE_COPY")
        conn.execute(create)
    try:
        yield pg_server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A SQLAlchemy URL of a SQLite file in this test's own tmp_path (not created yet)."""
    return f"sqlite:///{tmp_path}/store.db"


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
    ids=["sqlite", "postgres"],
)
def db_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once on a SQLite file and once on a fresh PostgreSQL database."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def pinned_now() -> datetime:
    """The tests' "now": 2026-11-20T12:00:00Z, an aware UTC datetime."""
    return PINNED_NOW


@pytest.fixture
def now_ms() -> int:
    """The tests' "now" as integer epoch milliseconds UTC, the unit events are stored in."""
    return PINNED_NOW_MS
