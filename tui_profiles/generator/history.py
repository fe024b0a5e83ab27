"""Past traffic written as storage destinations write it: hourly batches, gzipped or plain NDJSON.

    summary = generate(Path("out"), events=1_000_000, users=50_000, days=60, seed=1, end_ms=...)

Sessions are played in the order they start, so each person's identity unfolds
in time order (anonymous pages, sign-up, signed-in events, a logout); a batch
file is written as soon as no later session can add to it, so memory holds a
few hours of traffic, not the whole history.
"""

from __future__ import annotations

import gzip
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .messages import file_name, render
from .people import ANON, DAY_MS, HOUR_MS, KNOWN, POSTHOG, SIGNUP, WEB, Person, plan_people
from .sessions import IDENTIFY, ORDER_COMPLETED, RAGE_CLICK, TRACK, session_script

BAD_LINES_FILE = "bad-lines/export-with-errors.jsonl"
# Lines a real export can hold that must be quarantined with a reason, never crash the ingest.
BAD_LINES: tuple[bytes, ...] = (
    b'{"type":"track","event":"Order Completed","userId":"usr_cut_off","properties":{"total":12.5,',
    b"[1,2,3]",
    b'"just a string"',
    b'{"type":"track","event":"No Ids","messageId":"bad-no-ids","timestamp":"2024-03-04T09:00:00.000Z"}',
    b'{"type":"page","anonymousId":"undefined","userId":null,"messageId":"bad-junk-id"}',
    b'{"type":"purchase","userId":"usr_1","messageId":"bad-unknown-type"}',
    b'\xff\xfe{"type":"track","event":"Latin-1 garbage","userId":"usr_\xe9"}',
    b'{"event":"$pageview","properties":{"$current_url":"https://www.acme-cloud.example/"}}',
    b'{"uuid":"bad-no-name","event":"","distinct_id":"abc-123"}',
    b'{"type":"track","event":"Deep","userId":"usr_deep","properties":' + b'{"a":' * 80 + b"1" + b"}" * 81,
)


def now_minute_ms() -> int:
    return int(time.time()) // 60 * 60_000


@dataclass
class GenerateSummary:
    """What `generate` wrote, for tests, the benchmark and the demo."""

    out_dir: str
    events: int = 0
    users: int = 0
    files: int = 0
    bytes: int = 0
    bad_lines: int = 0
    start_ms: int = 0
    end_ms: int = 0
    by_type: Counter = field(default_factory=Counter)  # page, screen, track, identify, group
    by_format: Counter = field(default_factory=Counter)  # segment, rudder, posthog
    signups: int = 0  # anonymous visitors who signed up (their history merges)
    logins: int = 0  # known users logging in on a fresh browser
    logouts: int = 0
    orders: int = 0
    rage_clicks: int = 0
    heavy_users: list[str] = field(default_factory=list)  # user ids of the ~10,000-event users
    # People who may come back in live mode: anonymous web visitors who never signed up, and users.
    returning: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["by_type"], out["by_format"] = dict(self.by_type), dict(self.by_format)
        return out


def generate(
    out_dir: Path,
    *,
    events: int = 10_000,
    users: int | None = None,
    days: float = 60,
    seed: int = 0,
    end_ms: int | None = None,
    namespace: str | None = None,
    file_hours: float = 1,
    bad_lines: bool = True,
    gzip_level: int = 5,
) -> GenerateSummary:
    """Write `events` events of `users` people over `days` days ending at `end_ms` into `out_dir`.

    Same arguments, same bytes. `namespace` (default: from the seed) names the
    people: another seed with the same namespace brings the same people back.
    `bad_lines` adds BAD_LINES_FILE, whose lines are not counted in `events`.
    """
    out = Path(out_dir)
    end = end_ms if end_ms is not None else now_minute_ms()
    start = end - int(days * DAY_MS)
    ns = namespace if namespace is not None else f"seed-{seed}"
    rng = random.Random(seed)
    people = plan_people(rng, users=users if users is not None else max(1, events // 20), events=events,
                         start_ms=start, end_ms=end, namespace=ns)  # fmt: skip
    summary = GenerateSummary(out_dir=str(out), users=len(people), start_ms=start, end_ms=end)
    summary.heavy_users = [p.user_id for p in people if p.heavy and p.user_id]
    span = max(60_000, int(file_hours * HOUR_MS))
    writer = _BatchWriter(out, span, ns, gzip_level, summary)

    order = sorted((s[0], p.index, k) for p in people for k, s in enumerate(p.sessions))
    for session_start, index, number in order:
        writer.flush_before(session_start)
        person = people[index]
        was_identified = person.identified
        _, duration, size = person.sessions[number]
        for action in session_script(rng, person, number, session_start, duration, size):
            stream, ts, line = render(rng, person, action)
            writer.add(stream, ts, line)
            summary.by_type[action.kind] += 1
            if action.kind == TRACK:
                summary.orders += action.name == ORDER_COMPLETED
                summary.rage_clicks += action.name == RAGE_CLICK
            elif action.kind == IDENTIFY and not was_identified and number == person.signup_session:
                summary.signups += person.mode == SIGNUP
                summary.logins += person.mode == KNOWN
        summary.logouts += number == person.logout_session
        summary.by_format[person.fmt] += size
        summary.events += size
    writer.flush_before(None)
    if bad_lines:
        path = out / BAD_LINES_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\n".join(BAD_LINES) + b"\n")
        summary.bad_lines = len(BAD_LINES)
        summary.files += 1
    summary.returning = _returning(people)
    return summary


def _returning(people: list[Person], limit: int = 60) -> list[dict[str, Any]]:
    anonymous = [p for p in people if p.mode == ANON and p.platform == WEB and p.fmt != POSTHOG][:limit]
    known = [p for p in people if p.user_id and p.platform == WEB and not p.heavy and p.logout_session is None][: limit // 2]
    return [
        {"fmt": p.fmt, "platform": p.platform, "anonymous_id": p.anonymous_ids[0], "user_id": p.user_id,
         "traits": {k: v for k, v in p.traits.items() if k != "createdAt"}}  # fmt: skip
        for p in anonymous + known
    ]


class _BatchWriter:
    """Collects lines per (stream, batch start) and writes a batch once no later line can join it."""

    def __init__(self, out: Path, span_ms: int, namespace: str, gzip_level: int, summary: GenerateSummary) -> None:
        self.out, self.span, self.namespace, self.level, self.summary = out, span_ms, namespace, gzip_level, summary
        self.open: dict[tuple[str, int], list[tuple[int, int, bytes]]] = {}
        self.seq = 0
        self.oldest = None  # the earliest open batch start

    def add(self, stream: str, ts: int, line: bytes) -> None:
        bucket = ts - ts % self.span
        lines = self.open.get((stream, bucket))
        if lines is None:
            lines = self.open[(stream, bucket)] = []
            if self.oldest is None or bucket < self.oldest:
                self.oldest = bucket
        self.seq += 1
        lines.append((ts, self.seq, line))

    def flush_before(self, moment: int | None) -> None:
        """Write every batch that ends at or before `moment` (None: all)."""
        if self.oldest is None or (moment is not None and self.oldest + self.span > moment):
            return
        for key in sorted(self.open):
            stream, bucket = key
            if moment is None or bucket + self.span <= moment:
                self._write(stream, bucket, self.open.pop(key))
        self.oldest = min((b for _, b in self.open), default=None)

    def _write(self, stream: str, bucket: int, lines: list[tuple[int, int, bytes]]) -> None:
        lines.sort()
        data = b"\n".join(line for _, _, line in lines) + b"\n"
        path = self.out / file_name(stream, bucket, self.span, self.namespace)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.name.endswith(".gz"):
            # No name and no time in the header: the same lines give the same bytes.
            with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=self.level, mtime=0) as gz:
                gz.write(data)
        else:
            path.write_bytes(data)
        self.summary.files += 1
        self.summary.bytes += len(data)
