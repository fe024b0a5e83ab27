"""One line of Segment or PostHog JSON -> a normalised event, or a rejection with a reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Event types, the same for both formats (PostHog's are mapped onto Segment's).
IDENTIFY, TRACK, PAGE, SCREEN, GROUP, ALIAS = "identify", "track", "page", "screen", "group", "alias"

# Sources of an event, shown per session.
WEB, IOS, ANDROID, SERVER, UNKNOWN = "web", "ios", "android", "server", "unknown"

# Time flags: the line was accepted, but its own time could not be trusted.
TIME_UNPARSEABLE, TIME_FUTURE = "unparseable", "future"

MAX_LINE_BYTES = 1024 * 1024


@dataclass(slots=True)
class NormalizedEvent:
    """A message from either format, in the shape the store understands.

    Times are integer epoch milliseconds in UTC.
    """

    message_id: str
    format: str  # "segment" | "posthog"
    type: str  # one of IDENTIFY, TRACK, PAGE, SCREEN, GROUP, ALIAS
    name: str | None  # event name (track, PostHog event), page/screen name
    user_id: str | None  # an identified user id
    anonymous_id: str | None  # an anonymous id
    ts: int  # the event's time, epoch ms UTC (received time when flagged)
    received_at: int  # when it was received (epoch ms)
    # True for a PostHog distinct_id whose kind the line alone cannot tell
    # (no $is_identified, not a server library): it is stored as anonymous_id
    # and counts as a user id once that id is the target of an identify/alias.
    id_ambiguous: bool = False
    time_flag: str | None = None  # TIME_UNPARSEABLE | TIME_FUTURE | None
    path: str | None = None  # page path (page events; PostHog $pathname)
    url: str | None = None
    title: str | None = None
    source: str = UNKNOWN  # WEB | IOS | ANDROID | SERVER | UNKNOWN
    country: str | None = None
    city: str | None = None
    # Person traits this message sets: Segment identify traits, PostHog $set.
    traits_set: dict[str, Any] | None = None
    # PostHog $set_once: applied only where the trait has no value yet.
    traits_set_once: dict[str, Any] | None = None
    group_id: str | None = None  # company: group call's groupId, context.groupId, $groups
    group_traits: dict[str, Any] | None = None  # traits of a group call / $group_set
    # An identity link this message makes: (anonymous_id, user_id) for
    # Segment identify with both ids, alias, PostHog $identify, $create_alias.
    link: tuple[str, str] | None = None
    properties: dict[str, Any] = field(default_factory=dict)  # event properties (identify: traits)
    raw: dict[str, Any] = field(default_factory=dict)  # the whole message as received


@dataclass(slots=True, frozen=True)
class Rejection:
    """A line that cannot be accepted, and why (a short sentence a person can read)."""

    reason: str


def parse_line(line: bytes, received_at: int) -> NormalizedEvent | Rejection | None:
    """Parse one line (without its newline). None for a blank line."""
    raise NotImplementedError
