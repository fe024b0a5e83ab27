"""What time it is: the pinned "now" of tests and demos, the wall clock, and the zone times are shown in."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo

# An ISO-8601 time that "now" is pinned to, so tests, screenshots and recorded demos show the same screens.
NOW_ENV = "TUI_PROFILES_NOW"


def now_ms() -> int:
    """Now, or the pinned time in TUI_PROFILES_NOW (ISO-8601), which tests and demos use."""
    pinned = os.environ.get(NOW_ENV)
    if pinned:
        return parse_iso_ms(pinned)
    return wall_ms()


def wall_ms() -> int:
    """The real time, never pinned: for what records when something happened (a line received) or must
    move on by itself (the demo's live feed), where a pinned time would stand still."""
    return time.time_ns() // 1_000_000


def parse_iso_ms(value: str) -> int:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


def _local_tz() -> tzinfo:
    return datetime.now().astimezone().tzinfo  # type: ignore[return-value]


@dataclass(frozen=True)
class Clock:
    """What time it is (pinned in tests and demos) and the time zone times are shown in."""

    now: Callable[[], int]
    tz: tzinfo = field(default_factory=_local_tz)
