"""How times, durations and counts read on screen (short, fixed-width where it helps alignment)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS


def local(ms: int, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=tz)


def ago(ms: int, now_ms: int) -> str:
    """`just now`, `4m ago`, `3h ago`, `12d ago`: how long since a moment."""
    delta = now_ms - ms
    if delta < MINUTE_MS:
        return "just now" if delta > -MINUTE_MS else "in future"
    if delta < HOUR_MS:
        return f"{delta // MINUTE_MS}m ago"
    if delta < DAY_MS:
        return f"{delta // HOUR_MS}h ago"
    if delta < 365 * DAY_MS:
        return f"{delta // DAY_MS}d ago"
    return f"{delta // (365 * DAY_MS)}y ago"


def duration(ms: int) -> str:
    """`0s`, `45s`, `12m 03s`, `2h 05m`, `3d 4h`."""
    seconds = max(0, ms) // 1000
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


def offset(ms: int) -> str:
    """Time since a session started: `+00:05`, `+12:40`, `+1:02:03`."""
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"+{hours}:{minutes:02d}:{seconds:02d}" if hours else f"+{minutes:02d}:{seconds:02d}"


def day(ms: int, tz: tzinfo) -> str:
    return local(ms, tz).strftime("%Y-%m-%d")


def stamp(ms: int, tz: tzinfo) -> str:
    """`2026-11-20 11:58`."""
    return local(ms, tz).strftime("%Y-%m-%d %H:%M")


def clock(ms: int, tz: tzinfo) -> str:
    """`11:58:07`."""
    return local(ms, tz).strftime("%H:%M:%S")


def long_stamp(ms: int, tz: tzinfo) -> str:
    """`Fri 2026-11-20 11:58:07`."""
    return local(ms, tz).strftime("%a %Y-%m-%d %H:%M:%S")


def count(n: int) -> str:
    return f"{n:,}"


def period_stats(out: Text, period: str, events: int, sessions: int, avg_session_ms: int) -> Text:
    """`last 7d   events 1,204   sessions 37   avg session 4m 10s   (p: change period)`, appended to `out`."""
    out.append("last " + period if period != "all" else "all time", style="bold reverse")
    for label, value in (("events", count(events)), ("sessions", count(sessions)), ("avg session", duration(avg_session_ms))):
        out.append(f"   {label} ", style="dim")
        out.append(value, style="bold")
    out.append("   (p: change period)", style="dim")
    return out
