"""`tui-profiles summary ID [--session ...]` and `tui-profiles users ... --csv FILE`, run as real processes on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.cli.test_cli import cli
from tests.storekit import ingest

UTC = {"TZ": "UTC"}
HOSTILE_NAME = "=HYPERLINK(\"http://evil.example\",\"x\") `code` [x](javascript:alert(1))"


def journal(folder: Path) -> Path:
    """Zoë, who ordered twice (two sessions), and a visitor whose name and event are hostile."""
    lines = [
        {"type": "identify", "userId": "u-zoe", "anonymousId": "a-zoe", "messageId": "t0", "timestamp": "2024-03-01T09:00:00Z",
         "traits": {"name": "Zoë Ünal", "email": "zoe@example.com", "plan": "pro", "company": {"name": "Ünicorn"}}},
        {"type": "page", "userId": "u-zoe", "messageId": "t1", "timestamp": "2024-03-01T09:01:00Z",
         "properties": {"path": "/pricing", "url": "https://shop.example/pricing"}},
        {"type": "track", "userId": "u-zoe", "event": "Order Completed", "messageId": "t2", "timestamp": "2024-03-04T10:00:00Z",
         "properties": {"order_id": "o-9", "total": 42.5, "currency": "EUR", "note": "**urgent** <b>now</b>", "items": [1, 2]},
         "context": {"page": {"path": "/checkout"}}},
        {"type": "identify", "userId": "+2-3", "messageId": "t3", "timestamp": "2024-03-04T11:00:00Z",
         "traits": {"name": HOSTILE_NAME, "email": "@evil.example", "phone": "+1 555 0100"}},
        {"type": "track", "userId": "+2-3", "event": "# Heading\n> quote | pipe", "messageId": "t4", "timestamp": "2024-03-04T11:00:05Z",
         "properties": {"x": "<script>alert(1)</script>"}},
    ]  # fmt: skip
    path = folder / "ticket.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def test_summary_prints_the_markdown_of_the_latest_or_the_named_session(db_url, tmp_path):
    ingest(db_url, [journal(tmp_path)])
    run = cli("summary", "u-zoe", db=db_url, env=UTC)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert out.startswith("### Zoë Ünal\n\n- **User id:** `u-zoe`\n- **Anonymous ids:** `a-zoe`\n- **Email:** `zoe@example.com`\n")
    assert "- **Company:** Ünicorn\n- **First seen:** 2024-03-01 09:00 UTC\n- **Last seen:** 2024-03-04 10:00 UTC\n" in out
    assert "#### Session of 2024-03-04 10:00 UTC, 0 s, 1 event (" in out
    assert ("- 10:00:00 · **Order Completed** · currency `EUR` · note `**urgent** <b>now</b>` · order\\_id `o-9` · "
            "total `42.5`") in out  # fmt: skip
    # The other session, by the id `profile --json` gives it.
    doc = json.loads(cli("profile", "u-zoe", "--json", db=db_url).stdout)
    first = doc["session_list"][0]["id"]
    older = cli("summary", "u-zoe", "--session", first, db=db_url, env=UTC)
    assert older.returncode == 0, older.stderr
    assert "#### Session of 2024-03-01 09:00 UTC, 1 min 00 s, 2 events" in older.stdout
    assert "- 09:01:00 · page `/pricing`" in older.stdout
    assert cli("summary", "u-zoe", "--session", "latest", db=db_url, env=UTC).stdout == out


def test_summary_of_hostile_data_is_text_and_bad_input_is_one_line(db_url, tmp_path):
    ingest(db_url, [journal(tmp_path)])
    out = cli("summary", "+2-3", db=db_url, env=UTC).stdout
    assert "\\[x\\]\\(javascript\\:alert\\(1\\)\\)" in out and "\\`code\\`" in out
    assert "**\\# Heading ↵ \\> quote \\| pipe** · x `<script>alert(1)</script>`" in out
    unknown = cli("summary", "nobody", db=db_url)
    assert unknown.returncode == 1 and unknown.stderr == "tui-profiles: no profile with the id 'nobody'\n"
    other = cli("summary", "u-zoe", "--session", "999-1", db=db_url)
    assert other.returncode == 1 and other.stderr.count("\n") == 1 and "no session '999-1'" in other.stderr


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_users_csv_writes_every_match_safe_for_spreadsheets(db_url, tmp_path):
    ingest(db_url, [journal(tmp_path)])
    out = tmp_path / "users.csv"
    run = cli("users", "--csv", str(out), "--limit", "1", db=db_url)
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"wrote 2 users to {out}\n"  # --limit does not cut the file
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf\"id\",\"kind\",\"name\",\"email\",\"anonymous_ids\"")
    rows = read_csv(out)
    header, hostile, zoe = rows
    assert header[-1] == "traits" and len(header) == 16
    assert hostile[:4] == ["'+2-3", "identified", "'" + HOSTILE_NAME, "'@evil.example"]
    assert json.loads(hostile[-1])["phone"] == "+1 555 0100"  # inside the JSON: the cell starts with `{`
    assert zoe[0] == "u-zoe" and zoe[2] == "Zoë Ünal" and zoe[4] == "a-zoe" and zoe[8] == "Ünicorn"
    assert json.loads(zoe[-1])["company"] == {"name": "Ünicorn"}
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_users_csv_follows_the_filter_and_the_period(db_url, tmp_path):
    ingest(db_url, [journal(tmp_path)])
    out = tmp_path / "buyers.csv"
    assert cli("users", "--filter", 'did:"Order Completed"', "--csv", str(out), db=db_url).stdout == f"wrote 1 user to {out}\n"
    assert [r[0] for r in read_csv(out)[1:]] == ["u-zoe"]
    none = tmp_path / "none.csv"
    assert cli("users", "--filter", "nobody-at-all", "--csv", str(none), db=db_url).stdout == f"wrote 0 users to {none}\n"
    assert read_csv(none)[1:] == []
    recent = tmp_path / "recent.csv"
    cli("users", "--since", "24h", "--csv", str(recent), db=db_url)  # now is 2024-03-05 09:00: both were seen on the 4th
    assert len(read_csv(recent)) == 3
    bad = cli("users", "--filter", "plan:", "--csv", str(tmp_path / "x.csv"), db=db_url)
    assert bad.returncode == 2 and not (tmp_path / "x.csv").exists()
    missing = cli("users", "--csv", str(tmp_path / "no" / "such.csv"), db=db_url)
    assert missing.returncode == 1 and missing.stderr == f"tui-profiles: no such folder: {tmp_path / 'no'}\n"
