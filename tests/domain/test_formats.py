"""parse_line: every acceptance and rejection rule for Segment, RudderStack and PostHog lines."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import datetime, timezone
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_profiles.domain.formats import (
    ALIAS,
    ANDROID,
    GROUP,
    IDENTIFY,
    IOS,
    MAX_LINE_BYTES,
    PAGE,
    SCREEN,
    SERVER,
    TIME_FUTURE,
    TIME_UNPARSEABLE,
    TRACK,
    UNKNOWN,
    WEB,
    NormalizedEvent,
    Rejection,
    blocked_id_set,
    parse_line,
)

RECEIVED = 1_709_600_000_000  # 2024-03-05T00:53:20Z
HOUR = 3_600_000


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


def line(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def segment(**fields: Any) -> dict[str, Any]:
    message = {"type": "track", "event": "Clicked", "userId": "u1", "messageId": "m1",
               "timestamp": "2024-03-04T09:00:00.000Z"}  # fmt: skip
    message.update(fields)
    return {key: value for key, value in message.items() if value is not ...}


def posthog(**fields: Any) -> dict[str, Any]:
    message = {"event": "clicked", "distinct_id": "d1", "uuid": "0190-uuid", "timestamp": "2024-03-04T09:00:00Z",
               "properties": {}}  # fmt: skip
    message.update(fields)
    return {key: value for key, value in message.items() if value is not ...}


def accept(obj: Any) -> NormalizedEvent:
    event = parse_line(obj if isinstance(obj, bytes) else line(obj), RECEIVED)
    assert isinstance(event, NormalizedEvent), event
    return event


def reject(data: Any) -> str:
    result = parse_line(data if isinstance(data, bytes) else line(data), RECEIVED)
    assert isinstance(result, Rejection), result
    return result.reason


# --- blank lines, size, encoding, JSON shape --------------------------------


@pytest.mark.parametrize("blank", [b"", b" ", b"\t  ", b"\r", b" \r", b"\xef\xbb\xbf"])
def test_blank_line_is_none(blank: bytes) -> None:
    assert parse_line(blank, RECEIVED) is None


def test_trailing_carriage_return_and_bom_are_ignored() -> None:
    data = line(segment(messageId=...))
    plain, crlf, bom = accept(data), accept(data + b"\r"), accept(b"\xef\xbb\xbf" + data)
    assert plain.message_id == crlf.message_id == bom.message_id
    assert crlf.user_id == "u1"


def test_line_over_one_mib_is_rejected() -> None:
    body = line(segment(properties={"pad": ""}))
    pad = MAX_LINE_BYTES - len(body)
    exactly = line(segment(properties={"pad": "x" * pad}))
    assert len(exactly) == MAX_LINE_BYTES
    assert accept(exactly).properties["pad"] == "x" * pad
    assert accept(exactly + b"\r").properties["pad"] == "x" * pad  # the \r is not part of the line
    assert reject(line(segment(properties={"pad": "x" * (pad + 1)}))) == "line is over 1 MiB"


def test_bad_utf8_names_the_byte_offset() -> None:
    data = b'{"type":"track","userId":"\xff\xfe","event":"x"}'
    assert reject(data) == "not valid UTF-8 at byte 26"
    assert data[26:27] == b"\xff"


def test_truncated_multibyte_character_is_bad_utf8() -> None:
    data = '{"type":"track","userId":"é"}'.encode()
    broken = data.replace("é".encode(), "é".encode()[:1])
    assert "UTF-8 at byte 26" in reject(broken)


def test_surrogate_escape_is_not_a_utf8_failure() -> None:
    # A lone \ud800 escape is ASCII on the wire: orjson refuses it, and the reason says JSON.
    reason = reject(b'{"type":"track","userId":"\\ud800"}')
    assert reason.startswith("not JSON: ")


@pytest.mark.parametrize("data", [b"{not json", b'{"type":"track",}', b"NaN", b'{"a":1} {"b":2}'])
def test_not_json_carries_orjsons_message(data: bytes) -> None:
    reason = reject(data)
    assert reason.startswith("not JSON: ")
    with pytest.raises(orjson.JSONDecodeError) as error:
        orjson.loads(data)
    assert str(error.value) in reason


@pytest.mark.parametrize(("data", "kind"), [(b"[1, 2]", "list"), (b'"track"', "str"), (b"42", "int"),
                                            (b"null", "NoneType"), (b"true", "bool")])  # fmt: skip
def test_json_that_is_not_an_object(data: bytes, kind: str) -> None:
    assert reject(data) == f"JSON {kind} is not an object"


def nested(depth: int) -> dict[str, Any]:
    value: Any = "leaf"
    for level in range(depth - 1):
        value = {"k": value} if level % 2 else [value]
    return segment(properties={"deep": value}) if depth else {}


def depth_of(obj: Any) -> int:
    if isinstance(obj, dict):
        return 1 + max(map(depth_of, obj.values()), default=0)
    if isinstance(obj, list):
        return 1 + max(map(depth_of, obj), default=0)
    return 0


def test_nesting_up_to_64_levels_is_accepted() -> None:
    obj = nested(63)
    assert depth_of(obj) == 64
    assert accept(obj).user_id == "u1"


def test_nesting_past_64_levels_is_absurd() -> None:
    obj = nested(64)
    assert depth_of(obj) == 65
    assert reject(obj) == "absurd nesting: more than 64 levels"


def test_nesting_past_orjsons_own_limit_is_absurd_not_just_bad_json() -> None:
    data = b'{"type":"track","userId":"u1","properties":' + b"[" * 3000 + b"]" * 3000 + b"}"
    assert reject(data) == "absurd nesting: more than 64 levels"


def test_many_brackets_but_shallow_is_accepted() -> None:
    obj = segment(properties={"products": [{"sku": str(n), "tags": []} for n in range(200)], "text": "[" * 500})
    assert len(accept(obj).properties["products"]) == 200


# --- recognising the format ---------------------------------------------------


def test_unknown_object_is_neither_format() -> None:
    assert reject({"hello": "world"}).startswith("neither a Segment message")


def test_unknown_type_is_rejected_even_with_posthog_keys() -> None:
    assert reject({"type": "click", "event": "x", "distinct_id": "d"}) == "type 'click' is not a Segment message type"
    assert "not a Segment message type" in reject(segment(type=7))


def test_event_without_distinct_id_is_rejected() -> None:
    assert reject({"event": "x", "properties": {}}) == "looks like a PostHog event but has no distinct_id"


@pytest.mark.parametrize("kind", ["identify", "Track", "PAGE", "screen", "group", "alias"])
def test_segment_types_are_case_insensitive(kind: str) -> None:
    assert accept(segment(type=kind, previousId="a1")).type == kind.lower()


def test_posthog_needs_event_and_distinct_id_and_no_type() -> None:
    event = accept(posthog())
    assert (event.format, event.type, event.name) == ("posthog", TRACK, "clicked")


def test_posthog_distinct_id_may_live_in_properties() -> None:
    event = accept(posthog(distinct_id=..., properties={"distinct_id": "d9", "$is_identified": True}))
    assert event.user_id == "d9"


def test_posthog_event_without_a_name_is_rejected() -> None:
    assert reject(posthog(event="")) == "PostHog event has no event name"
    assert reject(posthog(event=None)) == "PostHog event has no event name"


def test_rudderstack_message_is_segment() -> None:
    message = segment(type="track", rudderId="8f1c-rudder", channel="server", request_ip="198.51.100.4",
                      context={"library": {"name": "rudder-analytics-python"}})  # fmt: skip
    event = accept(message)
    assert (event.format, event.type, event.source) == ("segment", TRACK, SERVER)
    assert event.raw["rudderId"] == "8f1c-rudder"


# --- ids ------------------------------------------------------------------------


def test_no_ids_at_all_is_rejected() -> None:
    assert reject(segment(userId=...)) == "no userId and no anonymousId"
    assert reject(segment(userId=None, anonymousId=None)) == "no userId and no anonymousId"
    assert reject(posthog(distinct_id=None)) == "PostHog event has no distinct_id"


JUNK = ["anonymous", "Guest", "null", "UNDEFINED", "0", "NaN", "none", "None", "[object Object]", "distinct_id",
        "id", "not_authenticated", "email", "true", "False", "", "   ", " null "]  # fmt: skip


@pytest.mark.parametrize("junk", JUNK)
def test_only_junk_ids_is_rejected_naming_the_id(junk: str) -> None:
    reason = reject(segment(userId=junk))
    assert reason == f"no usable id (junk: userId {junk!r})"


@pytest.mark.parametrize("junk", [0, True, False, {"id": 1}, [1], 0.0])
def test_ids_of_junk_json_types_are_absent(junk: Any) -> None:
    assert reject(segment(userId=junk)).startswith("no usable id (junk: userId ")


def test_junk_is_named_for_every_id() -> None:
    assert reject(segment(userId="null", anonymousId="undefined")) == (
        "no usable id (junk: userId 'null', anonymousId 'undefined')"
    )


def test_good_user_id_with_junk_anonymous_id_is_accepted() -> None:
    event = accept(segment(type="identify", userId="u1", anonymousId="undefined"))
    assert (event.user_id, event.anonymous_id, event.link) == ("u1", None, None)


def test_junk_user_id_with_good_anonymous_id_is_accepted() -> None:
    event = accept(segment(userId="anonymous", anonymousId="a1"))
    assert (event.user_id, event.anonymous_id) == (None, "a1")


def test_posthog_junk_distinct_id_is_rejected() -> None:
    assert reject(posthog(distinct_id="guest")) == "no usable id (junk: distinct_id 'guest')"


# --- blocked ids (setting blocked_ids) ---------------------------------------------

BLOCKED = blocked_id_set([" Kiosk ", "00000000-0000-0000-0000-000000000000", ""])


def parse_blocked(obj: Any) -> NormalizedEvent | Rejection | None:
    return parse_line(line(obj), RECEIVED, BLOCKED)


def test_blocked_ids_are_folded_as_junk_ids_are():
    assert BLOCKED == frozenset({"kiosk", "00000000-0000-0000-0000-000000000000"})


def test_a_message_whose_only_ids_are_blocked_is_quarantined_naming_them() -> None:
    assert parse_blocked(segment(userId="KIOSK")) == Rejection("no usable id (blocked: userId 'KIOSK')")
    assert parse_blocked(segment(userId="null", anonymousId="kiosk")) == Rejection(
        "no usable id (junk: userId 'null'; blocked: anonymousId 'kiosk')"
    )
    assert parse_blocked(posthog(distinct_id="00000000-0000-0000-0000-000000000000")) == Rejection(
        "no usable id (blocked: distinct_id '00000000-0000-0000-0000-000000000000')"
    )
    assert isinstance(parse_line(line(segment(userId="kiosk")), RECEIVED), NormalizedEvent)  # not blocked unless asked


def test_a_blocked_id_never_links() -> None:
    identify = parse_blocked(segment(type="identify", userId="u1", anonymousId="kiosk"))
    assert isinstance(identify, NormalizedEvent)
    assert (identify.user_id, identify.anonymous_id, identify.link) == ("u1", None, None)
    alias = parse_blocked(segment(type="alias", previousId="kiosk", userId="u1"))
    assert isinstance(alias, NormalizedEvent) and alias.link is None
    ph_identify = parse_blocked(posthog(event="$identify", distinct_id="u1", properties={"$anon_distinct_id": "Kiosk"}))
    assert isinstance(ph_identify, NormalizedEvent) and (ph_identify.user_id, ph_identify.link) == ("u1", None)
    ph_alias = parse_blocked(posthog(event="$create_alias", distinct_id="a1", properties={"alias": "kiosk"}))
    assert isinstance(ph_alias, NormalizedEvent) and ph_alias.link is None


@pytest.mark.parametrize(("raw", "text"), [(42, "42"), (-7, "-7"), (42.0, "42"), (1.5, "1.5"), (10**20, str(10**20)), (2**64 - 1, str(2**64 - 1)),  # noqa: E501
                                         (1e21, "1e+21")])
def test_numeric_ids_are_text(raw: Any, text: str) -> None:
    assert accept(segment(userId=raw)).user_id == text
    assert accept(segment(userId=..., anonymousId=raw)).anonymous_id == text
    assert accept(posthog(distinct_id=raw, properties={"$is_identified": True})).user_id == text


def test_ids_are_kept_as_sent() -> None:
    event = accept(segment(userId=" Alice@Example.com "))
    assert event.user_id == " Alice@Example.com "


# --- message ids ------------------------------------------------------------------


def test_message_id_and_uuid_are_used() -> None:
    assert accept(segment(messageId="ajs-next-1")).message_id == "ajs-next-1"
    assert accept(posthog(uuid="0190abcd")).message_id == "0190abcd"


@pytest.mark.parametrize("missing", [..., None, "", "  "])
def test_missing_message_id_is_a_stable_hash_of_the_line(missing: Any) -> None:
    data = line(segment(messageId=missing))
    first, again = accept(data), accept(data + b"\r")
    assert first.message_id == "sha1:" + hashlib.sha1(data).hexdigest()
    assert again.message_id == first.message_id
    assert accept(line(segment(messageId=missing, event="Other"))).message_id != first.message_id
    assert accept(line(posthog(uuid=missing))).message_id.startswith("sha1:")


# --- timestamps -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso_utc"),
    [
        ("2024-03-04T09:00:00Z", "2024-03-04T09:00:00+00:00"),
        ("2024-03-04T09:00:00z", "2024-03-04T09:00:00+00:00"),
        ("2024-03-04T11:00:00+02:00", "2024-03-04T09:00:00+00:00"),
        ("2024-03-04T03:30:00-05:30", "2024-03-04T09:00:00+00:00"),
        ("2024-03-04T09:00:00", "2024-03-04T09:00:00+00:00"),
        ("2024-03-04 09:00:00", "2024-03-04T09:00:00+00:00"),
        ("2024-03-04 10:00:00.250+01:00", "2024-03-04T09:00:00.250+00:00"),
        ("2024-03-04T09:00:00.123Z", "2024-03-04T09:00:00.123+00:00"),
        ("2024-03-04T09:00:00.123456Z", "2024-03-04T09:00:00.123+00:00"),
        ("2024-03-04T09:00:00.123999999Z", "2024-03-04T09:00:00.123+00:00"),
        ("2024-03-04T09:00:00.1234567z", "2024-03-04T09:00:00.123+00:00"),
        ("2024-03-04T09:00:00.5+0000", "2024-03-04T09:00:00.500+00:00"),
    ],
)
def test_iso_times_with_any_offset_become_utc_epoch_ms(text: str, iso_utc: str) -> None:
    event = accept(segment(timestamp=text))
    assert (event.ts, event.time_flag) == (ms(iso_utc), None)
    assert accept(posthog(timestamp=text)).ts == ms(iso_utc)


def test_epoch_ms_is_exact_not_float_rounded() -> None:
    assert accept(segment(timestamp="2024-03-04T09:00:00.001Z")).ts == 1_709_542_800_001


def test_segment_time_falls_back_in_order() -> None:
    times = {"originalTimestamp": "2024-03-04T01:00:00Z", "receivedAt": "2024-03-04T02:00:00Z",
             "sentAt": "2024-03-04T03:00:00Z"}  # fmt: skip
    assert accept(segment(timestamp=..., **times)).ts == ms("2024-03-04T01:00:00+00:00")
    assert accept(segment(timestamp=..., **{**times, "originalTimestamp": ...})).ts == ms("2024-03-04T02:00:00+00:00")
    assert accept(segment(timestamp="soon", sentAt=times["sentAt"])).ts == ms("2024-03-04T03:00:00+00:00")


def test_posthog_time_falls_back_in_order() -> None:
    props = {"$time": 1_709_542_800.25}
    assert accept(posthog(timestamp=..., properties=props)).ts == 1_709_542_800_250
    later = {"sent_at": "2024-03-04T10:00:00Z", "created_at": "2024-03-04T11:00:00Z"}
    assert accept(posthog(timestamp=..., **later)).ts == ms("2024-03-04T10:00:00+00:00")
    assert accept(posthog(timestamp=None, created_at=later["created_at"])).ts == ms("2024-03-04T11:00:00+00:00")
    assert accept(posthog(timestamp=..., properties={"$time": "yesterday"}, **later)).ts == ms("2024-03-04T10:00:00+00:00")


@pytest.mark.parametrize("bad", [..., None, "", "not a date", "2024-13-45T99:00:00Z", 1_709_542_800_000, True, {}])
def test_no_parseable_time_is_accepted_at_received_time(bad: Any) -> None:
    event = accept(segment(timestamp=bad))
    assert (event.ts, event.time_flag) == (RECEIVED, TIME_UNPARSEABLE)
    assert accept(posthog(timestamp=bad)).time_flag == TIME_UNPARSEABLE


def iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc).isoformat()


def test_more_than_a_day_ahead_is_future_and_stamped_at_received_time() -> None:
    event = accept(segment(timestamp=iso(RECEIVED + 24 * HOUR + 1000)))
    assert (event.ts, event.time_flag) == (RECEIVED, TIME_FUTURE)
    assert accept(posthog(timestamp=iso(RECEIVED + 48 * HOUR))).time_flag == TIME_FUTURE


def test_up_to_a_day_ahead_and_any_past_is_trusted() -> None:
    ahead = accept(segment(timestamp=iso(RECEIVED + 24 * HOUR)))
    assert (ahead.ts, ahead.time_flag) == (RECEIVED + 24 * HOUR, None)
    past = accept(segment(timestamp="2001-01-01T00:00:00Z"))
    assert (past.ts, past.time_flag, past.received_at) == (ms("2001-01-01T00:00:00+00:00"), None, RECEIVED)


# --- Segment mapping --------------------------------------------------------------


def test_track() -> None:
    event = accept(segment(event="Order Completed", properties={"total": 45.5}, anonymousId="a1"))
    assert (event.type, event.name, event.user_id, event.anonymous_id) == (TRACK, "Order Completed", "u1", "a1")
    assert event.properties == {"total": 45.5}
    assert (event.link, event.traits_set, event.group_id) == (None, None, None)


def test_properties_that_are_not_an_object_become_empty() -> None:
    assert accept(segment(properties=[1, 2])).properties == {}
    assert accept(segment(properties=None)).properties == {}


def test_page_reads_path_url_title_from_properties_then_context() -> None:
    event = accept(segment(type="page", name="Pricing", event=...,
                           properties={"path": "/pricing", "url": "https://x.io/pricing", "title": "Pricing"}))  # fmt: skip
    assert (event.type, event.name, event.path, event.url, event.title) == (
        PAGE, "Pricing", "/pricing", "https://x.io/pricing", "Pricing")  # fmt: skip
    from_context = accept(segment(type="page", properties={},
                                  context={"page": {"path": "/a", "url": "https://x.io/a", "title": "A"}}))  # fmt: skip
    assert (from_context.name, from_context.path, from_context.url, from_context.title) == (None, "/a", "https://x.io/a", "A")


def test_screen_has_a_name_and_no_path() -> None:
    event = accept(segment(type="screen", name="Cart", properties={"path": "/cart"}, context={"page": {"path": "/p"}}))
    assert (event.type, event.name, event.path) == (SCREEN, "Cart", None)


def test_identify_sets_its_own_traits_only_and_links_both_ids() -> None:
    traits = {"email": "a@x.io", "plan": "pro"}
    event = accept(segment(type="identify", anonymousId="a1", traits=traits, context={"traits": {"stale": 1}}))
    assert (event.type, event.name, event.traits_set, event.properties) == (IDENTIFY, None, traits, traits)
    assert event.link == ("a1", "u1")


def test_identify_without_both_ids_links_nothing() -> None:
    assert accept(segment(type="identify", traits={"a": 1})).link is None
    anonymous = accept(segment(type="identify", userId=..., anonymousId="a1", traits={"email": "x@y.z"}))
    assert (anonymous.link, anonymous.user_id, anonymous.traits_set) == (None, None, {"email": "x@y.z"})
    assert accept(segment(type="identify", anonymousId="u1")).link is None
    assert accept(segment(type="identify", traits={})).traits_set is None


def test_alias_links_previous_id_to_user_id() -> None:
    event = accept(segment(type="alias", previousId="anon-1", userId="u1"))
    assert (event.type, event.link, event.user_id) == (ALIAS, ("anon-1", "u1"), "u1")
    assert event.properties == {}


def test_alias_with_junk_previous_id_links_nothing() -> None:
    assert accept(segment(type="alias", previousId="null")).link is None
    assert accept(segment(type="alias", previousId=...)).link is None


def test_group_call_and_context_group_id() -> None:
    traits = {"name": "Acme", "employees": 120}
    event = accept(segment(type="group", groupId="acme", traits=traits, context={"groupId": "other"}))
    assert (event.type, event.group_id, event.group_traits, event.properties) == (GROUP, "acme", traits, traits)
    assert accept(segment(context={"groupId": "acme"})).group_id == "acme"
    assert accept(segment(type="group", groupId=42)).group_id == "42"


def test_segment_location() -> None:
    event = accept(segment(context={"location": {"country": "Germany", "city": "Berlin", "latitude": 52.5}}))
    assert (event.country, event.city) == ("Germany", "Berlin")
    assert accept(segment(context={"location": "Berlin"})).country is None


@pytest.mark.parametrize(
    ("context", "source"),
    [
        ({"library": {"name": "analytics.js"}}, WEB),
        ({"library": {"name": "analytics-next"}}, WEB),
        ({"library": {"name": "@segment/analytics-next"}}, WEB),
        ({"library": {"name": "RudderLabs JavaScript SDK"}}, WEB),
        ({"library": {"name": "analytics-ios"}}, IOS),
        ({"library": {"name": "analytics-swift"}}, IOS),
        ({"library": {"name": "analytics-android"}}, ANDROID),
        ({"library": {"name": "analytics-kotlin"}}, ANDROID),
        ({"library": {"name": "com.rudderstack.android.sdk.core"}}, ANDROID),
        ({"library": {"name": "analytics-python"}}, SERVER),
        ({"library": {"name": "@segment/analytics-node"}}, SERVER),
        ({"library": {"name": "analytics-ruby"}}, SERVER),
        ({"library": {"name": "analytics-go"}}, SERVER),
        ({"library": {"name": "analytics-java"}}, SERVER),
        # A server forwarding a phone's or a browser's context reports that device.
        ({"library": {"name": "analytics-python"}, "os": {"name": "iOS"}}, IOS),
        ({"library": {"name": "analytics-node"}, "userAgent": "Mozilla/5.0"}, WEB),
        # Cross-platform libraries name no platform: the OS or device decides.
        ({"library": {"name": "analytics-react-native"}, "os": {"name": "iPadOS"}}, IOS),
        ({"library": {"name": "analytics-react-native"}, "os": {"name": "Android"}}, ANDROID),
        ({"library": {"name": "analytics_flutter"}, "device": {"type": "android"}}, ANDROID),
        ({"library": {"name": "analytics-react-native"}}, UNKNOWN),
        ({"os": {"name": "Mac OS X"}}, UNKNOWN),
        ({"userAgent": "Mozilla/5.0"}, WEB),
        ({}, UNKNOWN),
        ("not an object", UNKNOWN),
    ],
)
def test_segment_source(context: Any, source: str) -> None:
    assert accept(segment(context=context)).source == source


def test_rudderstack_channel_is_the_last_resort_for_source() -> None:
    assert accept(segment(channel="web")).source == WEB
    assert accept(segment(channel="server")).source == SERVER
    assert accept(segment(channel="web", context={"os": {"name": "Android"}})).source == ANDROID


def test_raw_is_the_whole_message_and_received_at_is_kept() -> None:
    message = segment(context={"ip": "203.0.113.9"}, integrations={"All": False})
    event = accept(message)
    assert (event.raw, event.received_at, event.format) == (message, RECEIVED, "segment")


# --- PostHog mapping --------------------------------------------------------------


def test_identify_links_anon_distinct_id_to_distinct_id() -> None:
    event = accept(posthog(event="$identify", distinct_id="u1",
                           properties={"$anon_distinct_id": "anon-1", "$set": {"email": "a@x.io"}}))  # fmt: skip
    assert (event.type, event.name, event.user_id, event.anonymous_id) == (IDENTIFY, "$identify", "u1", "anon-1")
    assert (event.link, event.traits_set, event.id_ambiguous) == (("anon-1", "u1"), {"email": "a@x.io"}, False)


@pytest.mark.parametrize("anon", [..., "u1", "undefined", None])
def test_identify_without_a_usable_other_id_links_nothing(anon: Any) -> None:
    props = {} if anon is ... else {"$anon_distinct_id": anon}
    event = accept(posthog(event="$identify", distinct_id="u1", properties=props))
    assert (event.user_id, event.anonymous_id, event.link) == ("u1", None, None)


def test_create_alias_links_the_older_distinct_id_to_the_alias() -> None:
    # posthog-python alias(previous_id="anon-1", distinct_id="u1") sends exactly this.
    props = {"distinct_id": "anon-1", "alias": "u1", "$lib": "posthog-python"}
    event = accept(posthog(event="$create_alias", distinct_id="anon-1", properties=props))
    assert (event.type, event.user_id, event.anonymous_id, event.link) == (ALIAS, "u1", "anon-1", ("anon-1", "u1"))


def test_create_alias_without_a_usable_alias_is_a_plain_event_for_distinct_id() -> None:
    event = accept(posthog(event="$create_alias", properties={"alias": "null", "$is_identified": True}))
    assert (event.type, event.user_id, event.link) == (ALIAS, "d1", None)


def test_groupidentify() -> None:
    props = {"$group_type": "company", "$group_key": "acme", "$group_set": {"name": "Acme"}, "$lib": "posthog-node"}
    event = accept(posthog(event="$groupidentify", properties=props))
    assert (event.type, event.group_id, event.group_traits, event.user_id) == (GROUP, "acme", {"name": "Acme"}, "d1")
    assert event.properties["$group_type"] == "company"


def test_pageview_path_from_pathname_or_url() -> None:
    props = {"$current_url": "https://x.io/a/b?q=1#h", "$pathname": "/a/b", "title": "B"}
    event = accept(posthog(event="$pageview", properties=props))
    assert (event.type, event.name, event.path, event.url, event.title) == (
        PAGE, "$pageview", "/a/b", "https://x.io/a/b?q=1#h", "B")  # fmt: skip
    assert accept(posthog(event="$pageview", properties={"$current_url": "https://x.io/c?q"})).path == "/c"
    assert accept(posthog(event="$pageview", properties={"$current_url": "http://[::1"})).path is None
    assert accept(posthog(event="$pageview")).path is None


def test_screen_is_named_by_screen_name() -> None:
    event = accept(posthog(event="$screen", properties={"$screen_name": "Settings"}))
    assert (event.type, event.name, event.path) == (SCREEN, "Settings", None)


@pytest.mark.parametrize("name", ["$autocapture", "$rageclick", "$pageleave", "signed up"])
def test_everything_else_is_track_named_by_event(name: str) -> None:
    event = accept(posthog(event=name))
    assert (event.type, event.name) == (TRACK, name)


def test_set_and_set_once_from_properties_and_top_level() -> None:
    props = {"$set": {"plan": "free", "a": 1}, "$set_once": {"first": "x"}}
    event = accept(posthog(properties=props, **{"$set": {"plan": "pro"}, "$set_once": {"src": "ad"}}))
    assert event.traits_set == {"plan": "pro", "a": 1}
    assert event.traits_set_once == {"first": "x", "src": "ad"}
    assert (accept(posthog()).traits_set, accept(posthog()).traits_set_once) == (None, None)


def test_groups_property_gives_the_group_id() -> None:
    assert accept(posthog(properties={"$groups": {"company": "acme", "team": "t1"}})).group_id == "acme"
    assert accept(posthog(properties={"$groups": {"company": 7}})).group_id == "7"
    assert accept(posthog(properties={"$groups": "acme"})).group_id is None


def test_posthog_location() -> None:
    event = accept(posthog(properties={"$geoip_country_name": "France", "$geoip_country_code": "FR",
                                       "$geoip_city_name": "Lyon"}))  # fmt: skip
    assert (event.country, event.city) == ("France", "Lyon")
    assert accept(posthog(properties={"$geoip_country_code": "FR"})).country == "FR"


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"$is_identified": True}, ("d1", None, False)),
        ({"$is_identified": False, "$lib": "posthog-python"}, (None, "d1", False)),
        ({"$process_person_profile": False, "$lib": "posthog-python"}, (None, "d1", False)),
        # A server library's id is a user id by guess (id_ambiguous): a link naming it anonymous wins.
        ({"$lib": "posthog-python"}, ("d1", None, True)),
        ({"$lib": "posthog-go"}, ("d1", None, True)),
        ({"$lib": "some-fork", "$is_server": True}, ("d1", None, True)),
        ({"$lib": "web"}, (None, "d1", True)),
        ({"$lib": "posthog-ios"}, (None, "d1", True)),
        ({}, (None, "d1", True)),
    ],
)
def test_posthog_identity_kind(props: dict[str, Any], expected: tuple[Any, ...]) -> None:
    event = accept(posthog(properties=props))
    assert (event.user_id, event.anonymous_id, event.id_ambiguous) == expected


@pytest.mark.parametrize(
    ("props", "source"),
    [
        ({"$lib": "web"}, WEB),
        ({"$lib": "posthog-js"}, WEB),
        ({"$lib": "posthog-ios", "$os": "Android"}, IOS),
        ({"$lib": "posthog-android"}, ANDROID),
        ({"$lib": "posthog-react-native", "$os": "iOS"}, IOS),
        ({"$lib": "posthog-react-native", "$os": "Android"}, ANDROID),
        ({"$lib": "posthog-flutter", "$os": "Android"}, ANDROID),
        ({"$lib": "posthog-flutter", "$os": "Mac OS X"}, UNKNOWN),
        # Server libraries overwrite $os with the sending machine's: the library decides.
        ({"$lib": "posthog-python", "$os": "iOS"}, SERVER),
        ({"$lib": "posthog-node"}, SERVER),
        ({"$lib": "posthog-ruby"}, SERVER),
        ({"$lib": "posthog-php"}, SERVER),
        ({"$lib": "posthog-java"}, SERVER),
        ({"$lib": "posthog-dotnet"}, SERVER),
        ({"$lib": "posthog-rs"}, SERVER),
        ({"$lib": "posthog-elixir"}, SERVER),
        ({"$browser": "Chrome"}, WEB),
        ({"$os": "Android"}, ANDROID),
        ({}, UNKNOWN),
    ],
)
def test_posthog_source(props: dict[str, Any], source: str) -> None:
    assert accept(posthog(properties=props)).source == source


def test_batch_export_fields_stay_in_raw_uninterpreted() -> None:
    message = posthog(person_id="0190-person", person_properties={"email": "p@x.io"},
                      elements_chain="button:text=\"Buy\"", created_at="2024-03-04T09:00:05Z")  # fmt: skip
    event = accept(message)
    assert event.raw == message
    assert (event.traits_set, event.ts) == (None, ms("2024-03-04T09:00:00+00:00"))


def test_posthog_properties_that_are_not_an_object_become_empty() -> None:
    assert accept(posthog(properties="oops")).properties == {}


# --- robustness ---------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
KEYS = ["type", "event", "distinct_id", "userId", "anonymousId", "previousId", "messageId", "uuid", "timestamp",
        "properties", "traits", "context", "groupId", "name", "$set", "sentAt", "created_at"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), json_values | st.sampled_from(["track", "identify", "alias", "page"])))
def test_any_object_gives_an_event_or_a_reason(obj: dict[str, Any]) -> None:
    result = parse_line(line(obj), RECEIVED)
    assert isinstance(result, (NormalizedEvent, Rejection))
    if isinstance(result, NormalizedEvent):
        assert result.user_id or result.anonymous_id
        assert isinstance(result.ts, int) and result.ts <= RECEIVED + 24 * HOUR
        assert isinstance(result.properties, dict)
    else:
        assert result.reason


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_none_an_event_or_a_reason(data: bytes) -> None:
    assert parse_line(data, RECEIVED) is None or isinstance(parse_line(data, RECEIVED), (NormalizedEvent, Rejection))


def test_formats_imports_no_ui_or_database() -> None:
    code = "import sys, tui_profiles.domain.formats; print(sorted({'textual', 'rich', 'sqlalchemy', 'sqlmodel'} & set(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
