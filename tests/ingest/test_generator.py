"""The generator: same seed, same bytes; every line accepted but the deliberate bad ones; a realistic mix; merges."""

from __future__ import annotations

import gzip
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from tui_profiles.config import Settings
from tui_profiles.domain.formats import ANDROID, IOS, NormalizedEvent, Rejection, parse_line
from tui_profiles.generator import BAD_LINES, BAD_LINES_FILE, KINDS, LiveFeed, generate
from tui_profiles.ingest.files import FileIngestor
from tui_profiles.store import models, queries
from tui_profiles.store.engine import make_engine
from tui_profiles.store.writer import StoreWriter

END = 1_795_176_000_000  # 2026-11-20T12:00:00Z, the tests' pinned now
HALF_HOUR = 30 * 60_000
SMALL = {"events": 4000, "users": 200, "days": 14, "seed": 3, "end_ms": END}


def read_lines(root: Path) -> dict[str, list[bytes]]:
    """Every file under root (relative path -> its lines)."""
    out = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
        out[str(path.relative_to(root))] = [line for line in data.split(b"\n") if line]
    return out


def parsed_events(root: Path) -> list[NormalizedEvent]:
    events = []
    for name, lines in read_lines(root).items():
        if name == BAD_LINES_FILE:
            continue
        for line in lines:
            result = parse_line(line, END)
            assert isinstance(result, NormalizedEvent), (name, result, line[:200])
            events.append(result)
    return events


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("gen")
    return out, generate(out, **SMALL)


def test_same_seed_same_bytes(tmp_path: Path, small) -> None:
    first, _ = small
    generate(tmp_path / "again", **SMALL)
    generate(tmp_path / "other", **{**SMALL, "seed": 4})
    files = {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()}
    again = {p.relative_to(tmp_path / "again"): p.read_bytes() for p in (tmp_path / "again").rglob("*") if p.is_file()}
    assert files == again
    assert read_lines(tmp_path / "other") != read_lines(first)


def test_every_line_parses_except_the_bad_ones(small) -> None:
    root, summary = small
    events = parsed_events(root)
    assert len(events) == summary.events == SMALL["events"]
    assert len({e.message_id for e in events}) == len(events)
    bad = read_lines(root)[BAD_LINES_FILE]
    assert len(bad) == len(BAD_LINES) == summary.bad_lines
    reasons = [parse_line(line, END) for line in bad]
    assert all(isinstance(r, Rejection) for r in reasons), reasons
    assert len({r.reason for r in reasons}) == len(reasons)  # each a different way to be bad


def test_files_are_laid_out_like_the_storage_destinations(small) -> None:
    root, summary = small
    names = list(read_lines(root))
    assert any(n.startswith("segment-logs/") and n.endswith(".json.gz") for n in names)
    assert any(n.startswith("rudder-logs/") and n.endswith(".json.gz") for n in names)
    assert any(n.startswith("posthog-exports/") and n.endswith(".jsonl") for n in names)
    assert len(names) == summary.files
    for name, lines in read_lines(root).items():
        if name != BAD_LINES_FILE:
            times = [parse_line(line, END).ts for line in lines]
            assert times == sorted(times), name  # a batch is in arrival order


def test_the_mix_is_realistic(small) -> None:
    _, summary = small
    events = parsed_events(small[0])
    kinds = Counter(e.type for e in events)
    total = len(events)
    assert 0.55 <= (kinds["page"] + kinds["screen"]) / total <= 0.72
    assert 0.22 <= kinds["track"] / total <= 0.38
    assert kinds["identify"] > 0 and kinds["group"] > 0 and kinds["screen"] > 0
    formats = Counter(e.format for e in events)
    assert 0.05 <= formats["posthog"] / total <= 0.3
    assert {e.source for e in events if e.type == "screen"} <= {IOS, ANDROID}
    orders = [e for e in events if e.name == "Order Completed"]
    assert orders and len(orders) == summary.orders
    for order in orders:
        props = order.properties
        assert {"order_id", "total", "revenue", "currency", "products"} <= set(props)
        assert props["products"] and all({"product_id", "sku", "name", "price", "quantity"} <= set(p) for p in props["products"])
    assert any(e.name == "$rageclick" for e in events)
    assert any(e.type == "group" and {"name", "industry", "employees", "plan"} <= set(e.group_traits or {}) for e in events)
    assert all(e.time_flag is None for e in events)
    assert max(e.ts for e in events) <= END and min(e.ts for e in events) >= END - SMALL["days"] * 86_400_000


def test_sessions_have_several_events_and_gaps_over_half_an_hour(small) -> None:
    by_person: dict[str, list[int]] = defaultdict(list)
    for e in parsed_events(small[0]):
        by_person[e.anonymous_id or e.user_id].append(e.ts)
    sessions = events = 0
    for times in by_person.values():
        times.sort()
        sessions += 1 + sum(b - a > HALF_HOUR for a, b in zip(times, times[1:]))
        events += len(times)
    assert events / sessions >= 3


def test_anonymous_visitors_sign_up_with_both_ids(small) -> None:
    root, summary = small
    events = parsed_events(root)
    assert summary.signups > 0 and summary.logouts >= 0
    links = {e.link for e in events if e.link}
    signed_up = {anon for anon, _ in links}
    earlier = {e.anonymous_id for e in events if e.user_id is None and e.anonymous_id in signed_up}
    assert len(earlier) >= summary.signups // 2  # their anonymous history exists, to be merged
    logged_out = [e for e in events if e.name == "Logged Out"]
    assert len(logged_out) == summary.logouts
    assert all(e.user_id for e in logged_out)


def test_a_heavy_user_has_about_a_twentieth_of_the_events(small) -> None:
    root, summary = small
    (heavy,) = summary.heavy_users
    mine = [e for e in parsed_events(root) if e.user_id == heavy]
    assert len(mine) >= SMALL["events"] // 20 * 0.9


def test_ingest_of_a_generated_set_gives_plausible_profiles(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    summary = generate(out, events=3000, users=150, days=10, seed=5, end_ms=END, file_hours=24)
    engine = make_engine(f"sqlite:///{tmp_path}/store.db", writer=True)
    settings = Settings(db_url="unused")
    result = FileIngestor(StoreWriter(engine, settings), 1000).ingest_paths([out])
    assert (result.events, result.duplicates, result.rejected) == (3000, 0, len(BAD_LINES))
    profiles, events = models.Profile.__table__, models.Event.__table__
    with engine.connect() as conn:
        rows = conn.execute(sa.select(profiles.c.kind, profiles.c.event_count, profiles.c.session_count,
                                      profiles.c.name, profiles.c.country)).all()  # fmt: skip
        merged = conn.execute(
            sa.select(sa.func.count()).select_from(events.join(profiles, profiles.c.id == events.c.profile_id))
            .where(profiles.c.kind == "identified", events.c.user_id.is_(None))
        ).scalar_one()  # fmt: skip
        users = queries.list_users(conn, settings=settings, now_ms=END, limit=1000)
        (heavy,) = summary.heavy_users
        heavy_row = queries.profile_detail(conn, queries.find_profile(conn, heavy), settings=settings, now_ms=END)
        live = queries.live_count(conn, settings=settings, now_ms=END)
    kinds = Counter(kind for kind, *_ in rows)
    # A merged event is stored once and counts for both its anonymous profile and the user it joined.
    assert sum(count for _, count, *_ in rows) == 3000 + merged
    # Each sign-up and each login on a fresh browser leaves the anonymous profile of the browsing before it.
    assert summary.users * 0.8 <= len(rows) <= summary.users + summary.signups + summary.logins + summary.logouts
    assert kinds["identified"] > 0.3 * len(rows) and kinds["anonymous"] > 0.2 * len(rows)
    assert merged > 0  # anonymous history joined the users who signed up
    assert sum(events for _, events, sessions, *_ in rows) / sum(sessions for *_, sessions, _, _ in rows) >= 3
    assert sum(1 for kind, _, _, name, _ in rows if kind == "identified" and name) > 0.5 * kinds["identified"]
    assert sum(1 for *_, country in rows if country) > 0.6 * len(rows)
    assert heavy_row is not None and heavy_row.user.events >= 140 and heavy_row.user.sessions > 3
    assert live >= 1  # a few people are on the site at the end of the history
    assert len(users) == len(rows)


# -- live mode ----------------------------------------------------------------------------


def run_feed(seed: int, start: int, steps: int, step_ms: int = 3000, **kwargs) -> list[tuple[int, list[bytes]]]:
    feed = LiveFeed(seed, start_ms=start, **kwargs)
    return [(start + i * step_ms, feed.due(start + i * step_ms)) for i in range(steps)]


def test_live_feed_is_deterministic_and_stamped_now() -> None:
    first = run_feed(11, END, 200)
    assert first == run_feed(11, END, 200)
    assert first != run_feed(12, END, 200)
    previous = END - 1
    for now, lines in first:
        for line in lines:
            event = parse_line(line, now)
            assert isinstance(event, NormalizedEvent), line[:200]
            assert previous < event.ts <= now  # released when its moment came, not before, not late
        previous = now


def test_live_feed_shows_every_kind_of_visitor_in_the_first_minutes() -> None:
    lines = [line for _, batch in run_feed(1, END, 200, per_minute=12) for line in batch]  # 10 minutes
    events = [parse_line(line, END + 3_600_000) for line in lines]
    assert len(KINDS) == 5
    assert any(e.link and e.type == "identify" for e in events)  # a sign-up that merges
    assert any(e.name == "Order Completed" for e in events)
    assert any(e.name == "$rageclick" for e in events)
    assert any(e.source in (IOS, ANDROID) and e.type == "screen" for e in events)
    assert any(e.user_id is None and e.type == "page" for e in events)


def test_live_feed_brings_back_people_from_the_history(small) -> None:
    _, summary = small
    anonymous = [r for r in summary.returning if r["user_id"] is None]
    assert anonymous
    lines = [line for _, batch in run_feed(2, END, 400, returning=anonymous) for line in batch]
    events = [parse_line(line, END + 3_600_000) for line in lines]
    historic = {r["anonymous_id"] for r in anonymous}
    assert any(e.link and e.link[0] in historic for e in events)  # weeks of history merge into a new user


def test_command_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tui_profiles.generator", str(tmp_path), "--events", "500", "--users", "40", "--days", "3",
         "--seed", "9", "--end", "2026-11-20T12:00:00+00:00"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = orjson.loads(proc.stdout)
    assert report["events"] == 500 and report["users"] == 40 and report["bad_lines"] == len(BAD_LINES)
    assert len(parsed_events(tmp_path)) == 500
