"""What masking costs: drawing a page of the user list, and an event's property tree, masked and not (not a test).

    .venv/bin/python -m tests.bench.masking [ROUNDS]

Builds a store from the demo generator's history (its people have emails, names, phones and IPs),
opens the app headless at 120x40, and times drawing every line of the user list (`render_line`, what
Textual calls on a repaint: one row built from the store's rows through safe.py) ROUNDS times with
masking off and on, in alternation; then the same for the rows of the busiest user's properties and
the lines of one identify event's raw JSON. Prints the median per page and what masking adds.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.tui.support import NOW, SIZE, ingest, make_app, settle
from tui_profiles.generator import generate
from tui_profiles.tui import safe
from tui_profiles.tui.widgets.property_rows import property_rows
from tui_profiles.tui.widgets.user_list import UserList


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def run(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder / "history", events=6000, users=300, days=7, seed=7, end_ms=NOW, bad_lines=False)
        url = f"sqlite:///{folder}/store.db"
        ingest(url, sorted((folder / "history").rglob("*.jsonl*")))
        app = make_app(url)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            users = app.screen.query_one(UserList)
            height = users.visible_height
            busiest = max((users.user_at(i) for i in range(users.row_count()) if users.user_at(i)), key=lambda u: u.events)
            detail = app.reader.profile(busiest.profile_id)
            assert detail is not None
            raw = next(e for e in app.reader.timeline_page(busiest.profile_id, before=None, limit=2000) if e.type == "identify")
            event = app.reader.event(raw.event_id)
            assert event is not None

            def draw_list() -> None:
                for y in range(height):
                    users.render_line(y)

            def traits() -> None:
                property_rows(detail.traits)

            def raw_json() -> None:
                safe.lines(safe.to_json(event.raw, indent=True))

            print(f"{users.row_count()} users, {height} rows on screen; {len(detail.traits)} traits; raw JSON of one identify")
            for name, job in (("user list page", draw_list), ("properties tab rows", traits), ("raw JSON lines", raw_json)):
                timed: dict[bool, list[float]] = {False: [], True: []}
                for _ in range(rounds):
                    for on in (False, True):
                        safe.set_masking(on)
                        start = time.perf_counter()
                        job()
                        timed[on].append(time.perf_counter() - start)
                safe.set_masking(False)
                off, on = _median_ms(timed[False]), _median_ms(timed[True])
                print(f"{name:22} off {off:7.3f} ms   masked {on:7.3f} ms   (+{on - off:.3f} ms, x{on / off:.2f}; median of {rounds})")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    asyncio.run(run(rounds))


if __name__ == "__main__":
    main()
