"""The command line's profile actions: export, exclude and include, delete (the right to erasure), link and unlink, notes.

Thin like cli.py: the work is in store/actions.py, store/identity_repair.py, store/notes.py and ingest/export.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .cli_common import EXIT_ERROR, EXIT_OK, CliError, emit_json, iso, open_engine, open_reader, printable, profile_id
from .config import Settings
from .domain.clock import now_ms
from .domain.masking import MASKER


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("export", help="write one profile and every event of it to a file")
    p.add_argument("id")
    p.add_argument("--out", required=True, type=Path, help="the file to write (replaced if it exists)")
    p.add_argument("--format", choices=("csv", "jsonl"), default=None,
                   help="csv: a summary then one row an event; jsonl: the raw events. Default: from --out's suffix, else csv")  # fmt: skip
    p.set_defaults(handler=cmd_export)

    for name, text in (("exclude", "leave a profile out of every count (internal, test traffic)"),
                       ("include", "count an excluded profile again")):  # fmt: skip
        p = sub.add_parser(name, help=text)
        p.add_argument("id")
        p.set_defaults(handler=cmd_exclude, excluded=name == "exclude")

    p = sub.add_parser("unlink", help="take an anonymous id's history from a user, for good (it stays on the anonymous profile)")
    p.add_argument("anonymous_id")
    p.add_argument("--from", dest="user_id", required=True, metavar="USER_ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_repair, action="unlink")

    p = sub.add_parser("link", help="link an anonymous id to a user by hand, as an identify now would, for good")
    p.add_argument("anonymous_id")
    p.add_argument("--to", dest="user_id", required=True, metavar="USER_ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_repair, action="link")

    p = sub.add_parser("notes", help="the notes on a profile, newest first; --add writes one (as settings.author)")
    p.add_argument("id")
    p.add_argument("--add", metavar="TEXT", help="the note to add (several lines: quote them, or use $'...\\n...')")
    p.add_argument("--json", action="store_true", help='a list of {"id", "author", "at", "text"}')
    p.set_defaults(handler=cmd_notes)

    p = sub.add_parser("delete", help="erase a profile and everything it fed; its ids are never ingested again")
    p.add_argument("id")
    p.add_argument("--yes", action="store_true", help="do not ask")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_delete)


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    out: Path = args.out
    fmt = args.format or ("jsonl" if out.suffix.lower() in (".jsonl", ".ndjson") else "csv")
    if not out.parent.is_dir():
        raise CliError(f"no such folder: {out.parent}")
    reader = open_reader(settings)
    with reader.engine.connect() as conn:
        pid = profile_id(conn, args.id)
    try:
        # `tui-profiles --mask export ...`: masked as the app would while sharing a screen.
        written = reader.export_profile(pid, out, fmt, mask=MASKER if getattr(args, "mask", False) else None)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    if written is None:
        raise CliError(f"no profile with the id {printable(args.id)!r}")
    print(f"wrote {written} events of {printable(args.id)} to {out} ({fmt})")
    return EXIT_OK


def cmd_exclude(settings: Settings, args: argparse.Namespace) -> int:
    from .store.actions import person_of, set_excluded

    engine = open_engine(settings, writer=True)
    with engine.begin() as conn:
        set_excluded(conn, profile_id(conn, args.id), args.excluded, author=settings.author, now_ms=now_ms())
    state = "excluded from every count" if args.excluded else "counted again"
    with engine.connect() as conn:
        pid = profile_id(conn, args.id)
        person = person_of(conn, pid)
    mine = len(person.anonymous_profiles) if person is not None and person.profile_id == pid and person.kind == "identified" else 0
    print(f"{printable(args.id)}: {state}" + (f", with {mine} anonymous profile{'s' if mine > 1 else ''} of their own" if mine else ""))
    return EXIT_OK


def _confirm(plan: Any) -> None:
    """Ask on stdin; no answer (no stdin, end of input) refuses."""
    print(f"This erases {printable(plan.external_id)} ({plan.kind}) for good: {plan.events} events and every id below,", file=sys.stderr)
    print(f"which will never be ingested again: {', '.join(printable(i) for i in plan.ids)}", file=sys.stderr)
    if plan.profiles > 1:
        mine = plan.profiles - 1
        print(f"That is {plan.profiles} profiles: the user and {mine} anonymous profile{'s' if mine > 1 else ''} of their own.",
              file=sys.stderr)
    if plan.notes:
        print(f"The {plan.notes} note{'s' if plan.notes > 1 else ''} written on this person go too.", file=sys.stderr)
    if plan.shared_ids:
        print(f"Shared with {', '.join(printable(u) for u in plan.shared_with)}, these anonymous ids stay, with their events: "
              f"{', '.join(printable(i) for i in plan.shared_ids)}", file=sys.stderr)  # fmt: skip
    if plan.other_profiles:
        print(f"It also removes {plan.other_events} events of {', '.join(printable(p) for p in plan.other_profiles)} "
              "sent with one of these anonymous ids (a shared device).", file=sys.stderr)  # fmt: skip
    print("Type yes to erase: ", end="", file=sys.stderr, flush=True)
    try:
        answer = sys.stdin.readline() if sys.stdin is not None else ""
    except (OSError, ValueError):
        answer = ""
    if not answer:
        raise CliError("no answer on standard input: nothing was deleted (use --yes to delete without asking)")
    if answer.strip().lower() not in ("y", "yes"):
        raise CliError("not confirmed: nothing was deleted")


def cmd_delete(settings: Settings, args: argparse.Namespace) -> int:
    from .store.actions import erase_profile, erasure_plan

    engine = open_engine(settings, writer=True)
    with engine.connect() as conn:
        pid = profile_id(conn, args.id)
        plan = erasure_plan(conn, pid)
    if plan is None:
        raise CliError(f"no profile with the id {printable(args.id)!r}")
    if not args.yes:
        _confirm(plan)
    report = erase_profile(engine, pid, settings=settings, now_ms=now_ms(), author=settings.author)
    if report is None:
        raise CliError(f"{printable(args.id)} was already gone", EXIT_ERROR)
    done = report.plan
    if args.json:
        emit_json({
            "id": done.external_id, "kind": done.kind, "suppressed_ids": list(done.ids), "events": done.events,
            "other_profiles": list(done.other_profiles), "other_events": done.other_events,
            "shared_ids": list(done.shared_ids), "shared_with": list(done.shared_with),
            "profiles": report.profiles_removed, "rejected": report.rejected_removed,
            "companies": list(report.companies_recomputed),
        })  # fmt: skip
        return EXIT_OK
    print(f"erased {printable(done.external_id)}: {done.events} events, {report.profiles_removed} profiles, "
          f"{report.rejected_removed} quarantined lines; suppressed ids: {', '.join(printable(i) for i in done.ids)}")  # fmt: skip
    return EXIT_OK


def cmd_repair(settings: Settings, args: argparse.Namespace) -> int:
    from .store import identity_repair

    engine = open_engine(settings, writer=True)
    run = identity_repair.unlink if args.action == "unlink" else identity_repair.link
    try:
        report = run(engine, args.anonymous_id, args.user_id, settings=settings, author=settings.author, now_ms=now_ms())
    except identity_repair.RepairError as exc:
        raise CliError(printable(str(exc))) from None
    if args.json:
        emit_json({"action": report.action, "anonymous_id": report.anonymous_id, "user_id": report.user_id,
                   "events": report.events_moved})  # fmt: skip
        return EXIT_OK
    anon, user = printable(report.anonymous_id), printable(report.user_id)
    if report.action == "unlink":
        print(f"{anon} unlinked from {user}: {report.events_moved} events left {user} (they stay on the anonymous profile)")
    else:
        print(f"{anon} linked to {user} by hand: {report.events_moved} events joined {user}")
    return EXIT_OK


def note_json(note: Any) -> dict[str, Any]:
    return {"id": note.id, "author": note.author, "at": iso(note.at), "text": note.text}


def cmd_notes(settings: Settings, args: argparse.Namespace) -> int:
    from .domain.notes import NoteError
    from .store import notes

    engine = open_engine(settings, writer=args.add is not None)
    with engine.connect() as conn:
        pid = profile_id(conn, args.id)
    if args.add is not None:
        try:
            with engine.begin() as conn:
                notes.add_note(conn, pid, args.add, author=settings.author, now_ms=now_ms())
        except NoteError as exc:
            raise CliError(printable(str(exc))) from None
    with engine.connect() as conn:
        found = notes.notes_of(conn, pid)
    if args.json:
        emit_json([note_json(n) for n in found])
        return EXIT_OK
    if not found:
        print(f"no notes on {printable(args.id)}")
    for n in found:
        edited = f" (edited {iso(n.edited_at)})" if n.edited_at is not None else ""
        print(f"{iso(n.at)}  {printable(n.author)}{edited}")
        for line in n.text.split("\n"):
            print(f"  {printable(line)}")
    return EXIT_OK
