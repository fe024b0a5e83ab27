"""What a person does in one session: a script of actions (pages, tracks, identify, group, orders).

An action says what happened and who was known at that moment; `messages.py`
writes it the way the person's sender (Segment, RudderStack, PostHog) would.
"""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate
from typing import Any

from . import catalog
from .people import IOS, POSTHOG, WEB, Person, hashed_hex

PAGE, SCREEN, TRACK, IDENTIFY, GROUP = "page", "screen", "track", "identify", "group"
RAGE_CLICK = "$rageclick"
ORDER_COMPLETED = "Order Completed"



class _Weighted:
    """A weighted choice with the cumulative weights computed once (random.choices redoes them per call)."""

    __slots__ = ("items", "cumulative", "total")

    def __init__(self, items: list[Any], weights: list[int]) -> None:
        self.items = items
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


_VISITOR_PAGES = _Weighted([p for p in catalog.PAGES if p[4]], [p[4] for p in catalog.PAGES if p[4]])
_MEMBER_PAGES = _Weighted([p for p in catalog.PAGES if p[5]], [p[5] for p in catalog.PAGES if p[5]])
_VISITOR_TRACKS = _Weighted([t[0] for t in catalog.TRACKS if t[1]], [t[1] for t in catalog.TRACKS if t[1]])
_MEMBER_TRACKS = _Weighted([t[0] for t in catalog.TRACKS if t[2]], [t[2] for t in catalog.TRACKS if t[2]])
_SCREENS = _Weighted([s[0] for s in catalog.SCREENS], [s[1] for s in catalog.SCREENS])
_CHECKOUT = ("/shop/checkout", "Checkout – Acme Shop", "Checkout", "Shop", 0, 0)
_SIGNUP_PAGE = next(p for p in catalog.PAGES if p[0] == "/signup")
_LOGIN_PAGE = next(p for p in catalog.PAGES if p[0] == "/login")
_PAGE_SHARE = 0.66  # of the ordinary events after a session's first


class Action:
    """One thing a person did, with who they were known as at that moment."""

    __slots__ = ("ts", "kind", "name", "props", "user_id", "anonymous_id", "page", "session", "campaign", "referrer", "group_id")

    def __init__(self, ts: int, kind: str, name: str | None, props: dict[str, Any], person: Person, session: str) -> None:
        self.ts = ts
        self.kind = kind
        self.name = name
        self.props = props
        self.user_id = person.current_user_id
        self.anonymous_id = person.anonymous_id
        self.page = person.page
        self.session = session
        self.campaign: tuple[str, str, str, str | None, str | None] | None = None
        self.referrer = ""
        self.group_id: str | None = None


def session_script(
    rng: random.Random, person: Person, number: int, start: int, duration: int, size: int,
    *, force_order: bool = False, force_rage: bool = False,
) -> list[Action]:  # fmt: skip
    """Exactly `size` actions of session `number`, spread over about `duration` ms from `start`.

    `force_order` / `force_rage`: the session surely has an order / a rage click (when there is room).
    """
    times = _times(rng, start, duration, size)
    session = hashed_hex(str(person.index), "session", number, start)
    out: list[Action] = []
    left = size

    def emit(kind: str, name: str | None, props: dict[str, Any]) -> Action:
        nonlocal left
        action = Action(times[size - left], kind, name, props, person, session)
        out.append(action)
        left -= 1
        return action

    # A logout (planned after the sign-up) ends this session: keep the last action for it.
    logout = number == person.logout_session and person.identified
    reserve = 1 if logout else 0
    landing = _visit(rng, person, emit)
    if rng.random() < 0.2:
        landing.campaign = rng.choice(catalog.CAMPAIGNS)
    landing.referrer = rng.choice(catalog.REFERRERS)

    identify_here = number == person.signup_session and not person.identified
    relogin = person.identified and person.platform == WEB and rng.random() < 0.15
    if identify_here:
        # Anonymous browsing first, then the sign-up (or log-in) and what follows signed in.
        browse = max(0, min(left - 2, (left - 2) // 2)) if person.mode != "known" else 0
        for _ in range(browse):
            _ordinary(rng, person, emit)
        if left >= 2 and person.platform == WEB:
            person.page = _SIGNUP_PAGE if person.mode == "signup" else _LOGIN_PAGE
            emit(PAGE, person.page[2], {})
        _identify(person, emit, times[size - left])
        if left and person.mode == "signup":
            emit(TRACK, "Signed Up", {"method": rng.choice(("email", "google", "github")), "plan": person.traits.get("plan")})
    elif relogin and left > reserve:
        _identify(person, emit, times[size - left])
    if person.identified and person.company and left > reserve and (not person.group_sent or rng.random() < 0.05):
        action = emit(GROUP, None, person.company.traits)
        action.group_id = person.company.group_id
        person.group_sent = True

    if force_rage and left - reserve >= 1:
        emit(TRACK, RAGE_CLICK, {"$el_text": rng.choice(catalog.BUTTONS)})
    order_chance = 1.0 if force_order else 0.03 if person.heavy else 0.12
    if person.identified and left - reserve >= 6 and rng.random() < order_chance:
        while left - reserve > 6 and rng.random() < 0.5:
            _ordinary(rng, person, emit)
        _order(rng, person, emit)
    while left > reserve:
        _ordinary(rng, person, emit)
    if logout and left:
        emit(TRACK, "Logged Out", {})
        person.identified = False  # analytics.reset(): a new anonymous id from now on
        person.anon_phase = 1
    return out


def _times(rng: random.Random, start: int, duration: int, size: int) -> list[int]:
    if size == 1:
        return [start]
    weights = [rng.expovariate(1.0) + 0.05 for _ in range(size - 1)]
    scale = duration / sum(weights)
    times, clock = [start], float(start)
    for w in weights:
        clock += 250 + w * scale  # never two actions in the same instant
        times.append(int(clock))
    return times


def _visit(rng: random.Random, person: Person, emit: Any) -> Action:
    if person.platform == WEB:
        if person.identified:
            person.page = _MEMBER_PAGES.pick(rng)
        else:
            person.page = _VISITOR_PAGES.pick(rng)
        return emit(PAGE, person.page[2], {})
    return emit(SCREEN, _SCREENS.pick(rng), {})


def _ordinary(rng: random.Random, person: Person, emit: Any) -> None:
    if rng.random() < _PAGE_SHARE:
        _visit(rng, person, emit)
        return
    if person.fmt == POSTHOG and person.platform == WEB and rng.random() < 0.04:
        emit(TRACK, RAGE_CLICK, {"$el_text": rng.choice(catalog.BUTTONS)})
        return
    if person.identified:
        name = _MEMBER_TRACKS.pick(rng)
    else:
        name = _VISITOR_TRACKS.pick(rng)
    emit(TRACK, name, _track_properties(rng, person, name))


def _identify(person: Person, emit: Any, ts: int) -> None:
    person.identified = True
    if person.traits.get("createdAt") is None:
        person.traits["createdAt"] = ts
    emit(IDENTIFY, None, person.traits)


def _product(rng: random.Random) -> dict[str, Any]:
    product_id, sku, name, category, price = rng.choice(catalog.PRODUCTS)
    return {"product_id": product_id, "sku": sku, "name": name, "category": category, "price": price}


def _track_properties(rng: random.Random, person: Person, name: str) -> dict[str, Any]:
    path = person.page[0] if person.page else None
    if name in ("Button Clicked", "CTA Clicked"):
        return {"label": rng.choice(catalog.BUTTONS), "location": path or "app"}
    if name == "Search Performed":
        return {"query": rng.choice(catalog.SEARCHES), "results": rng.randrange(0, 40)}
    if name == "Video Played":
        return {"video_id": f"vid_{rng.randrange(1, 30):03d}", "title": "Product tour", "position": 0}
    if name == "Product Viewed":
        return _product(rng)
    if name == "Product Added":
        return {**_product(rng), "quantity": rng.randint(1, 3), "cart_id": f"cart_{rng.getrandbits(40):010x}"}
    if name == "Newsletter Subscribed":
        return {"list": "monthly"}
    if name == "Feature Used":
        return {"feature": rng.choice(catalog.FEATURES)}
    if name == "Report Exported":
        return {"format": rng.choice(("csv", "pdf", "xlsx")), "rows": rng.randrange(10, 50_000)}
    if name == "Project Created":
        return {"project_id": f"prj_{rng.getrandbits(32):08x}", "template": rng.choice(("blank", "ecommerce", "saas"))}
    if name == "Invite Sent":
        return {"role": rng.choice(("member", "admin", "viewer")), "seats_left": rng.randrange(0, 20)}
    if name == "Settings Updated":
        return {"setting": rng.choice(("timezone", "language", "notifications", "theme"))}
    if name == "Notification Opened":
        return {"channel": "push" if person.platform != WEB else "email", "campaign": "weekly_digest"}
    if name == "Filter Applied":
        return {"filter": rng.choice(catalog.FILTERS)}
    return {}


def _order(rng: random.Random, person: Person, emit: Any) -> None:
    """Product page, viewed, added, checkout page, checkout started, Order Completed: six actions."""
    items = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        items.append({**_product(rng), "quantity": rng.choice((1, 1, 1, 2))})
    first = items[0]
    if person.platform == WEB:
        person.page = next((p for p in catalog.PAGES if p[0].startswith("/shop/products")), catalog.PAGES[0])
        emit(PAGE, "Product", {})
    else:
        emit(SCREEN, "Product Detail", {})
    emit(TRACK, "Product Viewed", {k: v for k, v in first.items() if k != "quantity"})
    emit(TRACK, "Product Added", first)
    if person.platform == WEB:
        person.page = _CHECKOUT
        emit(PAGE, "Checkout", {})
    else:
        emit(SCREEN, "Cart", {})
    subtotal = round(sum(i["price"] * i["quantity"] for i in items), 2)
    coupon = rng.choice(catalog.COUPONS) if rng.random() < 0.15 else None
    discount = round(subtotal * 0.1, 2) if coupon else 0.0
    shipping = 0.0 if subtotal > 50 else 4.99
    tax = round((subtotal - discount) * (0.08 if person.currency == "USD" else 0.19), 2)
    revenue = round(subtotal - discount, 2)
    order_id = f"ord_{rng.getrandbits(48):012x}"
    emit(TRACK, "Checkout Started", {"order_id": order_id, "value": revenue, "currency": person.currency, "products": items})
    emit(TRACK, ORDER_COMPLETED, {
        "order_id": order_id, "checkout_id": f"chk_{rng.getrandbits(32):08x}", "total": round(revenue + shipping + tax, 2),
        "subtotal": subtotal, "revenue": revenue, "shipping": shipping, "tax": tax, "discount": discount,
        "coupon": coupon, "currency": person.currency, "products": items,
        "platform": "ios" if person.platform == IOS else person.platform,
    })  # fmt: skip
