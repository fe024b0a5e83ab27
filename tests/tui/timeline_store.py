"""The timeline tests' store: the demo people plus `user-tl`, 900 events over a week in sessions of 20
(every tenth an `Order Completed`, every third a `Heartbeat`), so a jump lands mid-history and pages
both ways. Helpers only: no tests here."""

from __future__ import annotations

from pathlib import Path

from tests.tui.support import HOUR, MIN, NOW, Journal, build_store, demo_journal

TL_EVENTS = 900
TL_EMAIL = "tl@example.org"


def tl_time(i: int) -> int:
    """The time of user-tl's i-th event, newest (i = 0) an hour ago; a 2-hour gap every 20 events."""
    return NOW - HOUR - i * 5 * MIN - (i // 20) * 2 * HOUR


def tl_name(i: int) -> str:
    return "Order Completed" if i % 10 == 0 else "Heartbeat" if i % 3 == 0 else "Button Clicked"


def timeline_journal() -> Journal:
    journal = demo_journal()
    for i in reversed(range(TL_EVENTS)):
        props = {"total": i} if tl_name(i) == "Order Completed" else {"n": i}
        journal.track(tl_time(i), tl_name(i), props, user="user-tl")
    journal.identify(tl_time(TL_EVENTS - 1) - MIN, "user-tl", {"name": "Tess Lane", "email": TL_EMAIL})
    return journal


def timeline_store(folder: Path) -> str:
    return build_store(folder, timeline_journal())
