"""Regenerate the committed sample files under fixtures/ from the real client libraries.

    .venv/bin/python -m tests.make_fixtures [folder]     (default: fixtures/ at the repository root)

segment/*.jsonl and posthog/*.jsonl are the scenarios of tests/scenarios.py,
one file each (order_completed as segment/order_completed.json.gz, the way
Segment's S3 destination writes). hostile.jsonl holds valid events whose ids,
names and properties carry terminal and Rich markup attacks; bad-lines.jsonl
holds one line of every rejection kind. Message ids and event times are
fixed; only the libraries' send times (sentAt, sent_at, receivedAt) change
from one run to the next.
"""

from __future__ import annotations

import sys
from pathlib import Path
from uuid import NAMESPACE_URL, uuid5

import posthog
from segment.analytics import Client as SegmentClient

from tests.capture import CaptureServer
from tests.scenarios import POSTHOG_SCENARIOS, SEGMENT_SCENARIOS, at, write_scenario
from tui_profiles.domain.formats import MAX_LINE_BYTES

GZIPPED = "order_completed"

# Strings that must reach the screen as themselves, never as markup or escapes.
RICH_BOLD = "[bold]x[/bold]"
RICH_CLICK = "[@click=app.quit]quit[/]"
RICH_UNCLOSED = "[/"
ANSI_RED = "\u001b[31mred\u001b[0m"
OSC_TITLE = "\u001b]0;title\u0007"
BIDI = "\u202eevil\u202c"
HOSTILE = (RICH_BOLD, RICH_CLICK, RICH_UNCLOSED, ANSI_RED, OSC_TITLE, BIDI)


def _id(n: int) -> str:
    return str(uuid5(NAMESPACE_URL, f"tui-profiles/hostile/{n}"))


def write_hostile(path: Path) -> Path:
    """Valid messages from both real libraries, every text field an attack."""
    with CaptureServer(path) as server:
        segment = SegmentClient("test-write-key", host=server.url, sync_mode=True)
        segment.identify(user_id=RICH_BOLD, anonymous_id=RICH_CLICK, timestamp=at(0), message_id=_id(0),
                         traits={"name": ANSI_RED, "email": f"{RICH_UNCLOSED}@example.com", RICH_BOLD: OSC_TITLE,
                                 "company": {"name": BIDI}})  # fmt: skip
        segment.page(user_id=RICH_BOLD, name=OSC_TITLE, timestamp=at(1), message_id=_id(1),
                     properties={"path": f"/{RICH_CLICK}", "url": f"https://x.example/{ANSI_RED}", "title": BIDI},
                     context={"userAgent": ANSI_RED, "location": {"country": RICH_BOLD, "city": OSC_TITLE}})  # fmt: skip
        segment.track(user_id=RICH_BOLD, event=RICH_UNCLOSED, timestamp=at(2), message_id=_id(2),
                      properties={value: value for value in HOSTILE}, context={"groupId": RICH_CLICK})  # fmt: skip
        segment.group(user_id=RICH_BOLD, group_id=ANSI_RED, traits={"name": RICH_CLICK, "plan": BIDI},
                      timestamp=at(3), message_id=_id(3))  # fmt: skip
        segment.track(anonymous_id=BIDI, event=ANSI_RED, properties={"nested": {"list": list(HOSTILE)}},
                      timestamp=at(4), message_id=_id(4))  # fmt: skip
        ph = posthog.Posthog("phc_test_project_key", host=server.url, sync_mode=True, capture_mode="v0",
                             enable_local_evaluation=False)  # fmt: skip
        ph.capture("$pageview", distinct_id=RICH_CLICK, timestamp=at(5), uuid=_id(5),
                   properties={"$current_url": f"https://x.example/{RICH_BOLD}", "$pathname": f"/{OSC_TITLE}",
                               "title": ANSI_RED, "$is_identified": False, "$geoip_country_name": BIDI})  # fmt: skip
        ph.capture("$identify", distinct_id=OSC_TITLE, timestamp=at(6), uuid=_id(6),
                   properties={"$anon_distinct_id": RICH_CLICK, "$set": {"name": RICH_UNCLOSED, "bio": ANSI_RED}})  # fmt: skip
        ph.capture(OSC_TITLE, distinct_id=OSC_TITLE, timestamp=at(7), uuid=_id(7),
                   properties={value: value for value in HOSTILE})  # fmt: skip
        ph.shutdown()
    return path


def _nested(depth: int) -> bytes:
    return b'{"type":"track","userId":"u1","properties":' + b"[" * depth + b"]" * depth + b"}"


# One line of every rejection kind, in the order parse_line checks them.
BAD_LINES: list[tuple[str, bytes]] = [
    ("over 1 MiB", b'{"type":"track","userId":"u1","event":"big","properties":{"pad":"' + b"x" * MAX_LINE_BYTES + b'"}}'),
    ("bad UTF-8", b'{"type":"track","userId":"caf\xe9","event":"latin-1"}'),
    ("not JSON", b'{"type":"track","userId":"u1",'),
    ("not an object", b'[{"type":"track","userId":"u1","event":"in a list"}]'),
    ("absurd nesting (orjson's limit)", _nested(2000)),
    ("absurd nesting", _nested(80)),
    ("unknown type", b'{"type":"click","userId":"u1","event":"x"}'),
    ("PostHog without distinct_id", b'{"event":"$pageview","properties":{"$current_url":"https://x.example/"}}'),
    ("neither format", b'{"hello":"world"}'),
    ("PostHog event without a name", b'{"event":"","distinct_id":"d1"}'),
    ("no ids", b'{"type":"track","event":"Nobody","messageId":"m-no-id","timestamp":"2024-03-04T09:00:00Z"}'),
    ("junk ids only", b'{"type":"identify","userId":"undefined","anonymousId":"null","traits":{"email":"x@y.z"}}'),
    ("junk distinct_id", b'{"event":"clicked","distinct_id":"guest","properties":{"$lib":"web"}}'),
    ("number zero as id", b'{"type":"track","userId":0,"event":"Zero"}'),
]


def write_bad_lines(path: Path) -> Path:
    path.write_bytes(b"".join(data + b"\n" for _, data in BAD_LINES))
    return path


def make_fixtures(folder: Path) -> list[Path]:
    written = []
    for name in SEGMENT_SCENARIOS:
        written.append(write_scenario(name, folder / "segment", gz=name == GZIPPED))
    for name in POSTHOG_SCENARIOS:
        written.append(write_scenario(name, folder / "posthog"))
    written.append(write_hostile(folder / "hostile.jsonl"))
    written.append(write_bad_lines(folder / "bad-lines.jsonl"))
    return written


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "fixtures"
    for path in make_fixtures(folder):
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
