"""An app opened without `--inbox` follows what other processes store: a `tui-profiles watch` and an `ingest`, each its own process.

On both databases: a file dropped in the separate watcher's inbox shows its new visitor at the top of the
viewer's list and a new event in its open profile's timeline; a bulk `ingest` from a third process moves
the viewer's user count. On PostgreSQL, a server restart while both run: the watcher waits and carries on,
the viewer says it is disconnected, then catches up, and nothing is lost or doubled.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.pgserver import OwnServer
from tests.tui.support import NOW, Journal, demo_journal, ingest, make_app, screen_text, settle
from tui_profiles.store.engine import make_engine
from tui_profiles.store.models import EVENTS, PROFILES
from tui_profiles.tui.screens.profile import ProfileScreen
from tui_profiles.tui.screens.users import UsersScreen
from tui_profiles.tui.widgets.timeline import Timeline
from tui_profiles.tui.widgets.title_bar import TitleBar
from tui_profiles.tui.widgets.user_list import UserList

SIZE = (120, 40)
ROOT = Path(__file__).resolve().parents[2]


class Watching:
    """`tui-profiles watch INBOX` in a process of its own, its output kept."""

    def __init__(self, url: str, inbox: Path, log: Path) -> None:
        self.log = log
        self.out = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "tui_profiles", "--db", url, "watch", str(inbox)], cwd=ROOT,
                                     stdout=self.out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})  # fmt: skip

    def said(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            code = self.proc.wait(30)
        finally:
            self.out.close()
        return code


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[list[Watching]]:
    started: list[Watching] = []
    yield started
    for w in started:
        w.stop()


async def wait_for(pilot, condition, what: str, timeout: float = 30.0) -> None:  # noqa: ANN001
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.1)
    await settle(pilot)


def ingest_process(url: str, path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "tui_profiles", "--db", url, "ingest", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr


def stored(url: str) -> tuple[list[str], int]:
    """Every stored message id, and the events the profiles count (a doubled fold shows as a mismatch). A merged
    event counts for its user and for its anonymous profile alike (stored once): it is taken off once here."""
    engine = make_engine(url)
    with engine.connect() as conn:
        ids = [m for (m,) in conn.execute(sa.select(EVENTS.c.message_id))]
        counted = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(PROFILES.c.event_count), 0))).scalar_one()
        merged = conn.execute(
            sa.select(sa.func.count()).select_from(EVENTS)
            .where(EVENTS.c.anon_profile_id.is_not(None), EVENTS.c.anon_profile_id != EVENTS.c.profile_id)
        ).scalar_one()  # fmt: skip
    engine.dispose()
    return ids, int(counted) - int(merged)


async def test_a_viewer_follows_a_separate_watcher_and_a_bulk_ingest(db_url: str, tmp_path: Path, watching: list[Watching]) -> None:
    ingest(db_url, [demo_journal().write(tmp_path / "history.jsonl")])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    watching.append(Watching(db_url, inbox, tmp_path / "watch.log"))
    app = make_app(db_url)  # no inbox: this app runs no watcher
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not any(w.group == "watcher" for w in app.workers)
        users = app.screen.query_one(UserList)
        await pilot.press("down")  # Bob: the cursor stays on him as people arrive above
        before = app.screen.matching

        arrival = Journal("sep1")
        arrival.page(NOW - 15_000, "/from-the-other-process", anon="far-visitor", country="SE")
        arrival.write(inbox / "batch-1.jsonl")
        await wait_for(pilot, lambda: users.user_at(0) is not None and users.user_at(0).id == "far-visitor", "the new visitor")
        assert users.current_user.display_name == "Bob Stone"
        assert "far-visitor" in screen_text(app)
        assert app.screen.matching == before + 1

        # Bob's profile, timeline tab; his new event lands in the other process's inbox.
        await pilot.press("enter", "tab", "tab")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        timeline = app.screen.query_one(Timeline)
        more = Journal("sep2")
        more.track(NOW - 5_000, "Newsletter Subscribed", {"list": "weekly"}, user="user-bob")
        more.write(inbox / "batch-2.jsonl")
        await wait_for(pilot, lambda: any(getattr(i, "name", None) == "Newsletter Subscribed" for i in timeline.items), "Bob's new event")
        assert "Newsletter Subscribed" in screen_text(app)

        # Back on the list; a third process ingests twelve new visitors at once.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        counted = app.screen.matching
        bulk = Journal("bulk")
        for i in range(12):
            bulk.page(NOW - 60_000 - i * 1000, "/bulk", anon=f"bulk-{i:02d}")
        ingest_process(db_url, bulk.write(tmp_path / "bulk.jsonl"))
        await wait_for(pilot, lambda: app.screen.matching == counted + 12, "the bulk ingest's users")
        await pilot.press("q")
    assert app.follower_done.wait(10), "the follower's thread kept running after quit"
    said = watching[0].said()
    assert " batch-1.jsonl  new events 1  duplicates 0  rejected 0  profiles 1" in said, said


async def test_the_apps_own_watcher_is_not_announced_twice(tmp_path: Path) -> None:
    """Its batches reach the screens through the follower, as everyone else's: once each."""
    url = f"sqlite:///{tmp_path}/store.db"
    ingest(url, [demo_journal().write(tmp_path / "history.jsonl")])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    app = make_app(url, inbox=inbox)
    heard: list[object] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.broadcasts.store.subscribe(app, heard.append)
        arrival = Journal("own")
        arrival.page(NOW - 15_000, "/own", anon="own-visitor")
        arrival.write(inbox / "own.jsonl")
        users = app.screen.query_one(UserList)
        await wait_for(pilot, lambda: users.user_at(0) is not None and users.user_at(0).id == "own-visitor", "the visitor")
        await pilot.pause(1.0)  # ten of the follower's polls
        await settle(pilot)
        assert len(heard) == 1, heard
        await pilot.press("q")


@pytest.mark.postgres
async def test_a_postgresql_restart_loses_and_doubles_nothing_and_the_viewer_catches_up(
    pg_server_url: object, tmp_path: Path, watching: list[Watching]
) -> None:
    server = OwnServer.start(tmp_path / "pg")
    try:
        url = server.url
        ingest(url, [demo_journal().write(tmp_path / "history.jsonl")])
        history, _ = stored(url)
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        watch = Watching(url, inbox, tmp_path / "watch.log")
        watching.append(watch)
        app = make_app(url)
        written: list[str] = []

        def drop(name: str, n: int) -> None:
            j = Journal(name)
            for i in range(n):
                j.page(NOW - 30_000 + i, f"/{name}", anon=f"{name}-{i:02d}")
            j.write(inbox / f"{name}.jsonl")
            written.extend(m["messageId"] for m in j.lines)

        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            users = app.screen.query_one(UserList)
            drop("before", 3)
            await wait_for(pilot, lambda: users.user_at(0) is not None and users.user_at(0).id.startswith("before-"), "the first files")
            counted = app.screen.matching

            await asyncio.to_thread(server.stop)
            title = app.screen.query_one(TitleBar)
            await wait_for(pilot, lambda: "disconnected from the store" in title.alert, "the viewer to say it is disconnected")
            assert "disconnected from the store, retrying" in screen_text(app)
            drop("during", 5)  # lands while the database is down: the watcher must wait, not die
            await asyncio.sleep(3)
            assert watch.proc.poll() is None, watch.said()
            await asyncio.to_thread(server.start_again)

            await wait_for(pilot, lambda: title.alert == "", "the viewer to reconnect", timeout=60)
            drop("after", 2)
            await wait_for(pilot, lambda: app.screen.matching == counted + 7, "the viewer to catch up", timeout=60)
            assert "disconnected" not in screen_text(app)
            await pilot.press("q")
        assert watch.stop() == 0, watch.said()
        ids, counted_events = stored(url)
        assert set(written) <= set(ids), "lost"
        assert len(ids) == len(set(ids)) == len(history) + len(written), "doubled"
        assert counted_events == len(ids)
    finally:
        server.remove()


async def test_a_first_load_from_another_process_fills_a_viewer_opened_on_an_empty_store(db_url: str, tmp_path: Path) -> None:
    """A first load logs "every profile" (too many to list): the viewer reloads what it shows."""
    make_engine(db_url).dispose()  # an empty store, schema made
    app = make_app(db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.matching == 0
        ingest_process(db_url, demo_journal().write(tmp_path / "history.jsonl"))
        await wait_for(pilot, lambda: app.screen.matching > 0, "the first load's users")
        assert "Alice Martin" in screen_text(app)
        await pilot.press("q")
