"""Query figures on the loaded store, through the same reader the app's screens use.

The user list page is timed against the same page as one raw SQL query on the
same store. Each figure's samples alternate with its baseline's.
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
