"""Drives the app headless (Pilot) on a store and writes what it measured as JSON; run by tests/bench/tui.py.

    python -m tests.bench.tui_driver OUT.json URL NOW_MS SPAWNED_AT MODE [HEAVY_USER] [INBOX SOURCE_DIR]

MODE: `launch` (paint the user list, leave), `keys` (launch, time keys through
every screen, then scroll the whole list and the heavy user's whole timeline
and read the RSS), `keys-live` (time keys while lines are appended to INBOX and
the app's own watcher ingests them), `viewer` (tests/bench/viewer.py: INBOX may be
empty for no watcher of its own; stamp each new visitor painted at the top of the
list until STOP_FILE exists; READY_FILE once the list is painted):

    python -m tests.bench.tui_driver OUT.json URL NOW_MS SPAWNED_AT viewer "" [INBOX] STOP_FILE READY_FILE
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from pathlib import Path

import orjson


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set of this process, from /proc."""
    values = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def busy(app) -> bool:  # noqa: ANN001
    from textual.worker import WorkerState

    return any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) and w.group != "watcher" for w in app.workers)


async def settle(pilot, app, timeout: float = 15.0) -> None:  # noqa: ANN001
    """Until every message the key caused is handled, every query it started has answered, and the screen is painted.

    Pilot's own `press` and `pause` sleep 20 ms at a time until the CPU is idle:
    they would measure the harness. This waits on the message queues instead.
    """
    from tui_profiles.tui import textual_compat

    deadline = time.perf_counter() + timeout

    def waiting() -> bool:
        # A screen switch holds updates back for 50 ms (App.delay_update): the screen is not updated yet.
        return busy(app) or textual_compat.updates_held(app) or not getattr(app.screen, "is_mounted", True)

    quiet = 0
    # A key travels app -> screen -> widget -> message -> screen: each hop queues anew, so
    # "nothing pending" must hold for a few rounds in a row.
    while quiet < 4 and time.perf_counter() < deadline:
        if quiet == 0 and waiting():
            # The app waits on a read: look again in a moment, without a round of callbacks to every node.
            # Those rounds, back to back, kept the GIL from the read's thread: a 3 ms identity read took 25.
            await asyncio.sleep(0.001)
            continue
        await textual_compat.wait_for_screen(pilot)
        if waiting():
            quiet = 0
        else:
            quiet += 1
            await asyncio.sleep(0)
    textual_compat.paint_now(app.screen)  # as the next frame would


def terminal_driver():  # noqa: ANN201
    """A driver class for `App.driver_class` that records when each frame was written (run with `headless=False`).

    Headless, Textual neither renders a frame to the text a terminal receives nor writes it; with this
    driver it does both, as in a terminal, and `Terminal.last_write` is when the last frame went out.
    """
    from textual.drivers.headless_driver import HeadlessDriver

    class Terminal(HeadlessDriver):
        last_write = 0.0

        @property
        def is_headless(self) -> bool:
            return False

        def write(self, data: str) -> None:
            Terminal.last_write = time.perf_counter()

        def flush(self) -> None:
            pass

    return Terminal


class Keys:
    """Times keys: from the key posted to the last frame it caused written (`terminal_driver`).

    `settle` then makes sure nothing more comes: the rounds it takes to be sure of that are the
    benchmark's, not the key's, so they are not counted (they were, at first: ~2 ms a round, four
    rounds at least, on every key). A key that writes no frame counts until `settle` returns.
    """

    def __init__(self, pilot, app) -> None:  # noqa: ANN001
        self.pilot, self.app = pilot, app
        self.times: dict[str, list[float]] = {}
        self.terminal = app.driver_class if hasattr(app.driver_class, "last_write") else None

    async def press(self, group: str, *keys: str) -> None:
        from tui_profiles.tui.textual_compat import key_event

        for key in keys:
            event = key_event(key)  # the Key event Pilot would send
            event.set_sender(self.app)
            began = time.perf_counter()
            self.app.post_message(event)  # queued now (the driver's send_message queues it later, from a thread)
            await settle(self.pilot, self.app)
            ended = time.perf_counter()
            if self.terminal is not None and self.terminal.last_write > began:
                ended = self.terminal.last_write
            self.times.setdefault(group, []).append((ended - began) * 1000)


def focused_list(app):  # noqa: ANN001, ANN201
    from tui_profiles.tui.widgets.virtual_list import VirtualList

    focused = app.focused
    return focused if isinstance(focused, VirtualList) else None


async def first_paint(pilot, app) -> None:  # noqa: ANN001
    from tui_profiles.tui import textual_compat
    from tui_profiles.tui.widgets.user_list import UserList

    while True:
        await textual_compat.wait_for_screen(pilot)
        try:
            users = app.screen.query_one(UserList)
        except Exception:  # noqa: BLE001 - the screen is not mounted yet
            users = None
        if users is not None and users.row_count() and users.user_at(0) is not None:
            await settle(pilot, app)  # the rows that arrived are drawn
            return
        await asyncio.sleep(0.001)


def expect_screen(app, name: str) -> None:  # noqa: ANN001
    """A timed flow that did not do what it should must fail, not time something else."""
    if type(app.screen).__name__ != name:
        raise RuntimeError(f"expected the {name}, the app shows {type(app.screen).__name__}")


async def tab_to(keys: Keys, pane: str, *, at_least: int = 0, limit: int = 12) -> None:
    """Press tab (each one timed) until the profile's `pane` tab is active, at least `at_least` times."""
    for presses in range(1, limit + 1):
        await keys.press("switch tab", "tab")
        if presses >= at_least and keys.app.screen.query_one("#tabs").active == pane:
            return
    raise RuntimeError(f"tab never reached the {pane} pane")


async def walk_screens(keys: Keys) -> None:
    """Move in the list, page down, open a profile, switch tabs, open a session and step through sessions, back."""
    app = keys.app
    await keys.press("move in the list", *["down"] * 10, *["up"] * 3)
    await keys.press("page down", *["pagedown"] * 5)
    await keys.press("open a profile", "enter")
    expect_screen(app, "ProfileScreen")
    await tab_to(keys, "sessions", at_least=4)  # round all the tabs once, then to the sessions
    await keys.press("open a session", "enter")
    expect_screen(app, "SessionScreen")
    await keys.press("next session", *["right_square_bracket"] * 5, *["left_square_bracket"] * 2)
    await keys.press("back", "escape", "escape")
    expect_screen(app, "UsersScreen")


async def scroll_to_end(keys: Keys, group: str, limit: int) -> int:
    pages = 0
    for pages in range(1, limit + 1):
        await keys.press(group, "pagedown")
        view = focused_list(keys.app)
        if view is None or view.cursor >= view.row_count() - 1:
            break
    return pages


async def drive(out: Path, url: str, now: int, spawned_at: float, mode: str, heavy: str | None, inbox: Path | None) -> None:
    from tui_profiles.config import Settings
    from tui_profiles.domain.clock import Clock
    from tui_profiles.reader import StoreReader
    from tui_profiles.store.engine import make_engine
    from tui_profiles.tui.app import ProfilesApp, freeze_heap, tune_process

    reader = StoreReader(make_engine(url), Settings(db_url=url), Clock(now=lambda: now))
    tune_process()  # as `run_app` does
    app = ProfilesApp(reader, inbox=inbox, after_prepare=freeze_heap)
    app.driver_class = terminal_driver()
    result: dict[str, object] = {}
    async with app.run_test(size=(120, 40), headless=False) as pilot:
        await first_paint(pilot, app)
        result["launch_s"] = time.time() - spawned_at
        keys = Keys(pilot, app)
        if mode in ("keys", "keys-live"):
            await walk_screens(keys)
        if mode == "keys" and heavy:
            result["list_pages"] = await scroll_to_end(keys, "page down the whole list", 5000)
            # Straight to the heavy user (setup, not timed: how a person finds them is the search's business).
            app.open_profile(reader.find_profile(heavy))
            await settle(pilot, app)
            expect_screen(app, "ProfileScreen")
            await tab_to(keys, "timeline")
            if type(focused_list(app)).__name__ != "Timeline":
                raise RuntimeError(f"expected the timeline to have the focus, not {type(app.focused).__name__}")
            result["timeline_pages"] = await scroll_to_end(keys, "page down the timeline", 5000)
            view = focused_list(app)
            result["timeline_rows"] = view.row_count() if view is not None else None
            result["rss_mb"], result["hwm_mb"] = rss_mb()
        result["keys_ms"] = keys.times
        await pilot.press("q")
    reader.engine.dispose()
    out.write_bytes(orjson.dumps(result))


class Feeder(threading.Thread):
    """Appends lines to the inbox at a steady rate while the keys are timed."""

    def __init__(self, inbox: Path, source: Path, per_second: float = 25.0) -> None:
        super().__init__(daemon=True)
        self.inbox, self.source, self.delay = inbox, source, 1 / per_second
        self.stop = threading.Event()

    def run(self) -> None:
        from tests.bench.data import event_files, read_lines

        target = self.inbox / "live.jsonl"
        for path in event_files(self.source):
            for line in read_lines(path):
                if self.stop.is_set():
                    return
                with open(target, "ab") as fh:
                    fh.write(line + b"\n")
                time.sleep(self.delay)


async def watch_arrivals(out: Path, url: str, now: int, inbox: Path | None, stop_file: Path, ready_file: Path) -> None:
    """Stamp (wall clock) each new visitor painted at the top of the user list, until `stop_file` appears."""
    from tui_profiles.config import Settings
    from tui_profiles.domain.clock import Clock
    from tui_profiles.reader import StoreReader
    from tui_profiles.store.engine import make_engine
    from tui_profiles.tui import textual_compat
    from tui_profiles.tui.app import ProfilesApp, freeze_heap, tune_process
    from tui_profiles.tui.widgets.user_list import UserList

    reader = StoreReader(make_engine(url), Settings(db_url=url), Clock(now=lambda: now))
    tune_process()
    app = ProfilesApp(reader, inbox=inbox, after_prepare=freeze_heap, follow_from=reader.change_position())
    painted: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await first_paint(pilot, app)
        users = app.screen.query_one(UserList)
        top = users.user_at(0).id if users.user_at(0) is not None else None
        ready_file.write_text("ready")
        while not stop_file.exists():
            row = users.user_at(0)
            if row is not None and row.id != top:
                top = row.id
                textual_compat.paint_now(app.screen)  # the row, drawn as the next frame would
                painted[row.id] = time.time()
            await asyncio.sleep(0.002)
        rss = rss_mb()
        await pilot.press("q")
    reader.engine.dispose()
    out.write_bytes(orjson.dumps({"painted": painted, "rss_mb": rss[0], "hwm_mb": rss[1]}))


def main(argv: list[str]) -> int:
    out, url, now, spawned_at, mode = Path(argv[0]), argv[1], int(argv[2]), float(argv[3]), argv[4]
    if mode == "viewer":
        inbox = Path(argv[6]) if argv[6] else None
        asyncio.run(watch_arrivals(out, url, now, inbox, Path(argv[7]), Path(argv[8])))
        return 0
    heavy = argv[5] if len(argv) > 5 and argv[5] else None
    inbox = Path(argv[6]) if len(argv) > 6 else None
    feeder = Feeder(inbox, Path(argv[7])) if inbox is not None and len(argv) > 7 else None
    if feeder:
        feeder.start()
    try:
        asyncio.run(drive(out, url, now, spawned_at, mode, heavy, inbox))
    finally:
        if feeder:
            feeder.stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
