"""What narrows one person's timeline: the event names to keep or hide, and the moment to jump to.

Both are typed by support staff (the Timeline tab's `f` and `d`, `tui-profiles timeline --event/--from`),
so both parse here, without a database, and a bad input says where it broke.

Event filter: names separated by commas; a name with a leading `-` is hidden. Names may hold spaces
(`Order Completed, -Heartbeat`); a name holding a comma, or starting with `-`, is written in double
quotes (`"a, b"`, `"-x"`), a quote inside the quotes doubled. Keep names and the timeline shows
only those; hide names and it shows every other event; both and it shows the kept ones that are
not hidden. Names match exactly, case and all, as the store holds them.

Moments: `2026-12-01` (that whole day), `2026-12-01 14:00` (that minute; `T` works too, seconds too),
`today`, `yesterday`, `now`, or a span back from now: `30m`, `2h`, `3d`, `2w`. Days and clock times are
read in the given time zone (the machine's, in the app and the command line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

MINUTE_MS = 60_000
_SPANS = {"m": MINUTE_MS, "h": 60 * MINUTE_MS, "d": 24 * 60 * MINUTE_MS, "w": 7 * 24 * 60 * MINUTE_MS}
_SPAN = re.compile(r"(\d+)\s*([mhdw])")
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
EXAMPLES = "2026-12-01, 2026-12-01 14:00, today, yesterday, 3d, 2h"


class TimelineInputError(ValueError):
    """Input that does not read: the message says where (`at` is the offending character's index)."""

    def __init__(self, message: str, at: int = 0) -> None:
        super().__init__(message)
        self.at = at


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Names to keep (empty: every name) and names to hide."""

    keep: tuple[str, ...] = ()
    hide: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.keep or self.hide)

    def describe(self) -> str:
        """The filter written back as it parses (`Order Completed, -Heartbeat`)."""
        return ", ".join([_quoted(n) for n in self.keep] + ["-" + _quoted(n, hidden=True) for n in self.hide])

    def allows(self, name: str | None) -> bool:
        """Whether an event of that name is shown (no name: only when nothing is kept)."""
        if self.keep and name not in self.keep:
            return False
        return name not in self.hide


def _quoted(name: str, *, hidden: bool = False) -> str:
    if "," in name or '"' in name or name != name.strip() or (name.startswith("-") and not hidden) or not name:
        return '"' + name.replace('"', '""') + '"'
    return name


def parse_event_filter(text: str) -> EventFilter:
    """`Order Completed, -Heartbeat` -> keep ("Order Completed",), hide ("Heartbeat",); empty text: no filter."""
    keep: list[str] = []
    hide: list[str] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            break
        if text[i] == ",":
            i += 1  # an empty term (`a,,b`, a trailing comma) is nothing
            continue
        hidden = text[i] == "-"
        if hidden:
            i += 1
            while i < n and text[i] in " \t":
                i += 1
        start = i
        if i < n and text[i] == '"':
            name, i = _quoted_name(text, i)
            while i < n and text[i] in " \t":
                i += 1
            if i < n and text[i] != ",":
                raise TimelineInputError(f"expected a comma after the quoted name, at column {i + 1}", i)
        else:
            while i < n and text[i] != ",":
                if text[i] == '"':
                    raise TimelineInputError(f"a quote inside a name, at column {i + 1}: quote the whole name", i)
                i += 1
            name = text[start:i].strip()
            if not name:
                raise TimelineInputError(f"'-' with no event name after it, at column {start}", max(0, start - 1))
        target = hide if hidden else keep
        if name not in target:
            target.append(name)
        i += 1  # past the comma
    return EventFilter(tuple(keep), tuple(hide))


def _quoted_name(text: str, i: int) -> tuple[str, int]:
    """The name quoted at text[i] (a quote) and the index after its closing quote."""
    out: list[str] = []
    j = i + 1
    while j < len(text):
        if text[j] == '"':
            if text[j + 1 : j + 2] == '"':
                out.append('"')
                j += 2
                continue
            return "".join(out), j + 1
        out.append(text[j])
        j += 1
    raise TimelineInputError(f"the quote at column {i + 1} is never closed", i)


@dataclass(frozen=True, slots=True)
class Moment:
    """What a typed time means: from `start` (inclusive) to `end` (exclusive), epoch ms; a point has end == start + 1."""

    start: int
    end: int

    @property
    def last(self) -> int:
        """The latest instant it covers: a jump shows the newest event at or before it."""
        return self.end - 1


def parse_moment(text: str, *, now_ms: int, tz: tzinfo) -> Moment:
    """A day, a day and a time, `today`/`yesterday`/`now`, or a span back from now (see the module's docstring)."""
    raw = text
    text = text.strip()
    lead = len(raw) - len(raw.lstrip())
    if not text:
        raise TimelineInputError(f"type a date or a time, such as {EXAMPLES}")
    lower = text.lower()
    now = datetime.fromtimestamp(now_ms / 1000, tz=tz)
    if lower == "now":
        return Moment(now_ms, now_ms + 1)
    if lower in ("today", "yesterday"):
        day = now.date() - timedelta(days=1 if lower == "yesterday" else 0)
        return _day(day, tz)
    span = _SPAN.fullmatch(lower)
    if span:
        at = now_ms - int(span.group(1)) * _SPANS[span.group(2)]
        return Moment(at, at + 1)
    found = _DATE.match(text)
    if not found:
        if text[0].isdigit() and _SPAN.match(lower) is None and re.match(r"\d+\s*[a-z]", lower):
            where = re.match(r"\d+\s*", lower).end()  # type: ignore[union-attr]
            raise TimelineInputError(f"unknown unit at column {lead + where + 1}: use m, h, d or w (3d, 2h)", lead + where)
        raise TimelineInputError(f"not a date at column {lead + 1}: try {EXAMPLES}", lead)
    try:
        day = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError as exc:
        raise TimelineInputError(f"no such day, at column {lead + 1}: {exc}", lead) from None
    rest = text[found.end() :]
    if not rest.strip():
        return _day(day, tz)
    if rest[0] not in " T":
        at = lead + found.end()
        raise TimelineInputError(f"unexpected {rest[0]!r} at column {at + 1}: a time follows a space (2026-12-01 14:00)", at)
    clock = rest[1:].strip()
    offset = lead + found.end() + 1 + (len(rest[1:]) - len(rest[1:].lstrip()))
    hm = _TIME.fullmatch(clock)
    if not hm:
        raise TimelineInputError(f"not a time at column {offset + 1}: write it as 14:00 or 14:00:30", offset)
    hour, minute, second = int(hm.group(1)), int(hm.group(2)), hm.group(3)
    if hour > 23 or minute > 59 or (second is not None and int(second) > 59):
        raise TimelineInputError(f"no such time, at column {offset + 1}", offset)
    local = datetime.combine(day, time(hour, minute, int(second or 0)), tzinfo=tz)
    start = int(local.timestamp() * 1000)
    return Moment(start, start + (1000 if second is not None else MINUTE_MS))


def _day(day: date, tz: tzinfo) -> Moment:
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return Moment(int(start.timestamp() * 1000), int(end.timestamp() * 1000))
