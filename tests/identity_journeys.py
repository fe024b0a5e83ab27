"""Journeys of the identity guardrails and panel (issue 12), sent through the real Segment and PostHog clients.

A family laptop two people sign in on, a phone two PostHog users identify on, a tracking bug that merges five
visitors into one user. No tests here: the store, CLI and TUI tests use them.
"""

from __future__ import annotations

from pathlib import Path

from tests.scenarios import PostHogRun, SegmentRun, at, run_journey

LAPTOP = "anon-laptop-5e11"
PHONE = "ph-anon-0f0f"


def shared_laptop(s: SegmentRun) -> None:
    """Alice signs in on the family laptop, logs out; Bob signs in on it; then someone browses signed out."""
    s.page(at(0), "Home", "/", anonymous_id=LAPTOP)
    s.identify(at(1), {"email": "alice@example.com"}, user_id="user-alice", anonymous_id=LAPTOP)
    s.track(at(2), "Logged Out", user_id="user-alice", anonymous_id=LAPTOP)
    s.identify(at(30), {"email": "bob@example.com"}, user_id="user-bob", anonymous_id=LAPTOP)
    s.track(at(31), "Logged Out", user_id="user-bob", anonymous_id=LAPTOP)
    s.page(at(40), "Blog", "/blog", anonymous_id=LAPTOP)
    s.page(at(50), "Home", "/", anonymous_id="anon-own-laptop")  # carol's own laptop: shared with no one
    s.identify(at(51), {"email": "carol@example.com"}, user_id="user-carol", anonymous_id="anon-own-laptop")


def shared_phone(p: PostHogRun) -> None:
    """The same on PostHog: two $identify calls name one $anon_distinct_id."""
    p.capture(at(0), "$pageview", PHONE, identified=False, properties={"$pathname": "/"})
    p.identify(at(1), "user-dan", PHONE)
    p.identify(at(20), "user-erin", PHONE)


def blob(s: SegmentRun) -> None:
    """A tracking bug: one hard-coded user id identifies every visitor. Five anonymous ids join one profile."""
    for i in range(5):
        s.page(at(10 * i), "Home", "/", anonymous_id=f"anon-visitor-{i}")
        s.identify(at(10 * i + 1), {}, user_id="user-everyone", anonymous_id=f"anon-visitor-{i}")
    s.alias(at(60), "anon-visitor-5", "user-everyone")


def identity_files(folder: Path) -> list[Path]:
    return [run_journey("shared_laptop", shared_laptop, folder, client="segment")[0],
            run_journey("shared_phone", shared_phone, folder, client="posthog", gz=True)[0],
            run_journey("blob", blob, folder, client="segment")[0]]  # fmt: skip
