"""The identity rules: which profile an event belongs to, as functions to read beside the spec."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from .formats import ALIAS, IDENTIFY

IDENTIFIED, ANONYMOUS = "identified", "anonymous"

ProfileKey = tuple[str, str]  # (IDENTIFIED | ANONYMOUS, external id)


def profile_for(
    *,
    user_id: str | None,
    anonymous_id: str | None,
    ts: int,
    id_ambiguous: bool,
    links: Sequence[tuple[int, str]],
    identified_ids: frozenset[str] | set[str],
) -> ProfileKey:
    """The profile an event belongs to.

    Spec: "An event with a user id belongs to that user's identified profile. An
    event with only an anonymous id belongs to that id's anonymous profile."
    "Each anonymous-only event is merged into the identified profile of the first
    identify that follows it on that anonymous id: the history before sign-up joins
    the user; what happens after logout stays anonymous until the next identify."

    `links` are the (time, user id) identify links of `anonymous_id`, sorted by time.
    `identified_ids` are ids known to be user ids (identify/alias targets): a PostHog
    distinct_id whose kind its line could not tell (`id_ambiguous`) is a user id
    once it has been identified.
    """
    if user_id is not None:
        return (IDENTIFIED, user_id)
    if anonymous_id is None:  # formats rejects such lines; kept total for safety
        raise ValueError("an event needs a user id or an anonymous id")
    if id_ambiguous and anonymous_id in identified_ids:
        return (IDENTIFIED, anonymous_id)
    merged_into = first_identify_after(ts, links)
    if merged_into is not None:
        return (IDENTIFIED, merged_into)
    return (ANONYMOUS, anonymous_id)


def first_identify_after(ts: int, links: Sequence[tuple[int, str]]) -> str | None:
    """The user of the first link at or after `ts`, or None (links sorted by time)."""
    i = bisect_left(links, ts, key=lambda link: link[0])
    return links[i][1] if i < len(links) else None


def anonymous_profile_for(
    *, user_id: str | None, anonymous_id: str | None, id_ambiguous: bool, identified_ids: frozenset[str] | set[str]
) -> str | None:
    """The anonymous profile an event is part of, merged or not; None for an event tracked while identified.

    Spec: "Everything tracked under an anonymous id while no user id was attached belongs to
    that anonymous profile, before sign-in and after logout alike. When an identify links the
    anonymous id to a user, the anonymous events before it are also part of the identified
    profile." So an event with no user id is its anonymous id's, and `profile_for` says which
    profile it also counts for; a PostHog distinct_id known to be a user id is no anonymous id.
    """
    if user_id is not None or anonymous_id is None:
        return None
    if id_ambiguous and anonymous_id in identified_ids:
        return None
    return anonymous_id


def settle_guessed_user_id(
    user_id: str | None, anonymous_id: str | None, id_ambiguous: bool, linked_anonymous: frozenset[str] | set[str]
) -> tuple[str | None, str | None]:
    """(user id, anonymous id) of an event once the identity links are known.

    Spec: "An id named as `$anon_distinct_id` in a PostHog `$identify`, or as the previous id
    of an alias, is an anonymous id for every event that carries it, whatever library sent the
    event." A server library's distinct_id is taken for a user id on its line alone (formats
    marks it `id_ambiguous` with a user id); an explicit link naming it as the anonymous side
    wins over that guess. `linked_anonymous` are ids that are the anonymous side of a link.
    """
    if id_ambiguous and user_id is not None and anonymous_id is None and user_id in linked_anonymous:
        return None, user_id
    return user_id, anonymous_id


# How an anonymous id came to be linked to a user, as the identity panel says it.
VIA_SIGNED_IN = "signed in"  # never linked: only sent along with the user id (an app already signed in)
VIA_UNKNOWN = "unknown"  # the linking event is no longer stored
# A link made by hand (store/identity_repair.py) has no linking event; this is the one place the words live.
VIA_BY_HAND = "by hand"
VIA_UNLINKED_BY_HAND = "unlinked"  # a person took the link apart by hand; the decision is kept


def link_via(event_type: str | None, event_name: str | None) -> str:
    """Which call made a link: Segment `identify` or `alias`, PostHog `$identify` or `$create_alias`."""
    if event_name in ("$identify", "$create_alias"):
        return event_name
    if event_type in (IDENTIFY, ALIAS):
        return event_type
    return VIA_UNKNOWN
