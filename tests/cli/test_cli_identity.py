"""`tui-profiles identity ID [--json]`, run as a real process on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from tests.cli.test_cli import cli
from tests.identity_journeys import LAPTOP, identity_files


def test_identity_json_says_why_each_id_is_linked(db_url, tmp_path):
    files = identity_files(tmp_path)
    assert cli("ingest", *map(str, files), db=db_url).returncode == 0
    run = cli("identity", "user-alice", "--json", db=db_url, env={"TUI_PROFILES_MAX_ANON_IDS": "3"})
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc == {
        "id": "user-alice", "kind": "identified", "flags": ["shared_device"],
        "links": [{
            "anonymous_id": LAPTOP, "user_id": "user-alice", "via": "identify", "at": "2024-03-04T09:01:00.000Z",
            "file": str(files[0]), "line": 2, "events": 1, "shared_with": ["user-bob"],
            "first_seen": "2024-03-04T09:00:00.000Z", "last_seen": "2024-03-04T09:02:00.000Z", "source": "web",
            "by": None,  # who linked or unlinked it by hand: nobody, this link comes from the data
        }],
    }  # fmt: skip
    blob = json.loads(cli("identity", "user-everyone", "--json", db=db_url, env={"TUI_PROFILES_MAX_ANON_IDS": "3"}).stdout)
    assert blob["flags"] == ["too_many_ids"] and len(blob["links"]) == 6
    laptop = json.loads(cli("identity", LAPTOP, "--json", db=db_url).stdout)
    assert (laptop["kind"], [link["user_id"] for link in laptop["links"]]) == ("anonymous", ["user-alice", "user-bob"])


def test_identity_text_is_a_table_and_an_unknown_id_is_one_line(db_url, tmp_path):
    files = identity_files(tmp_path)
    cli("ingest", *map(str, files), db=db_url)
    run = cli("identity", LAPTOP, db=db_url)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"{LAPTOP} (anonymous)  flags: shared_device"
    assert lines[1].split() == ["anonymous", "id", "user", "via", "at", "events", "source", "first", "seen", "last",
                                "seen", "file:line", "shared", "with"]  # fmt: skip
    assert lines[2].split()[:5] == [LAPTOP, "user-alice", "identify", "2024-03-04", "09:01"]
    assert lines[2].split()[-1] == "user-bob" and f"{files[0]}:2" in lines[2]
    assert len(lines) == 4
    missing = cli("identity", "nobody", db=db_url)
    assert (missing.returncode, missing.stdout, missing.stderr) == (1, "", "tui-profiles: no profile with the id 'nobody'\n")
