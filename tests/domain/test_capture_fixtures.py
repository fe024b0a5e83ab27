"""What the real Segment and PostHog libraries send, captured to files, parses to what each scenario meant."""

from __future__ import annotations

import dataclasses
import gzip
import json
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import posthog
import pytest
from segment.analytics import Client as SegmentClient

from tests.capture import CaptureServer
from tests.make_fixtures import BAD_LINES, HOSTILE, OSC_TITLE, RICH_BOLD, RICH_CLICK, make_fixtures
from tests.scenarios import POSTHOG_SCENARIOS, SCENARIOS, Expected, run_scenario, write_scenario
from tui_profiles.domain.formats import NormalizedEvent, Rejection, parse_line

RECEIVED = int(datetime(2024, 3, 5, tzinfo=timezone.utc).timestamp() * 1000)
WHEN = datetime(2024, 3, 4, 9, 0, tzinfo=timezone.utc)


def read_lines(path: Path) -> list[bytes]:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).splitlines()


def parse_all(path: Path) -> list[NormalizedEvent]:
    events = [parse_line(line, RECEIVED) for line in read_lines(path)]
    assert all(isinstance(event, NormalizedEvent) for event in events), events
    return events  # type: ignore[return-value]


def as_expected(event: NormalizedEvent) -> Expected:
    return Expected(**{f.name: getattr(event, f.name) for f in dataclasses.fields(Expected)})


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_line_of_a_scenario_parses_to_what_it_meant(name: str, tmp_path: Path) -> None:
    path, expected = run_scenario(name, tmp_path)
    events = parse_all(path)
    assert [as_expected(event) for event in events] == expected
    assert {event.format for event in events} == {"posthog" if name in POSTHOG_SCENARIOS else "segment"}
    assert all(event.time_flag is None for event in events)


def test_gzipped_scenario_holds_the_same_messages(tmp_path: Path) -> None:
    plain = write_scenario("posthog_identify", tmp_path)
    packed = write_scenario("posthog_identify", tmp_path, gz=True)
    assert packed.name == "posthog_identify.json.gz"
    strip = [{k: v for k, v in json.loads(line).items() if k != "sent_at"} for line in read_lines(plain)]
    assert [{k: v for k, v in json.loads(line).items() if k != "sent_at"} for line in read_lines(packed)] == strip


def test_scenarios_are_deterministic_apart_from_send_times(tmp_path: Path) -> None:
    first = parse_all(write_scenario("anonymous_then_signup", tmp_path / "a"))
    second = parse_all(write_scenario("anonymous_then_signup", tmp_path / "b"))
    assert [(e.message_id, e.ts, e.user_id, e.anonymous_id) for e in first] == [
        (e.message_id, e.ts, e.user_id, e.anonymous_id) for e in second
    ]


def test_unknown_scenario_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="anonymous_then_signup"):
        write_scenario("nope", tmp_path)


# --- what the libraries really send -------------------------------------------------


def test_segment_batches_are_split_one_message_a_line(tmp_path: Path) -> None:
    with CaptureServer(tmp_path / "batched.jsonl") as server:
        client = SegmentClient("key", host=server.url, upload_size=50, upload_interval=0.05, gzip=False)
        for n in range(5):
            client.track(user_id=f"user-{n}", event="Batched", timestamp=WHEN, anonymous_id=None)
        client.flush()
        client.join()
    assert server.requests and set(server.requests) == {"POST /v1/batch"}
    events = parse_all(tmp_path / "batched.jsonl")
    assert [e.user_id for e in events] == [f"user-{n}" for n in range(5)]


def test_segment_library_sends_what_storage_destinations_write(tmp_path: Path) -> None:
    with CaptureServer(tmp_path / "s.jsonl") as server:
        client = SegmentClient("key", host=server.url, sync_mode=True, gzip=True)
        # The library overwrites context.library with its own name.
        client.track(user_id=42, event="Numbers", context={"library": {"name": "analytics.js"}}, timestamp=WHEN)
    (message,) = server.messages
    assert message["userId"] == "42"  # it stringifies ids itself
    assert message["anonymousId"] is None  # and sends the missing one as null
    assert message["context"]["library"]["name"] == "analytics-python"
    assert message["timestamp"] == "2024-03-04T09:00:00.000+00:00"
    assert {"messageId", "sentAt", "receivedAt"} <= set(message)
    (event,) = parse_all(tmp_path / "s.jsonl")
    assert (event.user_id, event.source) == ("42", "server")


def test_posthog_alias_sends_the_previous_id_as_distinct_id(tmp_path: Path) -> None:
    with CaptureServer(tmp_path / "p.jsonl") as server:
        client = posthog.Posthog("phc_key", host=server.url, sync_mode=True, capture_mode="v0")
        client.alias(previous_id="anon-1", distinct_id="user-1", timestamp=WHEN)
        client.shutdown()
    (message,) = server.messages
    assert message["event"] == "$create_alias"
    assert message["distinct_id"] == message["properties"]["distinct_id"] == "anon-1"
    assert message["properties"]["alias"] == "user-1"
    (event,) = parse_all(tmp_path / "p.jsonl")
    assert event.link == ("anon-1", "user-1")


def test_posthog_library_marks_itself_as_a_server(tmp_path: Path) -> None:
    with CaptureServer(tmp_path / "p.jsonl") as server:
        client = posthog.Posthog("phc_key", host=server.url, sync_mode=True, capture_mode="v0")
        client.capture("clicked", distinct_id="user-1", timestamp=WHEN)
        client.set(distinct_id="user-1", properties={"plan": "pro"}, timestamp=WHEN)
        client.shutdown()
    capture, set_call = server.messages
    props = capture["properties"]
    assert (props["$lib"], props["$is_server"], props["$geoip_disable"]) == ("posthog-python", True, True)
    assert "$os" in props and "$python_version" in props  # the sending machine's, not the user's
    assert set_call["$set"] == {"plan": "pro"} and "$set" not in set_call["properties"]  # top-level $set
    events = parse_all(tmp_path / "p.jsonl")
    assert [(e.user_id, e.source, e.traits_set) for e in events] == [
        ("user-1", "server", None),
        ("user-1", "server", {"plan": "pro"}),
    ]


def test_posthog_personless_capture_is_anonymous(tmp_path: Path) -> None:
    with CaptureServer(tmp_path / "p.jsonl") as server:
        client = posthog.Posthog("phc_key", host=server.url, sync_mode=True, capture_mode="v0")
        client.capture("anonymous ping", timestamp=WHEN)  # no distinct_id: the library invents one
        client.shutdown()
    (message,) = server.messages
    assert message["properties"]["$process_person_profile"] is False
    (event,) = parse_all(tmp_path / "p.jsonl")
    assert (event.user_id, event.anonymous_id, event.id_ambiguous) == (None, message["distinct_id"], False)


def test_posthog_batches_and_flag_requests(tmp_path: Path) -> None:
    with CaptureServer(tmp_path / "p.json.gz") as server:
        client = posthog.Posthog("phc_key", host=server.url, gzip=True, flush_at=10, flush_interval=0.05,
                                 capture_mode="v0", enable_local_evaluation=False)  # fmt: skip
        for n in range(3):
            client.capture("batched", distinct_id=f"user-{n}", timestamp=WHEN)
        # A flag lookup reaches /flags; the stub's empty answer means "no flags".
        assert client.evaluate_flags("user-0").get_flag("beta") is None
        client.flush()
        client.shutdown()
    assert "POST /flags" in server.requests and "POST /batch" in server.requests
    events = parse_all(tmp_path / "p.json.gz")
    assert sorted(e.user_id for e in events if e.name == "batched") == ["user-0", "user-1", "user-2"]


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_stub_takes_single_posthog_events_and_refuses_garbage(tmp_path: Path) -> None:
    with CaptureServer(tmp_path / "raw.jsonl") as server:
        event = {"event": "$pageview", "distinct_id": "d1", "properties": {"$lib": "web"}}
        assert post(f"{server.url}/i/v0/e/", gzip.compress(json.dumps(event).encode()),
                    {"Content-Encoding": "gzip"})[0] == 200  # fmt: skip
        assert post(f"{server.url}/batch/", b"{not json", {})[0] == 400
        assert post(f"{server.url}/elsewhere", b"{}", {})[0] == 404
    assert server.messages == [event]
    (parsed,) = parse_all(tmp_path / "raw.jsonl")
    assert (parsed.type, parsed.source, parsed.id_ambiguous) == ("page", "web", True)


# --- the committed sample files under fixtures/ ---------------------------------------

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_committed_fixtures_are_what_make_fixtures_writes(tmp_path: Path) -> None:
    fresh = {path.relative_to(tmp_path) for path in make_fixtures(tmp_path)}
    committed = {path.relative_to(FIXTURES) for path in FIXTURES.rglob("*") if path.is_file() and path.suffix != ".md"}
    assert committed == fresh


@pytest.mark.parametrize("name", SCENARIOS)
def test_committed_scenario_files_are_up_to_date(name: str, tmp_path: Path) -> None:
    _, expected = run_scenario(name, tmp_path)
    folder = FIXTURES / ("posthog" if name in POSTHOG_SCENARIOS else "segment")
    (path,) = folder.glob(f"{name}.json*")
    assert [as_expected(event) for event in parse_all(path)] == expected


def test_committed_bad_lines_are_each_rejected_for_their_own_reason() -> None:
    reasons = [parse_line(line, RECEIVED) for line in read_lines(FIXTURES / "bad-lines.jsonl")]
    assert len(reasons) == len(BAD_LINES)
    assert all(isinstance(reason, Rejection) for reason in reasons), reasons
    starts = ["line is over 1 MiB", "not valid UTF-8 at byte ", "not JSON: ", "JSON list is not an object",
              "absurd nesting", "absurd nesting", "type 'click' is not", "looks like a PostHog event",
              "neither a Segment message", "PostHog event has no event name", "no userId and no anonymousId",
              "no usable id (junk: userId 'undefined', anonymousId 'null')", "no usable id (junk: distinct_id 'guest')",
              "no usable id (junk: userId 0)"]  # fmt: skip
    assert [reason.reason[: len(start)] for reason, start in zip(reasons, starts, strict=True)] == starts  # type: ignore[union-attr]


def test_committed_hostile_lines_are_valid_and_keep_every_attack_verbatim() -> None:
    events = parse_all(FIXTURES / "hostile.jsonl")
    assert len(events) == 8
    shown = json.dumps([[e.user_id, e.anonymous_id, e.name, e.path, e.title, e.country, e.city, e.group_id,
                         e.properties, e.traits_set, e.group_traits] for e in events], ensure_ascii=False)  # fmt: skip
    for attack in HOSTILE:
        assert json.dumps(attack, ensure_ascii=False)[1:-1] in shown, attack
    assert events[0].link == (RICH_CLICK, RICH_BOLD)
    assert events[6].link == (RICH_CLICK, OSC_TITLE)
