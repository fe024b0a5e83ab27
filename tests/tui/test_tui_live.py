"""The app with `--inbox`: the real watcher in a thread worker feeds the open list and profile, and stops on quit."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.tui.support import NOW, Journal, Notes, build_store, make_app, screen_text, settle
from tui_profiles.tui.screens.profile import ProfileScreen
from tui_profiles.tui.widgets.timeline import Timeline
from tui_profiles.tui.widgets.user_list import UserList

SIZE = (120, 40)

pytest.importorskip("tui_profiles.ingest.watcher")


async def wait_for(pilot, condition, timeout: float = 20.0) -> None:  # noqa: ANN001
    """Let the app run until `condition()` holds (the watcher works on its own clock)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the watcher")
        await pilot.pause(0.1)
    await settle(pilot)


async def test_a_file_dropped_in_the_inbox_shows_up_in_the_open_list_and_profile(tmp_path: Path) -> None:
    url = build_store(tmp_path / "store")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    app = make_app(url, inbox=inbox)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        users = app.screen.query_one(UserList)
        await pilot.press("down")  # Bob
        arrival = Journal("inbox1")
        arrival.page(NOW - 15_000, "/from-the-inbox", anon="inbox-visitor", country="SE")
        arrival.write(inbox / "batch-1.jsonl")
        await wait_for(pilot, lambda: users.user_at(0) is not None and users.user_at(0).id == "inbox-visitor")
        assert users.current_user.display_name == "Bob Stone"
        assert screen_text(app).splitlines()[3].startswith("● inbox-visitor")
        # Into Bob's profile; a new event of his lands in the inbox.
        await pilot.press("enter", "tab", "tab")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        timeline = app.screen.query_one(Timeline)
        more = Journal("inbox2")
        more.track(NOW - 5_000, "Newsletter Subscribed", {"list": "weekly"}, user="user-bob")
        more.write(inbox / "batch-2.jsonl")
        await wait_for(pilot, lambda: any(getattr(i, "name", None) == "Newsletter Subscribed" for i in timeline.items))
        assert timeline.items[1].name == "Newsletter Subscribed"
        assert "Newsletter Subscribed" in screen_text(app)
        worker = next(w for w in app.workers if w.group == "watcher")
        assert not worker.is_finished
        await pilot.press("q")
    # Quitting stops the watcher's thread: nothing keeps the process alive.
    assert app.stop_watching.is_set()
    assert app.watcher_done.wait(10)


async def test_without_the_watcher_module_the_app_says_so_and_keeps_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    url = build_store(tmp_path / "store")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    monkeypatch.setitem(sys.modules, "tui_profiles.ingest.watcher", None)  # import fails as if it were missing
    app = make_app(url, inbox=inbox)
    notes = Notes()
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await settle(pilot)
        assert app.is_running
        assert any("No module named" in m or "import" in m.lower() for m in notes.said), notes.said


async def test_store_changes_faster_than_the_list_reads_start_one_read_at_a_time(tmp_path: Path) -> None:
    """A watcher storing a batch every few milliseconds must not start a read of the list for each: the
    threads of reads it would cancel run on, each slower for the others. One runs; the changes heard
    meanwhile make one more read, a moment after it is done, which shows what was stored last."""
    import threading

    from tests.tui.support import ingest
    from tui_profiles.tui.screens.users import UsersScreen
    from tui_profiles.tui.widgets.windowed_list import LIVE_READ_GAP_S

    url = build_store(tmp_path / "store")
    app = make_app(url)
    reads, running, most = [], [0], [0]
    lock, gate = threading.Lock(), threading.Event()
    gate.set()
    user_window = app.reader.user_window

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - the real read, its overlap counted
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            gate.wait(10)  # while closed: a read slower than the changes come, as on a large store under ingest
            window = user_window(*args, **kwargs)
            reads.append(window)
            return window
        finally:
            with lock:
                running[0] -= 1

    app.reader.user_window = counted  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, UsersScreen)
        users = screen.query_one(UserList)
        before = len(reads)
        gate.clear()
        for i in range(20):
            if i == 10:
                arrival = Journal("late")
                arrival.page(NOW - 5_000, "/while-reading", anon="late-visitor", country="SE")
                ingest(url, [arrival.write(tmp_path / "late.jsonl")])
            screen.store_changed(frozenset({1}), frozenset())
            await asyncio.sleep(0.005)
        gate.set()
        await settle(pilot)
        await pilot.pause(LIVE_READ_GAP_S + 0.1)  # the read after it waits a moment
        await settle(pilot)
        assert most[0] == 1, f"{most[0]} reads of the list ran at once"
        assert len(reads) - before == 2, f"{len(reads) - before} reads for 20 changes, not the one running and one after"
        assert users.user_at(0).id == "late-visitor"  # the read after the last change shows it
