"""Small things people expect (issue 14, part 7): a sign-up date that says when it is only the first day seen,
none for an anonymous profile; goals starred on the Session screen as in the timeline; no live dot for an
excluded user (its session included)."""

from __future__ import annotations

from pathlib import Path

from tests.storekit import pid_of
from tests.teams import build_teams_store, make_teams_app
from tests.tui.support import build_store, make_app, screen_text, settle
from tui_profiles.store import actions, queries
from tui_profiles.store.engine import make_engine
from tui_profiles.tui.messages import OpenProfile, OpenSession
from tui_profiles.tui.screens.profile import ProfileScreen
from tui_profiles.tui.screens.session import SessionScreen

SIZE = (120, 40)



async def header_of(app, pilot, pid: int) -> str:  # noqa: ANN001
    app.post_message(OpenProfile(pid))
    await settle(pilot)
    assert isinstance(app.screen, ProfileScreen)
    header = "\n".join(screen_text(app).splitlines()[1:5])
    await pilot.press("escape")
    await settle(pilot)
    return header


async def test_signed_up_falls_back_to_first_seen_said_so_and_an_anonymous_profile_has_none(tmp_path: Path) -> None:
    url = build_store(tmp_path / "store")
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        alice = await header_of(app, pilot, pid_of(url, "user-alice"))  # createdAt in her traits
        assert "signed up 2026-11-17  " in alice and "(first seen)" not in alice
        bob = await header_of(app, pilot, pid_of(url, "user-bob"))  # no sign-up date known
        assert "first seen 2026-11-15 12:00" in bob and "signed up 2026-11-15 (first seen)" in bob
        anon = await header_of(app, pilot, pid_of(url, "anon-0003"))
        assert "first seen 2026-11-15" in anon and "signed up" not in anon


async def test_the_session_screen_stars_the_goals_its_events_complete(tmp_path: Path) -> None:
    url = build_teams_store(tmp_path / "store")
    app = make_teams_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        engine = make_engine(url)
        with engine.connect() as conn:
            pid = queries.find_profile(conn, "user-alice")
            order = conn.exec_driver_sql(f"SELECT ts FROM events WHERE profile_id = {pid} AND name = 'Order Completed'").scalar()
            start = conn.exec_driver_sql(
                f"SELECT start FROM sessions WHERE profile_id = {pid} AND start <= {order} ORDER BY start DESC"
            ).scalar()
        engine.dispose()
        app.post_message(OpenSession(pid, start))
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        lines = screen_text(app).splitlines()
        assert any("★ goal   Order Completed" in line and "★ Ordered  order_id=o-1" in line for line in lines), "\n".join(lines)


async def test_an_excluded_user_shows_no_live_dot_on_their_live_session(tmp_path: Path) -> None:
    url = build_store(tmp_path / "store")
    bob = pid_of(url, "user-bob")  # live: his last page 8 minutes ago
    engine = make_engine(url, writer=True)
    with engine.begin() as conn:
        actions.set_excluded(conn, bob, True, author="tests", now_ms=0)
        start = conn.exec_driver_sql(f"SELECT max(start) FROM sessions WHERE profile_id = {bob}").scalar()
    engine.dispose()
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not any("Bob Stone" in line and "●" in line for line in screen_text(app).splitlines())
        app.post_message(OpenSession(bob, start))
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        assert "● live" not in screen_text(app)


async def test_an_excluded_users_timeline_marks_no_session_live(tmp_path: Path) -> None:
    url = build_store(tmp_path / "store")
    bob = pid_of(url, "user-bob")  # live: his last page 8 minutes ago
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(OpenProfile(bob))
        await settle(pilot)
        await pilot.press("tab", "tab")  # the Timeline
        await settle(pilot)
        assert "● live" in screen_text(app)  # the control: his newest session is live
    engine = make_engine(url, writer=True)
    with engine.begin() as conn:
        actions.set_excluded(conn, bob, True, author="tests", now_ms=0)
    engine.dispose()
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(OpenProfile(bob))
        await settle(pilot)
        await pilot.press("tab", "tab")
        await settle(pilot)
        assert "Session" in screen_text(app) and "● live" not in screen_text(app)
