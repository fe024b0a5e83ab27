"""Query figures on the loaded store, through the same reader the app's screens use.

The user list page, the heavy user's timeline filtered to one event and a jump into the middle of
it are timed against the same page as one raw SQL query on the same store. Each figure's samples
alternate with its baseline's.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from tui_profiles.config import Settings
from tui_profiles.store.engine import make_engine

from .data import Dataset
from .report import Figure, median, percentile, skipped

DAY_MS = 86_400_000
WINDOW = 300  # the rows the user list holds and fetches at once (tui/widgets/user_list.py)
TIMELINE_PAGE = 200  # tui/widgets/timeline.py

RAW_PAGE = (
    "SELECT id, external_id, kind, name, email, country, city, company, first_seen, last_seen, session_count, "
    "event_count, order_count, has_contact, has_custom_attributes, traits FROM profiles WHERE last_seen >= {p} "
    "ORDER BY last_seen DESC, id DESC LIMIT {n}"
)


def filter_queries(end_ms: int) -> list[str]:
    """Twenty searches covering every construct of the filter language."""
    month_ago = (datetime.fromtimestamp(end_ms / 1000, tz=timezone.utc) - timedelta(days=30)).date().isoformat()
    return [
        "alice", '"Ivanova"', "country:Germany", "email:~gmail", "name:*", "plan:pro", "company.industry:Software",
        "is:live", "is:identified source:ios", "tag:buyer", "seen:<2d", f"first:>{month_ago}", "sessions:>10",
        "events:>=100", 'did:"Order Completed"', 'did:"Order Completed".total:>100', "visited:/pricing",
        "visited:/docs/*", "country:Germany OR country:France", '-is:anonymous did:"Signed Up" seen:<30d',
    ]  # fmt: skip


# The timeline's page as the store is asked for it, with no reader around it: one profile's events, newest first.
RAW_TIMELINE = (
    "SELECT id, message_id, ts, type, name, path, source, props, time_flag, profile_id FROM events "
    "WHERE profile_id = {p} AND {cond} ORDER BY ts DESC, id DESC LIMIT {n}"
)


def timed(fn: Callable[[], object]) -> float:
    began = time.perf_counter()
    fn()
    return (time.perf_counter() - began) * 1000


def _raw_page(url: str, since: int) -> Callable[[], object]:
    """The user list's page as one query on a plain driver connection (stdlib sqlite3 / psycopg)."""
    if url.startswith("sqlite"):
        import sqlite3

        con = sqlite3.connect(url.split("///", 1)[1])
        sql = RAW_PAGE.format(p="?", n=WINDOW)
        return lambda: con.execute(sql, (since,)).fetchall()
    import psycopg

    from .proc import pg_connect_kwargs

    pg = psycopg.connect(**pg_connect_kwargs(url), autocommit=True)
    sql = RAW_PAGE.format(p="%s", n=WINDOW)
    return lambda: pg.execute(sql, (since,)).fetchall()


def _raw(url: str, sql: str, params: tuple) -> Callable[[], object]:
    """One query on a plain driver connection (stdlib sqlite3 / psycopg); `sql` has `{p}` for each parameter."""
    if url.startswith("sqlite"):
        import sqlite3

        con = sqlite3.connect(url.split("///", 1)[1])
        text = sql.format(p="?")
        return lambda: con.execute(text, params).fetchall()
    import psycopg

    from .proc import pg_connect_kwargs

    pg = psycopg.connect(**pg_connect_kwargs(url), autocommit=True)
    text = sql.format(p="%s")
    return lambda: pg.execute(text, params).fetchall()


def paired(product: Callable[[], object], baseline: Callable[[], object], samples: int) -> tuple[list[float], list[float]]:
    product(), baseline()  # warm the caches once
    ours, theirs = [], []
    for _ in range(samples):
        ours.append(timed(product))
        theirs.append(timed(baseline))
    return ours, theirs


def timeline_figures(reader, url: str, backend: str, pid: int, heavy_events: int, samples: int) -> list[Figure]:  # noqa: ANN001
    """The Timeline tab filtered to one event (the person's rarest name: the page the index serves worst, every
    event of the person read to find a few) and a jump to the middle of their history, each the reader's call
    against the raw query it boils down to."""
    import sqlalchemy as sa

    from tui_profiles.domain.timeline_filter import EventFilter

    with reader.engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT name, count(*) AS n, min(ts) AS first, max(ts) AS last FROM events WHERE profile_id = :p AND name IS NOT NULL "
            "GROUP BY name ORDER BY n, name"
        ), {"p": pid}).all()  # fmt: skip
        first, last = conn.execute(sa.text("SELECT min(ts), max(ts) FROM events WHERE profile_id = :p"), {"p": pid}).one()
    rarest, count = rows[0].name, rows[0].n
    out = []
    sql = RAW_TIMELINE.format(p="{p}", cond="name = {p}", n=TIMELINE_PAGE)
    ours, theirs = paired(lambda: reader.timeline_page(pid, before=None, limit=TIMELINE_PAGE, names=EventFilter(keep=(rarest,))),
                          _raw(url, sql, (pid, rarest)), samples)  # fmt: skip
    f = Figure(f"timeline filtered to one event ({heavy_events:,}-event user)", backend, "ms", samples=ours,
               baseline_name="raw SQL page", baseline_samples=theirs, target="< 50 ms",
               extra={"event": rarest, "matching": count, "p95_ms": percentile(ours, 95)}).settle()  # fmt: skip
    f.met = f.value < 50
    f.note = f"{rarest!r}, {count} of the user's events; p95 {percentile(ours, 95):.1f} ms (raw {percentile(theirs, 95):.1f} ms)"
    out.append(f)
    middle = (first + last) // 2
    sql = RAW_TIMELINE.format(p="{p}", cond="ts <= {p}", n=TIMELINE_PAGE)
    ours, theirs = paired(lambda: reader.timeline_at(pid, middle, limit=TIMELINE_PAGE), _raw(url, sql, (pid, middle)), samples)
    f = Figure(f"timeline jump to a date in the middle ({heavy_events:,}-event user)", backend, "ms", samples=ours,
               baseline_name="raw SQL page", baseline_samples=theirs, target="< 50 ms",
               extra={"p95_ms": percentile(ours, 95)}).settle()  # fmt: skip
    f.met = f.value < 50
    f.note = f"the page at or before the middle of the history; p95 {percentile(ours, 95):.1f} ms (raw {percentile(theirs, 95):.1f} ms)"
    out.append(f)
    return out


def figures(url: str, backend: str, data: Dataset, *, samples: int, log) -> list[Figure]:  # noqa: ANN001
    from tui_profiles.domain.clock import Clock
    from tui_profiles.reader import StoreReader, UserQuery
    from tui_profiles.tui.search import compile_search

    now = data.end_ms
    engine = make_engine(url)
    settings = Settings(db_url=url)
    reader = StoreReader(engine, settings, Clock(now=lambda: now))
    out = []

    page = lambda: reader.user_window(UserQuery(period="7d"), 0, WINDOW)  # noqa: E731
    raw = _raw_page(url, now - 7 * DAY_MS)
    page(), raw()  # warm the caches once
    product, baseline = [], []
    for _ in range(samples):
        product.append(timed(page))
        baseline.append(timed(raw))
    f = Figure("user list first page (7 d, by last seen)", backend, "ms", samples=product, baseline_name="raw SQL page",
               baseline_samples=baseline, target="< 20 ms", extra={"rows": WINDOW, "includes": "count + page"}).settle()  # fmt: skip
    f.met = f.value < 20
    out.append(f)

    reader.live_count()
    live = [timed(reader.live_count) for _ in range(samples)]
    f = Figure("live visitor count", backend, "ms", samples=live, target="< 10 ms").settle()
    f.met = f.value < 10
    out.append(f)

    pid = reader.find_profile(data.heavy_user)
    parts: dict[str, list[float]] = {"header": [], "overview": [], "sessions": [], "timeline page": []}

    def open_profile() -> None:
        began = time.perf_counter()
        detail = reader.profile(pid)
        parts["header"].append((time.perf_counter() - began) * 1000)
        for name, fn in (("overview", lambda: reader.overview(detail, "7d", None)),
                         ("sessions", lambda: reader.sessions(pid)),
                         ("timeline page", lambda: reader.timeline_page(pid, before=None, limit=TIMELINE_PAGE))):  # fmt: skip
            parts[name].append(timed(fn))

    open_profile()
    for values in parts.values():
        values.clear()
    opened = [timed(open_profile) for _ in range(samples)]
    heavy_events = reader.profile(pid).user.events
    f = Figure(f"profile open ({heavy_events:,}-event user)", backend, "ms", samples=opened, target="< 50 ms",
               extra={"parts_ms": {k: round(median(v), 2) for k, v in parts.items()}}).settle()  # fmt: skip
    f.met = f.value < 50
    f.note = "header + overview (7 d) + sessions + first timeline page: " + ", ".join(
        f"{k} {median(v):.1f} ms" for k, v in parts.items()
    )
    out.append(f)
    timeline = timeline_figures(reader, url, backend, pid, heavy_events, samples)
    out += timeline
    log(f"  timeline [{backend}]: filtered {timeline[0].value:.1f} ms (raw {timeline[0].baseline:.1f}), "
        f"jump {timeline[1].value:.1f} ms (raw {timeline[1].baseline:.1f})")  # fmt: skip

    if not all(importlib.util.find_spec(m) for m in ("tui_profiles.domain.filters", "tui_profiles.store.filter_sql")):
        out.append(skipped("filter set (20 queries)", backend, "the filter language is not in this build", "median < 50 ms"))
        return out
    per_query: dict[str, float] = {}
    every: list[float] = []
    for text in filter_queries(now):

        def search(text: str = text) -> None:
            compiled = compile_search(text, now, settings=settings, dialect=backend)  # as the app's search bar does
            assert compiled.error is None, compiled.error
            reader.user_window(UserQuery(period="7d", condition=compiled.condition), 0, WINDOW)

        search()
        runs = [timed(search) for _ in range(max(3, samples // 5))]
        per_query[text] = round(median(runs), 2)
        every.extend(runs)
    slowest = sorted(per_query.items(), key=lambda kv: -kv[1])[:3]
    med = Figure("filter set (20 queries), median", backend, "ms", value=median(list(per_query.values())), samples=every,
                 target="< 50 ms", extra={"per_query_ms": per_query}).settle()  # fmt: skip
    med.met = med.value < 50
    p95 = Figure("filter set (20 queries), p95", backend, "ms", value=percentile(every, 95), target="< 200 ms")
    p95.met = p95.value < 200
    p95.note = "slowest: " + ", ".join(f"{q} {ms:.0f} ms" for q, ms in slowest)
    out += [med, p95]
    log(f"  queries [{backend}]: page {out[0].value:.1f} ms, live {out[1].value:.1f} ms, profile {out[2].value:.1f} ms, "
        f"filters median {med.value:.1f} / p95 {p95.value:.1f} ms")  # fmt: skip
    engine.dispose()
    return out
