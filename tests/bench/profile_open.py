"""How long `enter` on a user takes to paint their profile, and `escape` to paint the list again (not a test).

    .venv/bin/python -m tests.bench.profile_open [ROUNDS] [--events N]

Builds a store in a temporary folder (the TUI tests' demo data plus one user with N events, 3,000 by
default), opens the app headless at 120x40 with Pilot, and times each key from the moment the key
event is queued until every message it caused is handled, every query it started has answered and
the screen is painted (tests/bench/tui_driver.py's `settle`). Prints the first open (cold: CSS and
widget classes seen for the first time) apart from the rest, with median and p95 of the warm ones.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.tui_driver import Keys, first_paint, settle
from tests.tui.support import DAY, MIN, NOW, Journal, build_store, demo_journal, make_app
from tui_profiles.tui.app import freeze_heap, tune_process


def heavy_journal(events: int) -> Journal:
    """The demo people, then `user-heavy`: `events` page views and clicks in sessions of 20, newest now."""
    journal = demo_journal()
    per_session = 20
    for i in range(events):
        session, step = divmod(i, per_session)
        at = NOW - MIN - session * DAY // 4 - (per_session - step) * 30_000
        if i % 3:
            journal.page(at, f"/docs/page-{i % 50}", user="user-heavy", title=f"Docs {i % 50}")
        else:
            journal.track(at, "Button Clicked", {"label": f"b{i % 7}"}, user="user-heavy")
    journal.identify(NOW - MIN, "user-heavy", {"name": "Heavy User", "email": "heavy@example.org", "plan": "team"})
    return journal


async def measure(url: str, rounds: int) -> dict[str, list[float]]:
    tune_process()  # as `run_app` does
    app = make_app(url, after_prepare=freeze_heap)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_paint(pilot, app)
        keys = Keys(pilot, app)
        for _ in range(rounds):
            await keys.press("open a profile", "enter")  # the first row: user-heavy, seen a minute ago
            assert type(app.screen).__name__ == "ProfileScreen", app.screen
            await keys.press("back to the list", "escape")
            await settle(pilot, app)
        await pilot.press("q")
    app.reader.engine.dispose()
    return keys.times


def summary(name: str, times: list[float]) -> str:
    first, rest = times[0], sorted(times[1:])
    p95 = rest[min(len(rest) - 1, round(0.95 * (len(rest) - 1)))]
    return f"{name:18} first {first:7.1f} ms   then median {statistics.median(rest):6.1f} ms   p95 {p95:6.1f} ms   (n={len(rest)})"


def main(argv: list[str]) -> int:
    events = 3000
    if "--events" in argv:
        at = argv.index("--events")
        events = int(argv[at + 1])
        del argv[at : at + 2]
    rounds = int(argv[0]) if argv else 20
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        url = build_store(Path(tmp) / "store", heavy_journal(events))
        print(f"store: demo people + one user with {events:,} events, built in {time.perf_counter() - began:.1f} s")
        times = asyncio.run(measure(url, rounds))
    for name, values in times.items():
        print(summary(name, values))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
