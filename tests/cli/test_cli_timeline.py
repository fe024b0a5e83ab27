"""`tui-profiles timeline ID [--event NAME]... [--exclude NAME]... [--from T] [--to T] [--limit N] [--json]`,
run as a real process on SQLite and PostgreSQL, on the TUI tests' demo people (Alice's merged anonymous pages too)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import cli
from tests.tui.support import demo_journal

NOW = "2026-11-20T12:00:00Z"  # the demo journal's now
UTC = {"TUI_PROFILES_NOW": NOW, "TZ": "UTC"}


def loaded(db_url: str, tmp_path: Path) -> str:
    path = demo_journal().write(tmp_path / "events.jsonl")
    assert cli("ingest", str(path), db=db_url).returncode == 0
    return db_url


def timeline(db: str, *args: str) -> list[dict]:
    run = cli("timeline", *args, "--json", db=db, env=UTC)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_timeline_json_has_the_keys_of_profile_timeline_newest_first(db_url, tmp_path):
    db = loaded(db_url, tmp_path)
    events = timeline(db, "user-alice")
    profile = json.loads(cli("profile", "user-alice", "--json", db=db, env=UTC).stdout)["timeline"]
    assert events == profile[::-1]  # the same entries, newest first (profile lists them oldest first)
    assert [e["timestamp"] for e in events] == sorted((e["timestamp"] for e in events), reverse=True)
    assert events[-1]["path"] == "/" and events[-1]["type"] == "page"  # her anonymous history is hers
    assert set(events[0]) == {"message_id", "timestamp", "type", "name", "path", "session_id", "properties", "merged_into"}
    # The anonymous id finds her too, as for `profile`; an anonymous profile's own history.
    assert [e["path"] for e in timeline(db, "anon-alice")] == ["/", "/pricing", "/"]


def test_timeline_keeps_hides_and_bounds(db_url, tmp_path):
    db = loaded(db_url, tmp_path)
    orders = timeline(db, "user-alice", "--event", "Order Completed")
    assert [(e["name"], e["properties"]["total"]) for e in orders] == [("Order Completed", 120)]
    both = timeline(db, "user-alice", "--event", "Order Completed", "--event", "Product Viewed")
    assert [e["name"] for e in both] == ["Order Completed", "Product Viewed"]
    hidden = timeline(db, "user-alice", "--exclude", "$rageclick", "--exclude", "Help")
    names = [e["name"] for e in hidden]
    assert "$rageclick" not in names and "Help" not in names and None in names and len(hidden) == 7  # the identify stays
    last_days = timeline(db, "user-alice", "--from", "3d")
    assert (last_days[-1]["path"], last_days[-1]["timestamp"]) == ("/", "2026-11-17T12:00:00.000Z")  # from: that instant on
    day = timeline(db, "user-alice", "--from", "2026-10-31", "--to", "2026-10-31")
    assert [e["path"] for e in day] == ["/pricing", "/"]
    minute = timeline(db, "user-alice", "--to", "2026-11-17 12:05")
    assert (minute[0]["name"], minute[0]["timestamp"]) == ("Product Viewed", "2026-11-17T12:05:00.000Z")  # to: the minute included
    assert [e["name"] for e in timeline(db, "user-alice", "--limit", "2")] == ["Help", "$rageclick"]


def test_timeline_text_and_errors(db_url, tmp_path):
    db = loaded(db_url, tmp_path)
    run = cli("timeline", "user-alice", "--event", "Order Completed", db=db, env=UTC)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("2026-11-17T12:09:00.000Z  track    Order Completed")
    assert all(f"  {kv}" in run.stdout for kv in ("order_id=o-1", "total=120", "currency=EUR"))  # in the store's key order
    assert len(run.stdout.splitlines()) == 1
    bad = cli("timeline", "user-alice", "--from", "tuesday", db=db, env=UTC)
    assert bad.returncode == 2 and bad.stderr.startswith("tui-profiles: --from 'tuesday': not a date at column 1")
    missing = cli("timeline", "nobody", db=db, env=UTC)
    assert (missing.returncode, missing.stderr) == (1, "tui-profiles: no profile with the id 'nobody'\n")
