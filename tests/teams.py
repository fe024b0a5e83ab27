"""A deterministic store for the company, cohort, feedback, goal and profile-action TUI tests.

The TUI tests' demo people (tests/tui/support.py) plus what issue 7 reads: Segment
`group` calls (Alice and Bob in Acme, Carol and Bob in Globex, Mallory in a company whose id, name
and traits are hostile), events carrying `context.groupId`, survey answers (one sent from a
page, one after a page view, one hostile), returning visitors spread over eight weeks so
the retention grid has something to show, saved filters (one that does not parse) and
goals. "Now" is pinned as in the other TUI tests. No tests here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.tui.support import (
    DAY,
    HOSTILE_COMPANY,
    HOSTILE_EVENT,
    HOSTILE_ID,
    HOSTILE_KEY,
    HOSTILE_OSC,
    HOSTILE_PATH,
    MIN,
    NOW,
    WEB,
    Journal,
    demo_journal,
    ingest,
)
from tui_profiles.config import Settings
from tui_profiles.domain.clock import Clock
from tui_profiles.reader import StoreReader
from tui_profiles.store import queries
from tui_profiles.store.engine import make_engine
from tui_profiles.tui.app import ProfilesApp

HOSTILE_GROUP = "[@click=app.quit]evilco"
HOSTILE_GROUP_NAME = HOSTILE_COMPANY + " [bold]Evil[/bold] Co"
HOSTILE_ANSWER = "[@click=app.quit]" + HOSTILE_OSC + "great[/"

GOALS = {"Ordered": "Order Completed", "Saw pricing": "did page /pricing", "Asked for help": "/help", "Churned": "Account Deleted"}
COHORTS = {"Buyers": "tag:buyer", "Acme": "company:acme", "In Germany": "country:DE", "Broken": "plan:"}


class TeamsJournal(Journal):
    def group(self, ts: int, group_id: str, traits: dict[str, Any], *, user: str) -> None:
        self._add("group", ts, user=user, anon=None, context=None, groupId=group_id, traits=traits)


def in_group(group_id: str, page: str | None = None) -> dict[str, Any]:
    """A Segment context for an event sent inside a company (and from a page, if given)."""
    context: dict[str, Any] = {**WEB, "groupId": group_id}
    if page:
        context["page"] = {"path": page, "url": f"https://shop.example{page}"}
    return context


def teams_journal() -> TeamsJournal:
    j = TeamsJournal()
    j.lines = demo_journal().lines
    # Companies.
    j.group(NOW - 3 * DAY + 2 * MIN, "acme", {"name": "Acme Inc", "plan": "enterprise", "employees": 120, "website": "acme.example"},
            user="user-alice")  # fmt: skip
    j.group(NOW - 5 * DAY + 2 * MIN, "acme", {"name": "Acme Inc"}, user="user-bob")
    j.track(NOW - 8 * MIN + 20_000, "Report Exported", {"format": "csv"}, user="user-bob", context=in_group("acme"))
    j.group(NOW - 2 * DAY + MIN, "globex", {"name": "Globex", "plan": "startup"}, user="user-carol")
    j.group(NOW - 5 * DAY + 3 * MIN, "globex", {}, user="user-bob")  # Bob is in two companies
    j.group(NOW - 41 * MIN + 5_000, HOSTILE_GROUP, {"name": HOSTILE_GROUP_NAME, HOSTILE_KEY: HOSTILE_OSC, "path": HOSTILE_PATH},
            user=HOSTILE_ID)  # fmt: skip
    # Feedback: Alice answers after viewing / (the page before, same session), and from /account (the event's own page).
    j.track(NOW - 3 * DAY + 10 * MIN, "Survey Responded", {"survey_name": "NPS", "score": 9, "comment": "Great, thanks"},
            user="user-alice")  # fmt: skip
    j.track(NOW - 28 * MIN, "Survey Responded", {"survey_id": "csat-1", "survey_name": "Invoices", "score": 2, "comment": "Cannot find my invoice"},  # noqa: E501
            user="user-alice", context=in_group("acme", "/account"))  # fmt: skip
    j.track(NOW - 40 * MIN + 20_000, "Survey Responded", {"survey_name": HOSTILE_EVENT, "score": 0, "comment": HOSTILE_ANSWER},
            user=HOSTILE_ID)  # fmt: skip
    # Returning visitors: four a week for eight weeks; visitor v comes back j weeks later when v % (j + 1) == 0.
    for weeks_ago in range(8):
        for v in range(4):
            anon = f"back-{weeks_ago}-{v}"
            first = NOW - weeks_ago * 7 * DAY - (v + 1) * 60 * MIN
            j.page(first, "/", anon=anon, country="NL")
            for later in range(1, weeks_ago + 1):
                if v % (later + 1) == 0:
                    j.page(first + later * 7 * DAY, "/pricing", anon=anon, country="NL")
    return j


def build_teams_store(folder: Path, url: str | None = None) -> str:
    """The store at `url` (default: a SQLite file in `folder`, where the events file is written)."""
    folder.mkdir(parents=True, exist_ok=True)
    url = url or f"sqlite:///{folder}/store.db"
    ingest(url, [teams_journal().write(folder / "events.jsonl")])
    engine = make_engine(url, writer=True)
    try:
        with engine.begin() as conn:
            for name, query in COHORTS.items():
                queries.save_filter(conn, name, query, now_ms=NOW, author="tests")
    finally:
        engine.dispose()
    return url


def teams_settings(url: str, goals: dict[str, str] | None = None) -> Settings:
    return Settings(db_url=url, goals=dict(GOALS if goals is None else goals))


def make_teams_app(url: str, now: Callable[[], int] = lambda: NOW, goals: dict[str, str] | None = None, **kwargs: Any) -> ProfilesApp:
    reader = StoreReader(make_engine(url), teams_settings(url, goals), Clock(now=now, tz=timezone.utc))
    return ProfilesApp(reader, **kwargs)


def count_rows(url: str, table: str, where: str = "1=1") -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar_one())  # noqa: S608 - test constants
    finally:
        engine.dispose()
