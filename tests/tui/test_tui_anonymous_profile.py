"""An anonymous profile that signed in: its header says as whom and when, `o` opens that user, and its
timeline marks the events it shares with the user (issue 12: an anonymous profile keeps its own history)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.support import SIZE, build_store, identity_journal, keys, make_identity_app, screen_text, settle
from tui_profiles.tui.screens.profile import ProfileScreen

PHONE = "anon-iphone-77e0"  # alice's phone: one anonymous screen, then she signed in on it


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    return build_store(Path("store"), identity_journal())


async def _open_phone(pilot) -> None:  # noqa: ANN001
    await settle(pilot)
    await pilot.press("slash", *f"is:anonymous {PHONE}", "enter")  # one match: enter opens it
    await settle(pilot)


def test_the_header_of_an_anonymous_profile_that_signed_in(url, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_identity_app(url), terminal_size=SIZE,
                        run_before=keys("slash", *f"is:anonymous {PHONE}", "enter", "tab", "tab"))  # fmt: skip


async def test_the_header_says_whom_it_signed_in_as_and_o_opens_that_user(url) -> None:
    app = make_identity_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await _open_phone(pilot)
        screen = app.screen
        assert isinstance(screen, ProfileScreen) and screen.detail is not None and screen.detail.user.id == PHONE
        header = screen_text(app).splitlines()[2]
        assert "signed in as user-alice on 2026-11-16" in header and "(o opens)" in header
        await pilot.press("tab")  # Sessions: the session is also alice's
        await settle(pilot)
        assert any("↳ user-alice" in line for line in screen_text(app).splitlines() if "ios" in line)
        await pilot.press("tab")  # Timeline: its one event, merged into alice at her sign-in
        await settle(pilot)
        assert any("Home" in line and line.rstrip().endswith("↳ user-alice") for line in screen_text(app).splitlines())
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen) and app.screen.detail.user.id == "user-alice"  # type: ignore[union-attr]


async def test_o_on_a_profile_that_never_signed_in_does_nothing(url) -> None:
    app = make_identity_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # alice, identified
        await settle(pilot)
        before = app.screen.detail.user.id  # type: ignore[attr-defined]
        await pilot.press("o")
        await settle(pilot)
        assert app.screen.detail.user.id == before  # type: ignore[attr-defined]
