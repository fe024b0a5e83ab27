"""Splitting a profile's timeline into sessions; durations; what is live."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class SessionSpan:
    """One session: a run of events with no gap longer than the session gap."""

    start: int
    end: int
    event_count: int
    source: str
    entry_path: str | None

    @property
    def duration_ms(self) -> int:
        return self.end - self.start

    def continues_with(self, ts: int, gap_ms: int) -> bool:
        """An event at `ts` (not earlier than `end`) belongs to this session."""
        return ts - self.end <= gap_ms

    def add(self, ts: int, path: str | None) -> None:
        self.end = max(self.end, ts)
        self.event_count += 1
        if self.entry_path is None and path is not None:
            self.entry_path = path


def new_session(ts: int, source: str, path: str | None) -> SessionSpan:
    return SessionSpan(start=ts, end=ts, event_count=1, source=source, entry_path=path)


def is_live(last_event_ts: int, now_ms: int, live_ms: int) -> bool:
    """Live while the last event is less than `live_ms` old."""
    return now_ms - last_event_ts < live_ms


def session_id(profile_id: int, start: int) -> str:
    """A session's id: stable for the same data, readable, unique in the store."""
    return f"{profile_id}-{start}"


def parse_session_id(value: str) -> tuple[int, int] | None:
    head, _, tail = value.partition("-")
    if not (head.isdigit() and tail.isdigit()):
        return None
    return int(head), int(tail)
