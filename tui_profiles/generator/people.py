"""Who the generated visitors are and when they come: people, companies, and each person's sessions.

Everything is drawn from one seeded `random.Random`; ids are hashes of a namespace
and an index, so a later run with the same namespace (and another seed) sends
more events for the same people.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from . import catalog

# Sender formats and platforms.
SEGMENT, RUDDER, POSTHOG = "segment", "rudder", "posthog"
WEB, IOS, ANDROID = "web", "ios", "android"
# How a person's identity unfolds.
ANON = "anonymous"  # never signs up
SIGNUP = "signup"  # browses anonymously, signs up in one session, signed in afterwards
KNOWN = "known"  # an existing customer: logs in (identify) in the first session

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
# Sessions of one person are further apart than this: more than the 30-minute session gap.
MIN_SESSION_GAP_MS = 35 * MINUTE_MS
HEAVY_EVENTS = 10_000


def hashed_hex(namespace: str, *parts: object) -> str:
    text = "|".join((namespace, *map(str, parts)))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def uuid_text(hex32: str) -> str:
    """A version-4-shaped UUID from 32 hex digits."""
    h = hex32
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


@dataclass(slots=True)
class Company:
    group_id: str
    traits: dict[str, Any]


@dataclass(slots=True)
class Person:
    index: int
    fmt: str  # SEGMENT | RUDDER | POSTHOG
    platform: str  # WEB | IOS | ANDROID
    mode: str  # ANON | SIGNUP | KNOWN
    user_id: str | None
    anonymous_ids: list[str]  # the browsing id, then a fresh one after a logout
    place: tuple[str, str, str, str, str, str]
    ip: str
    browser: tuple[str, str, int, str, str, str]
    phone: tuple[str, str, str]
    traits: dict[str, Any]
    company: Company | None
    person_uuid: str  # PostHog person_id
    skew_ms: int  # the device clock's error
    currency: str
    heavy: bool = False
    signup_session: int | None = None  # the session in which identify happens first
    logout_session: int | None = None  # the session that ends with a logout for good
    # (start ms, planned duration ms, events) of each session, in time order.
    sessions: list[tuple[int, int, int]] = field(default_factory=list)
    # Running state while the sessions are played in order.
    identified: bool = False
    anon_phase: int = 0
    group_sent: bool = False
    page: tuple[str, str, str, str | None, int, int] | None = None

    @property
    def anonymous_id(self) -> str:
        return self.anonymous_ids[self.anon_phase]

    @property
    def current_user_id(self) -> str | None:
        return self.user_id if self.identified else None


def make_companies(rng: random.Random, count: int, namespace: str) -> list[Company]:
    companies = []
    for i in range(count):
        name = f"{rng.choice(catalog.COMPANY_FIRST)} {rng.choice(catalog.COMPANY_LAST)}"
        slug = name.lower().replace(" ", "-")
        traits = {
            "name": name,
            "industry": rng.choice(catalog.INDUSTRIES),
            "employees": rng.choice(catalog.EMPLOYEES),
            "plan": rng.choice(("starter", "pro", "team", "enterprise")),
            "website": f"https://{slug}.example",
        }
        companies.append(Company("org_" + hashed_hex(namespace, "org", i)[:12], traits))
    return companies


def make_person(
    rng: random.Random, index: int, *, namespace: str, mode: str, fmt: str, platform: str,
    companies: list[Company], created_ms: int,
) -> Person:  # fmt: skip
    h = hashed_hex(namespace, "person", index)
    place = rng.choices(catalog.PLACES, catalog.PLACE_WEIGHTS)[0]
    first, last = rng.choice(catalog.FIRST_NAMES), rng.choice(catalog.LAST_NAMES)
    company = rng.choice(companies) if companies and mode != ANON and rng.random() < 0.6 else None
    user_id = None if mode == ANON else "usr_" + h[:14]
    traits: dict[str, Any] = {}
    if user_id:
        local = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
        domain = company.traits["website"][8:] if company else rng.choice(catalog.EMAIL_DOMAINS)
        traits = {"email": f"{local}{index % 97}@{domain}", "name": f"{first} {last}", "firstName": first,
                  "lastName": last, "createdAt": None, "plan": rng.choice(catalog.PLANS)}  # fmt: skip
        if rng.random() < 0.3:
            traits["title"] = rng.choice(catalog.TITLES)
        if rng.random() < 0.2:
            traits["phone"] = f"+1-555-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}"
        if company:
            c = company.traits
            traits["company"] = {"name": c["name"], "id": company.group_id, "industry": c["industry"],
                                 "employee_count": c["employees"], "plan": c["plan"]}  # fmt: skip
        if rng.random() < 0.5:
            traits["newsletter"] = rng.random() < 0.5
        if rng.random() < 0.3:
            traits["favorite_feature"] = rng.choice(catalog.FEATURES)
        if mode == KNOWN:
            traits["createdAt"] = created_ms
    skew = 0 if rng.random() < 0.7 else rng.randint(-4000, 4000)
    if rng.random() < 0.01:
        skew = rng.choice((-1, 1)) * rng.randint(10, 300) * MINUTE_MS  # a phone with a wrong clock
    ip_base = place[5]
    return Person(
        index=index, fmt=fmt, platform=platform, mode=mode, user_id=user_id,
        anonymous_ids=[uuid_text(hashed_hex(namespace, "anon", index, 0)), uuid_text(hashed_hex(namespace, "anon", index, 1))],
        place=place, ip=f"{ip_base}.{rng.randrange(1, 255)}",
        browser=rng.choices(catalog.BROWSERS, catalog.BROWSER_WEIGHTS)[0],
        phone=rng.choice(catalog.IPHONES if platform == IOS else catalog.ANDROIDS),
        traits=traits, company=company, person_uuid=uuid_text(h), skew_ms=skew,
        currency=rng.choice(catalog.CURRENCIES),
    )  # fmt: skip


def pick_format(rng: random.Random) -> str:
    r = rng.random()
    return SEGMENT if r < 0.6 else RUDDER if r < 0.85 else POSTHOG


def pick_platform(rng: random.Random) -> str:
    r = rng.random()
    return WEB if r < 0.86 else IOS if r < 0.94 else ANDROID


def split_budget(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` events over `parts` people, each at least one, heavy-tailed."""
    weights = [rng.lognormvariate(0.0, 1.2) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    budgets = [1 + int(w * scale) for w in weights]
    for _ in range(total - sum(budgets)):
        budgets[rng.randrange(parts)] += 1
    return budgets


def split_sizes(rng: random.Random, budget: int, mean_size: float) -> list[int]:
    """A person's events split into sessions of a few events each."""
    count = max(1, min(budget, round(budget / mean_size * rng.uniform(0.7, 1.3))))
    if count == 1:
        return [budget]
    cuts = sorted(rng.sample(range(1, budget), count - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, budget])]


def plan_people(rng: random.Random, *, users: int, events: int, start_ms: int, end_ms: int, namespace: str) -> list[Person]:
    """Everyone with their sessions planned, for exactly `events` events over at most `users` people."""
    users = max(1, min(users, events))
    heavy = min(users - 1, max(1, events // 200_000)) if users > 1 and events >= 200 else 0
    heavy_events = min(HEAVY_EVENTS, events // 20) if heavy else 0
    regular = users - heavy
    budgets = [heavy_events] * heavy + split_budget(rng, events - heavy * heavy_events, regular)
    companies = make_companies(rng, max(3, users // 40), namespace)
    span = end_ms - start_ms
    people = []
    for index, budget in enumerate(budgets):
        is_heavy = index < heavy
        r = rng.random()
        # Visitors who never sign up rarely come back often: busy people are mostly customers.
        anon_share = 0.45 if budget <= 25 else 0.1
        mode = KNOWN if is_heavy else ANON if r < anon_share else SIGNUP if r < (1 + anon_share) / 2 else KNOWN
        if (mode == SIGNUP and budget < 3) or (mode == KNOWN and budget < 2):
            mode = ANON
        fmt = (SEGMENT, RUDDER, POSTHOG, SEGMENT)[index % 4] if is_heavy else pick_format(rng)
        platform = WEB if is_heavy else pick_platform(rng)
        created = start_ms - rng.randint(1, 400) * DAY_MS
        person = make_person(rng, index, namespace=namespace, mode=mode, fmt=fmt, platform=platform,
                             companies=companies, created_ms=created)  # fmt: skip
        person.heavy = is_heavy
        sizes = split_sizes(rng, budget, 40.0 if is_heavy else rng.uniform(3.0, 9.0))
        plan_identity(rng, person, sizes)
        # Heavy users are there from the start; others arrive over the period, most stay.
        first = start_ms + int(rng.random() * span * (0.05 if is_heavy else 0.95))
        last = end_ms if is_heavy or rng.random() < 0.5 else first + int((end_ms - first) * rng.random())
        person.sessions = place_sessions(rng, sizes, first, last, start_ms, end_ms, mobile=platform != WEB)
        people.append(person)
    # A few people are on the site right now: their last session ends minutes before the end.
    for person in rng.sample(people, min(len(people), max(2, users // 200))):
        s_start, s_dur, s_size = person.sessions[-1]
        shift = end_ms - rng.randint(1, 8) * MINUTE_MS - (s_start + s_dur)
        if shift > 0:
            person.sessions = [(s + shift, d, n) for s, d, n in person.sessions]
    return people


def plan_identity(rng: random.Random, person: Person, sizes: list[int]) -> None:
    """When this person signs up or logs in, and whether they log out for good later."""
    if person.mode == ANON:
        return
    if person.mode == KNOWN:
        person.signup_session = next((i for i, n in enumerate(sizes) if n >= 2), None)
    else:
        eligible = [i for i, n in enumerate(sizes) if n >= 3]
        person.signup_session = rng.choice(eligible) if eligible else None
    if person.signup_session is None:
        person.mode, person.user_id, person.traits, person.company = ANON, None, {}, None
        return
    # A logout ends a session that has a page before it, and sessions follow it.
    later = [i for i in range(person.signup_session + 1, len(sizes) - 1) if sizes[i] >= 2]
    if not person.heavy and later and rng.random() < 0.15:
        person.logout_session = rng.choice(later)


def place_sessions(
    rng: random.Random, sizes: list[int], first: int, last: int, start_ms: int, end_ms: int, *, mobile: bool
) -> list[tuple[int, int, int]]:  # fmt: skip
    """Sessions laid out in [first, last] in order, never closer than MIN_SESSION_GAP_MS."""
    mean_gap = 20_000 if mobile else 35_000
    durations = [min(2 * HOUR_MS, int((n - 1) * mean_gap * rng.uniform(0.5, 1.5))) for n in sizes]
    needed = sum(durations) + MIN_SESSION_GAP_MS * (len(sizes) - 1)
    if needed > last - first:
        first, last = start_ms, end_ms
    if needed > last - first:  # too busy for the period: shorter sessions
        room = max(0, last - first - MIN_SESSION_GAP_MS * (len(sizes) - 1))
        factor = room / max(1, sum(durations))
        durations = [int(d * factor) for d in durations]
        needed = sum(durations) + MIN_SESSION_GAP_MS * (len(sizes) - 1)
    free = max(0, last - first - needed)
    offsets = sorted(rng.random() * free for _ in sizes)
    sessions, clock = [], first
    for offset, duration, size in zip(offsets, durations, sizes):
        start = first + int(offset) + (clock - first)
        sessions.append((start, duration, size))
        clock += duration + MIN_SESSION_GAP_MS
    return sessions
