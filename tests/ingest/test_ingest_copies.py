"""Byte copies of files already read (a batch redelivered under a new name) are skipped and counted, so the
summary accounts for everything it was given: lines read = new events + duplicates + rejected, files = read + copies."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

from tests.cli.test_cli import cli
from tests.scenarios import run_scenario
from tests.storekit import ingest
from tui_profiles.config import Settings
from tui_profiles.ingest.watcher import InboxWatcher
from tui_profiles.store.engine import make_engine

BAD = b'{"type": "track", "event": "Clicked", "userId": "null", "messageId": "bad-1"}\nnot json\n'


def delivered(folder: Path) -> tuple[list[Path], int, int]:
    """Files the real clients wrote, one with two quarantined lines and a line redelivered from another file;
    with the lines in them and how many distinct messages they hold."""
    folder.mkdir()
    shared, _ = run_scenario("shared_browser", folder)
    posthog, _ = run_scenario("posthog_identify", folder, gz=True)
    first_line = shared.read_bytes().splitlines(keepends=True)[0]
    mixed = folder / "mixed.jsonl"
    mixed.write_bytes(BAD + first_line)  # first line is not the first line of shared_browser: its own identity
    lines = {p: (gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()).splitlines() for p in (shared, posthog, mixed)}
    messages = {json.loads(line).get("messageId") or json.loads(line).get("uuid") for ls in lines.values() for line in ls[:]
                if line.startswith(b"{") and b'"null"' not in line}  # fmt: skip
    return [shared, posthog, mixed], sum(len(ls) for ls in lines.values()), len(messages)


def redeliver(files: list[Path], folder: Path) -> list[Path]:
    """Byte copies under new names, as a storage destination redelivering a batch writes them."""
    folder.mkdir()
    copies = [folder / f"redelivered-{path.name}" for path in files[:2]]
    for path, copy in zip(files, copies):
        shutil.copyfile(path, copy)
    return copies


def test_copies_are_counted_and_everything_read_is_accounted_for(db_url, tmp_path):
    files, lines, messages = delivered(tmp_path / "1-delivered")
    copies = redeliver(files, tmp_path / "2-redelivered")
    summary = ingest(db_url, [tmp_path])  # read in name order: the deliveries first, then their copies
    assert summary.as_dict() == {"files": 5, "events": messages, "duplicates": 1, "copies": 2, "rejected": 2}
    assert summary.files == len(files) + summary.copies
    assert summary.events + summary.duplicates + summary.rejected == lines  # every line of the files read, once

    # Read again: every file is known; the copies are still copies, and nothing else is read.
    again = ingest(db_url, [tmp_path])
    assert again.as_dict() == {"files": 5, "events": 0, "duplicates": 0, "copies": 2, "rejected": 0}
    # A copy given alone, its original not given: still a copy of what was read.
    assert ingest(db_url, copies[:1]).as_dict() == {"files": 1, "events": 0, "duplicates": 0, "copies": 1, "rejected": 0}


def test_ingest_reports_copies_in_json_and_in_text(db_url, tmp_path):
    files, lines, messages = delivered(tmp_path / "1-delivered")
    redeliver(files, tmp_path / "2-redelivered")
    # A first load with several files: read in the second process, whose copies must reach the summary too.
    run = cli("ingest", str(tmp_path), "--json", db=db_url)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc == {"files": 5, "events": messages, "duplicates": 1, "copies": 2, "rejected": 2, "suppressed": 0}
    assert doc["events"] + doc["duplicates"] + doc["rejected"] == lines

    run = cli("ingest", str(tmp_path), db=db_url)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "files 5  new events 0  duplicates 0  rejected 0",
        "copies 2: files skipped, byte copies of files already read under another name",
    ]


def test_the_watcher_counts_a_copy_once_and_says_which_file_it_copies(db_url, tmp_path):
    inbox = tmp_path / "inbox"
    files, _, messages = delivered(inbox)
    engine = make_engine(db_url, writer=True)
    try:
        watcher = InboxWatcher(engine, Settings(db_url=db_url), inbox)
        told: list[tuple[Path, str]] = []
        watcher.ingestor.on_copy = lambda path, original: told.append((path, original))
        assert watcher.scan_once().as_dict() == {"files": 3, "events": messages, "duplicates": 1, "copies": 0, "rejected": 2}
        copy = inbox / "late-copy.json.gz"
        shutil.copyfile(files[1], copy)
        assert watcher.scan_once().as_dict() == {"files": 4, "events": 0, "duplicates": 0, "copies": 1, "rejected": 0}
        assert told == [(copy, str(files[1]))]
        copy.touch()  # looked at again: the same copy, not another
        assert watcher.scan_once().copies == 0
    finally:
        engine.dispose()
