"""CPU time and wall time a key: open a profile, tab round its six tabs, back to the list (not a test).

    .venv/bin/python -m tests.bench.key_cpu [ROUNDS]

The store and the driving are `tests/bench/profile_open.py`'s (the heavy user on top, each key timed
until everything it caused is handled and painted); each key is also timed in this process's CPU
(`time.process_time`), which a loaded machine moves less than the wall clock: what a change to the
screens costs. The first round (cold) is left out of the medians and p95s.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.profile_open import heavy_journal
from tests.bench.tui_driver import first_paint, settle
from tests.tui.support import build_store, make_app
from tui_profiles.tui.app import freeze_heap, tune_process
from tui_profiles.tui.textual_compat import key_event

TABS = 6


async def measure(url: str, rounds: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    tune_process()  # as `run_app` does
    app = make_app(url, after_prepare=freeze_heap)
    cpu: dict[str, list[float]] = {}
    wall: dict[str, list[float]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await first_paint(pilot, app)

        async def press(group: str, key: str) -> None:
            event = key_event(key)  # the Key event Pilot would send
            event.set_sender(app)
            cpu_began, began = time.process_time(), time.perf_counter()
            app.post_message(event)
            await settle(pilot, app)
            cpu.setdefault(group, []).append((time.process_time() - cpu_began) * 1000)
            wall.setdefault(group, []).append((time.perf_counter() - began) * 1000)

        for _ in range(rounds):
            await press("open a profile", "enter")  # the first row: user-heavy
            assert type(app.screen).__name__ == "ProfileScreen", app.screen
            for _ in range(TABS):
                await press("switch tab", "tab")
            await press("back to the list", "escape")
            await settle(pilot, app)
        await pilot.press("q")
    app.reader.engine.dispose()
    return cpu, wall


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 20
    with tempfile.TemporaryDirectory() as tmp:
        url = build_store(Path(tmp) / "store", heavy_journal(3000))
        cpu, wall = asyncio.run(measure(url, rounds))
    for group, values in cpu.items():
        warm = TABS if group == "switch tab" else 1  # the first round's keys
        c, w = values[warm:], wall[group][warm:]
        print(f"{group:18} CPU median {statistics.median(c):6.1f} ms  p95 {p95(c):6.1f} ms   "
              f"wall median {statistics.median(w):6.1f} ms  p95 {p95(w):6.1f} ms   (n={len(c)})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
