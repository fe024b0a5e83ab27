"""Regenerate the README's screenshots: `.venv/bin/python -m tests.make_screenshots`.

Each one is the app's own SVG export (`App.save_screenshot`) at 120x40, taken on the tests'
deterministic store with the pinned "now", so the images change only when the screens do.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from tests.test_tui_support import build_store, make_app, settle

OUT = Path(__file__).resolve().parent / "screenshots"
SIZE = (120, 40)

# (file name, keys pressed from the user list)
SHOTS: list[tuple[str, tuple[str, ...]]] = [
    ("users.svg", ()),
    ("profile-overview.svg", ("enter",)),
    ("profile-timeline.svg", ("enter", "tab", "tab", "down", "down")),
    ("profile-sessions.svg", ("enter", "tab")),
    ("profile-properties.svg", ("enter", "shift+tab")),
    ("session.svg", ("enter", "tab", "down", "enter")),
    ("event.svg", ("enter", "tab", "tab", *["down"] * 5, "enter")),
    ("help.svg", ("question_mark",)),
    ("hostile-timeline.svg", ("down", "down", "enter", "tab", "tab")),
]


async def shoot(url: str, name: str, keys: tuple[str, ...]) -> Path:
    app = make_app(url)
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
        finally:
            os.chdir(here)


if __name__ == "__main__":
    asyncio.run(main())
