"""Companies from Segment group calls, context.groupId and PostHog groups: kept at ingest, read per period, filtered."""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from tests.people import write_people
from tests.scenarios import T0, write_scenario
from tests.storekit import NOW, cli, ingest
from tui_profiles.config import Settings
from tui_profiles.domain import filters
from tui_profiles.store import companies, models, queries
from tui_profiles.store.engine import make_engine
from tui_profiles.store.filter_sql import compile_filter

MIN = 60_000
T0_MS = int(T0.timestamp() * 1000)


@pytest.fixture
def store(db_url, tmp_path):
    ingest(db_url, [write_people(tmp_path / "inbox")])
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def matching(engine, query: str) -> set[str]:
    with engine.connect() as conn:
        where = compile_filter(filters.parse(query), now_ms=NOW, conn=conn)
        return {u.id for u in queries.list_users(conn, settings=Settings(), now_ms=NOW, where=where)}


def test_the_list_names_each_company_with_its_latest_name_and_counts_members(store):
    with store.connect() as conn:
        listed = companies.list_companies(conn)
        assert [(c.id, c.display_name, c.users) for c in listed] == [
            # alice, bob (context.groupId), carol and her anonymous profile (its visit, merged into her, carried acme)
            ("acme", "Acme Corporation", 4),
            ("bobco", "Bob Co", 1),
        ]
        assert listed[0].last_seen == T0_MS + 200 * MIN and listed[0].first_seen == T0_MS + 6 * MIN
        assert [c.id for c in companies.list_companies(conn, search="CORP")] == ["acme"]
        assert [c.id for c in companies.list_companies(conn, search="bobc")] == ["bobco"]
        assert companies.list_companies(conn, search="%") == [] and companies.count_companies(conn, search="o") == 2
        assert companies.find_company(conn, "acme corporation") == "acme" and companies.find_company(conn, "nope") is None
        assert [c.id for c in companies.companies_of(conn, queries.find_profile(conn, "user-bob"))] == ["acme", "bobco"]


def test_traits_merge_segment_and_posthog_group_calls_latest_wins(store):
    with store.connect() as conn:
        bobco = companies.company_detail(conn, "bobco", settings=Settings(), now_ms=NOW)
        acme = companies.company_detail(conn, "acme", settings=Settings(), now_ms=NOW)
    # Segment's group call at minute 2, then PostHog's $groupidentify at minute 32.
    assert bobco.traits == {"name": "Bob Co", "plan": "startup", "employees": 3}
    assert acme.traits == {"name": "Acme Corporation", "plan": "enterprise", "employees": 120}


def test_a_company_in_a_period_counts_its_members_activity(store):
    settings = Settings()
    with store.connect() as conn:
        acme = companies.company_detail(conn, "acme", settings=settings, now_ms=NOW)
        members = [queries.find_profile(conn, u) for u in ("user-alice", "user-bob", "user-carol")]
        # Every event of alice (6), bob (10 Segment, 4 PostHog) and carol (2), not only those carrying acme's id;
        # carol's anonymous profile is a member too, and its one visit (merged into carol) is counted once.
        assert (acme.company.users, acme.events) == (4, 22) == (4, sum(u.events for u in queries.users_by_ids(
            conn, members, settings=settings, now_ms=NOW)))  # fmt: skip
        # Sessions are each member's own: the anonymous profile's visit is a session of its own too.
        members.append(queries.find_profile(conn, "anon-carol"))
        expected_sessions = sum(len(queries.sessions_of(conn, pid, settings=settings, now_ms=NOW)) for pid in members)
        assert acme.sessions == expected_sessions
        assert acme.avg_session_ms == acme.total_session_ms // acme.sessions
        assert acme.top_events[0] == ("Report Exported", 2)
        assert ("/pricing", 1) in acme.top_pages and ("/docs", 1) in acme.top_pages
        late = companies.company_detail(conn, "acme", settings=settings, now_ms=NOW, since_ms=T0_MS + 100 * MIN)
        assert (late.events, late.sessions, late.top_pages) == (1, 1, ())  # only the rename at minute 200
        page = companies.company_users(conn, "acme", settings=settings, now_ms=NOW, limit=2)
        rest = companies.company_users(conn, "acme", settings=settings, now_ms=NOW, limit=2, offset=2)
        assert [u.id for u in page + rest] == ["user-alice", "user-bob", "user-carol", "anon-carol"]  # by last seen
        assert companies.count_company_users(conn, "acme") == 4
        live = companies.company_detail(conn, "acme", settings=settings, now_ms=T0_MS + 205 * MIN)
        assert [u.id for u in live.live_users] == ["user-alice"]
        assert companies.company_detail(conn, "nope", settings=settings, now_ms=NOW) is None


def test_membership_follows_reattribution(db_url, tmp_path):
    """carol's anonymous visit carried acme's id; her identify arrives in a later file, and her membership moves."""
    lines = [
        {"type": "page", "anonymousId": "anon-c", "messageId": "p1", "timestamp": "2024-03-04T09:00:00Z",
         "context": {"groupId": "acme"}, "properties": {"path": "/docs"}},
        {"type": "identify", "anonymousId": "anon-c", "userId": "user-c", "messageId": "i1", "timestamp": "2024-03-04T09:05:00Z"},
    ]  # fmt: skip
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(json.dumps(lines[0]) + "\n")
    second.write_text(json.dumps(lines[1]) + "\n")
    ingest(db_url, [first])
    engine = make_engine(db_url)
    assert matching(engine, "company:acme") == {"anon-c"}
    ingest(db_url, [second])
    # The visit is now part of user-c too; the anonymous profile keeps it, and its membership.
    assert matching(engine, "company:acme") == {"user-c", "anon-c"}
    with engine.connect() as conn:
        assert [u.id for u in companies.company_users(conn, "acme", settings=Settings(), now_ms=NOW)] == ["user-c", "anon-c"]
    engine.dispose()


@pytest.mark.parametrize(("query", "expected"), [
    ("company:acme", {"user-alice", "user-bob", "user-carol", "anon-carol"}),  # the group id
    ('company:"acme corporation"', {"user-alice", "user-bob", "user-carol", "anon-carol"}),  # its (latest) name
    ('company:"Acme Inc"', set()),  # a name it no longer has
    ('company:"bob co"', {"user-bob"}),  # his identify trait company.name, and bobco's name
    ("company:~corp", {"user-alice", "user-bob", "user-carol", "anon-carol"}),
    ("company:*", {"user-alice", "user-bob", "user-carol", "anon-carol"}),
    ("-company:*", {"user-dan", "anon-bob-web", "anon-bob-ios", "ph-anon-bob"}),
    ("company.plan:enterprise", {"user-alice", "user-bob", "user-carol", "anon-carol"}),  # acme's group trait
    ("company.plan:startup", {"user-bob"}),
    ("company.employees:<10", {"user-bob"}),
    ("company.name:~bob", {"user-bob"}),  # the identify trait, or bobco's name
    ("company.id:bobco", {"user-bob"}),  # a company's id
    ('"company":~bob', set()),  # quoted: only the trait itself, and it is an object
    ("company:bobco -company:acme", set()),
])  # fmt: skip
def test_company_filters(store, query, expected):
    assert matching(store, query) == expected


def test_incremental_companies_equal_a_rebuild_whatever_the_batches_and_order(db_url, tmp_path):
    """Group calls arriving late (an older call in a later batch) give the same companies as in-order data."""
    rng = random.Random(7)
    messages = []
    for i in range(60):
        ts = T0_MS + rng.randint(0, 5000) * MIN
        stamp = datetime.fromtimestamp(ts / 1000, tz=timezone.utc).isoformat()
        group = rng.choice(["g1", "g2", "g3"])
        if rng.random() < 0.6:
            messages.append({"type": "group", "userId": f"u{i % 7}", "groupId": group, "messageId": f"m{i}", "timestamp": stamp,
                             "traits": {rng.choice(["name", "plan", "size"]): rng.choice(["a", "b", 3, None])}})  # fmt: skip
        else:
            messages.append({"type": "track", "userId": f"u{i % 7}", "event": "x", "messageId": f"m{i}", "timestamp": stamp,
                             "context": {"groupId": group}})  # fmt: skip
    ordered = sorted(messages, key=lambda m: m["timestamp"])
    (tmp_path / "in-order").mkdir()
    (tmp_path / "in-order" / "all.jsonl").write_text("".join(json.dumps(m) + "\n" for m in ordered))
    reference = f"sqlite:///{tmp_path}/reference.db"
    ingest(reference, [tmp_path / "in-order"])
    rng.shuffle(messages)
    (tmp_path / "shuffled").mkdir()
    for n in range(0, 60, 9):
        (tmp_path / "shuffled" / f"part-{n:02d}.jsonl").write_text("".join(json.dumps(m) + "\n" for m in messages[n : n + 9]))
    ingest(db_url, [tmp_path / "shuffled"], batch_size=4)

    def table(url: str) -> list[tuple]:
        engine = make_engine(url)
        with engine.connect() as conn:
            rows = [(r.id, r.name, json.dumps(r.traits, sort_keys=True), r.first_seen, r.last_seen)
                    for r in conn.execute(sa.select(models.Company.__table__).order_by("id"))]  # fmt: skip
        engine.dispose()
        return rows

    assert table(db_url) == table(reference)
    assert len(table(db_url)) == 3


def test_posthog_groups_and_segment_groups_scenarios(db_url, tmp_path):
    ingest(db_url, [write_scenario("groups", tmp_path), write_scenario("posthog_groups", tmp_path)])
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert {(c.id, c.name, c.users) for c in companies.list_companies(conn)} == {("acme-inc", "Acme Inc", 1), ("globex", "Globex", 1)}
    assert matching(engine, "company:globex") == {"user-lena"} and matching(engine, "company:acme-inc") == {"user-grace"}
    engine.dispose()


def test_company_and_companies_commands(store, db_url):
    run = cli("companies", "--json", db=db_url)
    assert run.returncode == 0, run.stderr
    assert [(c["id"], c["name"], c["users"]) for c in json.loads(run.stdout)] == [("acme", "Acme Corporation", 4), ("bobco", "Bob Co", 1)]
    run = cli("company", "Acme Corporation", "--json", db=db_url)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert {"id", "name", "traits", "users", "events", "sessions", "avg_session_seconds", "top_events", "top_pages",
            "live_users", "user_list", "first_seen", "last_seen", "since"} <= set(doc)  # fmt: skip
    assert doc["id"] == "acme" and doc["users"] == 4
    assert [u["id"] for u in doc["user_list"]] == ["user-alice", "user-bob", "user-carol", "anon-carol"]
    run = cli("company", "acme", "--since", "24h", db=db_url)
    assert run.returncode == 0 and "Acme Corporation" in run.stdout
    run = cli("company", "nobody-inc", db=db_url)
    assert run.returncode == 1 and "no company" in run.stderr
    run = cli("companies", "--search", "zzz", db=db_url)
    assert run.returncode == 0 and "no companies" in run.stdout


def test_profile_lists_its_companies(store):
    with store.connect() as conn:
        detail = queries.profile_detail(conn, queries.find_profile(conn, "user-carol"), settings=Settings(), now_ms=NOW)
    assert detail.companies == ("acme",)


def test_an_upgraded_store_fills_its_companies(tmp_path):
    url = f"sqlite:///{tmp_path}/old.db"
    ingest(url, [write_scenario("groups", tmp_path)])
    engine = make_engine(url)
    with engine.begin() as conn:  # what a schema-1 store looked like
        conn.exec_driver_sql("DROP TABLE companies")
        conn.exec_driver_sql("DROP INDEX ix_events_group_profile")
        conn.exec_driver_sql("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    engine.dispose()
    engine = make_engine(url)
    with engine.connect() as conn:
        assert [(c.id, c.name) for c in companies.list_companies(conn)] == [("acme-inc", "Acme Inc")]
        assert "ix_events_group_profile" in {i["name"] for i in sa.inspect(conn).get_indexes("events")}
        assert conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'").scalar() == str(models.SCHEMA_VERSION)
    engine.dispose()


def test_the_membership_query_uses_the_index(tmp_path):
    url = f"sqlite:///{tmp_path}/plan.db"
    ingest(url, [write_scenario("groups", tmp_path)])
    engine = make_engine(url)
    with engine.connect() as conn:
        stmt = companies.member_ids("acme-inc")
        compiled = stmt.compile(conn, compile_kwargs={"literal_binds": True})
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
    engine.dispose()
    assert "ix_events_group_profile" in plan, plan
