"""Deterministic stores for the TUI tests: Segment-spec lines written here, ingested by the real writer.

"Now" is pinned at 2026-11-20T12:00:00Z (the suite's `now_ms`); times below are relative to it,
so live dots, "ago" columns and the period switch come out the same on every run.
No tests here: the TUI test modules and `tests/make_screenshots.py` build their stores with it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Input

from tests.conftest import PINNED_NOW_MS
from tui_profiles.config import Settings
from tui_profiles.domain.clock import Clock
from tui_profiles.ingest.files import FileIngestor
from tui_profiles.reader import StoreReader
from tui_profiles.store.batch import BatchResult
from tui_profiles.store.engine import make_engine
from tui_profiles.store.writer import StoreWriter
from tui_profiles.tui import textual_compat
from tui_profiles.tui.app import ProfilesApp

NOW = PINNED_NOW_MS
MIN = 60_000
HOUR = 60 * MIN
DAY = 24 * HOUR

WEB = {"library": {"name": "analytics.js", "version": "2.11.1"}, "userAgent": "Mozilla/5.0 (Macintosh) Chrome/122.0", "locale": "en-US"}
IOS = {"library": {"name": "analytics-ios", "version": "4.1.8"}, "os": {"name": "iOS", "version": "17.4"},
       "device": {"type": "ios", "model": "iPhone15,2", "manufacturer": "Apple"}, "app": {"name": "Shop", "version": "3.2.0"}}

# Strings that would style the screen, run an action, reach the terminal or reorder the line if obeyed.
HOSTILE_ID = "[@click=app.quit]mallory"
HOSTILE_NAME = "[bold]Mallory[/bold] [@click=app.quit]x"
HOSTILE_EMAIL = "mal\x1b[31mlory@evil.test"
HOSTILE_COMPANY = "\u202eACME\u202c"
HOSTILE_EVENT = "[@click=app.quit]Buy [/"
HOSTILE_PATH = "/[red]x[/red]\x1b[2J"
HOSTILE_KEY = "[b]key[/b]"
HOSTILE_OSC = "\x1b]52;c;ZXZpbA==\x07"
HOSTILE_LINK = "\x1b]8;;http://evil.test\x1b\\click\x1b]8;;\x1b\\"


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Journal:
    """Segment messages with deterministic message ids, written as one NDJSON file."""

    def __init__(self, prefix: str = "m") -> None:
        self.lines: list[dict[str, Any]] = []
        self.prefix = prefix

    def _add(self, kind: str, ts: int, *, user: str | None, anon: str | None, context: dict[str, Any] | None, **fields: Any) -> None:
        message: dict[str, Any] = {"type": kind, "messageId": f"{self.prefix}-{len(self.lines):05d}", "timestamp": iso(ts)}
        if user:
            message["userId"] = user
        if anon:
            message["anonymousId"] = anon
        message["context"] = dict(context or WEB)
        message.update(fields)
        self.lines.append(message)

    def page(self, ts: int, path: str, *, user: str | None = None, anon: str | None = None, title: str = "", context: dict[str, Any] | None = None, country: str | None = None) -> None:  # noqa: E501
        ctx = dict(context or WEB)
        if country:
            ctx["location"] = {"country": country}
        self._add("page", ts, user=user, anon=anon, context=ctx, name=title or path,
                  properties={"path": path, "url": f"https://shop.example{path}", "title": title or path})

    def track(self, ts: int, event: str, properties: dict[str, Any] | None = None, *, user: str | None = None, anon: str | None = None, context: dict[str, Any] | None = None) -> None:  # noqa: E501
        self._add("track", ts, user=user, anon=anon, context=context, event=event, properties=properties or {})

    def screen(self, ts: int, name: str, *, user: str | None = None, anon: str | None = None) -> None:
        self._add("screen", ts, user=user, anon=anon, context=IOS, name=name, properties={})

    def identify(self, ts: int, user: str, traits: dict[str, Any], *, anon: str | None = None, context: dict[str, Any] | None = None) -> None:  # noqa: E501
        self._add("identify", ts, user=user, anon=anon, context=context, traits=traits)

    def write(self, path: Path) -> Path:
        path.write_text("".join(json.dumps(line) + "\n" for line in self.lines), encoding="utf-8")
        return path


def demo_journal(fillers: int = 40) -> Journal:
    """Alice (anonymous, then signs up; an order; live now with a rage click), Bob (live), Carol (iOS),
    Mallory (every hostile string), and anonymous visitors spread over the last 60 days."""
    j = Journal()
    # Alice: browses anonymously 20 days ago, signs up, orders 3 days ago, live now.
    t = NOW - 20 * DAY
    j.page(t, "/", anon="anon-alice", title="Home", country="DE")
    j.page(t + 2 * MIN, "/pricing", anon="anon-alice", title="Pricing", country="DE")
    j.page(NOW - 3 * DAY, "/", anon="anon-alice", title="Home", country="DE")
    j.identify(NOW - 3 * DAY + MIN, "user-alice", {
        "name": "Alice Martin", "email": "alice@acme.com", "plan": "pro", "createdAt": "2026-11-17T11:01:00Z",
        "company": {"name": "Acme", "employees": 120}, "address": {"country": "DE", "city": "Berlin"},
    }, anon="anon-alice")
    j.track(NOW - 3 * DAY + 5 * MIN, "Product Viewed", {"product_id": "sku-1", "price": 60}, user="user-alice")
    j.track(NOW - 3 * DAY + 9 * MIN, "Order Completed", {
        "order_id": "o-1", "total": 120, "currency": "EUR", "products": [{"product_id": "sku-1", "quantity": 2, "price": 60}],
    }, user="user-alice")
    j.page(NOW - 30 * MIN, "/account", user="user-alice", title="Account")
    j.track(NOW - 25 * MIN, "$rageclick", {"$el_text": "Download invoice", "selector": "button.invoice"}, user="user-alice")
    j.page(NOW - 2 * MIN, "/help", user="user-alice", title="Help")
    # Bob: identified, live (8 minutes ago).
    j.identify(NOW - 5 * DAY, "user-bob", {"name": "Bob Stone", "email": "bob@example.org", "address": {"country": "US"}})
    j.page(NOW - 5 * DAY + MIN, "/", user="user-bob", country="US")
    j.page(NOW - 8 * MIN, "/blog/launch", user="user-bob", country="US")
    # Carol: iOS, two days ago.
    j.identify(NOW - 2 * DAY - HOUR, "user-carol", {"name": "Carol Ng", "email": "carol@shop.example"}, context=IOS)
    j.screen(NOW - 2 * DAY, "Home", user="user-carol")
    j.screen(NOW - 2 * DAY + 3 * MIN, "Cart", user="user-carol")
    j.track(NOW - 2 * DAY + 4 * MIN, "Checkout Started", {"items": 3}, user="user-carol", context=IOS)
    # Mallory: every hostile string, 40 minutes ago (not live).
    j.identify(NOW - 41 * MIN, HOSTILE_ID, {
        "name": HOSTILE_NAME, "email": HOSTILE_EMAIL, "company": HOSTILE_COMPANY, HOSTILE_KEY: HOSTILE_OSC, "link": HOSTILE_LINK,
    })
    j.page(NOW - 40 * MIN, HOSTILE_PATH, user=HOSTILE_ID, title="[i]title[/i]")
    j.track(NOW - 40 * MIN + 10_000, HOSTILE_EVENT, {HOSTILE_KEY: "[@click=app.quit]v", "nested": {"[red]k": HOSTILE_OSC}}, user=HOSTILE_ID)
    # Anonymous visitors, one every ~1.5 days back from 1 day ago.
    for i in range(fillers):
        at = NOW - DAY - i * 36 * HOUR
        anon = f"anon-{i:04d}"
        j.page(at, "/", anon=anon, country=("FR", "GB", "US", "JP")[i % 4])
        j.page(at + MIN, "/pricing" if i % 3 else "/docs", anon=anon)
    return j


def identity_journal() -> Journal:
    """The identity panel's store: Alice signs up on the family laptop, then on her iPhone; Bob signs in on the
    same laptop later (a shared device); someone browses on it signed out; a tracking bug identifies six
    visitors as one user (a blob, with max_anon_ids = 5)."""
    j = Journal("id")
    laptop = "anon-laptop-5e11"
    j.page(NOW - 9 * DAY, "/", anon=laptop, title="Home")
    j.page(NOW - 9 * DAY + 2 * MIN, "/pricing", anon=laptop, title="Pricing")
    j.identify(NOW - 9 * DAY + 3 * MIN, "user-alice", {"name": "Alice Martin", "email": "alice@acme.com"}, anon=laptop)
    j.screen(NOW - 4 * DAY, "Home", anon="anon-iphone-77e0")
    j.identify(NOW - 4 * DAY + MIN, "user-alice", {}, anon="anon-iphone-77e0", context=IOS)
    j.page(NOW - 2 * DAY, "/blog", anon=laptop, title="Blog")
    j.identify(NOW - 2 * DAY + MIN, "user-bob", {"name": "Bob Stone", "email": "bob@example.org"}, anon=laptop)
    j.page(NOW - DAY, "/", anon=laptop, title="Home")  # after Bob logged out: the laptop's own profile
    for i in range(6):
        anon = f"anon-visitor-{i}"
        j.page(NOW - 6 * DAY + i * HOUR, "/", anon=anon, title="Home")
        j.identify(NOW - 6 * DAY + i * HOUR + MIN, "user-everyone", {"name": "Everyone"}, anon=anon)
    j.page(NOW - 3 * MIN, "/account", user="user-alice", anon="anon-iphone-77e0", title="Account")
    return j


IDENTITY_SETTINGS = {"max_anon_ids": 5}


def ingest(url: str, files: Iterable[Path], settings: Settings | None = None) -> None:
    settings = settings or Settings(db_url=url)
    engine = make_engine(url, writer=True)
    try:
        FileIngestor(StoreWriter(engine, settings)).ingest_paths(list(files))
    finally:
        engine.dispose()


@contextmanager
def demo_reader(folder: Path, url: str) -> Iterator[StoreReader]:
    """The demo store at `url` (SQLite or PostgreSQL: the compiled SQL differs), read as the app reads it, at NOW."""
    ingest(url, [demo_journal().write(folder / "events.jsonl")])
    engine = make_engine(url)
    try:
        yield StoreReader(engine, Settings(db_url=url), Clock(now=lambda: NOW))
    finally:
        engine.dispose()


def make_identity_app(url: str) -> ProfilesApp:
    return make_app(url, settings=Settings(db_url=url, **IDENTITY_SETTINGS))


def build_store(folder: Path, journal: Journal | None = None) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder}/store.db"
    ingest(url, [(journal or demo_journal()).write(folder / "events.jsonl")])
    return url


def make_app(url: str, now: Callable[[], int] = lambda: NOW, settings: Settings | None = None, **kwargs: Any) -> ProfilesApp:
    settings = settings or Settings(db_url=url)
    reader = StoreReader(make_engine(url), settings, Clock(now=now, tz=timezone.utc))
    return ProfilesApp(reader, **kwargs)


async def settle(pilot: Pilot) -> None:
    """Until every worker is done and every message they posted, and every message those messages' handlers
    posted, has been handled: twice in a row, nothing running and nothing queued.

    A loaded machine (CI, the other half of the suite on the other core) can stall the process anywhere, so
    "the CPU went idle" (what `Pilot.pause` waits for) says nothing; what is still queued does.
    """
    app = pilot.app
    quiet = 0
    for _ in range(400):
        await pilot.pause()
        busy = [w for w in app.workers if not w.is_finished and w.group != "watcher"]
        if busy:
            quiet = 0
            await app.workers.wait_for_complete(busy)
        elif textual_compat.pending_messages(app):
            quiet = 0
        else:
            quiet += 1
            if quiet == 2:
                return
    raise AssertionError(f"never settled: workers {busy}, {textual_compat.pending_messages(app)} messages queued")


class Notes:
    """What the app said with `notify`, in order: pass it as `run_test(message_hook=...)`, which shows it every message."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.said.append(str(message.notification.message))


def screen_text(app: ProfilesApp) -> str:
    """What is on screen, as plain text lines (what a person would read)."""
    return "\n".join(textual_compat.screen_lines(app.screen))  # the whole screen, as drawn


SIZE = (120, 40)
SMALL = (100, 30)



def keys(*presses: str) -> Callable[[Pilot], Awaitable[None]]:
    """Press keys one at a time, letting every worker finish in between."""

    async def run(pilot: Pilot) -> None:
        await settle(pilot)
        for key in presses:
            await pilot.press(key)
            await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would make the picture depend on timing
        await pilot.pause()

    return run


def ingest_later(url: str, journal: Journal, folder: Path) -> BatchResult:
    """New events stored by the real writer from another thread, as the watcher would."""
    result = BatchResult()
    done = threading.Event()

    def run() -> None:
        engine = make_engine(url, writer=True)
        ingestor = FileIngestor(StoreWriter(engine, Settings(db_url=url)), on_batch=result.__iadd__)
        ingestor.ingest_paths([journal.write(folder / f"later-{journal.prefix}.jsonl")])
        engine.dispose()
        done.set()

    threading.Thread(target=run).start()
    assert done.wait(30)
    return result
