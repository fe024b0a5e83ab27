"""The tag rules: which tags a profile carries, from its aggregates and the time now."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Identity guardrails (issue 12), read from the identity links rather than the profile's aggregates
# (store/identity_flags.py): an anonymous id linked to more than one user, and a profile with more
# anonymous ids than the setting `max_anon_ids`, which usually means a tracking bug merged strangers.
SHARED_DEVICE, TOO_MANY_IDS = "shared_device", "too_many_ids"
IDENTITY_FLAGS = (SHARED_DEVICE, TOO_MANY_IDS)
TAGS = ("new", "returning", "longtime", "work_info", "contact_info", "buyer", "custom_attributes", "live", *IDENTITY_FLAGS)

# Segment's reserved identify traits; anything else is a custom attribute.
RESERVED_TRAITS = frozenset(
    {
        "address", "age", "avatar", "birthday", "company", "createdAt", "created_at", "description",
        "email", "firstName", "first_name", "lastName", "last_name", "gender", "id", "name",
        "phone", "title", "username", "website",
    }
)


def has_custom_attributes(traits: Mapping[str, Any] | None) -> bool:
    """A trait beyond the reserved ones. PostHog's own `$` properties don't count."""
    return any(key not in RESERVED_TRAITS and not key.startswith("$") for key in (traits or {}))


def has_contact(traits: Mapping[str, Any] | None) -> bool:
    traits = traits or {}
    return bool(traits.get("email") or traits.get("phone"))


def profile_tags(
    *,
    session_count: int,
    first_seen: int,
    last_seen: int,
    company: str | None,
    has_contact: bool,
    order_count: int,
    has_custom_attributes: bool,
    now_ms: int,
    longtime_ms: int,
    live_ms: int,
    identity_flags: tuple[str, ...] = (),
) -> tuple[str, ...]:
    tags: list[str] = []
    if session_count == 1:
        tags.append("new")
    elif session_count > 1:
        tags.append("returning")
    if now_ms - first_seen > longtime_ms:
        tags.append("longtime")
    if company:
        tags.append("work_info")
    if has_contact:
        tags.append("contact_info")
    if order_count > 0:
        tags.append("buyer")
    if has_custom_attributes:
        tags.append("custom_attributes")
    if now_ms - last_seen < live_ms:
        tags.append("live")
    tags.extend(flag for flag in IDENTITY_FLAGS if flag in identity_flags)
    return tuple(tags)
