"""The search-bar language: parsing, errors, describe, completion, and the reference evaluator."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_profiles.domain.filter_eval import UserEvent, UserFacts, evaluate
from tui_profiles.domain.filters import (
    BUILTIN_FIELDS,
    MAX_AGO_MS,
    STATES,
    TAGS,
    UNIT_MS,
    Ago,
    And,
    Compare,
    Contains,
    Count,
    Did,
    Equals,
    EventProperty,
    Everything,
    Field,
    FilterSyntaxError,
    IsSet,
    Not,
    Or,
    Search,
    Seen,
    State,
    Tag,
    TimeBound,
    Trait,
    Visited,
    as_number,
    describe,
    format_error,
    parse,
    terms_for_completion,
    time_bound,
)

DAY = UNIT_MS["d"]


def plan(value: str) -> Trait:
    return Trait(("plan",), Equals(value))


# --- Parsing: each construct ---


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("alice", Search("alice")),
        ("@acme.com", Search("@acme.com")),
        ('"alice smith"', Search("alice smith")),
        ("plan:pro", plan("pro")),
        ("email:~acme", Field("email", Contains("acme"))),
        ("plan:*", Trait(("plan",), IsSet())),
        ("-plan:*", Not(Trait(("plan",), IsSet()))),
        ("employees:>100", Trait(("employees",), Compare(">", 100))),
        ("employees:<100", Trait(("employees",), Compare("<", 100))),
        ("employees:>=1.5", Trait(("employees",), Compare(">=", 1.5))),
        ("employees:<=-2e3", Trait(("employees",), Compare("<=", -2000.0))),
        ("company.name:Acme", Trait(("company", "name"), Equals("Acme"))),
        ('"plan type":pro', Trait(("plan type",), Equals("pro"))),
        ('company."legal name":x', Trait(("company", "legal name"), Equals("x"))),
        ('"utm.source":ads', Trait(("utm.source",), Equals("ads"))),
        ('"email":x', Trait(("email",), Equals("x"))),  # quoted: a trait, not the built-in
        ("Email:x", Trait(("Email",), Equals("x"))),  # reserved keys are lowercase
        ("email.work:x", Trait(("email", "work"), Equals("x"))),
        *[(f"{name}:x", Field(name, Equals("x"))) for name in BUILTIN_FIELDS],
        ("plan:*x", plan("*x")),
        ('plan:"*"', plan("*")),
        ('plan:">5"', plan(">5")),
        ("plan:a:b", plan("a:b")),
        ("email:~*", Field("email", Contains("*"))),
        ("is:live", State("live")),
        ("is:identified", State("identified")),
        ("is:anonymous", State("anonymous")),
        ("is:excluded", State("excluded")),
        ("is:Live", State("live")),
        *[(f"tag:{tag}", Tag(tag)) for tag in TAGS],
        ("seen:<7d", Seen("last_seen", "<", Ago(7, "d"))),
        ("seen:>30d", Seen("last_seen", ">", Ago(30, "d"))),
        ("first:>60d", Seen("first_seen", ">", Ago(60, "d"))),
        ("seen:<15m", Seen("last_seen", "<", Ago(15, "m"))),
        ("seen:<2h", Seen("last_seen", "<", Ago(2, "h"))),
        ("seen:<3w", Seen("last_seen", "<", Ago(3, "w"))),
        ("seen:>2026-11-01", Seen("last_seen", ">", date(2026, 11, 1))),
        ("first:<2026-11-01", Seen("first_seen", "<", date(2026, 11, 1))),
        ("sessions:>3", Count("sessions", ">", 3)),
        ("sessions:3", Count("sessions", "=", 3)),
        ("events:>=100", Count("events", ">=", 100)),
        ("events:<5", Count("events", "<", 5)),
        ("events:<=5", Count("events", "<=", 5)),
        ('did:"Order Completed"', Did("Order Completed")),
        ("did:Signup", Did("Signup")),
        ('did:"Order Completed".total:>100', Did("Order Completed", EventProperty(("total",), Compare(">", 100)))),
        ("did:Order.total:>1", Did("Order", EventProperty(("total",), Compare(">", 1)))),
        ("did:Order.currency:eur", Did("Order", EventProperty(("currency",), Equals("eur")))),
        ("did:Order.coupon:~SAVE", Did("Order", EventProperty(("coupon",), Contains("SAVE")))),
        ("did:Order.coupon:*", Did("Order", EventProperty(("coupon",), IsSet()))),
        ('did:Order.items."unit price":<=9', Did("Order", EventProperty(("items", "unit price"), Compare("<=", 9)))),
        ('-did:"Signed Up"', Not(Did("Signed Up"))),
        ("did:a:b", Did("a:b")),
        ("did:page", Did("page")),
        ('did:"page".x:1', Did("page", EventProperty(("x",), Equals("1")))),
        ("did:page./pricing", Visited("/pricing")),
        ("did:page./docs/*", Visited("/docs/", prefix=True)),
        ("did:page./docs/v1.2.html", Visited("/docs/v1.2.html")),
        ("visited:/pricing", Visited("/pricing")),
        ("visited:/docs/*", Visited("/docs/", prefix=True)),
        ("visited:*", Visited("", prefix=True)),
        ('visited:"/my docs/"*', Visited("/my docs/", prefix=True)),
        ('visited:"/a*"', Visited("/a*")),  # quoted: the star is literal
        ("visited:http://x/y", Visited("http://x/y")),
    ],
)
def test_each_construct(query, tree):
    assert parse(query) == tree


# --- Combinations ---


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("", Everything()),
        ("   \t\n ", Everything()),
        ("  alice  ", Search("alice")),
        ("a b", And((Search("a"), Search("b")))),
        ("a OR b", Or((Search("a"), Search("b")))),
        ("a OR b OR c", Or((Search("a"), Search("b"), Search("c")))),
        # "OR binds tighter than the implicit AND: `a b OR c d` = a AND (b OR c) AND d"
        ("a b OR c d", And((Search("a"), Or((Search("b"), Search("c"))), Search("d")))),
        ("a\tOR\nb", Or((Search("a"), Search("b")))),
        ("-a OR -b", Or((Not(Search("a")), Not(Search("b"))))),
        ("a or b", And((Search("a"), Search("or"), Search("b")))),
        ('"OR"', Search("OR")),
        ("ORacle OR x", Or((Search("ORacle"), Search("x")))),
        ("OR:x", Trait(("OR",), Equals("x"))),
        ("a -OR", And((Search("a"), Not(Search("OR"))))),
        ("--a", Not(Search("-a"))),  # one "-" negates; the rest is the word
        ("-5", Not(Search("5"))),
        (
            "plan:pro -tag:buyer seen:<7d OR sessions:>3",
            And(
                (
                    plan("pro"),
                    Not(Tag("buyer")),
                    Or((Seen("last_seen", "<", Ago(7, "d")), Count("sessions", ">", 3))),
                )
            ),
        ),
        ('-"plan type":pro', Not(Trait(("plan type",), Equals("pro")))),
    ],
)
def test_combinations(query, tree):
    assert parse(query) == tree


# --- Quoting, escapes, Unicode, hostile characters ---


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        (r'"say \"hi\""', Search('say "hi"')),
        (r'"back\\slash"', Search("back\\slash")),
        (r'"C:\path"', Search("C:\\path")),  # a backslash before anything else stays
        ('name:"Zoë"', Field("name", Equals("Zoë"))),
        ("name:Zoë", Field("name", Equals("Zoë"))),
        ("город", Search("город")),
        ("city:東京", Field("city", Equals("東京"))),
        ("ключ:значение", Trait(("ключ",), Equals("значение"))),
        ("name:O'Brien", Field("name", Equals("O'Brien"))),
        ("100%", Search("100%")),
        ("a_b", Search("a_b")),
        ("plan:50%_off", plan("50%_off")),
        ("plan:[x]", plan("[x]")),
        ("plan:a\\b", plan("a\\b")),
        ('O"Brien', Search('O"Brien')),
        ('plan:O"Brien', plan('O"Brien')),
        ("'; DROP TABLE users; --", And((Search("';"), Search("DROP"), Search("TABLE"), Search("users;"), Not(Search("-"))))),
        ('"%_\\\\[\'\\""', Search("%_\\['\"")),
        ('""', Search("")),
        ('plan:""', plan("")),
        ("\u00a0alice\u2003", Search("alice")),  # Unicode spaces separate terms too
    ],
)
def test_quoting_unicode_and_hostile_values(query, tree):
    assert parse(query) == tree


# --- Errors: message and position ---

STATE_LIST = "live, identified, anonymous, excluded"
TAG_LIST = ", ".join(TAGS)


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ("plan:", "expected a value after 'plan:'", 5),
        ("plan: x", "expected a value after 'plan:'", 5),
        ('"plan type": x', "expected a value after '\"plan type\":'", 12),
        ('"abc', "unterminated quote", 0),
        ('a "abc\\"', "unterminated quote", 2),
        ('name:"Zo', "unterminated quote", 5),
        ('"a"b', "expected ':' or a space after the closing quote", 3),
        ('plan:"a"b', "expected a space after the closing quote", 8),
        ('"a".b', "expected ':' after the key", 5),
        ("tag:byer", f"unknown tag 'byer' (expected one of: {TAG_LIST})", 4),
        ("tag:", f"expected a tag after 'tag:' (one of: {TAG_LIST})", 4),
        ("is:dead", f"unknown state 'dead' (expected one of: {STATE_LIST})", 3),
        ("is:", f"expected a state after 'is:' (one of: {STATE_LIST})", 3),
        ("employees:>x", "expected a number after '>'", 11),
        ("employees:>", "expected a number after '>'", 11),
        ("employees:>=1x", "expected a number after '>='", 12),
        ("employees:<=", "expected a number after '<='", 12),
        ("employees:>1e999", "number too large", 11),
        ("email:~", "expected a value after '~'", 7),
        ("OR a", "expected a term before 'OR'", 0),
        ("a OR", "expected a term after 'OR'", 4),
        ("a OR  ", "expected a term after 'OR'", 6),
        ("a OR OR b", "expected a term after 'OR'", 5),
        ("-", "expected a term after '-'", 1),
        ("a - b", "expected a term after '-'", 3),
        ("seen:7d", "expected '<' or '>' after 'seen:'", 5),
        ("first:", "expected '<' or '>' after 'first:'", 6),
        ("seen:<7y", "expected a duration (like 7d) or a date (like 2026-11-01) after '<'", 6),
        ("seen:>", "expected a duration (like 7d) or a date (like 2026-11-01) after '>'", 6),
        ("seen:<=7d", "expected a duration (like 7d) or a date (like 2026-11-01) after '<'", 6),
        ("seen:>2026-13-01", "invalid date '2026-13-01'", 6),
        ("seen:>0000-01-01", "invalid date '0000-01-01'", 6),
        ("seen:<999999999999w", "duration too long (at most 10000 years)", 6),
        ("seen:<9999999999999d", "duration too long (at most 10000 years)", 6),
        ("seen:<" + "9" * 5000 + "d", "duration too long (at most 10000 years)", 6),
        ("employees:>" + "9" * 5000, "number too large", 11),
        ("sessions:", "expected a whole number after 'sessions:'", 9),
        ("sessions:many", "expected a whole number after 'sessions:'", 9),
        ("sessions:>1.5", "expected a whole number after '>'", 10),
        ("events:>-1", "expected a whole number after '>'", 8),
        ("events:٣", "expected a whole number after 'events:'", 7),  # ASCII digits only
        ("events:>99999999999999999999", "number too large", 8),
        ("did:", "expected an event name after 'did:'", 4),
        ('did:"Order Completed"x', "expected '.' or a space after the event name", 21),
        ("did:Order.", "expected a property name after '.'", 10),
        ("did:Order.:1", "expected a property name after '.'", 10),
        ("did:Order.total", "expected ':' after the property name", 15),
        ("did:Order.total:", "expected a value after 'total:'", 16),
        ("did:Order.a..b:1", "empty name in key 'a..b'", 10),
        ("did:page.", "expected a page path after 'did:page.'", 9),
        ("visited:", "expected a page path after 'visited:'", 8),
        ('visited:"/a"b', "expected a space after the closing quote", 12),
        (":x", "expected a key before ':'", 0),
        ('"":x', "expected a key before ':'", 2),
        ("a..b:c", "empty name in key 'a..b'", 0),
        (".a:c", "empty name in key '.a'", 0),
        ("a.:c", "empty name in key 'a.'", 0),
        ('a."b', "unterminated quote", 2),
        ("tag:" + "x" * 50, f"unknown tag '{'x' * 39}…' (expected one of: {TAG_LIST})", 4),
        ("k" * 50 + ":", f"expected a value after '{'k' * 39}…'", 51),
    ],
)
def test_errors_say_what_was_expected_and_where(query, message, position):
    with pytest.raises(FilterSyntaxError) as caught:
        parse(query)
    assert (caught.value.message, caught.value.position) == (message, position)
    assert str(caught.value) == f"{message} at column {position + 1}"


def test_format_error_puts_a_caret_under_the_position():
    err = pytest.raises(FilterSyntaxError, parse, "plan: x").value
    assert format_error("plan: x", err) == "plan: x\n     ^ expected a value after 'plan:'"


def test_format_error_at_the_end_and_with_wide_or_control_characters():
    err = pytest.raises(FilterSyntaxError, parse, "東京 plan:").value
    assert format_error("東京 plan:", err).splitlines()[1] == "          ^ expected a value after 'plan:'"
    err = pytest.raises(FilterSyntaxError, parse, "a\tb\nOR").value
    assert format_error("a\tb\nOR", err) == "a b OR\n      ^ expected a term after 'OR'"
    err = pytest.raises(FilterSyntaxError, parse, "\x1b[31m tag:x").value
    assert format_error("\x1b[31m tag:x", err) == "\ufffd[31m tag:x\n          ^ " + err.message


# --- Time bounds and numbers ---

NOW = 1_795_176_000_000  # 2026-11-20T12:00:00Z, the same as tests/conftest.py's now_ms


def test_time_bounds_resolve_the_inversion_between_ages_and_dates():
    midnight = 1_793_491_200_000  # 2026-11-01T00:00:00Z
    assert time_bound(parse("seen:<7d"), NOW) == TimeBound("last_seen", after_ms=NOW - 7 * DAY)
    assert time_bound(parse("seen:>30d"), NOW) == TimeBound("last_seen", before_ms=NOW - 30 * DAY)
    assert time_bound(parse("first:>60d"), NOW) == TimeBound("first_seen", before_ms=NOW - 60 * DAY)
    assert time_bound(parse("seen:>2026-11-01"), NOW) == TimeBound("last_seen", after_ms=midnight)
    assert time_bound(parse("seen:<2026-11-01"), NOW) == TimeBound("last_seen", before_ms=midnight)
    assert time_bound(parse("seen:<90m"), NOW) == TimeBound("last_seen", after_ms=NOW - 90 * 60_000)
    assert time_bound(parse("seen:<2w"), NOW) == TimeBound("last_seen", after_ms=NOW - 14 * DAY)


def test_the_longest_duration_stays_inside_a_64_bit_integer():
    longest = parse(f"seen:<{MAX_AGO_MS // UNIT_MS['d']}d")
    assert time_bound(longest, NOW).after_ms > -(2**63)


@pytest.mark.parametrize(
    ("text", "number"),
    [("100", 100), ("-2.5", -2.5), ("+3", 3), ("1e3", 1000.0), (".5", 0.5), ("5.", 5.0), ("99999999999999999999", 1e20)],
)
def test_as_number(text, number):
    assert as_number(text) == number
    assert type(as_number(text)) is type(number)


@pytest.mark.parametrize("text", ["", "pro", "1e999", "nan", "inf", "0x10", "1_000", "٣", "1 2", "--1"])
def test_as_number_refuses(text):
    assert as_number(text) is None


# --- The evaluator ---


def make_alice(now_ms: int) -> UserFacts:
    return UserFacts(
        id="user-42",
        kind="identified",
        anonymous_ids=("anon-7f3a",),
        name="Alice Smith",
        email="alice@acme.com",
        traits={
            "plan": "Pro",
            "plan type": "annual",
            "employees": 250,
            "score": 4.5,
            "vip": True,
            "zip": "100",
            "company": {"name": "Acme Inc", "size": 80},
            "roles": ["admin"],
            "nothing": None,
            "blank": "",
            "note": "50%_off [x] O'Brien \\ \"q\"",
        },
        country="France",
        city="Paris",
        sources=frozenset({"web", "ios"}),
        company="Acme Inc",
        is_live=True,
        tags=frozenset({"buyer", "returning"}),
        first_seen_ms=now_ms - 90 * DAY,
        last_seen_ms=now_ms - 2 * DAY,
        session_count=5,
        event_count=120,
        events=(
            UserEvent("Order Completed", "track", properties={"total": 150, "currency": "EUR", "items": {"n": 3}}),
            UserEvent("Pricing", "page", path="/pricing"),
            UserEvent(None, "page", path="/docs/install"),
            UserEvent("Signed Up", "track"),
            UserEvent(None, "screen", path="/settings"),
        ),
    )


ZOE = UserFacts(id="anon-zz", kind="anonymous", name="Zoë Ёлкина", city="город")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", True),
        # plain words: id, anonymous ids, name, email; substrings ignoring case
        ("alice", True),
        ("ALICE", True),
        ("user-4", True),
        ("7F3A", True),
        ("@acme.com", True),
        ('"alice smith"', True),
        ("bob", False),
        ("paris", False),  # the city is not searched by plain words
        # equality: text ignoring case, numbers numerically, booleans as true/false
        ("plan:pro", True),
        ("plan:PRO", True),
        ("plan:pr", False),
        ("employees:250", True),
        ("employees:250.0", True),
        ("employees:2.5e2", True),
        ("employees:251", False),
        ("zip:100", True),  # text equals text
        ("zip:100.0", False),  # but a number stored as text is not compared as a number
        ("vip:true", True),
        ("vip:TRUE", True),
        ("vip:false", False),
        ('"plan type":ANNUAL', True),
        ("company.name:acme inc", False),  # two terms: company.name:acme and inc
        ('company.name:"acme inc"', True),
        ("company.size:80", True),
        ("company.name.x:acme", False),
        ("roles:admin", False),  # arrays only answer :*
        # contains
        ("email:~ACME", True),
        ("email:~acme.org", False),
        ("plan:~r", True),
        ("employees:~25", False),  # numbers are not text
        ('"note":~%_', True),  # a trait named like a reserved key is written quoted (note: is the notes)
        ('"note":~[x]', True),
        ("\"note\":~o'brien", True),
        ('"note":~"\\\\ \\"q"', True),
        ('"note":~%x', False),  # as a LIKE pattern it would match "[x]"
        ('"note":~_b', False),  # as a LIKE pattern it would match "O'Brien"
        # set / not set
        ("plan:*", True),
        ("-plan:*", False),
        ("missing:*", False),
        ("-missing:*", True),
        ("nothing:*", False),
        ("blank:*", False),
        ("roles:*", True),
        ("company:*", True),
        ("company.name:*", True),
        ("company.other:*", False),
        # numeric comparisons
        ("employees:>100", True),
        ("employees:>250", False),
        ("employees:>=250", True),
        ("employees:<250", False),
        ("employees:<=250", True),
        ("score:<4.6", True),
        ("score:>4.5", False),
        ("zip:>50", False),  # text, not a number
        ("vip:>0", False),  # booleans are not numbers
        ("plan:>0", False),
        # built-in fields
        ("id:user-42", True),
        ("id:ANON-7F3A", True),  # every anonymous id is an id too
        ("id:user", False),
        ("id:~anon", True),
        ("email:alice@acme.com", True),
        ("name:~smith", True),
        ("country:france", True),
        ("country:Spain", False),
        ("city:paris", True),
        ("source:web", True),
        ("source:IOS", True),
        ("source:android", False),
        ("source:*", True),
        ("company:acme inc", False),
        ('company:"acme inc"', True),
        ("company:~acme", True),
        # state and tags
        ("is:live", True),
        ("is:identified", True),
        ("is:anonymous", False),
        ("is:excluded", False),
        ("tag:buyer", True),
        ("tag:returning", True),
        ("tag:new", False),
        ("-tag:new", True),
        # time: last seen 2 days ago, first seen 90 days ago
        ("seen:<7d", True),
        ("seen:<1d", False),
        ("seen:>1d", True),
        ("seen:>30d", False),
        ("seen:<48h", True),  # exactly 48 h ago is within 48 h...
        ("seen:>48h", False),  # ...so not more than 48 h ago
        ("first:>60d", True),
        ("first:>12w", True),
        ("first:>13w", False),
        ("first:<100d", True),
        ("seen:>2026-11-01", True),
        ("seen:<2026-11-01", False),
        ("first:<2026-11-01", True),
        ("first:>2026-11-01", False),
        # counts
        ("sessions:>3", True),
        ("sessions:5", True),
        ("sessions:4", False),
        ("sessions:<5", False),
        ("sessions:<=5", True),
        ("events:>=100", True),
        ("events:>=121", False),
        # behaviour
        ('did:"Order Completed"', True),
        ('did:"order completed"', True),
        ("did:Order", False),  # exact name, not a prefix
        ('did:"Order Completed".total:>100', True),
        ('did:"Order Completed".total:>150', False),
        ('did:"Order Completed".total:150', True),
        ('did:"Order Completed".currency:eur', True),
        ('did:"Order Completed".currency:~u', True),
        ('did:"Order Completed".coupon:*', False),
        ('did:"Order Completed".items.n:>=3', True),
        ('did:"Signed Up".total:*', False),
        ('-did:"Signed Up"', False),
        ("-did:Churned", True),
        ("did:pricing", True),  # a page's name is an event name too
        ("visited:/pricing", True),
        ("did:page./pricing", True),
        ("visited:/PRICING", False),  # paths are exact
        ("visited:/pric", False),
        ("visited:/docs/*", True),
        ("visited:/docs/install", True),
        ("visited:/blog/*", False),
        ("visited:*", True),
        ("visited:/settings", False),  # a screen, not a page
        # combinations
        ("alice plan:pro", True),
        ("alice plan:free", False),
        ("bob OR alice", True),
        ("bob OR carol", False),
        ("plan:free OR tag:buyer is:live", True),
        ("-alice OR is:anonymous", False),
    ],
)
def test_evaluate_on_a_full_profile(query, expected, now_ms):
    assert evaluate(parse(query), make_alice(now_ms), now_ms) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zoë", True),
        ("ЗОЁ", False),  # Ё lowercases to ё, not е
        ("ёлкина", True),
        ('name:"zoë ёлкина"', True),
        ("city:ГОРОД", True),
        ("is:anonymous", True),
        ("is:live", False),
        ("email:*", False),
        ("-email:*", True),
        ("email:~a", False),
        ("country:*", False),
        ("source:*", False),
        ("-source:web", True),
        ("plan:*", False),
        ("seen:<7d", False),  # unknown times match no time condition...
        ("seen:>7d", False),
        ("-seen:<7d", True),  # ...so the negation holds
        ("sessions:0", True),
        ("did:x", False),
        ("visited:*", False),
    ],
)
def test_evaluate_on_a_bare_anonymous_profile(query, expected, now_ms):
    assert evaluate(parse(query), ZOE, now_ms) is expected


def test_time_bounds_split_users_in_two(now_ms):
    """`seen:<X` and `seen:>X` are complements for a known time, at and around the edge."""
    for delta in (-1, 0, 1):
        for query in ("7d", "2026-11-01"):
            edge = time_bound(parse(f"seen:<{query}"), now_ms)
            at = (edge.after_ms if edge.after_ms is not None else edge.before_ms) + delta
            user = UserFacts(id="u", kind="identified", last_seen_ms=at)
            recent, old = (evaluate(parse(f"seen:{op}{query}"), user, now_ms) for op in "<>")
            assert recent != old
    exactly_week_old = UserFacts(id="u", kind="identified", last_seen_ms=now_ms - 7 * DAY)
    assert evaluate(parse("seen:<7d"), exactly_week_old, now_ms)  # within 7 days, edge included
    midnight_user = UserFacts(id="u", kind="identified", last_seen_ms=1_793_491_200_000)
    assert evaluate(parse("seen:>2026-11-01"), midnight_user, now_ms)  # on that day counts as after


# --- describe: the normalised text ---


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("  a   b  OR   c ", "a b OR c"),
        ('"alice"', "alice"),
        ('"alice smith"', '"alice smith"'),
        ('"OR"', '"OR"'),
        ('"-x"', '"-x"'),
        ('"a:b"', '"a:b"'),
        ('"a.\\"b"', '"a.\\"b"'),
        ('"tag":x', '"tag":x'),
        ('"plan type":"Acme Inc"', '"plan type":"Acme Inc"'),
        ('"-x":1', '"-x":1'),
        ('company."a.b":1', 'company."a.b":1'),
        ('plan:"*"', 'plan:"*"'),
        ('plan:"~x"', 'plan:"~x"'),
        ('plan:"<x"', 'plan:"<x"'),
        ("employees:>1e3", "employees:>1000.0"),
        ("employees:>+5", "employees:>5"),
        ('did:"page"', 'did:"page"'),
        ('did:"a.b"', 'did:"a.b"'),
        ("did:page./x", "visited:/x"),
        ('visited:"/a*"', 'visited:"/a*"'),
        ("visited:/a**", "visited:/a**"),
        ('visited:""', 'visited:""'),
        ('visited:"/my docs/"*', 'visited:"/my docs/"*'),
        ("is:LIVE", "is:live"),
        (r'"back\\slash"', "back\\slash"),
        (r'"a \\ b"', r'"a \\ b"'),
    ],
)
def test_describe_normalises(query, text):
    assert describe(parse(query)) == text
    assert parse(text) == parse(query)


@pytest.mark.parametrize(
    "tree",
    [
        Or((And((Search("a"), Search("b"))), Search("c"))),
        Not(Or((Search("a"), Search("b")))),
        Not(Not(Search("a"))),
        And((Everything(), Search("a"))),
    ],
)
def test_describe_refuses_what_needs_parentheses(tree):
    with pytest.raises(ValueError):
        describe(tree)


names = st.text(min_size=1, max_size=6)
values = st.text(max_size=6)
numbers = st.one_of(st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False, allow_infinity=False))
tests = st.one_of(
    st.builds(Equals, values),
    st.builds(Contains, values),
    st.just(IsSet()),
    st.builds(Compare, st.sampled_from(["<", "<=", ">", ">="]), numbers),
)
agos = st.sampled_from("mhdw").flatmap(lambda unit: st.builds(Ago, st.integers(0, MAX_AGO_MS // UNIT_MS[unit]), st.just(unit)))
paths = st.lists(names, min_size=1, max_size=3).map(tuple)
atoms = st.one_of(
    st.builds(Search, values),
    st.builds(Field, st.sampled_from(BUILTIN_FIELDS), tests),
    st.builds(Trait, paths, tests),
    st.builds(State, st.sampled_from(STATES)),
    st.builds(Tag, st.sampled_from(TAGS)),
    st.builds(
        Seen,
        st.sampled_from(["last_seen", "first_seen"]),
        st.sampled_from(["<", ">"]),
        st.one_of(agos, st.dates()),
    ),
    st.builds(Count, st.sampled_from(["sessions", "events"]), st.sampled_from(["=", "<", "<=", ">", ">="]), st.integers(0, 2**63 - 1)),
    st.builds(Did, values, st.none() | st.builds(EventProperty, paths, tests)),
    st.builds(Visited, values, st.booleans()),
)
unaries = atoms | st.builds(Not, atoms)
groups = unaries | st.lists(unaries, min_size=2, max_size=3).map(lambda terms: Or(tuple(terms)))
trees = st.one_of(st.just(Everything()), groups, st.lists(groups, min_size=2, max_size=3).map(lambda terms: And(tuple(terms))))


@settings(max_examples=400)
@given(trees)
def test_describe_then_parse_gives_the_tree_back(tree):
    assert parse(describe(tree)) == tree


# --- Any text: a tree or a FilterSyntaxError, never anything else ---

SOME_USER = make_alice(NOW)
FRAGMENTS = [
    "plan:", "did:", "visited:", "page.", "is:", "tag:", "seen:", "first:", "sessions:", "events:", "id:",
    '"', "\\", " ", "OR", "-", "~", "*", ">", "<", "=", ":", ".", "7d", "2026-11-01", "1e9", "x", "é", "東", "\t",
]
queries = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join),
)


@settings(max_examples=1500)
@given(queries)
def test_any_text_parses_or_raises_filter_syntax_error(query):
    try:
        tree = parse(query)
    except FilterSyntaxError as err:
        assert 0 <= err.position <= len(query)
        assert len(format_error(query, err).splitlines()) == 2
        return
    assert parse(describe(tree)) == tree
    assert evaluate(tree, SOME_USER, NOW) in (True, False)


@given(st.text(max_size=30), st.integers(-5, 40))
def test_completion_never_fails(query, cursor):
    kind, prefix = terms_for_completion(query, cursor)
    assert kind in ("key", "word", "value", "state", "tag", "event", "event_property", "page", "none")
    assert isinstance(prefix, str)


# --- What is being typed ---


@pytest.mark.parametrize(
    ("query", "cursor", "expected"),
    [
        ("", 0, ("key", "")),
        ("pla", 3, ("key", "pla")),
        ("company.na", 10, ("key", "company.na")),
        ("alice smi", 9, ("key", "smi")),
        ("@acme", 5, ("word", "@acme")),
        ('"alice sm', 9, ("word", "alice sm")),
        ("-pla", 4, ("key", "pla")),
        ("alice ", 6, ("key", "")),
        ("tag:bu", 6, ("tag", "bu")),
        ("-tag:", 5, ("tag", "")),
        ("is:li", 5, ("state", "li")),
        ("did:Ord", 7, ("event", "Ord")),
        ('did:"Order Com', 14, ("event", "Order Com")),
        ('did:"Order Completed".to', 24, ("event_property", "to")),
        ("did:Order.total:1", 17, ("value", "1")),
        ("did:Order.total:>1", 18, ("none", "")),
        ("did:page./pri", 13, ("page", "/pri")),
        ("visited:/do", 11, ("page", "/do")),
        ('visited:"/my d', 14, ("page", "/my d")),
        ("plan:pr", 7, ("value", "pr")),
        ("email:~ac", 9, ("value", "ac")),
        ('"plan type":"ann', 16, ("value", "ann")),
        ('name:"a\\"b', 10, ("value", 'a"b')),
        ("employees:>1", 12, ("none", "")),
        ("seen:<7", 7, ("none", "")),
        ("sessions:", 9, ("none", "")),
        # the cursor inside the query: only what is before it counts
        ("tag:buyer plan:pro", 6, ("tag", "bu")),
        ("tag:buyer plan:pro", 10, ("key", "")),
        ("tag:buyer plan:pro", 99, ("value", "pro")),
        ("tag:buyer", -3, ("key", "")),
    ],
)
def test_terms_for_completion(query, cursor, expected):
    assert terms_for_completion(query, cursor) == expected
