"""An action written as the person's sender writes it: Segment, RudderStack or PostHog JSON, one line.

Shapes follow what each storage destination stores: Segment's S3 logs (the
spec message with its four timestamps), RudderStack's (`rudderId`,
`request_ip`, identify traits in `context.traits`), PostHog batch exports
(`uuid`, `distinct_id`, `$`-properties, `person_id`, `created_at`).
"""

from __future__ import annotations

import random
from datetime import datetime, timezone
from typing import Any

import orjson

from . import catalog
from .people import IOS, POSTHOG, RUDDER, WEB, Person, hashed_hex, uuid_text
from .sessions import GROUP, IDENTIFY, PAGE, RAGE_CLICK, SCREEN, TRACK, Action

# Formatting a datetime costs microseconds; events share days, so the date part is cached.
_day_prefix: dict[int, str] = {}


def _clock(ms: int) -> tuple[str, int, int, int, int]:
    day, rest = divmod(ms, 86_400_000)
    prefix = _day_prefix.get(day)
    if prefix is None:
        prefix = _day_prefix[day] = datetime.fromtimestamp(day * 86_400, tz=timezone.utc).strftime("%Y-%m-%dT")
    hour, rest = divmod(rest, 3_600_000)
    minute, rest = divmod(rest, 60_000)
    second, milli = divmod(rest, 1000)
    return prefix, hour, minute, second, milli


def iso_z(ms: int) -> str:
    """2024-03-04T09:00:05.123Z, as Segment and RudderStack write times."""
    d, h, m, s, milli = _clock(ms)
    return f"{d}{h:02d}:{m:02d}:{s:02d}.{milli:03d}Z"


def iso_posthog(ms: int) -> str:
    """2024-03-04T09:00:05.123000+00:00, as PostHog batch exports write times."""
    d, h, m, s, milli = _clock(ms)
    return f"{d}{h:02d}:{m:02d}:{s:02d}.{milli:03d}000+00:00"


def _uuid(rng: random.Random) -> str:
    return uuid_text(f"{rng.getrandbits(128):032x}")


def _uuid7(rng: random.Random, ms: int) -> str:
    bits = f"{rng.getrandbits(80):020x}"
    h = f"{ms:012x}"
    return f"{h[:8]}-{h[8:12]}-7{bits[:3]}-{'89ab'[int(bits[3], 16) & 3]}{bits[4:7]}-{bits[7:19]}"


def _traits(person: Person) -> dict[str, Any]:
    traits = dict(person.traits)
    if isinstance(traits.get("createdAt"), int):
        traits["createdAt"] = iso_z(traits["createdAt"])
    return traits


def _page_fields(action: Action) -> tuple[str, str, str, str]:
    """(path, url, title, search) of the page the person is on."""
    page = action.page or catalog.PAGES[0]
    search = ""
    if action.campaign:
        name, source, medium, _, _ = action.campaign
        search = f"?utm_source={source}&utm_medium={medium}&utm_campaign={name}"
    return page[0], catalog.HOST + page[0] + search, page[1], search


def _campaign(action: Action) -> dict[str, Any]:
    name, source, medium, term, content = action.campaign  # type: ignore[misc]
    out = {"name": name, "source": source, "medium": medium}
    if term:
        out["term"] = term
    if content:
        out["content"] = content
    return out


def render(rng: random.Random, person: Person, action: Action) -> tuple[str, int, bytes]:
    """(stream, event time ms, the JSON line without newline)."""
    if person.fmt == POSTHOG:
        return ("posthog", action.ts, orjson.dumps(posthog_event(rng, person, action)))
    message = segment_message(rng, person, action, rudder=person.fmt == RUDDER)
    return (f"{person.fmt}-{person.platform}", action.ts, orjson.dumps(message))


# --- Segment and RudderStack ----------------------------------------------------


def _spec_context(person: Person, action: Action, *, rudder: bool) -> dict[str, Any]:
    place = person.place
    libs = catalog.RUDDER_LIBS if rudder else catalog.SEGMENT_LIBS
    ctx: dict[str, Any] = {"ip": person.ip, "library": libs[person.platform], "locale": place[4], "timezone": place[3]}
    if person.platform == WEB:
        path, url, title, search = _page_fields(action)
        ctx["page"] = {"path": path, "referrer": action.referrer, "search": search, "title": title, "url": url}
        ctx["userAgent"] = person.browser[0]
        if rudder:
            ctx["app"] = {"name": "RudderLabs JavaScript SDK", "namespace": "com.rudderlabs.javascript", "version": libs[WEB]["version"]}
            ctx["os"] = {"name": "", "version": ""}
            ctx["screen"] = {"density": 2, "width": 1440, "height": 900}
            # RudderStack's geolocation enrichment writes `geo`, not Segment's `location`.
            ctx["geo"] = {"city": place[0], "country": place[2], "timezone": place[3]}
        else:
            ctx["location"] = {"city": place[0], "country": place[1]}
    else:
        manufacturer, model, os_version = person.phone
        ctx["app"] = catalog.APP
        ctx["device"] = {"id": person.anonymous_ids[0], "manufacturer": manufacturer, "model": model,
                         "type": "ios" if person.platform == IOS else "android"}  # fmt: skip
        ctx["os"] = {"name": "iOS" if person.platform == IOS else "Android", "version": os_version}
        ctx["network"] = {"wifi": person.index % 3 != 0, "cellular": person.index % 3 == 0,
                          "carrier": catalog.CARRIERS[person.index % len(catalog.CARRIERS)]}  # fmt: skip
        ctx["screen"] = {"width": 393, "height": 852, "density": 3}
        traits = {"anonymousId": action.anonymous_id}
        if action.user_id:
            traits["userId"] = action.user_id
        ctx["traits"] = traits
        if not rudder:
            ctx["location"] = {"city": place[0], "country": place[1]}
    if action.campaign:
        ctx["campaign"] = _campaign(action)
    if rudder and action.user_id and action.kind != IDENTIFY:
        # The RudderStack SDK persists identify traits and sends them with every later call.
        ctx["traits"] = {**ctx.get("traits", {}), "email": person.traits.get("email")}
    return ctx


def segment_message(rng: random.Random, person: Person, action: Action, *, rudder: bool) -> dict[str, Any]:
    t = action.ts
    mobile = person.platform != WEB
    # randint is slow; these need no exact bounds.
    delay = 500 + int(rng.random() * 29_500) if mobile else 40 + int(rng.random() * 860)
    received = t + delay + 20 + int(rng.random() * 280)
    ctx = _spec_context(person, action, rudder=rudder)
    if rudder:
        message: dict[str, Any] = {
            "anonymousId": action.anonymous_id, "channel": "mobile" if mobile else "web", "context": ctx,
            "integrations": {"All": True}, "messageId": _uuid(rng),
            "originalTimestamp": iso_z(t + person.skew_ms), "receivedAt": iso_z(received),
            "request_ip": person.ip, "rudderId": person.person_uuid, "sentAt": iso_z(t + person.skew_ms + delay),
            "timestamp": iso_z(t), "type": action.kind, "userId": action.user_id or "",
        }  # fmt: skip
    else:
        message = {
            "anonymousId": action.anonymous_id, "channel": "client", "context": ctx, "integrations": {},
            "messageId": _uuid(rng).upper() if mobile else "ajs-next-" + f"{rng.getrandbits(128):032x}",
            "originalTimestamp": iso_z(t + person.skew_ms), "receivedAt": iso_z(received),
            "sentAt": iso_z(t + person.skew_ms + delay), "timestamp": iso_z(t), "type": action.kind,
            "userId": action.user_id, "version": 2,
        }  # fmt: skip
    kind = action.kind
    if kind == PAGE:
        path, url, title, search = _page_fields(action)
        props = {"path": path, "referrer": action.referrer, "search": search, "title": title, "url": url}
        if rudder:
            props["name"] = action.name
            props["tab_url"] = url
            props["referring_domain"] = action.referrer.split("/")[2] if action.referrer else ""
        message["name"] = action.name
        if action.page and action.page[3]:
            message["category"] = action.page[3]
        message["properties"] = props
    elif kind == SCREEN:
        message["name"] = action.name
        message["properties"] = {"name": action.name}
    elif kind == TRACK:
        message["event"] = action.name
        message["properties"] = action.props
    elif kind == IDENTIFY:
        if rudder:
            ctx["traits"] = {**ctx.get("traits", {}), **_traits(person)}
        else:
            message["traits"] = _traits(person)
    elif kind == GROUP:
        message["groupId"] = action.group_id
        message["traits"] = action.props
    return message


# --- PostHog ----------------------------------------------------------------------


def posthog_event(rng: random.Random, person: Person, action: Action) -> dict[str, Any]:
    t = action.ts
    place = person.place
    distinct_id = action.user_id or action.anonymous_id
    lib, lib_version = catalog.POSTHOG_LIBS[person.platform]
    props: dict[str, Any] = {}
    if person.platform == WEB:
        ua, browser, browser_version, os_name, os_version, device_type = person.browser
        path, url, title, _ = _page_fields(action)
        props = {
            "$os": os_name, "$os_version": os_version, "$browser": browser, "$browser_version": browser_version,
            "$device_type": device_type, "$current_url": url, "$host": catalog.HOST[8:], "$pathname": path,
            "$raw_user_agent": ua, "$screen_height": 900, "$screen_width": 1440, "$viewport_height": 789,
            "$viewport_width": 1440, "$lib": lib, "$lib_version": lib_version, "$referrer": action.referrer or "$direct",
            "$referring_domain": action.referrer.split("/")[2] if action.referrer else "$direct",
        }  # fmt: skip
    else:
        manufacturer, model, os_version = person.phone
        props = {
            "$os": "iOS" if person.platform == IOS else "Android", "$os_version": os_version,
            "$device_manufacturer": manufacturer, "$device_model": model, "$device_type": "Mobile",
            "$app_name": catalog.APP["name"], "$app_version": catalog.APP["version"], "$app_build": catalog.APP["build"],
            "$app_namespace": catalog.APP["namespace"], "$lib": lib, "$lib_version": lib_version,
            "$locale": place[4], "$network_wifi": person.index % 3 != 0, "$screen_width": 393, "$screen_height": 852,
        }  # fmt: skip
    props.update({
        "$insert_id": f"{rng.getrandbits(64):016x}", "$time": t / 1000, "distinct_id": distinct_id,
        "$device_id": person.anonymous_ids[0], "$session_id": uuid_text(action.session), "$timezone": place[3],
        "$is_identified": action.user_id is not None, "$ip": person.ip, "$geoip_city_name": place[0],
        "$geoip_country_name": place[1], "$geoip_country_code": place[2], "$geoip_time_zone": place[3],
        "token": "phc_acmeCloudProjectKey0000000000000000000",
    })  # fmt: skip
    if action.user_id and person.company:
        props["$groups"] = {"company": person.company.group_id}
    elements_chain = ""
    kind, name = action.kind, action.name
    if kind == PAGE:
        event, props["title"] = "$pageview", (action.page or catalog.PAGES[0])[1]
    elif kind == SCREEN:
        event, props["$screen_name"] = "$screen", action.name
    elif kind == IDENTIFY:
        event = "$identify"
        props["$anon_distinct_id"] = action.anonymous_id
        traits = _traits(person)
        props["$set"] = {k: v for k, v in traits.items() if k != "createdAt"}
        props["$set_once"] = {"signed_up_at": traits.get("createdAt"), "$initial_referrer": "$direct"}
    elif kind == GROUP:
        event = "$groupidentify"
        props.update({"$group_type": "company", "$group_key": action.group_id, "$group_set": action.props})
    elif name == RAGE_CLICK or (name == "Button Clicked" and person.platform == WEB):
        # posthog-js autocaptures clicks; three within a second and 30 px make a rage click.
        event = RAGE_CLICK if name == RAGE_CLICK else "$autocapture"
        label = action.props.get("$el_text") or action.props.get("label") or "Save"
        props.update({"$event_type": "click", "$el_text": label})
        elements_chain = f'button.btn.btn-primary:attr__class="btn btn-primary"nth-child="2"nth-of-type="1"tag_name="button"text="{label}"'
    else:
        event = name
        props.update(action.props)
    received = t + 200 + int(rng.random() * 3800)
    return {
        "uuid": _uuid7(rng, t), "event": event, "distinct_id": distinct_id, "timestamp": iso_posthog(t),
        "properties": props, "elements_chain": elements_chain, "created_at": iso_posthog(received),
        "person_id": person.person_uuid,
    }  # fmt: skip


STREAM_SOURCES = {
    "segment-web": "wk4Jq2ErTpLm", "segment-ios": "iO5aPp9XyzQw", "segment-android": "aNd8Rr2KmvBc",
    "rudder-web": "2Xk9rudderWebSrc01", "rudder-ios": "2Xk9rudderIosSrc02", "rudder-android": "2Xk9rudderAndSrc03",
}  # fmt: skip


def file_name(stream: str, bucket_ms: int, span_ms: int, namespace: str) -> str:
    """Where a storage destination would put the batch of `stream` received from `bucket_ms`."""
    day = bucket_ms - bucket_ms % 86_400_000
    token = hashed_hex(namespace, stream, bucket_ms)
    if stream == "posthog":
        start = datetime.fromtimestamp(bucket_ms / 1000, tz=timezone.utc)
        end = datetime.fromtimestamp((bucket_ms + span_ms) / 1000, tz=timezone.utc)
        return f"posthog-exports/{start:%Y-%m-%d}/{start.isoformat()}-{end.isoformat()}.jsonl"
    source = STREAM_SOURCES[stream]
    if stream.startswith("rudder"):
        date = datetime.fromtimestamp(day / 1000, tz=timezone.utc).strftime("%Y-%m-%d")
        return f"rudder-logs/{source}/{date}/{bucket_ms // 1000}.{source}.{uuid_text(token)}.json.gz"
    return f"segment-logs/{source}/{day}/{bucket_ms}.{token[:12]}.json.gz"

