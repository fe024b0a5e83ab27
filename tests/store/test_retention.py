"""Weekly retention in SQL: cohorts by first seen or by a first event, for everyone or one cohort; saved filters' sizes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from tests.storekit import ingest
from tui_profiles.config import Settings
from tui_profiles.domain import filters
from tui_profiles.domain.goals import GoalError
from tui_profiles.store import queries, retention
from tui_profiles.store.actions import set_excluded
from tui_profiles.store.engine import make_engine

NOW_ISO = "2026-11-20T12:00:00Z"  # a Friday
NOW = int(datetime(2026, 11, 20, 12, tzinfo=timezone.utc).timestamp() * 1000)
W0 = int(datetime(2026, 11, 16, tzinfo=timezone.utc).timestamp() * 1000)  # the Monday of NOW's week
HOUR, DAY, WEEK = 3_600_000, 86_400_000, 7 * 86_400_000


def t(week: int, day: int = 0, hour: int = 9) -> int:
    """Week `week` (0: this one, -1: last), day 0 = Monday, at `hour` UTC."""
    return W0 + week * WEEK + day * DAY + hour * HOUR


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def write_store(url: str, folder) -> None:
    rows = []

    def ev(user: str, ms: int, event: str = "Viewed", **more) -> None:
        rows.append({"type": "track", "userId": user, "event": event, "messageId": f"m{len(rows)}", "timestamp": iso(ms), **more})

    def page(user: str, ms: int, path: str) -> None:
        rows.append({"type": "page", "userId": user, "messageId": f"m{len(rows)}", "timestamp": iso(ms), "properties": {"path": path}})

    rows.append({"type": "identify", "userId": "u1", "messageId": "i1", "timestamp": iso(t(-3, 0)), "traits": {"plan": "pro"}})
    ev("u1", t(-3, 0, 10), "Signed Up")
    ev("u1", t(-3, 0, 11), "Order Completed")
    ev("u1", t(-2, 2))
    page("u1", t(0, 1), "/pricing")
    ev("u1", t(0, 1, 10), "order completed")  # names ignore case, as did: does
    ev("u2", t(-3, 1))
    rows.append({"type": "identify", "userId": "u3", "messageId": "i3", "timestamp": iso(t(-2, 3)), "traits": {"plan": "pro"}})
    ev("u3", t(-2, 3, 10), "Order Completed")  # before signing up: not a return
    ev("u3", t(-2, 4), "Signed Up")
    ev("u3", t(-1, 0))
    ev("u3", t(-1, 0, 15), "Order Completed")  # two sessions in one week count once
    ev("u4", t(-1, 2), "Signed Up")
    page("u4", t(0, 0), "/pricing")
    ev("u5", t(-5, 0))  # first seen before the table: in no cohort
    ev("u5", t(-3, 0))
    ev("u6", t(-3, 2))  # excluded below
    ev("u6", t(-2, 2))
    ev("u7", t(0, 3), "Signed Up")
    path = folder / "weeks.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ingest(url, [path])
    engine = make_engine(url)
    with engine.begin() as conn:
        set_excluded(conn, queries.find_profile(conn, "u6"), True, author="tests", now_ms=NOW)
    engine.dispose()


@pytest.fixture
def store(db_url, tmp_path):
    write_store(db_url, tmp_path)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def table(engine, **kwargs) -> list[tuple[str, int, tuple]]:
    with engine.connect() as conn:
        result = retention.retention(conn, settings=Settings(), now_ms=NOW, weeks=kwargs.pop("weeks", 4), **kwargs)
    return [(iso(r.week_start)[:10], r.users, r.returned) for r in result.rows]


def test_weeks_start_on_monday_utc():
    assert iso(retention.week_start(retention.week_of(NOW))) == "2026-11-16T00:00:00Z"
    assert retention.week_of(t(0, 6, 23) + HOUR - 1) == retention.week_of(NOW) == retention.week_of(t(0, 0, 0))
    assert retention.week_of(t(0, 0, 0) - 1) == retention.week_of(NOW) - 1


def test_users_by_first_seen_week_and_their_returns(store):
    assert table(store) == [
        ("2026-10-26", 2, (2, 1, 0, 1)),  # u1, u2 (u6 is excluded): u1 back in weeks 1 and 3
        ("2026-11-02", 1, (1, 1, 0, None)),  # u3: back the next week; week 3 has not begun
        ("2026-11-09", 1, (1, 1, None, None)),  # u4
        ("2026-11-16", 1, (1, None, None, None)),  # u7
    ]
    with store.connect() as conn:
        rows = retention.session_retention(conn, now_ms=NOW, weeks=4)
    assert rows[0].shares == (1.0, 0.5, 0.0, 0.5) and rows[3].shares == (1.0, None, None, None)


def test_one_cohort(store):
    assert table(store, filter_text="plan:pro") == [
        ("2026-10-26", 1, (1, 1, 0, 1)),
        ("2026-11-02", 1, (1, 1, 0, None)),
        ("2026-11-09", 0, (0, 0, None, None)),
        ("2026-11-16", 0, (0, None, None, None)),
    ]
    with store.connect() as conn:
        assert retention.retention(conn, settings=Settings(), now_ms=NOW, weeks=4, filter_text="").filter is None
        with pytest.raises(filters.FilterSyntaxError):
            retention.retention(conn, settings=Settings(), now_ms=NOW, filter_text="plan:")


def test_did_x_then_came_back_and_did_y(store):
    assert table(store, first_event="signed up", return_event="Order Completed") == [
        ("2026-10-26", 1, (1, 0, 0, 1)),  # u1: an order after signing up that week, and one in week 3
        ("2026-11-02", 1, (0, 1, 0, None)),  # u3: the order before signing up does not count
        ("2026-11-09", 1, (0, 0, None, None)),  # u4 never ordered
        ("2026-11-16", 1, (0, None, None, None)),  # u7
    ]
    assert table(store, weeks=2, first_event="Signed Up", return_event="did page /pricing") == [
        ("2026-11-09", 1, (0, 1)),  # u4 viewed /pricing the next week
        ("2026-11-16", 1, (0, None)),
    ]
    assert table(store, weeks=1, first_event="/pricing", return_event='did:"Order Completed"') == [("2026-11-16", 2, (1,))]
    with store.connect() as conn:
        with pytest.raises(GoalError):
            retention.retention(conn, settings=Settings(), now_ms=NOW, first_event="did:x.y:", return_event="x")
        with pytest.raises(ValueError):
            retention.retention(conn, settings=Settings(), now_ms=NOW, first_event="x")


def test_cohorts_are_saved_filters_with_their_size_now(store):
    with store.begin() as conn:
        queries.save_filter(conn, "Pro", "plan:pro", now_ms=NOW, author="tests")
        queries.save_filter(conn, "Everyone", "", now_ms=NOW, author="tests")
        queries.save_filter(conn, "Broken", "plan:", now_ms=NOW, author="tests")
    with store.connect() as conn:
        rows = retention.cohorts(conn, settings=Settings(), now_ms=NOW)
    assert [(c.name, c.users) for c in rows] == [("Broken", None), ("Everyone", 6), ("Pro", 2)]  # u6 excluded
    assert rows[0].error and "column" in rows[0].error


def cli(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TUI_PROFILES_NOW": NOW_ISO}
    return subprocess.run([sys.executable, "-m", "tui_profiles", "--db", db, *args], capture_output=True, text=True, env=env, timeout=120)


def test_the_retention_command(store, db_url):
    run = cli("retention", "--weeks", "4", "--json", db=db_url)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["weeks"] == 4 and doc["filter"] is None
    assert doc["cohorts"][0] == {"week": "2026-10-26", "users": 2, "returned": [2, 1, 0, 1], "shares": [1.0, 0.5, 0.0, 0.5]}
    run = cli("retention", "--weeks", "4", "--filter", "plan:pro", "--first-event", "Signed Up", "--return-event", "Order Completed",
              "--json", db=db_url)  # fmt: skip
    assert json.loads(run.stdout)["cohorts"][1]["returned"] == [0, 1, 0, None]
    run = cli("retention", "--weeks", "3", db=db_url)
    assert run.returncode == 0 and "2026-11-02" in run.stdout and "100%" in run.stdout
    assert cli("retention", "--filter", "plan:", db=db_url).returncode == 2
    assert cli("retention", "--first-event", "x", db=db_url).returncode == 2
    assert cli("retention", "--weeks", "0", db=db_url).returncode == 2
    assert cli("retention", "--cohort", "missing", db=db_url).returncode == 1
    with store.begin() as conn:
        queries.save_filter(conn, "Pro", "plan:pro", now_ms=NOW, author="tests")
    run = cli("retention", "--cohort", "Pro", "--weeks", "4", "--json", db=db_url)
    assert json.loads(run.stdout)["cohorts"][0]["users"] == 1
    run = cli("cohorts", "--json", db=db_url)
    assert json.loads(run.stdout) == [{"name": "Pro", "query": "plan:pro", "users": 2, "error": None}]
