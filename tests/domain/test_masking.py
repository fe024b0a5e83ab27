"""The masker: personal data inside text and under personal keys is masked; timestamps, ids, versions and counts are not."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_profiles.domain.masking import MASKER, Masker, is_personal_key, mask_email, properties_key

m = Masker()


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("alice.smith42@example.com", "a•••@e•••.com"),
        ("wrote from bob+tag@mail.example.org today", "wrote from b•••@m•••.org today"),
        ("call +1-555-123-4567 now", "call +•-•••-•••-•••• now"),
        ("(555) 123-4567", "(•••) •••-••••"),
        ("020 7946 0958", "••• •••• ••••"),
        ("0049 30 1234567", "•••• •• •••••••"),
        ("ip 10.0.0.12", "ip ••.•.•.••"),
        ("2001:db8::1", "••••:•••::•"),
        ("https://x.example/?email=bob@x.io&ip=1.2.3.4", "https://x.example/?email=b•••@x•••.io&ip=•.•.•.•"),
    ],
)
def test_personal_data_in_text_is_masked(raw: str, masked: str) -> None:
    assert m.text(raw) == masked


@pytest.mark.parametrize(
    "kept",
    [
        "2026-12-01 14:03:22", "2026-12-01T14:03:22.123Z", "14:03:22", "12-01 14:03", "12:30", "Wed 2026-11-18 18:07:33",
        "evt_123", "usr_fb71ea60219589", "550e8400-e29b-41d4-a716-446655440000", "sku-1", "o-1",
        "v1.2.3", "5.12.0", "1.2.3.4.5", "analytics-ios 4.1.8", "iPhone15,2", "23049PCD8G",
        "1,234,567", "1733500000", "1733500000123", "0.123456789012", "total 12.50", "12 events", "order 2026-12-01/1234",
        "std::vector", "/blog/launch", "Order Completed", "",
    ],
)  # fmt: skip
def test_timestamps_ids_versions_and_counts_are_kept(kept: str) -> None:
    assert m.text(kept) == kept


def test_names_become_initials_and_ids_stay() -> None:
    assert m.name("Alice Smith") == "A••• S•••"
    assert m.name("O'Brien-Jones") == "O•••"
    assert m.name("alice@acme.com") == "a•••@a•••.com"  # a display name that is an email
    assert m.name("usr_123") == "usr_123" and m.name("anon-0007") == "anon-0007"
    assert m.name(m.name("Alice Smith")) == "A••• S•••"  # masking twice changes nothing


@pytest.mark.parametrize(
    "key", ["email", "Email", "e_mail", "emailAddress", "billing_email", "phone", "phoneNumber", "mobile", "name", "firstName",
            "first_name", "Last Name", "$ip", "ip_address", "address", "street", "zip", "dateOfBirth"],
)  # fmt: skip
def test_personal_keys_in_any_spelling(key: str) -> None:
    assert is_personal_key(key)


@pytest.mark.parametrize("key", ["plan", "city", "country", "$geoip_city_name", "timezone", "locale", "order_id", "total", "title"])
def test_keys_that_name_no_one(key: str) -> None:
    assert not is_personal_key(key)


def test_values_are_masked_by_key_recursively() -> None:
    traits = {
        "email": "alice@acme.com", "name": "Alice Martin", "firstName": "Alice", "phone": "+1-555-123-4567", "plan": "pro",
        "zip": 10115, "address": {"street": "Hauptstr. 1", "city": "Berlin"}, "company": {"name": "Acme", "plan": "team"},
        "context": {"os": {"name": "iOS"}, "ip": "1.2.3.4", "app": {"name": "Shop"}}, "friends": [{"name": "Bob Stone"}],
        "note": "mail me at carol@shop.example", "newsletter": True, "missing": None,
    }  # fmt: skip
    assert m.value("traits", traits) == {
        "email": "a•••@a•••.com", "name": "A••• M•••", "firstName": "A•••", "phone": "+•-•••-•••-••••", "plan": "pro",
        "zip": "•••", "address": {"street": "H•••", "city": "Berlin"}, "company": {"name": "Acme", "plan": "team"},
        "context": {"os": {"name": "iOS"}, "ip": "•.•.•.•", "app": {"name": "Shop"}}, "friends": [{"name": "B••• S•••"}],
        "note": "mail me at c•••@s•••.example", "newsletter": True, "missing": None,
    }  # fmt: skip
    assert m.value("email", "alice@acme.com") == "a•••@a•••.com"
    assert m.value("company", {"name": "Acme"}) == {"name": "Acme"}
    assert m.value("shipping_address", "1 Long Lane, London") == "1•••"
    assert m.value("billingAddress", {"line1": "1 Long Lane", "postal_code": "E1 6AN", "country": "GB"}) == {
        "line1": "1•••", "postal_code": "E•••", "country": "GB"}
    assert traits["email"] == "alice@acme.com"  # the input is left as it was


def test_an_events_own_name_is_a_persons_only_in_traits() -> None:
    page = {"name": "Pricing", "title": "Pricing", "contact_email": "sales@acme.com", "user": {"name": "Alice Martin"}}
    assert m.value(properties_key("page"), page) == {
        "name": "Pricing", "title": "Pricing", "contact_email": "s•••@a•••.com", "user": {"name": "A••• M•••"}}
    assert m.value(properties_key("identify"), {"name": "Alice Martin"}) == {"name": "A••• M•••"}
    assert m.value(properties_key("group"), {"name": "Acme", "email": "it@acme.com"}) == {"name": "Acme", "email": "i•••@a•••.com"}
    raw = {"type": "identify", "traits": {"name": "Alice Martin"}, "properties": {"name": "Home"},
           "context": {"traits": {"firstName": "Alice"}, "app": {"name": "Shop"}, "ip": "10.0.0.1"}}
    assert m.value("", raw) == {"type": "identify", "traits": {"name": "A••• M•••"}, "properties": {"name": "Home"},
                                "context": {"traits": {"firstName": "A•••"}, "app": {"name": "Shop"}, "ip": "••.•.•.•"}}


def test_mask_email_keeps_the_top_level_domain_only() -> None:
    assert mask_email("x@localhost") == "x•••@l•••"
    assert MASKER.text("x@y.co.uk") == "x•••@y•••.uk"


# -- properties --------------------------------------------------------------------------------------
_LOCAL = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,15}", fullmatch=True)
_LABEL = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,10}", fullmatch=True)
_EMAILS = st.builds(lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}", _LOCAL, st.lists(_LABEL, min_size=1, max_size=3),
                    st.from_regex(r"[a-z]{2,6}", fullmatch=True))  # fmt: skip
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=300, deadline=None)
@given(before=_TEXT, email=_EMAILS, after=_TEXT)
def test_any_email_inside_any_text_is_masked(before: str, email: str, after: str) -> None:
    masked = m.text(f"{before} {email} {after}")
    assert email not in masked
    assert "@" + email.split("@")[1] not in masked  # not even its domain


@settings(max_examples=300, deadline=None)
@given(at=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)), fmt=st.sampled_from(
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%d", "%m-%d %H:%M", "%H:%M:%S", "%a %Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"]))
def test_timestamps_are_never_masked(at: datetime, fmt: str) -> None:
    stamp = at.strftime(fmt)
    assert m.text(stamp) == stamp
    epoch = int(at.replace(tzinfo=timezone.utc).timestamp())
    assert m.text(str(epoch)) == str(epoch) and m.text(str(epoch * 1000)) == str(epoch * 1000)


@settings(max_examples=200, deadline=None)
@given(a=st.integers(0, 255), b=st.integers(0, 255), c=st.integers(0, 255), d=st.integers(0, 255), words=_TEXT)
def test_any_ipv4_address_is_masked(a: int, b: int, c: int, d: int, words: str) -> None:
    ip = f"{a}.{b}.{c}.{d}"
    masked = m.text(f"from {ip} ({words})")
    assert not re.search(rf"(?<![\d.]){re.escape(ip)}(?![\d])", masked)


def test_durations_stay() -> None:
    assert m.text(str(timedelta(hours=3, minutes=4))) == "3:04:00"
