"""`python -m tui_profiles.generator OUT_DIR ...`: write generated event files, print what was written."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import orjson

from .history import generate
from .live import LiveFeed


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tui_profiles.generator", description=__doc__)
    parser.add_argument("out_dir", type=Path, help="folder to write into (created if missing)")
    parser.add_argument("--events", type=int, default=10_000, help="events in total (bad lines not counted)")
    parser.add_argument("--users", type=int, default=None, help="people (default: events / 20)")
    parser.add_argument("--days", type=float, default=60, help="days of history")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--end", default=None, help="ISO time the history ends at (default: now); fix it to reproduce bytes")
    parser.add_argument("--file-hours", type=float, default=1, help="hours of traffic per batch file")
    parser.add_argument("--no-bad-lines", action="store_true", help="leave out the file of deliberately bad lines")
    parser.add_argument("--live", type=float, metavar="SECONDS", default=0,
                        help="then append new visitors' events to OUT_DIR/live.jsonl for this long")  # fmt: skip
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    end_ms = int(datetime.fromisoformat(args.end).timestamp() * 1000) if args.end else None
    began = time.perf_counter()
    summary = generate(args.out_dir, events=args.events, users=args.users, days=args.days, seed=args.seed,
                       end_ms=end_ms, file_hours=args.file_hours, bad_lines=not args.no_bad_lines)  # fmt: skip
    report = summary.as_dict()
    report.pop("returning")
    report["seconds"] = round(time.perf_counter() - began, 2)
    sys.stdout.write(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode() + "\n")
    if args.live > 0:
        feed = LiveFeed(args.seed, start_ms=int(time.time() * 1000), returning=summary.returning)
        stop_at = time.monotonic() + args.live
        with open(args.out_dir / "live.jsonl", "ab") as fh:
            while time.monotonic() < stop_at:
                lines = feed.due(int(time.time() * 1000))
                if lines:
                    fh.write(b"\n".join(lines) + b"\n")
                    fh.flush()
                time.sleep(1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
