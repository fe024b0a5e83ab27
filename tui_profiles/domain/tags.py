"""The tag rules: which tags a profile carries, from its aggregates and the time now."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TAGS = ("new", "returning", "longtime", "work_info", "contact_info", "buyer", "custom_attributes", "live")

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
    return tuple(tags)
