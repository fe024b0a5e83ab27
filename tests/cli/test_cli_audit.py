"""`tui-profiles audit`: the changes people made, run as a real process on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.people import BOB_DATA, BOB_IDS, write_people
from tests.store.test_erasure import rows_mentioning
from tests.storekit import NOW_ISO, cli


def as_author(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("TUI_PROFILES_AUTHOR", name)


def test_audit_lists_each_change_newest_first_and_no_erased_id(db_url, tmp_path: Path, monkeypatch):
    assert cli("ingest", str(write_people(tmp_path / "inbox")), db=db_url).returncode == 0
    run = cli("audit", "--json", db=db_url)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == []
    assert cli("audit", db=db_url).stdout == "no changes recorded\n"

    as_author(monkeypatch, "dana")
    assert cli("exclude", "user-alice", db=db_url).returncode == 0
    assert cli("exclude", "anon-bob-ios", db=db_url).returncode == 0  # any of his ids: the entry names his profile
    as_author(monkeypatch, "eve")
    assert cli("include", "user-alice", db=db_url).returncode == 0
    assert cli("exclude", "nobody", db=db_url).returncode == 1  # no change, no entry
    # Nobody named: the OS user (getpass reads LOGNAME first).
    monkeypatch.delenv("TUI_PROFILES_AUTHOR")
    monkeypatch.setenv("LOGNAME", "ops-login")
    run = cli("delete", "user-bob", "--yes", "--json", db=db_url)
    assert run.returncode == 0, run.stderr
    erased = json.loads(run.stdout)

    run = cli("audit", "--json", db=db_url)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [
        {"at": NOW_ISO.replace("Z", ".000Z"), "author": "ops-login", "action": "erase", "target": "(erased)", "detail": {
            "events": erased["events"], "profiles": erased["profiles"], "ids": 4, "quarantined_lines": erased["rejected"],
            "other_profiles": 0, "other_events": 0, "audit_entries_redacted": 1,
        }},
        {"at": "2024-03-05T09:00:00.000Z", "author": "eve", "action": "include", "target": "user-alice", "detail": {}},
        {"at": "2024-03-05T09:00:00.000Z", "author": "dana", "action": "exclude", "target": "(erased)", "detail": {}},
        {"at": "2024-03-05T09:00:00.000Z", "author": "dana", "action": "exclude", "target": "user-alice", "detail": {}},
    ]  # fmt: skip
    assert rows_mentioning(db_url, BOB_IDS + BOB_DATA) == {}

    run = cli("audit", "--json", "--limit", "1", db=db_url)
    assert [e["action"] for e in json.loads(run.stdout)] == ["erase"]
    run = cli("audit", db=db_url)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["at", "author", "action", "target", "detail"]
    assert lines[1].split()[:4] == ["2024-03-05T09:00:00.000Z", "ops-login", "erase", "(erased)"]
    assert lines[1].endswith(f"events={erased['events']} profiles={erased['profiles']} ids=4 quarantined_lines={erased['rejected']} "
                             "other_profiles=0 other_events=0 audit_entries_redacted=1")
    assert lines[2].split() == ["2024-03-05T09:00:00.000Z", "eve", "include", "user-alice"]
    assert len(lines) == 5
    assert cli("audit", "--limit", "0", db=db_url).returncode == 2


def test_audit_text_shows_control_characters_as_escapes(sqlite_url, tmp_path: Path, monkeypatch):
    """An author is typed by a person: it is printed, never obeyed by the terminal."""
    assert cli("ingest", str(write_people(tmp_path / "inbox")), db=sqlite_url).returncode == 0
    as_author(monkeypatch, "d\x1b]0;x\x07")
    assert cli("exclude", "user-alice", db=sqlite_url).returncode == 0
    run = cli("audit", db=sqlite_url)
    assert run.returncode == 0 and "\x1b" not in run.stdout and "d\\u001b]0;x\\u0007  exclude" in run.stdout
    assert json.loads(cli("audit", "--json", db=sqlite_url).stdout)[0]["author"] == "d\x1b]0;x\x07"
