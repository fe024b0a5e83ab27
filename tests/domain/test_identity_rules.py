"""The identity rules of issue 12 as plain functions: an anonymous profile keeps its history; an explicit link wins over a guess."""

from __future__ import annotations

from tui_profiles.domain.identity import ANONYMOUS, IDENTIFIED, anonymous_profile_for, profile_for, settle_guessed_user_id


def test_a_merged_event_is_part_of_its_anonymous_profile_and_of_the_user():
    links = [(100, "alice-42")]
    args = {"user_id": None, "anonymous_id": "anon-web", "id_ambiguous": False, "identified_ids": set()}
    assert profile_for(ts=50, links=links, **args) == (IDENTIFIED, "alice-42")
    assert anonymous_profile_for(**args) == "anon-web"
    # After logout: the anonymous profile's only.
    assert profile_for(ts=150, links=links, **args) == (ANONYMOUS, "anon-web")


def test_nothing_tracked_while_identified_reaches_an_anonymous_profile():
    assert anonymous_profile_for(user_id="alice-42", anonymous_id="anon-web", id_ambiguous=False, identified_ids=set()) is None
    # A PostHog distinct_id known to be a user id is no anonymous id.
    assert anonymous_profile_for(user_id=None, anonymous_id="u1", id_ambiguous=True, identified_ids={"u1"}) is None


def test_an_explicit_link_wins_over_the_server_library_guess():
    assert settle_guessed_user_id("cookie-1", None, True, {"cookie-1"}) == (None, "cookie-1")
    assert settle_guessed_user_id("cookie-1", None, True, set()) == ("cookie-1", None)
    # A user id the line says for sure (not a guess) is never re-classified.
    assert settle_guessed_user_id("cookie-1", None, False, {"cookie-1"}) == ("cookie-1", None)
