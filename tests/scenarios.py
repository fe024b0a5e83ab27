"""Named user journeys, sent through the real Segment and PostHog client libraries into capture files.

Each scenario drives a real client (segment-analytics-python or posthog) at
the capture stub, with explicit timestamps and message ids, and states what
every message it sends is meant to be: `Expected`, in send order, one per line.

    path = write_scenario("anonymous_then_signup", tmp_path)           # .jsonl
    path, expected = run_scenario("posthog_identify", tmp_path, gz=True)  # .json.gz
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import posthog
from segment.analytics import Client as SegmentClient

from tests.capture import CaptureServer
from tui_profiles.domain.formats import ALIAS, ANDROID, GROUP, IDENTIFY, IOS, PAGE, SCREEN, SERVER, TRACK, WEB

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=timezone.utc)
BERLIN = timezone(timedelta(hours=1))
NEW_YORK = timezone(timedelta(hours=-5))

_USER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"
)
# What a Segment message's context says about the device, per source.
_CONTEXTS: dict[str, dict[str, Any]] = {
    WEB: {"userAgent": _USER_AGENT, "locale": "en-US", "ip": "203.0.113.7"},
    IOS: {
        "os": {"name": "iOS", "version": "17.4"},
        "device": {"type": "ios", "model": "iPhone15,2", "manufacturer": "Apple"},
        "app": {"name": "Shop", "version": "3.2.0", "build": "412"},
    },
    ANDROID: {
        "os": {"name": "Android", "version": "14"},
        "device": {"type": "android", "model": "Pixel 8", "manufacturer": "Google"},
        "app": {"name": "Shop", "version": "3.2.0", "build": "412"},
    },
    SERVER: {},
}


def at(minutes: float, tz: timezone = timezone.utc) -> datetime:
    """A moment `minutes` after T0, written in the time zone `tz`."""
    return (T0 + timedelta(minutes=minutes)).astimezone(tz)


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@dataclass(frozen=True)
class Expected:
    """What one message should parse to (the NormalizedEvent fields a scenario cares about)."""

    message_id: str
    type: str
    name: str | None
    user_id: str | None
    anonymous_id: str | None
    ts: int
    source: str
    link: tuple[str, str] | None = None
    path: str | None = None
    country: str | None = None
    city: str | None = None
    group_id: str | None = None
    traits_set: dict[str, Any] | None = None
    traits_set_once: dict[str, Any] | None = None
    group_traits: dict[str, Any] | None = None


class _Run:
    def __init__(self, scenario: str) -> None:
        self.scenario = scenario
        self.expected: list[Expected] = []

    def next_id(self) -> str:
        return str(uuid5(NAMESPACE_URL, f"tui-profiles/{self.scenario}/{len(self.expected)}"))


class SegmentRun(_Run):
    """Calls segment-analytics-python; `device` picks the context a real SDK on it would send."""

    def __init__(self, scenario: str, server: CaptureServer) -> None:
        super().__init__(scenario)
        self.client = SegmentClient("test-write-key", host=server.url, sync_mode=True, gzip=True)

    def _send(self, method: str, when: datetime, *, device: str, location: tuple[str, str] | None = None,
              group: str | None = None, expect: dict[str, Any], **call: Any) -> None:  # fmt: skip
        context = {key: dict(value) if isinstance(value, dict) else value for key, value in _CONTEXTS[device].items()}
        if location:
            context["location"] = {"country": location[0], "city": location[1]}
        if group:
            context["groupId"] = group
        message_id = self.next_id()
        getattr(self.client, method)(timestamp=when, message_id=message_id, context=context, **call)
        expect.setdefault("user_id", call.get("user_id"))
        expect.setdefault("anonymous_id", call.get("anonymous_id"))
        expect.setdefault("group_id", group)
        country, city = location or (None, None)
        self.expected.append(Expected(message_id=message_id, ts=epoch_ms(when), source=device,
                                      country=country, city=city, **expect))  # fmt: skip

    def page(self, when: datetime, name: str, path: str, *, device: str = WEB, **ids: Any) -> None:
        properties = {"path": path, "url": f"https://shop.example{path}", "title": f"{name} | Shop"}
        self._send("page", when, device=device, name=name, properties=properties,
                   expect={"type": PAGE, "name": name, "path": path}, **ids)  # fmt: skip

    def screen(self, when: datetime, name: str, *, device: str, **ids: Any) -> None:
        self._send("screen", when, device=device, name=name, expect={"type": SCREEN, "name": name}, **ids)

    def track(self, when: datetime, event: str, properties: dict[str, Any] | None = None, *,
              device: str = WEB, **more: Any) -> None:  # fmt: skip
        self._send("track", when, device=device, event=event, properties=properties or {},
                   expect={"type": TRACK, "name": event}, **more)  # fmt: skip

    def identify(self, when: datetime, traits: dict[str, Any] | None = None, *, device: str = WEB, **ids: Any) -> None:
        user_id, anonymous_id = ids.get("user_id"), ids.get("anonymous_id")
        link = (anonymous_id, user_id) if user_id and anonymous_id else None
        self._send("identify", when, device=device, traits=traits or {},
                   expect={"type": IDENTIFY, "name": None, "link": link, "traits_set": traits or None}, **ids)  # fmt: skip

    def group(self, when: datetime, group_id: str, traits: dict[str, Any], *, device: str = WEB, **ids: Any) -> None:
        self._send("group", when, device=device, group_id=group_id, traits=traits,
                   expect={"type": GROUP, "name": None, "group_id": group_id, "group_traits": traits}, **ids)  # fmt: skip

    def alias(self, when: datetime, previous_id: str, user_id: str, *, device: str = SERVER) -> None:
        self._send("alias", when, device=device, previous_id=previous_id, user_id=user_id,
                   expect={"type": ALIAS, "name": None, "link": (previous_id, user_id)})  # fmt: skip


class PostHogRun(_Run):
    """Calls the posthog library. It is a server library: `$lib` is posthog-python, so source is server.

    `identified` is what posthog-js would put in `$is_identified` (None: leave it out).
    """

    def __init__(self, scenario: str, server: CaptureServer) -> None:
        super().__init__(scenario)
        # No personal key and no local evaluation: the client never asks for flags.
        self.client = posthog.Posthog("phc_test_project_key", host=server.url, sync_mode=True, gzip=True,
                                      capture_mode="v0", enable_local_evaluation=False)  # fmt: skip

    def _expect(self, message_id: str, when: datetime, **fields: Any) -> None:
        self.expected.append(Expected(message_id=message_id, ts=epoch_ms(when), source=SERVER, **fields))

    def capture(self, when: datetime, event: str, distinct_id: str, *, identified: bool | None,
                properties: dict[str, Any] | None = None, groups: dict[str, str] | None = None) -> None:  # fmt: skip
        properties = dict(properties or {})
        if identified is not None:
            properties["$is_identified"] = identified
        message_id = self.next_id()
        self.client.capture(event, distinct_id=distinct_id, properties=properties, groups=groups,
                            timestamp=when, uuid=message_id)  # fmt: skip
        is_user = identified is not False  # None: a server library captures for known users
        kind, name, path = {"$pageview": (PAGE, event, properties.get("$pathname")),
                            "$screen": (SCREEN, properties.get("$screen_name"), None)}.get(event, (TRACK, event, None))  # fmt: skip
        self._expect(message_id, when, type=kind, name=name, path=path,
                     user_id=distinct_id if is_user else None, anonymous_id=None if is_user else distinct_id,
                     group_id=next(iter(groups.values())) if groups else None,
                     traits_set=properties.get("$set"), traits_set_once=properties.get("$set_once"),
                     country=properties.get("$geoip_country_name"), city=properties.get("$geoip_city_name"))  # fmt: skip

    def identify(self, when: datetime, user_id: str, anonymous_id: str, set: dict[str, Any] | None = None,
                 set_once: dict[str, Any] | None = None) -> None:  # fmt: skip
        """What posthog-js's identify() sends, through the Python transport."""
        properties: dict[str, Any] = {"$anon_distinct_id": anonymous_id}
        if set:
            properties["$set"] = set
        if set_once:
            properties["$set_once"] = set_once
        message_id = self.next_id()
        self.client.capture("$identify", distinct_id=user_id, properties=properties, timestamp=when, uuid=message_id)
        self._expect(message_id, when, type=IDENTIFY, name="$identify", user_id=user_id, anonymous_id=anonymous_id,
                     link=(anonymous_id, user_id), traits_set=set, traits_set_once=set_once)  # fmt: skip

    def set(self, when: datetime, distinct_id: str, traits: dict[str, Any], *, once: bool = False) -> None:
        message_id = self.next_id()
        send = self.client.set_once if once else self.client.set
        send(distinct_id=distinct_id, properties=traits, timestamp=when, uuid=message_id)
        self._expect(message_id, when, type=TRACK, name="$set_once" if once else "$set", user_id=distinct_id,
                     anonymous_id=None, traits_set=None if once else traits,
                     traits_set_once=traits if once else None)  # fmt: skip

    def alias(self, when: datetime, previous_id: str, user_id: str) -> None:
        message_id = self.next_id()
        self.client.alias(previous_id=previous_id, distinct_id=user_id, timestamp=when, uuid=message_id)
        self._expect(message_id, when, type=ALIAS, name="$create_alias", user_id=user_id, anonymous_id=previous_id,
                     link=(previous_id, user_id))  # fmt: skip

    def group_identify(self, when: datetime, group_type: str, key: str, traits: dict[str, Any], distinct_id: str) -> None:
        message_id = self.next_id()
        self.client.group_identify(group_type, key, traits, timestamp=when, uuid=message_id, distinct_id=distinct_id)
        self._expect(message_id, when, type=GROUP, name="$groupidentify", user_id=distinct_id, anonymous_id=None,
                     group_id=key, group_traits=traits)  # fmt: skip


# --- Segment journeys ------------------------------------------------------


def anonymous_then_signup(s: SegmentRun) -> None:
    anon, user = "anon-5b1f0c2e", "user-alice"
    s.page(at(0), "Home", "/", anonymous_id=anon)
    s.page(at(2), "Pricing", "/pricing", anonymous_id=anon)
    s.track(at(3), "Signup Started", {"plan": "pro"}, anonymous_id=anon)
    s.identify(at(5), {"email": "alice@example.com", "name": "Alice Liddell", "plan": "pro"},
               user_id=user, anonymous_id=anon)  # fmt: skip
    s.track(at(5.02), "Signup Completed", {"plan": "pro"}, user_id=user, anonymous_id=anon)
    s.page(at(6), "Dashboard", "/app", user_id=user, anonymous_id=anon)


def shared_browser(s: SegmentRun) -> None:
    """One browser, one anonymousId, two people: the merge must not glue alice and bob together."""
    browser = "anon-shared-9d2e"
    s.identify(at(0), {"email": "alice@example.com"}, user_id="user-alice", anonymous_id=browser)
    s.track(at(1), "Logged In", user_id="user-alice", anonymous_id=browser)
    s.track(at(20), "Logged Out", user_id="user-alice", anonymous_id=browser)
    s.page(at(25), "Home", "/", anonymous_id=browser)
    s.identify(at(40), {"email": "bob@example.com"}, user_id="user-bob", anonymous_id=browser)
    s.track(at(41), "Logged In", user_id="user-bob", anonymous_id=browser)


def multi_device(s: SegmentRun) -> None:
    """carol on the web, then her iPhone (Berlin time), then an Android tablet, then the server bills her."""
    user = "user-carol"
    s.page(at(0), "Home", "/", anonymous_id="anon-web-c41d")
    s.identify(at(1), {"email": "carol@example.com"}, user_id=user, anonymous_id="anon-web-c41d")
    s.screen(at(60, BERLIN), "Home", device=IOS, anonymous_id="anon-ios-77e0")
    s.identify(at(61, BERLIN), device=IOS, user_id=user, anonymous_id="anon-ios-77e0")
    s.screen(at(62, BERLIN), "Cart", device=IOS, user_id=user, anonymous_id="anon-ios-77e0")
    s.screen(at(120), "Home", device=ANDROID, user_id=user, anonymous_id="anon-and-03b9")
    s.track(at(180, NEW_YORK), "Invoice Paid", {"amount": 49.0}, device=SERVER, user_id=user)


def logout_stays_anonymous(s: SegmentRun) -> None:
    """dave logs out; analytics.reset() gives the browser a new anonymousId that is never identified."""
    s.page(at(0), "Home", "/", anonymous_id="anon-d-first")
    s.identify(at(1), {"email": "dave@example.com"}, user_id="user-dave", anonymous_id="anon-d-first")
    s.track(at(2), "Logged Out", user_id="user-dave", anonymous_id="anon-d-first")
    s.page(at(3), "Home", "/", anonymous_id="anon-d-after-reset")
    s.page(at(4), "Blog", "/blog", anonymous_id="anon-d-after-reset")


def traits_before_identify(s: SegmentRun) -> None:
    """A newsletter form sets an email on the anonymous visitor before any login."""
    anon = "anon-e-4410"
    s.page(at(0), "Newsletter", "/newsletter", anonymous_id=anon)
    s.identify(at(1), {"email": "erin@example.com", "newsletter": True}, anonymous_id=anon)
    s.identify(at(30), {"name": "Erin", "plan": "free"}, user_id="user-erin", anonymous_id=anon)


def order_completed(s: SegmentRun) -> None:
    user, where = "user-frank", ("Germany", "Berlin")
    product = {"product_id": "sku-1", "sku": "TSHIRT-M", "name": "T-Shirt", "price": 19.99, "quantity": 2}
    s.track(at(0), "Product Added", product, user_id=user, location=where)
    s.track(at(2), "Checkout Started", {"value": 39.98, "currency": "EUR"}, user_id=user, location=where)
    s.track(at(4), "Order Completed",
            {"order_id": "ord-1001", "total": 45.97, "revenue": 39.98, "shipping": 5.99, "tax": 0,
             "currency": "EUR", "coupon": None, "products": [product]},
            user_id=user, location=where)  # fmt: skip


def groups(s: SegmentRun) -> None:
    user = "user-grace"
    s.identify(at(0), {"email": "grace@acme.example"}, user_id=user)
    s.group(at(1), "acme-inc", {"name": "Acme Inc", "industry": "Anvils", "employees": 120, "plan": "enterprise"},
            user_id=user)  # fmt: skip
    s.track(at(2), "Report Exported", {"format": "csv"}, user_id=user, group="acme-inc")


def segment_alias(s: SegmentRun) -> None:
    """Old-style alias: the server links the pre-signup anonymous id to the new user id."""
    s.page(at(0), "Home", "/", anonymous_id="anon-h-0a0a")
    s.alias(at(1), "anon-h-0a0a", "user-heidi")
    s.track(at(2), "Trial Started", user_id="user-heidi", device=SERVER)


def alice_web_and_phone(s: SegmentRun) -> None:
    """alice browses anonymously on the web and on her phone and signs in on both: three users.
    The phone is used once before login, so every anonymous event of it is merged; the web
    browser also goes on anonymously after she logs out."""
    web, phone, user = "anon-web-a11ce", "anon-phone-a11ce", "alice-42"
    s.page(at(0), "Home", "/", anonymous_id=web)
    s.page(at(2), "Pricing", "/pricing", anonymous_id=web)
    s.identify(at(4), {"email": "alice@example.com", "name": "Alice"}, user_id=user, anonymous_id=web)
    s.page(at(5), "Dashboard", "/app", user_id=user, anonymous_id=web)
    s.track(at(6), "Logged Out", user_id=user, anonymous_id=web)
    s.page(at(8), "Blog", "/blog", anonymous_id=web)
    s.screen(at(60), "Welcome", device=IOS, anonymous_id=phone)
    s.identify(at(61), device=IOS, user_id=user, anonymous_id=phone)
    s.screen(at(62), "Orders", device=IOS, user_id=user, anonymous_id=phone)


# --- PostHog journeys ------------------------------------------------------


def _page(path: str, title: str) -> dict[str, Any]:
    return {"$current_url": f"https://shop.example{path}", "$pathname": path, "title": title,
            "$session_id": "018e0c1a-0000-7000-8000-000000000001", "$browser": "Chrome"}  # fmt: skip


def posthog_identify(p: PostHogRun) -> None:
    anon, user = "018e0c1a-5a5a-7000-8000-00000000a11c", "user-ivan"
    p.capture(at(0), "$pageview", anon, identified=False, properties=_page("/", "Home"))
    p.capture(at(1), "$pageview", anon, identified=False,
              properties={**_page("/pricing", "Pricing"), "$geoip_country_name": "France", "$geoip_city_name": "Lyon"})  # fmt: skip
    p.identify(at(3), user, anon, set={"email": "ivan@example.com"}, set_once={"first_seen_plan": "free"})
    p.capture(at(4), "$pageview", user, identified=True, properties=_page("/app", "Dashboard"))
    p.capture(at(5), "project created", user, identified=True, properties={"template": "blank"})


def posthog_set_once(p: PostHogRun) -> None:
    user = "user-judy"
    p.set(at(0), user, {"plan": "free", "email": "judy@example.com"})
    p.set(at(1), user, {"signup_source": "ad", "plan": "ignored-if-set"}, once=True)
    p.capture(at(2), "plan upgraded", user, identified=None,
              properties={"$set": {"plan": "pro"}, "$set_once": {"first_upgrade_at": at(2).isoformat()}})  # fmt: skip


def posthog_alias(p: PostHogRun) -> None:
    anon, user = "anon-k-3c3c", "user-ken"
    p.capture(at(0), "$pageview", anon, identified=False, properties=_page("/", "Home"))
    p.alias(at(1), anon, user)
    p.capture(at(2), "subscription started", user, identified=None, properties={"plan": "team"})


def posthog_server_anonymous(p: PostHogRun) -> None:
    """A backend renders pages and tracks the visitor by the cookie's anonymous distinct_id with
    posthog-python ($lib posthog-python, $is_server): the later $identify names that id as anonymous."""
    cookie, user = "018f2b1e-0c0c-7000-8000-00000000c00c", "user-mia"
    p.capture(at(0), "$pageview", cookie, identified=None, properties=_page("/", "Home"))
    p.capture(at(2), "$pageview", cookie, identified=None, properties=_page("/pricing", "Pricing"))
    p.identify(at(4), user, cookie, set={"email": "mia@example.com"})
    p.capture(at(5), "$pageview", user, identified=None, properties=_page("/app", "Dashboard"))


def posthog_groups(p: PostHogRun) -> None:
    user = "user-lena"
    p.group_identify(at(0), "company", "globex", {"name": "Globex", "employees": 40}, user)
    p.capture(at(1), "dashboard viewed", user, identified=None, groups={"company": "globex"})
    p.capture(at(2, BERLIN), "$screen", user, identified=True, properties={"$screen_name": "Settings"})


SEGMENT_SCENARIOS: dict[str, Callable[[SegmentRun], None]] = {
    f.__name__: f
    for f in (anonymous_then_signup, shared_browser, multi_device, logout_stays_anonymous,
              traits_before_identify, order_completed, groups, segment_alias, alice_web_and_phone)  # fmt: skip
}
POSTHOG_SCENARIOS: dict[str, Callable[[PostHogRun], None]] = {
    f.__name__: f for f in (posthog_identify, posthog_set_once, posthog_alias, posthog_groups, posthog_server_anonymous)
}
SCENARIOS: tuple[str, ...] = (*SEGMENT_SCENARIOS, *POSTHOG_SCENARIOS)


def run_scenario(name: str, folder: Path, gz: bool = False) -> tuple[Path, list[Expected]]:
    """Send scenario `name` through its real client; return the file written and what each line means."""
    journey = SEGMENT_SCENARIOS.get(name) or POSTHOG_SCENARIOS.get(name)
    if journey is None:
        raise KeyError(f"no scenario {name!r}; known: {', '.join(SCENARIOS)}")
    return run_journey(name, journey, folder, gz=gz, client="posthog" if name in POSTHOG_SCENARIOS else "segment")


def run_journey(name: str, journey: Callable[[Any], None], folder: Path, *, client: str,
                gz: bool = False) -> tuple[Path, list[Expected]]:  # fmt: skip
    """Send a journey (a function of a SegmentRun or a PostHogRun, `client` "segment" or "posthog") through
    the real client into `folder/name.jsonl` (`.json.gz` with gz=True): for tests with journeys of their own."""
    path = Path(folder) / (f"{name}.json.gz" if gz else f"{name}.jsonl")
    with CaptureServer(path) as server:
        if client == "segment":
            run: _Run = SegmentRun(name, server)
            journey(run)
        else:
            run = PostHogRun(name, server)
            journey(run)
            run.client.shutdown()  # type: ignore[attr-defined]
    if len(server.messages) != len(run.expected):
        raise RuntimeError(f"{name}: sent {len(run.expected)} messages, the stub captured {len(server.messages)}")
    return path, run.expected


def write_scenario(name: str, folder: Path, gz: bool = False) -> Path:
    """Write scenario `name` to `folder/name.jsonl` (`.json.gz` with gz=True)."""
    return run_scenario(name, folder, gz)[0]
