"""Regenerate the README's screenshots: `.venv/bin/python -m tests.make_screenshots`.

Each one is the app's own SVG export (`App.save_screenshot`) at 120x40, taken on the tests'
deterministic store with the pinned "now", so the images change only when the screens do.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from tests.teams import build_teams_store, make_teams_app
from tests.tui.notes_data import write_bob_notes
from tests.tui.support import build_store, identity_journal, make_app, make_identity_app, settle
from tests.tui.timeline_store import TL_EMAIL, timeline_store
from tui_profiles.config import Settings

OUT = Path(__file__).resolve().parent / "screenshots"
SIZE = (120, 40)

# (file name, keys pressed from the user list)
SHOTS: list[tuple[str, tuple[str, ...]]] = [
    ("users.svg", ()),
    ("search-suggestions.svg", ("slash", *"did:")),
    ("profile-overview.svg", ("enter",)),
    ("profile-timeline.svg", ("enter", "tab", "tab", "down", "down")),
    ("profile-sessions.svg", ("enter", "tab")),
    ("profile-properties.svg", ("enter", "shift+tab", "shift+tab")),
    ("session.svg", ("enter", "tab", "down", "enter")),
    ("event.svg", ("enter", "tab", "tab", *["down"] * 5, "enter")),
    ("help.svg", ("question_mark",)),
    ("hostile-timeline.svg", ("down", "down", "enter", "tab", "tab")),
    ("profile-masked.svg", ("M", "enter", "shift+tab", "shift+tab")),  # masking for screen sharing
]
# The same, on the store of tests/teams.py (companies, saved filters, survey answers, goals).
TEAM_SHOTS: list[tuple[str, tuple[str, ...]]] = [
    ("companies.svg", ("C",)),
    ("company.svg", ("C", "enter")),
    ("cohorts.svg", ("R",)),
    ("profile-feedback.svg", ("enter", "tab", "tab", "tab")),
    ("erase-confirmation.svg", ("enter", "D")),
]

# The four-key path to a person with a long history, then her timeline narrowed, then opened at a date.
TO_TESS = ("slash", *TL_EMAIL, "enter")
TIMELINE_SHOTS = [
    ("timeline-filtered.svg", (*TO_TESS, "f", *"Order Completed", "enter")),
    ("timeline-jump.svg", (*TO_TESS, "tab", "tab", "d", *"2026-11-17 12:00", "enter")),
]


async def shoot(url: str, name: str, keys: tuple[str, ...], make=make_app) -> Path:  # noqa: ANN001
    app = make(url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await pilot.pause(0.2)
        await pilot.wait_for_scheduled_animations()
        return Path(app.save_screenshot(filename=name, path=str(OUT)))


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # a relative store path, so "from store/events.jsonl" reads the same everywhere
        try:
            url = build_store(Path("store"))
            for name, keys in SHOTS:
                print(await shoot(url, name, keys))
            noted = build_store(Path("notes"))
            write_bob_notes(noted)
            as_dana = lambda u: make_app(u, settings=Settings(db_url=u, author="dana"))  # noqa: E731
            print(await shoot(noted, "profile-notes.svg", ("down", "enter", "N"), as_dana))
            identity = build_store(Path("identity"), identity_journal())
            print(await shoot(identity, "profile-identity.svg", ("enter", "i"), make_identity_app))
            phone = ("slash", *"is:anonymous anon-iphone-77e0", "enter", "tab", "tab")  # one match: enter opens it
            print(await shoot(identity, "anonymous-profile.svg", phone, make_identity_app))
            timeline = timeline_store(Path("timeline"))
            for name, keys in TIMELINE_SHOTS:
                print(await shoot(timeline, name, keys))
            teams = build_teams_store(Path("teams"))
            for name, keys in TEAM_SHOTS:
                print(await shoot(teams, name, keys, make_teams_app))
        finally:
            os.chdir(here)


if __name__ == "__main__":
    asyncio.run(main())
