"""Sessions, live and tags, on files the real Segment library wrote, with "now" pinned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.capture import CaptureServer
from tests.scenarios import IOS, T0, SegmentRun, at, epoch_ms
from tests.storekit import ingest, profile_doc, users
from tui_profiles.config import DAY_MS, MINUTE_MS, Settings
from tui_profiles.domain.tags import has_custom_attributes, profile_tags

USER = "user-sam"


def journey(folder: Path, name: str, steps: Callable[[SegmentRun], None]) -> Path:
    path = folder / f"{name}.jsonl"
    with CaptureServer(path) as server:
        steps(SegmentRun(name, server))
    return path


def clicks(s: SegmentRun) -> None:
    """Events at 0, 10, 39 (29 min apart: one session), then 70 and 71 (31 min gap: a second)."""
    for minute in (0, 10, 39, 70, 71):
        s.track(at(minute), "Clicked", {"minute": minute}, user_id=USER)


def test_thirty_minutes_of_inactivity_splits_sessions(db_url, tmp_path):
    ingest(db_url, [journey(tmp_path, "clicks", clicks)])
    doc = profile_doc(db_url, USER, epoch_ms(at(200)))
    spans = [(s["start"], s["end"], s["events"], s["duration_seconds"]) for s in doc["session_list"]]
    assert spans == [
        (doc["timeline"][0]["timestamp"], doc["timeline"][2]["timestamp"], 3, 39 * 60),
        (doc["timeline"][3]["timestamp"], doc["timeline"][4]["timestamp"], 2, 60),
    ]
    assert doc["sessions"] == 2 and doc["avg_session_seconds"] == (39 * 60 + 60) / 2
    first, second = (s["id"] for s in doc["session_list"])
    assert [e["session_id"] for e in doc["timeline"]] == [first, first, first, second, second]
    assert "returning" in doc["tags"] and "new" not in doc["tags"]


def test_the_session_gap_is_configurable(sqlite_url, tmp_path):
    settings = Settings(db_url=sqlite_url, session_gap_ms=10 * MINUTE_MS)
    ingest(sqlite_url, [journey(tmp_path, "clicks", clicks)], settings=settings)
    doc = profile_doc(sqlite_url, USER, epoch_ms(at(200)), settings=settings)
    # 0 and 10 are exactly 10 minutes apart: still one session; 39 and 70 each start one.
    assert [s["events"] for s in doc["session_list"]] == [2, 1, 2]


def test_a_session_is_live_for_ten_minutes_after_its_last_event(db_url, tmp_path):
    ingest(db_url, [journey(tmp_path, "clicks", clicks)])
    last = epoch_ms(at(71))
    doc = profile_doc(db_url, USER, last + 9 * MINUTE_MS + 59_000)
    assert doc["live"] is True and [s["live"] for s in doc["session_list"]] == [False, True]
    assert "live" in doc["tags"]
    doc = profile_doc(db_url, USER, last + 10 * MINUTE_MS)
    assert doc["live"] is False and not any(s["live"] for s in doc["session_list"])
    assert "live" not in doc["tags"]
    assert [u.live for u in users(db_url, last + 60_000)] == [True]


def test_live_threshold_is_configurable(sqlite_url, tmp_path):
    settings = Settings(db_url=sqlite_url, live_ms=2 * MINUTE_MS)
    ingest(sqlite_url, [journey(tmp_path, "clicks", clicks)], settings=settings)
    last = epoch_ms(at(71))
    assert profile_doc(sqlite_url, USER, last + 3 * MINUTE_MS, settings=settings)["live"] is False


def test_session_source_and_entry_page(db_url, tmp_path):
    def steps(s: SegmentRun) -> None:
        s.page(at(0), "Home", "/", user_id=USER)
        s.page(at(1), "Pricing", "/pricing", user_id=USER)
        s.screen(at(90), "Cart", device=IOS, user_id=USER)

    ingest(db_url, [journey(tmp_path, "mixed", steps)])
    doc = profile_doc(db_url, USER, epoch_ms(at(200)))
    assert [(s["source"], s["events"]) for s in doc["session_list"]] == [("web", 2), ("ios", 1)]
    assert doc["top_pages"] == [{"path": "/", "count": 1}, {"path": "/pricing", "count": 1}]
    assert doc["top_events"] == [{"name": "Cart", "count": 1}]


def test_tags_from_the_profile(db_url, tmp_path):
    def steps(s: SegmentRun) -> None:
        s.identify(at(0), {"email": "sam@example.com", "company": {"name": "Initech"}, "shoe_size": 44}, user_id=USER)
        s.track(at(1), "Order Completed", {"order_id": "o-1", "total": 12.5}, user_id=USER)
        s.track(at(2), "Signed Up", user_id="user-new")

    ingest(db_url, [journey(tmp_path, "tags", steps)])
    sam = profile_doc(db_url, USER, epoch_ms(at(30)))
    assert sam["tags"] == ["new", "work_info", "contact_info", "buyer", "custom_attributes"]
    newbie = profile_doc(db_url, "user-new", epoch_ms(at(5)))
    assert newbie["tags"] == ["new", "live"]
    # Sixty days on, both are longtime; only times moved, nothing was re-ingested.
    later = epoch_ms(T0) + 61 * DAY_MS
    assert "longtime" in profile_doc(db_url, USER, later)["tags"]
    assert "longtime" not in profile_doc(db_url, USER, epoch_ms(T0) + 59 * DAY_MS)["tags"]


def test_order_events_are_configurable(sqlite_url, tmp_path):
    def steps(s: SegmentRun) -> None:
        s.track(at(0), "Purchase", {"value": 3}, user_id=USER)

    settings = Settings(db_url=sqlite_url, order_events=("Purchase",))
    ingest(sqlite_url, [journey(tmp_path, "purchase", steps)], settings=settings)
    assert "buyer" in profile_doc(sqlite_url, USER, epoch_ms(at(30)), settings=settings)["tags"]


def test_signed_up_is_created_at_else_first_seen(db_url, tmp_path):
    def steps(s: SegmentRun) -> None:
        s.identify(at(0), {"createdAt": "2023-01-02T03:04:05Z"}, user_id=USER)
        s.track(at(1), "Clicked", user_id="user-plain")

    ingest(db_url, [journey(tmp_path, "signup", steps)])
    assert profile_doc(db_url, USER, epoch_ms(at(30)))["signed_up"] == "2023-01-02T03:04:05.000Z"
    plain = profile_doc(db_url, "user-plain", epoch_ms(at(30)))
    assert plain["signed_up"] == plain["first_seen"]


@pytest.mark.parametrize(
    ("traits", "expected"),
    [({}, False), ({"email": "a"}, False), ({"plan": "pro"}, True), ({"$browser": "x", "name": "n"}, False)],
)
def test_custom_attributes_are_traits_beyond_the_reserved_ones(traits, expected):
    assert has_custom_attributes(traits) is expected


def test_profile_tags_rules():
    base = dict(first_seen=0, last_seen=0, company=None, has_contact=False, order_count=0,
                has_custom_attributes=False, now_ms=DAY_MS, longtime_ms=60 * DAY_MS, live_ms=10 * MINUTE_MS)  # fmt: skip
    assert profile_tags(session_count=1, **base) == ("new",)
    assert profile_tags(session_count=3, **base) == ("returning",)
    assert profile_tags(session_count=0, **base) == ()
