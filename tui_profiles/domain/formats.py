"""One line of Segment or PostHog JSON -> a normalised event, or a rejection with a reason."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import orjson

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
    # True for a PostHog distinct_id whose kind the line alone cannot tell. With no
    # $is_identified and not from a server library, it is stored as anonymous_id and
    # counts as a user id once that id is the target of an identify/alias. From a server
    # library it is taken for a user id (user_id set) until a link names it as the
    # anonymous side of an $identify or alias (domain/identity.settle_guessed_user_id).
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
    # The message's own JSON text (the line, less a BOM or CR), stored as it came: no re-serialising.
    raw_json: str | None = None
    # `properties` as JSON text, made where the line is read (ingest/reader_process.py) when that is another process.
    properties_json: str | None = None


@dataclass(slots=True, frozen=True)
class Rejection:
    """A line that cannot be accepted, and why (a short sentence a person can read)."""

    reason: str


SEGMENT, POSTHOG = "segment", "posthog"
SEGMENT_TYPES = frozenset({IDENTIFY, TRACK, PAGE, SCREEN, GROUP, ALIAS})
MAX_DEPTH = 64
# An event stamped this far past its arrival has a broken clock.
FUTURE_TOLERANCE_MS = 24 * 3600 * 1000

# "PostHog refuses to merge on ids like anonymous, guest, null, undefined, 0,
# NaN and blank": such an id names no one, so it counts as absent. Compared
# case-insensitively after stripping whitespace.
JUNK_IDS = frozenset(
    {
        "anonymous", "guest", "distinctid", "distinct_id", "id", "not_authenticated",
        "email", "undefined", "true", "false", "null", "none", "nan", "0",
        "[object object]",
    }
)  # fmt: skip

# Library names that run on a server (Segment `context.library.name` words).
_SERVER_WORDS = frozenset(
    {"python", "node", "ruby", "go", "java", "php", "dotnet", "net", "csharp", "rust",
     "elixir", "clojure", "server"}
)  # fmt: skip
_WEB_WORDS = frozenset({"js", "next", "javascript", "browser", "web"})
_WORD = re.compile(r"[a-z0-9]+")

_POSTHOG_WEB_LIBS = frozenset({"web", "posthog-js", "posthog-js-lite"})
_POSTHOG_SERVER_LIBS = frozenset(
    {"posthog-python", "posthog-node", "posthog-ruby", "posthog-go", "posthog-php",
     "posthog-java", "posthog-dotnet", "posthog-rs", "posthog-elixir"}
)  # fmt: skip
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MS = timedelta(milliseconds=1)
_BOM = b"\xef\xbb\xbf"
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


def _with_text(parsed: NormalizedEvent | Rejection, line: bytes) -> NormalizedEvent | Rejection:
    if isinstance(parsed, NormalizedEvent):
        parsed.raw_json = line.decode()  # orjson accepted it, so it is UTF-8
    return parsed


def blocked_id_set(ids: Iterable[str]) -> frozenset[str]:
    """Ids to block (setting `blocked_ids`), folded as _clean_id compares them."""
    return frozenset(folded for folded in (i.strip().lower() for i in ids) if folded)


def parse_line(line: bytes, received_at: int, blocked: frozenset[str] = frozenset()) -> NormalizedEvent | Rejection | None:
    """Parse one line (without its newline). None for a blank line.

    `blocked` (from blocked_id_set) are ids that count as junk here on top of JUNK_IDS.
    """
    if line.endswith(b"\r"):
        line = line[:-1]
    if len(line) > MAX_LINE_BYTES:
        return Rejection("line is over 1 MiB")
    if line.startswith(_BOM):
        line = line[3:]
    if not line or line.isspace():
        return None
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        return _why_not_json(line, error)
    if not isinstance(obj, dict):
        return Rejection(f"JSON {type(obj).__name__} is not an object")
    # Any nesting deeper than MAX_DEPTH needs that many open brackets; counting
    # them is C-speed, so ordinary lines never pay for the walk.
    if line.count(b"{") + line.count(b"[") > MAX_DEPTH and _too_deep(obj):
        return Rejection(f"absurd nesting: more than {MAX_DEPTH} levels")

    kind = obj.get("type")
    if kind is not None:
        if isinstance(kind, str) and kind.lower() in SEGMENT_TYPES:
            return _with_text(_segment(obj, kind.lower(), line, received_at, blocked), line)
        return Rejection(f"type {_show(kind)} is not a Segment message type")
    props = obj.get("properties")
    if "event" in obj and ("distinct_id" in obj or (isinstance(props, dict) and "distinct_id" in props)):
        return _with_text(_posthog(obj, line, received_at, blocked), line)
    if "event" in obj:
        return Rejection("looks like a PostHog event but has no distinct_id")
    return Rejection("neither a Segment message (no type) nor a PostHog event (no event)")


def _why_not_json(line: bytes, error: orjson.JSONDecodeError) -> Rejection:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as bad:
        return Rejection(f"not valid UTF-8 at byte {bad.start}")
    message = str(error)
    if "depth limit" in message or "recursion" in message:
        return Rejection(f"absurd nesting: more than {MAX_DEPTH} levels")
    return Rejection(f"not JSON: {message}")


def _too_deep(obj: Any) -> bool:
    stack = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


# --- ids -------------------------------------------------------------------


def _clean_id(value: Any, blocked: frozenset[str] = frozenset()) -> str | None:
    """An id as text, or None when it is missing, junk or blocked."""
    if value.__class__ is str:  # the common case, first
        text = value
    elif value is None:
        return None
    else:
        text = _id_text(value)
        if text is None:
            return None
    folded = text.strip().lower()
    return text if folded and folded not in JUNK_IDS and folded not in blocked else None


def _no_usable_id(missing: str, ids: dict[str, Any], blocked: frozenset[str]) -> Rejection:
    present = {name: value for name, value in ids.items() if value is not None}
    if not present:
        return Rejection(missing)

    def is_blocked(value: Any) -> bool:
        text = _id_text(value)
        return text is not None and text.strip().lower() in blocked

    junk = [f"{name} {_show(value)}" for name, value in present.items() if not is_blocked(value)]
    named = [f"{name} {_show(value)}" for name, value in present.items() if is_blocked(value)]
    parts = ([f"junk: {', '.join(junk)}"] if junk else []) + ([f"blocked: {', '.join(named)}"] if named else [])
    return Rejection(f"no usable id ({'; '.join(parts)})")


def _id_text(value: Any) -> str | None:
    """A JSON id as text: strings as they are, numbers as a person writes them."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Written as JavaScript writes a number: whole up to 1e21 (orjson reads
        # integers past 64 bits as floats), exponent beyond.
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    return None  # objects, lists: "[object Object]" in spirit


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _message_id(value: Any, line: bytes) -> str:
    text = _text(value)
    if text and text.strip():
        return text
    # Tolerate a missing id, but make it stable so a redelivered line dedupes.
    return "sha1:" + hashlib.sha1(line).hexdigest()


# --- time ------------------------------------------------------------------


def _epoch_ms(value: Any) -> int | None:
    """An ISO-8601 time (any offset; naive means UTC) as epoch ms, or None."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        # 3.11 rejects a lower-case z; older writers send more than 6 fraction digits.
        fixed = _LONG_FRACTION.sub(r"\1", value.strip().upper())
        try:
            moment = datetime.fromisoformat(fixed)
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return (moment - _EPOCH) // _MS
    except OverflowError:
        return None


def _seconds_ms(value: Any) -> int | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1e11:
        return round(value * 1000)
    return None


def _settle_time(event: NormalizedEvent, ts: int | None) -> None:
    if ts is None:
        event.time_flag = TIME_UNPARSEABLE
    elif ts > event.received_at + FUTURE_TOLERANCE_MS:
        event.time_flag = TIME_FUTURE
    else:
        event.ts = ts


# --- Segment (and RudderStack, which writes the same spec) -----------------


def _segment(obj: dict[str, Any], kind: str, line: bytes, received_at: int, blocked: frozenset[str]) -> NormalizedEvent | Rejection:
    user_id = _clean_id(obj.get("userId"), blocked)
    anonymous_id = _clean_id(obj.get("anonymousId"), blocked)
    if user_id is None and anonymous_id is None:
        ids = {"userId": obj.get("userId"), "anonymousId": obj.get("anonymousId")}
        return _no_usable_id("no userId and no anonymousId", ids, blocked)
    context = _dict(obj.get("context"))
    own_properties = obj.get("traits") if kind in (IDENTIFY, GROUP) else obj.get("properties")
    properties = _dict(own_properties) if kind != ALIAS else {}
    event = NormalizedEvent(
        message_id=_message_id(obj.get("messageId"), line),
        format=SEGMENT,
        type=kind,
        name=_segment_name(obj, kind),
        user_id=user_id,
        anonymous_id=anonymous_id,
        ts=received_at,
        received_at=received_at,
        source=_segment_source(obj, context),
        properties=properties,
        raw=obj,
    )
    for key in ("timestamp", "originalTimestamp", "receivedAt", "sentAt"):
        ts = _epoch_ms(obj.get(key))
        if ts is not None:
            break
    _settle_time(event, ts)

    if kind == IDENTIFY:
        event.traits_set = properties or None
        if user_id and anonymous_id and user_id != anonymous_id:
            event.link = (anonymous_id, user_id)
    elif kind == ALIAS:
        # "previousId is the older id" (usually the anonymous one) merged into userId.
        previous_id = _clean_id(obj.get("previousId"), blocked)
        if previous_id and user_id and previous_id != user_id:
            event.link = (previous_id, user_id)
    elif kind == GROUP:
        event.group_id = _text(obj.get("groupId"))
        event.group_traits = properties
    elif kind == PAGE:
        page = _dict(context.get("page"))
        event.path = _text(properties.get("path")) or _text(page.get("path"))
        event.url = _text(properties.get("url")) or _text(page.get("url"))
        event.title = _text(properties.get("title")) or _text(page.get("title"))
    if event.group_id is None:
        event.group_id = _text(context.get("groupId"))
    location = _dict(context.get("location"))
    event.country = _text(location.get("country"))
    event.city = _text(location.get("city"))
    return event


def _segment_name(obj: dict[str, Any], kind: str) -> str | None:
    if kind == TRACK:
        return _text(obj.get("event"))
    if kind in (PAGE, SCREEN):
        return _text(obj.get("name"))
    return None


def _mobile_os(name: Any) -> str | None:
    if not isinstance(name, str):
        return None
    name = name.strip().lower()
    if name in ("ios", "ipados", "iphone os", "watchos", "tvos", "visionos"):
        return IOS
    if name == "android":
        return ANDROID
    return None


@lru_cache(maxsize=256)
def _library_source(library: str) -> str:
    """What a Segment library's name says: a client platform, a server, or UNKNOWN."""
    words = set(_WORD.findall(library.lower()))
    if words & {"ios", "swift"}:
        return IOS
    if words & {"android", "kotlin"}:
        return ANDROID
    if words & _WEB_WORDS:
        return WEB
    if words & _SERVER_WORDS:
        return SERVER
    return UNKNOWN


def _segment_source(obj: dict[str, Any], context: dict[str, Any]) -> str:
    """Where the person was when a Segment message happened.

    An explicit mobile OS or device type wins: cross-platform libraries
    (React Native, Flutter) name no platform, and a server forwarding a phone's
    context is telling us about the phone. Then a client library's name, then
    a user agent (browsers send one; a server forwarding one is reporting a
    web visit), then a server library's name, then RudderStack's `channel`.
    """
    mobile = _mobile_os(_dict(context.get("os")).get("name")) or _mobile_os(_dict(context.get("device")).get("type"))
    if mobile:
        return mobile
    library = _library_source(_text(_dict(context.get("library")).get("name")) or "")
    if library in (IOS, ANDROID, WEB):
        return library
    if context.get("userAgent"):
        return WEB
    if library == SERVER:
        return SERVER
    channel = obj.get("channel")
    if channel in ("web", "server"):
        return WEB if channel == "web" else SERVER
    return UNKNOWN


# --- PostHog ---------------------------------------------------------------


def _posthog(obj: dict[str, Any], line: bytes, received_at: int, blocked: frozenset[str]) -> NormalizedEvent | Rejection:
    props = _dict(obj.get("properties"))
    name = _text(obj.get("event"))
    if not name or not name.strip():
        return Rejection("PostHog event has no event name")
    raw_distinct_id = obj["distinct_id"] if "distinct_id" in obj else props.get("distinct_id")
    distinct_id = _clean_id(raw_distinct_id, blocked)
    if distinct_id is None:
        return _no_usable_id("PostHog event has no distinct_id", {"distinct_id": raw_distinct_id}, blocked)
    lib = _text(props.get("$lib")) or ""
    event = NormalizedEvent(
        message_id=_message_id(obj.get("uuid"), line),
        format=POSTHOG,
        type=TRACK,
        name=name,
        user_id=None,
        anonymous_id=None,
        ts=received_at,
        received_at=received_at,
        source=_posthog_source(lib, props),
        properties=props,
        raw=obj,
    )
    ts = _epoch_ms(obj.get("timestamp"))
    if ts is None:
        ts = _seconds_ms(props.get("$time"))
    if ts is None:
        ts = _epoch_ms(obj.get("sent_at"))
    if ts is None:
        ts = _epoch_ms(obj.get("created_at"))
    _settle_time(event, ts)

    if name == "$identify":
        # distinct_id is the new (identified) id, $anon_distinct_id the one it replaces.
        event.type = IDENTIFY
        event.user_id = distinct_id
        anon = _clean_id(props.get("$anon_distinct_id"), blocked)
        if anon and anon != distinct_id:
            event.anonymous_id = anon
            event.link = (anon, distinct_id)
    elif name == "$create_alias":
        # posthog-js alias(alias, original) and posthog-python
        # alias(previous_id, distinct_id) both send distinct_id = the older id
        # and properties.alias = the id it becomes known by.
        event.type = ALIAS
        alias = _clean_id(props.get("alias"), blocked)
        if alias and alias != distinct_id:
            event.anonymous_id, event.user_id = distinct_id, alias
            event.link = (distinct_id, alias)
        else:
            _assign_distinct_id(event, distinct_id, lib, props)
    else:
        _assign_distinct_id(event, distinct_id, lib, props)
        if name == "$groupidentify":
            event.type = GROUP
            event.group_id = _text(props.get("$group_key"))
            event.group_traits = _dict(props.get("$group_set"))
        elif name == "$pageview":
            event.type = PAGE
            event.url = _text(props.get("$current_url"))
            event.path = _text(props.get("$pathname")) or _url_path(event.url)
            event.title = _text(props.get("title"))
        elif name == "$screen":
            event.type = SCREEN
            event.name = _text(props.get("$screen_name"))

    # PostHog's ingestion merges a top-level $set/$set_once over the properties' one.
    traits_set = {**_dict(props.get("$set")), **_dict(obj.get("$set"))}
    traits_set_once = {**_dict(props.get("$set_once")), **_dict(obj.get("$set_once"))}
    event.traits_set = traits_set or None
    event.traits_set_once = traits_set_once or None
    if event.group_id is None:
        groups = _dict(props.get("$groups"))
        event.group_id = next((text for text in map(_text, groups.values()) if text), None)
    event.country = _text(props.get("$geoip_country_name")) or _text(props.get("$geoip_country_code"))
    event.city = _text(props.get("$geoip_city_name"))
    return event


def _assign_distinct_id(event: NormalizedEvent, distinct_id: str, lib: str, props: dict[str, Any]) -> None:
    """Is this distinct_id a user id or an anonymous id? posthog-js says so in
    $is_identified; personless events are anonymous by definition; server
    libraries capture for known users. Anything else the line cannot tell."""
    identified = props.get("$is_identified")
    if identified is True:
        event.user_id = distinct_id
    elif identified is False or props.get("$process_person_profile") is False:
        event.anonymous_id = distinct_id
    elif lib in _POSTHOG_SERVER_LIBS or props.get("$is_server") is True:
        # A guess: backends also track visitors by the cookie's anonymous distinct_id, and a
        # link naming this id as anonymous wins over it (settled by the writer).
        event.user_id = distinct_id
        event.id_ambiguous = True
    else:
        event.anonymous_id = distinct_id
        event.id_ambiguous = True


def _posthog_source(lib: str, props: dict[str, Any]) -> str:
    """$lib decides; cross-platform libraries defer to $os. Server libraries
    overwrite $os with the sending machine's, so it is not read for them."""
    if lib in _POSTHOG_WEB_LIBS:
        return WEB
    if lib == "posthog-ios":
        return IOS
    if lib == "posthog-android":
        return ANDROID
    if lib in _POSTHOG_SERVER_LIBS or props.get("$is_server") is True:
        return SERVER
    mobile = _mobile_os(props.get("$os"))
    if mobile:
        return mobile
    if not lib and (props.get("$browser") or props.get("$current_url")):
        return WEB
    return UNKNOWN


def _url_path(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).path or None
    except ValueError:
        return None
