"""The command line: builds settings, store and app from arguments; no business logic here."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .cli_common import (
    EXIT_OK,
    CliError,
    emit_json,
    event_json,
    iso,
    open_engine,
    parse_filter,
    printable,
    profile_id,
    user_json,
)
from .config import Settings
from .domain.clock import now_ms
from .domain.periods import PERIODS, period_start


# -- parser --------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tui-profiles",
        description="Look up any visitor of your product and read their whole journey.",
    )
    parser.add_argument("--db", help="store URL (sqlite:///path or postgresql+psycopg://...); wins over TUI_PROFILES_DB and config.toml")
    parser.add_argument("--inbox", type=Path, help="watch this folder for event files while the app is open")
    parser.add_argument("--mask", action="store_true", help="open the app (or demo) with personal data masked, for screen sharing")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("ingest", help="read event files or folders into the store")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("users", help="profiles by last seen, newest first")
    p.add_argument("--since", default="all", choices=sorted(PERIODS))
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--filter", default=None, help="a filter in the search-bar language")
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", type=Path, default=None, metavar="FILE",
                   help="write every matching user to a CSV file (list columns, ids, traits as JSON); no --limit")  # fmt: skip

    p = sub.add_parser("profile", help="one profile: a user id or an anonymous id")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("rejected", help="the quarantine: lines that could not be accepted")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("watch", help="follow a folder and ingest what lands in it, until Ctrl-C")
    p.add_argument("dir", type=Path)

    sub.add_parser("demo", help="open the app on a demo store fed live through the watcher")

    # Companies, retention, cohorts, goals, feedback; export, exclude, delete; config: each sets its handler.
    from . import cli_actions, cli_config, cli_reports

    cli_reports.add_parsers(sub)
    cli_actions.add_parsers(sub)
    cli_config.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except CliError as exc:
        print(f"tui-profiles: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `tui-profiles users | head`: the reader left; say nothing more, like other tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _dispatch(args: argparse.Namespace) -> int:
    from .config import SettingsError

    try:
        # pydantic-settings is loaded here, not with config.py: tests and hot paths build Settings() directly.
        from .settings_sources import load_settings

        settings = load_settings(args.db)
    except SettingsError as exc:
        raise CliError(str(exc)) from None
    handler = getattr(args, "handler", None)
    if handler is not None:
        return handler(settings, args)
    command = args.command
    if command == "ingest":
        return cmd_ingest(settings, args.paths, as_json=args.json)
    if command == "users":
        if args.csv is not None:
            return cmd_users_csv(settings, since=args.since, filter_text=args.filter, out=args.csv, mask=args.mask)
        return cmd_users(settings, since=args.since, limit=args.limit, filter_text=args.filter, as_json=args.json)
    if command == "profile":
        return cmd_profile(settings, args.id, as_json=args.json)
    if command == "rejected":
        return cmd_rejected(settings, as_json=args.json)
    if command == "watch":
        return cmd_watch(settings, args.dir)
    if command == "demo":
        return cmd_demo(settings, mask=args.mask or settings.mask)
    return cmd_app(settings, inbox=args.inbox, mask=args.mask or settings.mask)


# -- commands ------------------------------------------------------------------
def cmd_ingest(settings: Settings, paths: list[Path], *, as_json: bool) -> int:
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise CliError(f"no such file or folder: {missing[0]}")
    from .ingest.files import FileIngestor
    from .store.writer import StoreWriter

    engine = open_engine(settings, writer=True)
    summary = FileIngestor(StoreWriter(engine, settings), settings.batch_size, first_load=True, read_in_parallel=True).ingest_paths(
        paths
    )
    if as_json:
        emit_json({**summary.as_dict(), "suppressed": summary.suppressed})
    else:
        print(
            f"files {summary.files}  new events {summary.events}  duplicates {summary.duplicates}  rejected {summary.rejected}"
            + (f"  suppressed {summary.suppressed}" if summary.suppressed else "")
        )
        if summary.copies:
            print(f"copies {summary.copies}: files skipped, byte copies of files already read under another name")
    return EXIT_OK


def cmd_users(settings: Settings, *, since: str, limit: int, filter_text: str | None, as_json: bool) -> int:
    from .store import queries

    now = now_ms()
    tree = parse_filter(filter_text) if filter_text else None
    engine = open_engine(settings)
    with engine.connect() as conn:
        where = None
        if tree is not None:
            from .store.filter_sql import compile_filter

            where = compile_filter(tree, now_ms=now, settings=settings, conn=conn)
        users = queries.list_users(
            conn, settings=settings, now_ms=now, since_ms=period_start(since, now), limit=limit, where=where
        )
    if as_json:
        emit_json([user_json(u) for u in users])
        return EXIT_OK
    for u in users:
        dot = "●" if u.live else " "
        print(
            f"{dot} {printable(u.display_name)[:32]:<32} {u.kind:<10} {u.sessions:>5} sess {u.events:>7} ev  "
            f"last {iso(u.last_seen)}  {','.join(u.tags)}"
        )
    return EXIT_OK


def cmd_users_csv(settings: Settings, *, since: str, filter_text: str | None, out: Path, mask: bool = False) -> int:
    """`users --csv FILE`: the same file as `E` on the Users screen, for the same period and filter
    (`--mask users --csv FILE`: masked, as `E` is while masking is on)."""
    from .cli_common import open_reader
    from .domain.masking import MASKER
    from .reader import UserQuery

    tree = parse_filter(filter_text) if filter_text else None
    if not out.parent.is_dir():
        raise CliError(f"no such folder: {out.parent}")
    reader = open_reader(settings)
    condition = None
    if tree is not None:
        from .store.filter_sql import compile_filter

        condition = lambda conn, now: compile_filter(tree, now_ms=now, settings=settings, conn=conn)  # noqa: E731
    try:
        written = reader.export_users(UserQuery(period=since, condition=condition), out, mask=MASKER if mask else None)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"wrote {written} user{'' if written == 1 else 's'} to {out}")
    return EXIT_OK


def cmd_profile(settings: Settings, ident: str, *, as_json: bool) -> int:
    from .store import queries

    now = now_ms()
    engine = open_engine(settings)
    with engine.connect() as conn:
        pid = profile_id(conn, ident)
        detail = queries.profile_detail(conn, pid, settings=settings, now_ms=now)
        sessions = queries.sessions_of(conn, pid, settings=settings, now_ms=now)
        events = queries.timeline(conn, pid)
    assert detail is not None
    doc = profile_json(detail, sessions, events)
    if as_json:
        emit_json(doc)
        return EXIT_OK
    u = detail.user
    print(f"{printable(u.display_name)}  ({u.kind}, id {printable(u.id)})")
    for key in ("email", "country", "first_seen", "last_seen", "signed_up", "sessions", "events", "avg_session_seconds"):
        print(f"  {key:<20} {printable(doc[key])}")
    print(f"  {'tags':<20} {', '.join(u.tags)}")
    if detail.anonymous_ids:
        print(f"  {'anonymous ids':<20} {', '.join(printable(a) for a in detail.anonymous_ids)}")
    print("  top events: " + ", ".join(f"{printable(n)} ({c})" for n, c in detail.top_events))
    print("  top pages:  " + ", ".join(f"{printable(n)} ({c})" for n, c in detail.top_pages))
    for s in sessions:
        print(f"  session {s.id}  {iso(s.start)}  {s.duration_ms // 1000}s  {s.events} events  {s.source}{'  live' if s.live else ''}")
    return EXIT_OK


def profile_json(detail: Any, sessions: list[Any], events: list[Any]) -> dict[str, Any]:
    u = detail.user
    doc = user_json(u)
    doc.update(
        {
            "anonymous_ids": list(detail.anonymous_ids),
            "traits": detail.traits,
            "country": u.country,
            "city": u.city,
            "signed_up": iso(detail.signed_up),
            "avg_session_seconds": round(detail.avg_session_ms / 1000, 3),
            "sources": list(detail.sources),
            "companies": list(detail.companies),
            "top_events": [{"name": n, "count": c} for n, c in detail.top_events],
            "top_pages": [{"path": p, "count": c} for p, c in detail.top_pages],
            # An anonymous profile: the users it was linked to, each with the time of the link.
            "merged_into": [{"user_id": u, "at": iso(at)} for u, at in detail.merged_into],
            "session_list": [
                {
                    "id": s.id, "start": iso(s.start), "end": iso(s.end), "duration_seconds": s.duration_ms / 1000,
                    "events": s.events, "source": s.source, "live": s.live, "merged_into": list(s.merged_into),
                }
                for s in sessions
            ],
            "timeline": [event_json(e) for e in events],
        }
    )
    doc["excluded"] = u.excluded
    if detail.linked_users:
        doc["linked_users"] = list(detail.linked_users)
    return doc


def cmd_rejected(settings: Settings, *, as_json: bool) -> int:
    from .store import queries

    engine = open_engine(settings)
    with engine.connect() as conn:
        rows = queries.rejected_lines(conn)
    if as_json:
        emit_json(
            [
                {"file": r.file, "line": r.line, "reason": r.reason, "raw": r.raw.decode("utf-8", "backslashreplace"),
                 "received_at": iso(r.received_at)}
                for r in rows
            ]
        )
        return EXIT_OK
    for r in rows:
        print(f"{printable(r.file)}:{r.line}: {printable(r.reason)}")
    if not rows:
        print("no rejected lines")
    return EXIT_OK


def cmd_watch(settings: Settings, folder: Path) -> int:
    if not folder.is_dir():
        raise CliError(f"no such folder: {folder}")
    try:
        from .ingest.watcher import run_watch
    except ImportError:
        raise CliError("the watcher is not available in this build") from None
    engine = open_engine(settings, writer=True)
    return run_watch(engine, settings, folder)


def cmd_demo(settings: Settings, *, mask: bool = False) -> int:
    try:
        from .demo import run_demo
    except ImportError:
        raise CliError("the demo is not available in this build") from None
    return run_demo(settings, mask=mask)


def cmd_app(settings: Settings, *, inbox: Path | None, mask: bool = False) -> int:
    if inbox is not None and not inbox.is_dir():
        raise CliError(f"no such folder: {inbox}")
    try:
        from .tui.app import run_app
    except ImportError:
        raise CliError("the app is not available in this build; see `tui-profiles --help`") from None
    open_engine(settings)  # one clear line if the store cannot be opened, before the screen takes over
    return run_app(settings, inbox=inbox, mask=mask)
