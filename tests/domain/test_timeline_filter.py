"""The Timeline tab's filter line and jump-to-date input, as the app and `tui-profiles timeline` read them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tui_profiles.domain.timeline_filter import EventFilter, Moment, TimelineInputError, parse_event_filter, parse_moment

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
NOW = int(datetime(2026, 12, 6, 15, 30, tzinfo=UTC).timestamp() * 1000)


def ms(*args: int, tz=UTC) -> int:  # noqa: ANN001
    return int(datetime(*args, tzinfo=tz).timestamp() * 1000)


@pytest.mark.parametrize(
    ("text", "keep", "hide"),
    [
        ("", (), ()),
        ("   ", (), ()),
        ("Order Completed", ("Order Completed",), ()),
        ("Order Completed, -Heartbeat", ("Order Completed",), ("Heartbeat",)),
        ("-Heartbeat,-$pageleave", (), ("Heartbeat", "$pageleave")),
        ("- Heartbeat", (), ("Heartbeat",)),
        ('"a, b", -"-x"', ("a, b",), ("-x",)),
        ('"say ""hi"""', ('say "hi"',), ()),
        ("a,,b,", ("a", "b"), ()),
        ("a, a, -b, -b", ("a",), ("b",)),
    ],
)
def test_event_filter_reads_names_with_spaces_and_hides(text: str, keep: tuple, hide: tuple) -> None:
    parsed = parse_event_filter(text)
    assert (parsed.keep, parsed.hide) == (keep, hide)
    assert parse_event_filter(parsed.describe()) == parsed  # written back, it reads the same


@pytest.mark.parametrize(
    ("text", "where"),
    [('"open', 0), ('"a" b', 4), ("a\"b", 1), ("x, -", 3)],
)
def test_event_filter_errors_say_where(text: str, where: int) -> None:
    with pytest.raises(TimelineInputError) as caught:
        parse_event_filter(text)
    assert caught.value.at == where
    assert f"column {where + 1}" in str(caught.value)


def test_event_filter_allows() -> None:
    f = EventFilter(keep=("A", "B"), hide=("B",))
    assert [n for n in ("A", "B", "C", None) if f.allows(n)] == ["A"]
    assert EventFilter(hide=("H",)).allows(None) and not EventFilter(keep=("A",)).allows(None)
    assert not EventFilter()


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-12-01", Moment(ms(2026, 12, 1), ms(2026, 12, 2))),
        (" 2026-12-01 14:00 ", Moment(ms(2026, 12, 1, 14), ms(2026, 12, 1, 14, 1))),
        ("2026-12-01T14:00:30", Moment(ms(2026, 12, 1, 14, 0, 30), ms(2026, 12, 1, 14, 0, 31))),
        ("today", Moment(ms(2026, 12, 6), ms(2026, 12, 7))),
        ("Yesterday", Moment(ms(2026, 12, 5), ms(2026, 12, 6))),
        ("now", Moment(NOW, NOW + 1)),
        ("3d", Moment(NOW - 3 * 86_400_000, NOW - 3 * 86_400_000 + 1)),
        ("2h", Moment(NOW - 7_200_000, NOW - 7_200_000 + 1)),
        ("90m", Moment(NOW - 5_400_000, NOW - 5_400_000 + 1)),
        ("1w", Moment(NOW - 7 * 86_400_000, NOW - 7 * 86_400_000 + 1)),
    ],
)
def test_moments(text: str, moment: Moment) -> None:
    assert parse_moment(text, now_ms=NOW, tz=UTC) == moment


def test_days_and_times_are_local() -> None:
    day = parse_moment("2026-12-01", now_ms=NOW, tz=BERLIN)
    assert day.start == ms(2026, 11, 30, 23) and day.end - day.start == 86_400_000
    assert parse_moment("2026-12-01 14:00", now_ms=NOW, tz=BERLIN).start == ms(2026, 12, 1, 13)
    # 23:30 UTC is already tomorrow in Berlin
    late = int((datetime(2026, 12, 6, 23, 30, tzinfo=UTC)).timestamp() * 1000)
    assert parse_moment("today", now_ms=late, tz=BERLIN).start == ms(2026, 12, 6, 23)
    assert parse_moment("yesterday", now_ms=late, tz=BERLIN).end - parse_moment("yesterday", now_ms=late, tz=BERLIN).start == (
        timedelta(days=1).total_seconds() * 1000
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "type a date"),
        ("tuesday", "not a date at column 1"),
        ("3y", "unknown unit at column 2"),
        ("2026-13-01", "no such day, at column 1"),
        ("2026-12-01x", "unexpected 'x' at column 11"),
        ("2026-12-01 25:00", "no such time, at column 12"),
        ("2026-12-01 afternoon", "not a time at column 12"),
    ],
)
def test_bad_moments_say_where(text: str, fragment: str) -> None:
    with pytest.raises(TimelineInputError, match=fragment):
        parse_moment(text, now_ms=NOW, tz=UTC)
