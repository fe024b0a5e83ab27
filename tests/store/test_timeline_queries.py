"""The Timeline's reads on SQLite and PostgreSQL: names kept or hidden, a jump to a moment, pages newer
than it, the person's own event names, the newest session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tui.support import DAY, MIN, NOW, demo_reader
from tui_profiles.domain.timeline_filter import EventFilter
from tui_profiles.reader import StoreReader


@pytest.fixture
def reader(tmp_path: Path, db_url: str) -> Iterator[StoreReader]:
    with demo_reader(tmp_path, db_url) as r:
        yield r


def what(events) -> list[str]:  # noqa: ANN001
    return [e.name or e.type for e in events]


def test_names_kept_and_hidden(reader: StoreReader) -> None:
    alice = reader.find_profile("user-alice")
    assert what(reader.timeline_page(alice, before=None, limit=50)) == [
        "Help", "$rageclick", "Account", "Order Completed", "Product Viewed", "identify", "Home", "Pricing", "Home",
    ]  # fmt: skip
    kept = EventFilter(keep=("Order Completed", "Home"))
    assert what(reader.timeline_page(alice, before=None, limit=50, names=kept)) == ["Order Completed", "Home", "Home"]
    hidden = EventFilter(hide=("Home", "$rageclick"))
    assert what(reader.timeline_page(alice, before=None, limit=50, names=hidden)) == [
        "Help", "Account", "Order Completed", "Product Viewed", "identify", "Pricing",
    ]  # fmt: skip  (an event with no name, her identify, is not hidden)
    both = EventFilter(keep=("Home", "Pricing"), hide=("Home",))
    assert what(reader.timeline_page(alice, before=None, limit=50, names=both)) == ["Pricing"]
    # Keyset pages keep the filter: two at a time, from the edge row.
    first = reader.timeline_page(alice, before=None, limit=2, names=hidden)
    second = reader.timeline_page(alice, before=(first[-1].ts, first[-1].event_id), limit=2, names=hidden)
    assert what(first + second) == ["Help", "Account", "Order Completed", "Product Viewed"]


def test_a_jump_reads_at_or_before_and_pages_newer(reader: StoreReader) -> None:
    alice = reader.find_profile("user-alice")
    order_at = NOW - 3 * DAY + 9 * MIN
    at = reader.timeline_at(alice, order_at, limit=2)
    assert what(at) == ["Order Completed", "Product Viewed"] and at[0].ts == order_at  # at, inclusive
    before = reader.timeline_at(alice, order_at - 1, limit=1)
    assert what(before) == ["Product Viewed"]
    newer = reader.timeline_newer(alice, after=(at[0].ts, at[0].event_id), limit=2)
    assert what(newer) == ["$rageclick", "Account"]  # the two just newer, newest first
    rest = reader.timeline_newer(alice, after=(newer[0].ts, newer[0].event_id), limit=2)
    assert what(rest) == ["Help"]
    pages = reader.timeline_at(alice, NOW, limit=5, names=EventFilter(keep=("Home",)))
    assert what(pages) == ["Home", "Home"] and pages[0].ts == NOW - 3 * DAY
    assert reader.timeline_at(alice, NOW - 30 * DAY, limit=5) == []


def test_the_persons_own_event_names_include_merged_anonymous_ones(reader: StoreReader) -> None:
    alice = reader.find_profile("user-alice")
    assert reader.event_names(alice) == ["$rageclick", "Account", "Help", "Home", "Order Completed", "Pricing", "Product Viewed"]
    assert reader.event_names(reader.find_profile("anon-alice")) == ["Home", "Pricing"]
    assert "Checkout Started" not in reader.event_names(alice)  # Carol's


def test_newest_session(reader: StoreReader) -> None:
    alice = reader.find_profile("user-alice")
    newest = reader.newest_session(alice)
    assert newest is not None and newest.start == NOW - 30 * MIN
    assert newest.start == max(s.start for s in reader.sessions(alice))
