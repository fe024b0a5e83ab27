"""A few people in companies, recorded through the real Segment and PostHog clients, for the issue-7 tests.

    folder = write_people(tmp_path / "inbox")   # segment.jsonl, posthog.jsonl, bad.jsonl

bob (user-bob) is the one erased: two Segment anonymous ids (web, iOS), one PostHog
anonymous id, a company of his own (bobco, by Segment group and PostHog
$groupidentify), events in acme through context.groupId, a survey answer, an
anonymous visit after logging out (his web anonymous id's own profile), and
quarantined lines carrying his ids. alice is in acme and answers a survey after
viewing /pricing. carol visits acme's pages anonymously, then signs up: her
membership moves with her history. dan answers a PostHog survey.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.capture import CaptureServer
from tests.scenarios import IOS, PostHogRun, SegmentRun, at

BOB_IDS = ("user-bob", "anon-bob-web", "anon-bob-ios", "ph-anon-bob")
# Lines that cannot be accepted: two carry bob's ids (a cut-off line; a line whose anonymous id key is misspelt).
BAD_LINES = (
    b'{"type":"track","userId":"user-bob","event":"Cut off',
    b'{"type":"page","userId":null,"anonymousID":"anon-bob-ios"}',
    b"not json at all",
)
# What else identifies bob: his traits, his company's name (only he fed bobco).
BOB_DATA = ("bob@bobco.example", "Bob Stone", "Bob Co")


def segment_people(s: SegmentRun) -> None:
    # bob on the web, then identified, in his own company and in acme.
    s.page(at(0), "Home", "/", anonymous_id="anon-bob-web")
    s.identify(at(1), {"email": "bob@bobco.example", "name": "Bob Stone", "company": {"name": "Bob Co"}},
               user_id="user-bob", anonymous_id="anon-bob-web")  # fmt: skip
    s.group(at(2), "bobco", {"name": "Bob Co", "plan": "startup"}, user_id="user-bob", anonymous_id="anon-bob-web")
    s.track(at(3), "Bob Only Event", {"secret": "bob's"}, user_id="user-bob", anonymous_id="anon-bob-web")
    s.page(at(4), "Bob's page", "/u/user-bob/settings", user_id="user-bob", anonymous_id="anon-bob-web")
    s.screen(at(60), "Home", device=IOS, anonymous_id="anon-bob-ios")
    s.identify(at(61), device=IOS, user_id="user-bob", anonymous_id="anon-bob-ios")
    s.track(at(62), "Report Exported", {"format": "csv"}, device=IOS, user_id="user-bob", anonymous_id="anon-bob-ios",
            group="acme")  # fmt: skip
    s.track(at(63), "Survey Responded", {"survey_name": "NPS", "score": 3, "comment": "too slow"}, user_id="user-bob",
            anonymous_id="anon-bob-web")  # fmt: skip
    s.track(at(64), "Logged Out", user_id="user-bob", anonymous_id="anon-bob-web")
    s.page(at(90), "Pricing", "/pricing", anonymous_id="anon-bob-web")  # after logout: his anonymous profile

    # alice in acme.
    s.identify(at(5), {"email": "alice@acme.example", "name": "Alice Liddell"}, user_id="user-alice", anonymous_id="anon-alice")
    s.group(at(6), "acme", {"name": "Acme Inc", "plan": "enterprise", "employees": 120}, user_id="user-alice")
    s.page(at(7), "Pricing", "/pricing", user_id="user-alice", group="acme")
    s.track(at(8), "Survey Responded", {"survey_id": "nps-1", "survey_name": "NPS", "score": 9, "comment": "Great, thanks"},
            user_id="user-alice")  # fmt: skip
    s.track(at(9), "Report Exported", {"format": "pdf"}, user_id="user-alice", group="acme")
    # acme renames itself later: the latest name wins.
    s.group(at(200), "acme", {"name": "Acme Corporation"}, user_id="user-alice")

    # carol, anonymous in acme, then signs up: her membership moves with her history.
    s.page(at(20), "Docs", "/docs", anonymous_id="anon-carol", group="acme")
    s.identify(at(25), {"email": "carol@example.com"}, user_id="user-carol", anonymous_id="anon-carol")


def posthog_people(p: PostHogRun) -> None:
    p.capture(at(30), "$pageview", "ph-anon-bob", identified=False,
              properties={"$current_url": "https://shop.example/", "$pathname": "/"})  # fmt: skip
    p.identify(at(31), "user-bob", "ph-anon-bob", set={"plan": "pro"})
    p.group_identify(at(32), "company", "bobco", {"name": "Bob Co", "employees": 3}, "user-bob")
    p.capture(at(33), "survey sent", "user-bob", identified=True,
              properties={"$survey_id": "s-1", "$survey_name": "Onboarding", "$survey_response": "Confusing"})  # fmt: skip
    p.capture(at(40), "$pageview", "user-dan", identified=True,
              properties={"$current_url": "https://shop.example/billing", "$pathname": "/billing"})  # fmt: skip
    p.capture(at(41), "survey sent", "user-dan", identified=True,
              properties={"$survey_id": "s-2", "$survey_name": "Billing", "$survey_response": "8",
                          "$survey_response_1": "Love it", "$current_url": "https://shop.example/billing/plans"})  # fmt: skip


def _record(path: Path, run: Callable[[CaptureServer], object]) -> Path:
    with CaptureServer(path) as server:
        run(server)
    return path


def write_people(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)

    def segment(server: CaptureServer) -> None:
        segment_people(SegmentRun("people", server))

    def ph(server: CaptureServer) -> None:
        run = PostHogRun("people-posthog", server)
        posthog_people(run)
        run.client.shutdown()

    _record(folder / "segment.jsonl", segment)
    _record(folder / "posthog.jsonl", ph)
    (folder / "bad.jsonl").write_bytes(b"\n".join(BAD_LINES) + b"\n")
    return folder
