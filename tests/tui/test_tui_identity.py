"""The profile's Identity tab (key `i`): why each anonymous id is linked, warnings for a shared device and a blob,
`enter` opens the linking event. Pilot tests and a snapshot on a deterministic store, pinned now."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.support import SIZE, Notes, build_store, identity_journal, keys, make_identity_app, screen_text, settle
from tui_profiles.tui.messages import OpenEvent
from tui_profiles.tui.screens.event import EventScreen
from tui_profiles.tui.screens.profile import ProfileScreen


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)  # a relative store path: "events.jsonl:3" reads the same on every machine
    return build_store(Path("store"), identity_journal())


def test_identity_tab_of_a_shared_laptop(url, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_identity_app(url), terminal_size=SIZE, run_before=keys("enter", "i"))


async def test_i_shows_why_each_id_is_linked_and_enter_opens_the_linking_event(url) -> None:
    app = make_identity_app(url)
    opened: list[OpenEvent] = []
    notes = Notes()

    def hook(message) -> None:  # noqa: ANN001
        notes(message)
        if isinstance(message, OpenEvent):
            opened.append(message)

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # Alice, the newest
        await settle(pilot)
        assert "⚠ shared_device" in screen_text(app)  # the header warns before any tab is opened
        await pilot.press("i")
        await settle(pilot)
        text = screen_text(app)
        assert "⚠ shared device" in text
        laptop = next(line for line in text.splitlines() if line.strip().startswith("anon-laptop-5e11")).split()
        # id, source, first and last seen, how, linked at (day, time), events, file:line, also linked to
        assert laptop[0:2] == ["anon-laptop-5e11", "web"] and laptop[4] == "identify"
        assert laptop[-3:] == ["2", "events.jsonl:3", "user-bob"]  # the two pages before she signed up
        iphone = next(line for line in text.splitlines() if line.strip().startswith("anon-iphone-77e0"))
        assert "ios" in iphone and "user-bob" not in iphone
        await pilot.press("enter")  # the laptop's link: the first row
        await settle(pilot)
        assert isinstance(app.screen, EventScreen)
        detail = app.screen.detail  # type: ignore[attr-defined]
        assert (detail.row.type, detail.user_id, detail.anonymous_id) == ("identify", "user-alice", "anon-laptop-5e11")
        assert len(opened) == 1


async def test_an_anonymous_profile_lists_its_users_and_a_blob_is_warned_of(url) -> None:
    app = make_identity_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"is:anonymous anon-laptop", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        text = screen_text(app)
        assert "User" in text and "Anonymous id" not in text
        users = [line.split()[0] for line in text.splitlines() if line.strip().startswith("user-")]
        assert users == ["user-alice", "user-bob"]

        await pilot.press("escape", "escape")
        await settle(pilot)
        app.screen.query_one("SearchBar").clear()  # type: ignore[attr-defined]
        await pilot.press("slash", *"everyone", "enter")
        await settle(pilot)
        await pilot.press("enter", "i")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        text = screen_text(app)
        assert "⚠ 6 anonymous ids, over 5 (max_anon_ids): a tracking bug may have merged strangers" in text
        assert sum(line.strip().startswith("anon-visitor-") for line in text.splitlines()) == 6


async def test_u_unlinks_after_a_confirmation_and_l_links_by_hand(url) -> None:
    app = make_identity_app(url)
    notes = Notes()
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("enter", "i")  # Alice's Identity tab; the cursor on the laptop's link
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        text = screen_text(app)
        assert "Unlink anon-laptop-5e11 from user-alice?" in text
        assert "2 anonymous events of that id leave user-alice; they stay on the" in text
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        assert "anon-laptop-5e11 unlinked from user-alice: 2 events left user-alice." in notes.said
        laptop = [line for line in screen_text(app).splitlines() if line.strip().startswith("anon-laptop-5e11")]
        # She still used the laptop signed in; the link itself shows as taken apart, by whom.
        assert any(" unlinked " in row and f"unlinked by hand, by {app.reader.settings.author}" in row for row in laptop)
        assert not any(" identify " in row for row in laptop)

        await pilot.press("l")
        await settle(pilot)
        assert "with which anonymous id?" in screen_text(app)
        await pilot.press(*"anon-laptop-5e11", "enter")
        await settle(pilot)
        # Her two pages before sign-up again, and the laptop's anonymous page after Bob logged out (until now).
        assert "anon-laptop-5e11 linked to user-alice by hand: 3 events joined user-alice." in notes.said
        rows = [line for line in screen_text(app).splitlines() if line.strip().startswith("anon-laptop-5e11")]
        assert any(" by hand " in row and f"linked by hand, by {app.reader.settings.author}" in row for row in rows)


async def test_u_on_nothing_to_unlink_says_so_and_changes_nothing(url) -> None:
    app = make_identity_app(url)
    notes = Notes()
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("enter", "u")  # the Overview tab: no link under the cursor
        await settle(pilot)
        assert "Choose a link on the Identity tab (i) to unlink." in notes.said
        assert isinstance(app.screen, ProfileScreen)
