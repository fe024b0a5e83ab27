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
