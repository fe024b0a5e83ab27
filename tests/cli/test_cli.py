"""The command-line contract scripts rely on, run as a real process."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scenarios import T0, run_scenario

NOW = "2024-03-05T09:00:00Z"  # a day after the scenarios


def cli(*args: str, db: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "TUI_PROFILES_NOW": NOW, **(env or {})}
    argv = [sys.executable, "-m", "tui_profiles", *(["--db", db] if db else []), *args]
    return subprocess.run(argv, capture_output=True, text=True, env=full_env, timeout=120)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A folder of both formats, gzipped and plain, as the storage destinations deliver them."""
    folder = tmp_path / "inbox"
    (folder / "segment-logs" / "src1" / "2024-03-04").mkdir(parents=True)
    (folder / "posthog").mkdir()
    run_scenario("anonymous_then_signup", folder / "segment-logs" / "src1" / "2024-03-04", gz=True)
    run_scenario("logout_stays_anonymous", folder / "segment-logs" / "src1" / "2024-03-04")
    run_scenario("order_completed", folder / "segment-logs" / "src1" / "2024-03-04")
    run_scenario("posthog_identify", folder / "posthog", gz=True)
    run_scenario("posthog_set_once", folder / "posthog")
    return folder


def test_ingest_a_folder_then_list_users_and_open_a_profile(db_url, inbox):
    run = cli("ingest", str(inbox), "--json", db=db_url)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"files": 5, "events": 22, "duplicates": 0, "copies": 0, "rejected": 0, "suppressed": 0}

    run = cli("users", "--json", db=db_url)
    assert run.returncode == 0, run.stderr
    listed = json.loads(run.stdout)
    assert {u["id"] for u in listed} == {
        "user-judy", "user-ivan", "user-frank", "anon-d-after-reset", "user-dave", "user-alice",
        # The anonymous profiles of alice, ivan and dave, who browsed before signing in: their own histories.
        "anon-5b1f0c2e", "018e0c1a-5a5a-7000-8000-00000000a11c", "anon-d-first",
    }  # fmt: skip
    assert listed[0]["id"] == "user-alice"  # her last event is the latest of all (6 minutes in)
    assert [u["last_seen"] for u in listed] == sorted((u["last_seen"] for u in listed), reverse=True)
    assert set(listed[0]) == {"id", "kind", "name", "email", "first_seen", "last_seen", "live", "sessions", "events", "tags"}
    by_id = {u["id"]: u for u in listed}
    assert by_id["anon-d-after-reset"]["kind"] == "anonymous" and by_id["user-dave"]["kind"] == "identified"
    assert by_id["user-alice"]["first_seen"] == "2024-03-04T09:00:00.000Z"
    assert by_id["user-frank"]["tags"] == ["new", "buyer"]

    run = cli("users", "--json", "--limit", "2", db=db_url)
    assert [u["id"] for u in json.loads(run.stdout)] == [u["id"] for u in listed[:2]]
    run = cli("users", "--json", "--since", "7d", db=db_url, env={"TUI_PROFILES_NOW": "2024-03-20T00:00:00Z"})
    assert json.loads(run.stdout) == []

    run = cli("profile", "user-alice", "--json", db=db_url)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert set(doc) >= {
        "id", "kind", "name", "email", "first_seen", "last_seen", "live", "sessions", "events", "tags",
        "anonymous_ids", "traits", "country", "signed_up", "avg_session_seconds", "sources", "companies",
        "top_events", "top_pages", "session_list", "timeline",
    }
    assert doc["events"] == 6 and len(doc["timeline"]) == 6
    # merged_into: on an anonymous profile, the user a session's or event's merged events also belong to.
    assert set(doc["session_list"][0]) == {"id", "start", "end", "duration_seconds", "events", "source", "live", "merged_into"}
    assert set(doc["timeline"][0]) == {"message_id", "timestamp", "type", "name", "path", "session_id", "properties", "merged_into"}
    assert doc["timeline"][0]["timestamp"].endswith("Z")
    # An anonymous id finds its profile too.
    run = cli("profile", "anon-d-after-reset", "--json", db=db_url)
    assert json.loads(run.stdout)["kind"] == "anonymous"

    # Reading the same folder again adds nothing.
    run = cli("ingest", str(inbox), "--json", db=db_url)
    assert json.loads(run.stdout)["events"] == 0


def test_human_output(sqlite_url, inbox):
    run = cli("ingest", str(inbox), db=sqlite_url)
    assert run.stdout.strip() == "files 5  new events 22  duplicates 0  rejected 0"
    run = cli("users", db=sqlite_url)
    assert "Alice Liddell" in run.stdout
    run = cli("profile", "user-alice", db=sqlite_url)
    assert "alice@example.com" in run.stdout and "anon-5b1f0c2e" in run.stdout


def test_unknown_profile_is_one_clear_line_and_exit_1(sqlite_url, inbox):
    cli("ingest", str(inbox), db=sqlite_url)
    run = cli("profile", "nobody", db=sqlite_url)
    assert run.returncode == 1
    assert run.stderr.strip() == "tui-profiles: no profile with the id 'nobody'"


def test_missing_path_is_one_line_and_non_zero(sqlite_url, tmp_path):
    run = cli("ingest", str(tmp_path / "nope"), db=sqlite_url)
    assert run.returncode != 0 and run.stdout == ""
    assert run.stderr.strip().splitlines() == [f"tui-profiles: no such file or folder: {tmp_path / 'nope'}"]


def test_unreachable_database_is_one_line_and_non_zero(inbox):
    run = cli("ingest", str(inbox), db="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tui-profiles: cannot open the store at postgresql")
    run = cli("users", db="mysql://x/y")
    assert run.returncode != 0 and len(run.stderr.strip().splitlines()) == 1


def test_db_from_the_environment(tmp_path, inbox):
    url = f"sqlite:///{tmp_path}/env.db"
    assert cli("ingest", str(inbox), env={"TUI_PROFILES_DB": url}).returncode == 0
    assert (tmp_path / "env.db").exists()


BAD_LINES: list[tuple[bytes, str]] = [
    (b"{not json", "JSON"),
    (b'{"type": "track", "event": "X", "userId": "u", "messageId": "m\xff\xfe"}', "UTF-8"),
    (b"[1, 2, 3]", "object"),
    (b'{"type": "track", "event": "X", "messageId": "no-ids"}', "id"),
    (b'{"type": "track", "event": "X", "userId": "undefined", "messageId": "junk-id"}', "undefined"),
    (b'{"type": "track", "event": "X", "anonymousId": "null", "messageId": "junk-anon"}', "null"),
    (b'{"type": "track", "event": "X", "userId": 0, "messageId": "zero"}', "0"),
    (b'{"type": "track", "userId": "u", "messageId": "huge", "properties": {"x": "' + b"a" * (1024 * 1024) + b'"}}', "1 MiB"),
    (b'{"type": "track", "userId": "u", "messageId": "deep", "properties": ' + b'{"a":' * 200 + b"1" + b"}" * 200 + b"}", "nest"),
    (b'{"hello": "world"}', "neither a Segment message"),
]


def test_bad_lines_are_quarantined_with_their_reason_and_bytes(db_url, tmp_path):
    good = b'{"type": "track", "event": "Clicked", "userId": "user-ok", "messageId": "good-%d", "timestamp": "2024-03-04T09:00:00Z"}'
    lines = []
    for i, (bad, _) in enumerate(BAD_LINES):
        lines += [good % i, bad, b"", b"   "]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    gz = tmp_path / "mixed.json.gz"
    gz.write_bytes(gzip.compress(b"\n".join([bad for bad, _ in BAD_LINES[:3]]) + b"\n"))
    run = cli("ingest", str(path), str(gz), "--json", db=db_url)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"files": 2, "events": len(BAD_LINES), "duplicates": 0, "copies": 0, "rejected": len(BAD_LINES) + 3, "suppressed": 0}  # noqa: E501

    run = cli("rejected", "--json", db=db_url)
    rows = json.loads(run.stdout)
    mixed = [r for r in rows if r["file"] == str(path)]
    assert [r["line"] for r in mixed] == [2 + 4 * i for i in range(len(BAD_LINES))]
    for row, (bad, word) in zip(mixed, BAD_LINES):
        assert word.lower() in row["reason"].lower(), (row["reason"], word)
        assert row["raw"].encode("utf-8", "surrogateescape") == bad or row["raw"] == bad.decode("utf-8", "backslashreplace")
    assert [r["line"] for r in rows if r["file"] == str(gz)] == [1, 2, 3]
    run = cli("rejected", db=db_url)
    assert run.returncode == 0 and f"{path}:2:" in run.stdout


def test_future_and_unparseable_times_are_accepted_and_flagged(sqlite_url, tmp_path):
    lines = [
        b'{"type": "track", "event": "Future", "userId": "u1", "messageId": "f1", "timestamp": "2999-01-01T00:00:00Z"}',
        b'{"type": "track", "event": "Garbled", "userId": "u1", "messageId": "f2", "timestamp": "yesterday-ish"}',
        b'{"type": "track", "event": "Offset", "userId": "u1", "messageId": "f3", "timestamp": "2024-03-04T10:00:00+01:00"}',
    ]
    path = tmp_path / "times.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    run = cli("ingest", str(path), "--json", db=sqlite_url)
    assert json.loads(run.stdout)["events"] == 3 and json.loads(run.stdout)["rejected"] == 0
    doc = json.loads(cli("profile", "u1", "--json", db=sqlite_url).stdout)
    by_name = {e["name"]: e for e in doc["timeline"]}
    assert by_name["Offset"]["timestamp"] == "2024-03-04T09:00:00.000Z"  # stored in UTC
    assert by_name["Future"]["timestamp"] < "2999"  # the time it was received instead

    import sqlalchemy as sa

    from tui_profiles.store.engine import make_engine

    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        flags = dict(conn.execute(sa.text("select message_id, time_flag from events")).all())
    assert flags == {"f1": "future", "f2": "unparseable", "f3": None}


def test_python_dash_m_and_console_script_agree(sqlite_url):
    exe = Path(sys.executable).with_name("tui-profiles")
    run = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "ingest" in run.stdout
    assert T0.year == 2024


def test_users_filter_on_the_command_line(db_url, inbox):
    cli("ingest", str(inbox), db=db_url)
    run = cli("users", "--json", "--filter", 'did:"order completed".total:>40 -is:anonymous', db=db_url)
    assert run.returncode == 0, run.stderr
    assert [u["id"] for u in json.loads(run.stdout)] == ["user-frank"]
    run = cli("users", "--json", "--filter", "is:anonymous", db=db_url)
    # The never-identified id after dave's reset, then the anonymous profiles of the three who browsed before
    # signing in (alice, ivan on PostHog, dave), by last seen: each keeps its own history.
    assert [u["id"] for u in json.loads(run.stdout)] == [
        "anon-d-after-reset", "anon-5b1f0c2e", "018e0c1a-5a5a-7000-8000-00000000a11c", "anon-d-first",
    ]  # fmt: skip


def test_a_filter_that_does_not_parse_shows_where_and_exits_2(sqlite_url, inbox):
    cli("ingest", str(inbox), db=sqlite_url)
    run = cli("users", "--filter", "plan: x", db=sqlite_url)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.splitlines() == [
        "tui-profiles: the filter does not parse:",
        "plan: x",
        "     ^ expected a value after 'plan:'",
    ]
