"""Masking personal data for screen sharing: emails, phone numbers, IP addresses and person names.

Two ways in. `text(s)` finds personal data inside free text (a URL with an email in it, a log line
with an IP) and masks only that, leaving timestamps, ids such as `evt_123`, version numbers and counts
as they are. `value(key, v)` masks a trait or property wholesale when its key says it is personal
(`email`, `firstName`, `phone_number`, `$ip`, `address`...), recursing into dicts and lists.

What stays readable, on purpose: opaque ids (`usr_…`, uuids; an id that is an email is masked as
one), company names, city, country (in an address too), locale and time zone (support needs them,
they name no one), and the keys themselves. The first letter of a masked word stays, so a list can
still be told apart.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

DOT = "•"
HIDDEN = DOT * 3

# Word characters, dots, plus and minus before an @; a domain of at least two labels after it.
_EMAIL = r"(?P<email>[\w.+%-]+@[\w-]+(?:\.[\w-]+)+)"
# Four numbers 0-255 joined by dots, not part of a longer dotted number (a version 1.2.3.4.5).
_IPV4 = r"(?P<ipv4>(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w]|\.\d))"
# Hex groups and colons, validated below (a time `14:03:22` is no address).
_IPV6 = r"(?P<ipv6>(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:]))"
# A run of digits with phone separators; which runs are phones is decided below.
_PHONE = r"(?P<phone>(?<![\w.:/+-])(?:\+|00)?\(?\d[\d \t().-]{6,22}\d(?![\w:/]|\.\d))"
_FINDER = re.compile("|".join((_EMAIL, _IPV4, _IPV6, _PHONE)))
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")
_DIGIT = re.compile(r"\d")
# A quick test that a string may hold something to mask: an @, or a digit, or a colon (IPv6).
_MAYBE = re.compile(r"[@\d:]")
# An id rather than a name: one word with a digit or an underscore in it.
_ID_LIKE = re.compile(r"^[\w.-]*[\d_][\w.-]*$")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")

# Keys (lower case, without `$`, `_`, `-`, spaces) whose values are personal, whole.
PERSONAL_KEYS = frozenset(
    {
        "email", "emailaddress", "mail", "phone", "phonenumber", "mobile", "mobilenumber", "tel", "telephone", "fax",
        "name", "firstname", "lastname", "fullname", "middlename", "givenname", "familyname", "surname",
        "displayname", "username", "nickname", "maidenname",
        "address", "street", "streetaddress", "address1", "address2", "addressline1", "addressline2", "line1", "line2", "postalcode",
        "zip", "zipcode", "postcode",
        "ip", "ipaddress", "clientip", "remoteaddr", "xforwardedfor",
        "birthday", "birthdate", "dateofbirth", "dob", "ssn", "taxid", "passport",
        "latitude", "longitude", "lat", "lon", "lng", "geoiplatitude", "geoiplongitude",
    }
)  # fmt: skip
# Suffixes that make a compound key personal (`billing_email`, `contactPhone`, `shipping_address`).
PERSONAL_SUFFIXES = ("email", "phone", "phonenumber", "firstname", "lastname", "fullname", "address")
# Under these, `name` is a thing's name, not a person's (context.os.name, products[].name, company.name).
NAMED_THINGS = frozenset(
    {
        "os", "app", "library", "lib", "device", "browser", "campaign", "utm", "page", "screen", "network",
        "products", "product", "items", "item", "company", "group", "groups", "organization", "org", "plan",
        "referrer", "location", "geo", "userAgentData", "brands", "properties",
    }
)  # fmt: skip
_NAMED_THINGS = frozenset(k.lower() for k in NAMED_THINGS)
_NAME_KEYS = frozenset({"name", "displayname", "fullname", "firstname", "lastname", "middlename", "givenname",
                        "familyname", "surname", "nickname", "maidenname", "username"})  # fmt: skip


def properties_key(event_type: str) -> str:
    """What an event's own properties are, as the key to mask them under: an identify's are a person's traits
    (their `name` is the person's), a group's a company's, any other event's describe a thing (a page's or a
    product's `name` names no one)."""
    return {"identify": "traits", "group": "group"}.get(event_type, "properties")


def normal_key(key: str) -> str:
    """`first_name`, `firstName`, `First Name`, `$first-name` -> `firstname`."""
    return "".join(ch for ch in key.lower() if ch.isalnum())


def is_personal_key(key: str) -> bool:
    normal = normal_key(key)
    return normal in PERSONAL_KEYS or (len(normal) > 5 and normal.endswith(PERSONAL_SUFFIXES))


def mask_email(email: str) -> str:
    """`alice.smith@example.com` -> `a•••@e•••.com`."""
    local, _, domain = email.rpartition("@")
    labels = domain.split(".")
    tld = labels[-1] if len(labels) > 1 else ""
    return f"{local[:1]}{HIDDEN}@{domain[:1]}{HIDDEN}" + (f".{tld}" if tld else "")


def mask_digits(number: str) -> str:
    """A phone number or IP address: its separators stay, its digits go (`+1-555-…` -> `+•-•••-…`)."""
    return "".join(DOT if ch.isalnum() else ch for ch in number)


def _is_ipv6(candidate: str) -> bool:
    if candidate.count(":") < 2 or ("::" not in candidate and candidate.count(":") != 7) or not _DIGIT.search(candidate):
        return False
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


def _is_phone(candidate: str) -> bool:
    digits = len(_DIGIT.findall(candidate))
    if not 8 <= digits <= 15 or _DATE.search(candidate):
        return False
    if candidate.startswith(("+", "00")) or "(" in candidate:
        return True
    # Without a country code: 9+ digits in groups (a bare count or epoch time has no separators).
    separators = sum(1 for ch in candidate if ch in " -.")
    if digits < 9 or not separators:
        return False
    return "." not in candidate or candidate.count(".") >= 2


def _masked(match: re.Match[str]) -> str:
    found = match.group()
    kind = match.lastgroup
    if kind == "email":
        return mask_email(found)
    if kind == "ipv4":
        return mask_digits(found)
    if kind == "ipv6":
        return mask_digits(found) if _is_ipv6(found) else found
    return mask_digits(found) if _is_phone(found.strip()) else found


class Masker:
    """Masks personal data in text and in values under personal keys (see the module's docstring)."""

    def text(self, s: str) -> str:
        """`s` with every email, phone number and IP address in it masked."""
        if not s or not _MAYBE.search(s):
            return s
        return _FINDER.sub(_masked, s)

    def name(self, s: str) -> str:
        """A person's name as initials (`Alice Smith` -> `A••• S•••`); an email or id in its place as `text` does."""
        if not s or HIDDEN in s:
            return s  # masked already
        masked = self.text(s)
        if masked != s or _ID_LIKE.match(s):
            return masked
        return _WORD.sub(lambda m: m.group()[:1] + HIDDEN, s)

    def value(self, key: str, value: Any) -> Any:
        """`value` found under `key`: masked whole when the key is personal, else its personal parts."""
        return self._value(normal_key(key), value, named_thing=False)

    def _value(self, normal: str, value: Any, *, named_thing: bool) -> Any:
        personal = normal in PERSONAL_KEYS or (len(normal) > 5 and normal.endswith(PERSONAL_SUFFIXES))
        if personal and named_thing and normal == "name":
            personal = False
        if personal and not (isinstance(value, dict) and normal.endswith("address")):
            return self._whole(normal, value)
        if isinstance(value, dict):  # an address as a dict: its street, zip, lines masked; its city and country kept
            inside = normal in _NAMED_THINGS
            return {k: self._value(normal_key(str(k)), v, named_thing=inside) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._value(normal, v, named_thing=named_thing) for v in value]
        return self.text(value) if isinstance(value, str) else value

    def _whole(self, normal: str, value: Any) -> Any:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, dict):
            return {k: self._whole(normal, v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._whole(normal, v) for v in value]
        if isinstance(value, str):
            if HIDDEN in value:
                return value  # masked already
            if normal in _NAME_KEYS:
                return self.name(value)
            masked = self.text(value)
            if masked != value:
                return masked
            return value[:1] + HIDDEN if value else value
        return HIDDEN  # a number under a personal key (a zip code, a latitude)


MASKER = Masker()
