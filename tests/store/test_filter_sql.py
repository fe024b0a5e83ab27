"""The filter language against a real store (SQLite and PostgreSQL), and against its reference evaluator."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.store.filter_stores import (
    NOW,
    VOCAB_EVENTS,
    VOCAB_PATHS,
    VOCAB_VALUES,
    Lines,
    fixed_store,
    iso,
    random_store,
)
from tests.storekit import ingest
from tui_profiles.config import DAY_MS, Settings
from tui_profiles.domain import filters as f
from tui_profiles.domain.filter_eval import CompanyFacts, UserEvent, UserFacts, evaluate
from tui_profiles.store import models, queries
from tui_profiles.store.engine import make_engine
from tui_profiles.store.filter_sql import compile_filter


@pytest.fixture
def store(db_url, tmp_path):
    fixed_store(db_url, tmp_path)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def matching(engine, query: str, now: int = NOW) -> set[str]:
    tree = f.parse(query)
    with engine.connect() as conn:
        where = compile_filter(tree, now_ms=now, conn=conn)
        return {u.id for u in queries.list_users(conn, settings=Settings(), now_ms=now, where=where, limit=1000)}


ALL = {"u-alice", "u-bob", "anon-visitor-1", "u-hostile"}

CASES = [
    ("", ALL),
    ("alice", {"u-alice"}),
    ("ALICE", {"u-alice"}),
    ("@acme.com", {"u-alice"}),
    ("a-alice", {"u-alice"}),  # an anonymous id of hers
    ("zoë", {"u-bob"}),
    ("ZOË", {"u-bob"}),
    ("plan:pro", {"u-alice"}),
    ("plan:PRO", {"u-alice"}),
    ("-plan:pro", ALL - {"u-alice"}),
    ("email:~ACME", {"u-alice"}),
    ("plan:*", {"u-alice", "u-bob", "u-hostile"}),
    ("-plan:*", {"anon-visitor-1"}),
    ("employees:>100", {"u-alice"}),  # bob's "200" is text, not a number
    ("employees:200", {"u-bob"}),  # but equals as text
    ("employees:150", {"u-alice"}),
    ("employees:<=150", {"u-alice"}),
    ("vip:true", {"u-alice"}),
    ("company.name:\"Acme Inc\"", {"u-alice"}),
    ("company.\"legal name\":~\", inc\"", {"u-alice"}),
    ("company:~acme", {"u-alice"}),
    ("country:\"united states\"", {"u-alice"}),
    ("city:austin", {"u-alice"}),
    ("id:u-bob", {"u-bob"}),
    ("id:a-alice", {"u-alice"}),
    ("source:server", {"u-alice", "u-bob", "u-hostile", "anon-visitor-1"} & set()),  # none sent a server library
    ("is:identified", {"u-alice", "u-bob", "u-hostile"}),
    ("is:anonymous", {"anon-visitor-1"}),
    ("is:live", {"u-alice"}),
    ("tag:buyer", {"u-alice", "u-bob"}),
    ("tag:returning", {"u-alice"}),
    ("tag:longtime", {"u-alice"}),
    ("tag:work_info", {"u-alice"}),
    ("tag:contact_info", {"u-alice", "u-bob", "u-hostile"}),
    ("tag:custom_attributes", {"u-alice", "u-bob", "u-hostile"}),
    ("seen:<7d", {"u-alice", "u-hostile"}),
    ("seen:>30d", {"anon-visitor-1"}),
    ("first:>60d", {"u-alice"}),
    ("seen:<2h", {"u-alice"}),
    ("seen:>1w", {"u-bob", "anon-visitor-1"}),
    (f"seen:>{iso(NOW - 3 * DAY_MS)[:10]}", {"u-alice", "u-hostile"}),
    ("sessions:>2", {"u-alice"}),
    ("events:>=3", {"u-alice", "u-bob"}),
    ("events:1", {"anon-visitor-1"}),
    ('did:"Order Completed"', {"u-alice", "u-bob"}),
    ('did:"order completed"', {"u-alice", "u-bob"}),
    ('did:"Order Completed".total:>100', {"u-alice"}),
    ('did:"Order Completed".total:>10', {"u-alice", "u-bob"}),
    ('did:"Order Completed".currency:eur', {"u-alice"}),
    ('-did:"Signed Up"', ALL - {"u-bob"}),
    ("did:Nothing", set()),
    ("visited:/pricing", {"u-alice", "anon-visitor-1"}),
    ("did:page./pricing", {"u-alice", "anon-visitor-1"}),
    ("visited:/docs/*", {"u-alice"}),
    ("visited:/doc", set()),
    ("plan:pro OR plan:free", {"u-alice", "u-bob"}),
    ("is:identified -tag:buyer", {"u-hostile"}),
    ("tag:buyer seen:>7d OR is:live", {"u-alice", "u-bob"}),
    # Hostile values are literal: no wildcard, no quote, no injection.
    ("plan:%", {"u-hostile"}),
    ("under_score:a_b", {"u-hostile"}),
    ("under_score:axb", set()),
    ('"%"', {"u-hostile"}),  # a plain word: '%' is in her name
    ("_", {"u-hostile"}),
    ('"\'"', {"u-hostile"}),
    ('"\\\\"', {"u-hostile"}),
    ('"\\""', {"u-hostile"}),
    ("[bold]", {"u-hostile"}),
    ('name:~"[/"', {"u-hostile"}),
    ('"q\\"x":v', {"u-hostile"}),
    ('did:"Drop\'; DROP TABLE events;--"', {"u-hostile"}),
    ('did:"Drop\'; DROP TABLE events;--".k:"%_\\\\"', {"u-hostile"}),
    ('did:"Drop\'; DROP TABLE events;--".k:~_', {"u-hostile"}),
    ("email:~\"'\"", {"u-hostile"}),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[q or "<empty>" for q, _ in CASES])
def test_each_construct(store, query, expected):
    assert matching(store, query) == expected


def test_nothing_is_injected_and_the_store_is_intact(store):
    matching(store, 'did:"x\'); DELETE FROM profiles; --" "\' OR 1=1 --"')
    with store.connect() as conn:
        assert conn.execute(sa.text("select count(*) from profiles")).scalar() == 4


def test_did_without_a_connection_matches_the_same(store):
    tree = f.parse('did:"order COMPLETED".total:>100')
    with store.connect() as conn:
        where = compile_filter(tree, now_ms=NOW, dialect=conn.dialect.name)
        ids = {u.id for u in queries.list_users(conn, settings=Settings(), now_ms=NOW, where=where)}
    assert ids == {"u-alice"}


# -- the compiled SQL agrees with the reference evaluator --------------------------------------------
def facts_from_store(engine, now: int) -> list[UserFacts]:
    settings = Settings()
    out = []
    companies_table, events_table = models.Company.__table__, models.Event.__table__
    with engine.connect() as conn:
        companies = {r.id: CompanyFacts(r.id, r.name, r.traits or {}) for r in conn.execute(sa.select(companies_table))}
        member_of: dict[int, set[str]] = {}
        for pid, gid in conn.execute(sa.select(events_table.c.profile_id, events_table.c.group_id).where(events_table.c.group_id.is_not(None))):  # noqa: E501
            member_of.setdefault(pid, set()).add(gid)
        users = queries.list_users(conn, settings=settings, now_ms=now, limit=10_000)
        for u in users:
            detail = queries.profile_detail(conn, u.profile_id, settings=settings, now_ms=now)
            row = conn.execute(sa.select(models.Profile.__table__).where(models.Profile.__table__.c.id == u.profile_id)).one()
            events = [
                UserEvent(name=e.name, type=e.type, path=e.path, properties=e.properties)
                for e in queries.timeline(conn, u.profile_id)
            ]
            out.append(UserFacts(
                id=u.id, kind=u.kind, anonymous_ids=detail.anonymous_ids, name=u.name, email=u.email,
                traits=detail.traits, country=row.country, city=u.city, sources=frozenset(detail.sources),
                company=u.company, companies=tuple(companies[g] for g in sorted(member_of.get(u.profile_id, ()))), is_live=u.live, is_excluded=row.excluded, tags=frozenset(u.tags),  # noqa: E501
                first_seen_ms=u.first_seen, last_seen_ms=u.last_seen, session_count=u.sessions,
                event_count=u.events, events=tuple(events)))  # fmt: skip
    return out


def _tests() -> st.SearchStrategy[f.Test]:
    text = st.sampled_from(VOCAB_VALUES + ("150", "true", "false", "ACME", "a@"))
    return st.one_of(
        st.builds(f.Equals, text),
        st.builds(f.Contains, text),
        st.just(f.IsSet()),
        st.builds(f.Compare, st.sampled_from(["<", "<=", ">", ">="]), st.sampled_from([0, 100, 150, 150.5, -1])),
    )


def _leaves() -> st.SearchStrategy[f.Filter]:
    return st.one_of(
        st.builds(f.Search, st.sampled_from(["u1", "anon", "ACME", "zoë", "%", "_"])),
        st.builds(f.Field, st.sampled_from(["id", "email", "name", "country", "city", "source", "company"]), _tests()),
        st.builds(f.Trait, st.sampled_from([("plan",), ("employees",), ("vip",), ("company",), ("company", "name"),
                                             ("company", "size"), ("company", "plan"), ("company", "id"),
                                             ("company", "id", "x"), ("missing",)]), _tests()),  # fmt: skip
        st.builds(f.State, st.sampled_from(["live", "identified", "anonymous", "excluded"])),
        st.builds(f.Tag, st.sampled_from(sorted(f.TAGS))),
        st.builds(f.Seen, st.sampled_from(["last_seen", "first_seen"]), st.sampled_from(["<", ">"]),
                  st.builds(f.Ago, st.integers(1, 120), st.sampled_from(["h", "d", "w"]))),  # fmt: skip
        st.builds(f.Count, st.sampled_from(["sessions", "events"]), st.sampled_from(["=", "<", "<=", ">", ">="]),
                  st.integers(0, 8)),  # fmt: skip
        st.builds(f.Did, st.sampled_from(VOCAB_EVENTS + ("nothing",)),
                  st.none() | st.builds(f.EventProperty, st.sampled_from([("total",), ("note",), ("nope",)]), _tests())),  # fmt: skip
        st.builds(f.Visited, st.sampled_from(VOCAB_PATHS + ("/docs/",)), st.booleans()),
    )


def _trees() -> st.SearchStrategy[f.Filter]:
    return st.recursive(
        _leaves(),
        lambda inner: st.one_of(
            st.builds(f.Not, inner),
            st.lists(inner, min_size=2, max_size=3).map(lambda ts: f.And(tuple(ts))),
            st.lists(inner, min_size=2, max_size=3).map(lambda ts: f.Or(tuple(ts))),
        ),
        max_leaves=5,
    )


@pytest.mark.parametrize("seed", [11, 12])
def test_compiled_sql_agrees_with_the_reference_evaluator(db_url, tmp_path, seed):
    random_store(db_url, tmp_path, seed)
    engine = make_engine(db_url)
    people = facts_from_store(engine, NOW)
    assert len(people) > 20

    @hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(tree=_trees())
    def check(tree: f.Filter) -> None:
        expected = {p.id for p in people if evaluate(tree, p, NOW)}
        with engine.connect() as conn:
            where = compile_filter(tree, now_ms=NOW, conn=conn)
            got = {u.id for u in queries.list_users(conn, settings=Settings(), now_ms=NOW, where=where, limit=10_000)}
        assert got == expected, f.describe(tree)

    try:
        check()
    finally:
        engine.dispose()


def test_saved_filters_are_shared_through_the_store(store):
    with store.begin() as conn:
        queries.save_filter(conn, "Big buyers", 'did:"Order Completed".total:>100', now_ms=NOW, author="tests")
        queries.save_filter(conn, "Live", "is:live", now_ms=NOW, author="tests")
        queries.save_filter(conn, "Live", "is:live tag:buyer", now_ms=NOW, author="tests")  # saving again replaces
    with store.connect() as conn:
        saved = queries.saved_filters(conn)
    assert [(s.name, s.query) for s in saved] == [("Big buyers", 'did:"Order Completed".total:>100'), ("Live", "is:live tag:buyer")]
    assert matching(store, saved[0].query) == {"u-alice"}
    with store.begin() as conn:
        assert queries.delete_filter(conn, "Live", now_ms=NOW, author="tests") is True
        assert queries.delete_filter(conn, "Live", now_ms=NOW, author="tests") is False


def test_suggestions_come_from_what_is_stored(store):
    with store.connect() as conn:
        assert queries.catalog_values(conn, "event", "ord") == ["Order Completed"]
        assert queries.catalog_values(conn, "page", "/") == ["/docs/intro", "/pricing"]
        traits = queries.catalog_values(conn, "trait", "comp")
        assert traits == ["company", "company.legal name", "company.name"]
        assert 'q"x' in queries.catalog_values(conn, "trait", "", limit=100)


# -- case folding beyond ASCII, sources, and the indexes the filters lean on --------------------------
KELVIN = "\u212a"  # KELVIN SIGN: str.lower() makes it an ASCII "k"; SQLite's own lower() leaves it as it is


def test_text_beyond_ascii_folds_as_python_does(db_url, tmp_path):
    lines = Lines()
    for user, name, plan in (("u1", f"{KELVIN}elvin", f"{KELVIN}ING"), ("u2", "Kevin", "king"),
                             ("u3", "MÜLLER", "Über"), ("u4", "Mueller", "uber")):  # fmt: skip
        lines.add("identify", NOW - DAY_MS, user=user, traits={"name": name, "plan": plan})
    ingest(db_url, [lines.write(tmp_path / "names.jsonl")])
    engine = make_engine(db_url)
    try:
        assert matching(engine, "kelvin") == {"u1"}
        assert matching(engine, "name:~KEL") == {"u1"}
        assert matching(engine, "name:müller") == {"u3"}
        assert matching(engine, "MÜLL") == {"u3"}
        assert matching(engine, "plan:king") == {"u1", "u2"}
        assert matching(engine, "plan:~üb") == {"u3"}
        assert matching(engine, "plan:uber") == {"u4"}
    finally:
        engine.dispose()


def test_source_tests_every_distinct_source(store):
    sessions, profiles = models.ProfileSession.__table__, models.Profile.__table__
    with store.begin() as conn:
        for user, source in (("u-alice", "iOS"), ("u-bob", "ios"), ("u-hostile", "Web"), ("anon-visitor-1", "android")):
            pid = sa.select(profiles.c.id).where(profiles.c.external_id == user).scalar_subquery()
            conn.execute(sa.update(sessions).where(sessions.c.profile_id == pid).values(source=source))
        first = sa.select(sa.func.min(sessions.c.start)).where(sessions.c.profile_id.in_(
            sa.select(profiles.c.id).where(profiles.c.external_id == "u-alice"))).scalar_subquery()  # fmt: skip
        conn.execute(sa.update(sessions).where(sessions.c.start == first).values(source="web"))
    assert matching(store, "source:ios") == matching(store, "source:IOS") == {"u-alice", "u-bob"}
    assert matching(store, "source:web") == {"u-alice", "u-hostile"}
    assert matching(store, "source:~O") == {"u-alice", "u-bob", "anon-visitor-1"}
    assert matching(store, "-source:ios") == {"u-hostile", "anon-visitor-1"}
    assert matching(store, "source:*") == ALL
    assert matching(store, "source:zzz") == set()


def _plan(engine, query: str, since: int) -> str:
    with engine.connect() as conn:
        where = compile_filter(f.parse(query), now_ms=NOW, conn=conn)
        stmt = sa.select(sa.func.count()).select_from(models.Profile.__table__).where(*queries._user_conditions(since, where))
        compiled = stmt.compile(conn, compile_kwargs={"literal_binds": True})
        return " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))


def test_source_kind_and_visited_read_through_the_indexes(tmp_path):
    url = f"sqlite:///{tmp_path}/plan.db"
    fixed_store(url, tmp_path)
    engine = make_engine(url)
    try:
        plan = _plan(engine, "source:ios", NOW - 7 * DAY_MS)
        assert "ix_sessions_source_profile" in plan and "SCAN sessions" not in plan, plan
        # Two kinds over every profile: the period's index, not the (kind, id) one.
        plan = _plan(engine, "is:identified", NOW - 7 * DAY_MS)
        assert "ix_profiles_last_seen_id" in plan and "uq_profiles_kind_external" not in plan, plan
        # Page paths from the partial index (type = 'page'): no event row is read to check the type.
        for query in ("visited:/pricing", "visited:/docs/*"):
            plan = _plan(engine, query, NOW - 7 * DAY_MS)
            assert "SEARCH events USING INDEX ix_events_page_profile (path" in plan, plan
    finally:
        engine.dispose()


def test_a_schema_2_store_gets_the_read_indexes(db_url, tmp_path):
    url = db_url
    fixed_store(url, tmp_path)
    engine = make_engine(url)
    with engine.begin() as conn:  # what a schema-2 store looked like
        conn.exec_driver_sql("DROP INDEX ix_profiles_last_seen_id")
        conn.exec_driver_sql("DROP INDEX ix_sessions_source_profile")
        conn.exec_driver_sql("DROP INDEX ix_events_page_profile")
        conn.exec_driver_sql("CREATE INDEX ix_profiles_last_seen ON profiles (last_seen)")
        conn.exec_driver_sql("CREATE INDEX ix_events_path_profile ON events (path, profile_id)")
        conn.exec_driver_sql("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    engine.dispose()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            assert {i["name"] for i in inspector.get_indexes("profiles")} >= {"ix_profiles_last_seen_id"}
            assert "ix_profiles_last_seen" not in {i["name"] for i in inspector.get_indexes("profiles")}
            assert "ix_sessions_source_profile" in {i["name"] for i in inspector.get_indexes("sessions")}
            events = {i["name"] for i in inspector.get_indexes("events")}
            assert "ix_events_page_profile" in events and "ix_events_path_profile" not in events
            assert conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'").scalar() == str(models.SCHEMA_VERSION)
        assert matching(engine, "is:identified seen:<7d") == {"u-alice", "u-hostile"}
        assert matching(engine, "visited:/docs/*") == {"u-alice"}
    finally:
        engine.dispose()


def test_a_path_prefix_beyond_ascii_is_exact(db_url, tmp_path):
    paths = {"u1": "/é", "u2": "/é/a", "u3": "/éa", "u4": "/ê", "u5": "/e", "u6": "/\U0001f600/x", "u7": "/\x7f", "u8": "/\x80",
             "u9": "/\ud7ffa", "u10": "/\ue000", "u11": "/\U0010ffff/b", "u12": "/\U0010fffe", "u13": "/\U0010ffff\U0010ffff"}  # fmt: skip
    lines = Lines()
    for user, path in paths.items():
        lines.add("page", NOW - DAY_MS, user=user, properties={"path": path})
    ingest(db_url, [lines.write(tmp_path / "paths.jsonl")])
    engine = make_engine(db_url)
    try:
        for prefix in ("/é", "/é/", "/e", "/\U0001f600", "/\x7f", "/", "/\ud7ff", "/\U0010ffff", "/\U0010ffff\U0010ffff"):
            expected = {user for user, path in paths.items() if path.startswith(prefix)}
            with engine.connect() as conn:
                where = compile_filter(f.Visited(prefix, prefix=True), now_ms=NOW, conn=conn)
                found = {u.id for u in queries.list_users(conn, settings=Settings(), now_ms=NOW, where=where, limit=100)}
            assert found == expected, prefix
    finally:
        engine.dispose()


def test_a_path_prefix_is_a_range_on_the_page_index_on_postgresql(pg_url, tmp_path):
    fixed_store(pg_url, tmp_path)
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SET enable_seqscan = off")  # a tiny table: ask whether the index can answer
            where = compile_filter(f.parse("visited:/docs/*"), now_ms=NOW, conn=conn)
            stmt = sa.select(sa.func.count()).select_from(models.Profile.__table__).where(where)
            compiled = stmt.compile(conn, compile_kwargs={"literal_binds": True})
            plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {compiled}"))
    finally:
        engine.dispose()
    assert "ix_events_page_profile" in plan and "~>=~" in plan, plan
