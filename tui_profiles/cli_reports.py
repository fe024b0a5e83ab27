"""The command line's reports beyond users and profile: a profile's timeline, companies, one company, retention,
cohorts, goals, feedback, identity, the audit log.

Thin like cli.py: arguments in, store functions called, text or JSON out.
"""

from __future__ import annotations

import argparse
from typing import Any

from .cli_common import (
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    emit_json,
    event_json,
    iso,
    open_engine,
    open_reader,
    parse_filter,
    printable,
    profile_id,
    user_json,
)
from .config import Settings
from .domain.clock import now_ms
from .domain.masking import MASKER
from .domain.periods import PERIODS, period_start


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("timeline", help="a profile's events, newest first: by name, between two times")
    p.add_argument("id", help="a user id or an anonymous id, as for `profile`")
    p.add_argument("--event", action="append", default=[], metavar="NAME", help="keep only events of this name (repeatable)")
    p.add_argument("--exclude", action="append", default=[], metavar="NAME", help="leave out events of this name (repeatable)")
    p.add_argument("--from", dest="since", default=None, metavar="T",
                   help="from this time on: 2026-12-01, '2026-12-01 14:00', today, yesterday, 3d, 2h (local time)")
    p.add_argument("--to", dest="until", default=None, metavar="T", help="up to this time, a day or minute included (same forms)")
    p.add_argument("--limit", type=int, default=100, help="events listed, the newest (0: all)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_timeline)

    p = sub.add_parser("companies", help="companies (groups) by last activity")
    p.add_argument("--search", default=None, help="a part of the id or the name")
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_companies)

    p = sub.add_parser("company", help="one company: its id or its name")
    p.add_argument("id")
    p.add_argument("--since", default="all", choices=sorted(PERIODS), help="the period its figures cover")
    p.add_argument("--limit", type=int, default=100, help="users listed")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_company)

    p = sub.add_parser("retention", help="weekly retention: the share of each week's new users who came back")
    p.add_argument("--filter", default=None, help="a cohort, in the search-bar language")
    p.add_argument("--cohort", default=None, help="a saved filter's name")
    p.add_argument("--weeks", type=int, default=8)
    p.add_argument("--first-event", default=None, help="cohorts by the week of this event (a goal condition)")
    p.add_argument("--return-event", default=None, help="coming back means doing this (a goal condition)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_retention)

    p = sub.add_parser("cohorts", help="saved filters with their size now")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_cohorts)

    p = sub.add_parser("identity", help="why ids are linked: every anonymous id of a profile, how and when it was linked")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_identity)

    p = sub.add_parser("summary", help="a Markdown summary of a profile and one session, for a support ticket")
    p.add_argument("id")
    p.add_argument("--session", default="latest", metavar="latest|SESSION_ID",
                   help="the session to list: latest (default) or an id as `profile --json` gives it (<profile>-<start>)")  # fmt: skip
    p.set_defaults(handler=cmd_summary)

    p = sub.add_parser("goals", help="the goals a profile completed, and when first (setting goals)")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_goals)

    p = sub.add_parser("feedback", help="a profile's survey and NPS answers, with the page it was on")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_feedback)

    p = sub.add_parser("audit", help="the audit log: who changed what (exclude, include, erase, saved filters), newest first")
    p.add_argument("--limit", type=int, default=100, help="entries listed (the newest)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_audit)


# -- a profile's timeline --------------------------------------------------------
def cmd_timeline(settings: Settings, args: argparse.Namespace) -> int:
    from .domain.clock import Clock
    from .domain.timeline_filter import EventFilter, TimelineInputError, parse_moment
    from .store import queries

    clock = Clock(now=now_ms)
    now, bounds = clock.now(), {}
    for option, value in (("--from", args.since), ("--to", args.until)):
        if value is not None:
            try:
                bounds[option] = parse_moment(value, now_ms=now, tz=clock.tz)
            except TimelineInputError as exc:
                raise CliError(f"{option} {printable(value)!r}: {exc}", EXIT_USAGE) from None
    if args.limit < 0:
        raise CliError("--limit: 0 (all) or more", EXIT_USAGE)
    names = EventFilter(tuple(dict.fromkeys(args.event)), tuple(dict.fromkeys(args.exclude)))
    until = bounds.get("--to")
    since = bounds.get("--from")
    engine = open_engine(settings)
    with engine.connect() as conn:
        pid = profile_id(conn, args.id)
        events = queries.timeline(
            conn, pid, newest_first=True, limit=args.limit or None, names=names,
            before=(until.end, 0) if until else None, since=since.start if since else None,
        )  # fmt: skip
    if args.json:
        emit_json([event_json(e) for e in events])
        return EXIT_OK
    for e in events:
        what = e.path if e.type == "page" and e.path else e.name or e.type
        props = "  ".join(f"{printable(k)}={printable(v)}" for k, v in list(e.properties.items())[:4])
        print(f"{iso(e.ts)}  {e.type:<8} {printable(what)[:40]:<40} {props}".rstrip())
    return EXIT_OK


# -- companies -----------------------------------------------------------------
def company_row_json(c: Any) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "users": c.users, "first_seen": iso(c.first_seen), "last_seen": iso(c.last_seen)}


def cmd_companies(settings: Settings, args: argparse.Namespace) -> int:
    from .store import companies

    with open_engine(settings).connect() as conn:
        rows = companies.list_companies(conn, search=args.search, limit=args.limit)
    if args.json:
        emit_json([company_row_json(c) for c in rows])
        return EXIT_OK
    for c in rows:
        print(f"{printable(c.display_name)[:32]:<32} {printable(c.id)[:24]:<24} {c.users:>6} users  last {iso(c.last_seen)}")
    if not rows:
        print("no companies")
    return EXIT_OK


def company_json(detail: Any, users: list[Any]) -> dict[str, Any]:
    doc = company_row_json(detail.company)
    doc.update({
        "traits": detail.traits, "since": iso(detail.since_ms), "events": detail.events, "sessions": detail.sessions,
        "avg_session_seconds": round(detail.avg_session_ms / 1000, 3),
        "top_events": [{"name": n, "count": c} for n, c in detail.top_events],
        "top_pages": [{"path": p, "count": c} for p, c in detail.top_pages],
        "live_users": [user_json(u) for u in detail.live_users],
        "user_list": [user_json(u) for u in users],
    })  # fmt: skip
    return doc


def cmd_company(settings: Settings, args: argparse.Namespace) -> int:
    from .store import companies

    now = now_ms()
    with open_engine(settings).connect() as conn:
        cid = companies.find_company(conn, args.id)
        if cid is None:
            raise CliError(f"no company with the id or name {printable(args.id)!r}")
        detail = companies.company_detail(conn, cid, settings=settings, now_ms=now, since_ms=period_start(args.since, now))
        users = companies.company_users(conn, cid, settings=settings, now_ms=now, limit=args.limit)
    assert detail is not None
    doc = company_json(detail, users)
    if args.json:
        emit_json(doc)
        return EXIT_OK
    c = detail.company
    print(f"{printable(c.display_name)}  (company, id {printable(c.id)})")
    for key in ("users", "events", "sessions", "avg_session_seconds", "first_seen", "last_seen"):
        print(f"  {key:<20} {printable(doc[key])}")
    for key, value in sorted(detail.traits.items()):
        print(f"  trait {printable(key):<14} {printable(value)}")
    print("  top events: " + ", ".join(f"{printable(n)} ({n_})" for n, n_ in detail.top_events))
    print("  top pages:  " + ", ".join(f"{printable(p)} ({n_})" for p, n_ in detail.top_pages))
    print(f"  live now: {', '.join(printable(u.display_name) for u in detail.live_users) or 'nobody'}")
    for u in users:
        print(f"  {'●' if u.live else ' '} {printable(u.display_name)[:32]:<32} {printable(u.id)[:28]:<28} last {iso(u.last_seen)}")
    return EXIT_OK


# -- cohorts and retention -------------------------------------------------------
def retention_json(table: Any) -> dict[str, Any]:
    return {
        "weeks": table.weeks, "filter": table.filter, "first_event": table.first_event, "return_event": table.return_event,
        "cohorts": [
            {"week": iso(r.week_start)[:10], "users": r.users, "returned": list(r.returned),
             "shares": [None if s is None else round(s, 4) for s in r.shares]}
            for r in table.rows
        ],
    }  # fmt: skip


def cmd_retention(settings: Settings, args: argparse.Namespace) -> int:
    from .domain.goals import GoalError
    from .store import queries, retention

    if args.weeks < 1 or args.weeks > 520:
        raise CliError("--weeks must be between 1 and 520", EXIT_USAGE)
    if (args.first_event is None) != (args.return_event is None):
        raise CliError("give --first-event and --return-event together", EXIT_USAGE)
    if args.filter and args.cohort:
        raise CliError("give --filter or --cohort, not both", EXIT_USAGE)
    with open_engine(settings).connect() as conn:
        query = args.filter
        if args.cohort:
            saved = {s.name: s.query for s in queries.saved_filters(conn)}
            if args.cohort not in saved:
                raise CliError(f"no saved filter named {printable(args.cohort)!r}")
            query = saved[args.cohort]
        if query:
            parse_filter(query)  # exits 2 with where it broke
        try:
            table = retention.retention(
                conn, settings=settings, now_ms=now_ms(), weeks=args.weeks, filter_text=query,
                first_event=args.first_event, return_event=args.return_event,
            )  # fmt: skip
        except GoalError as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
    if args.json:
        emit_json(retention_json(table))
        return EXIT_OK
    print(f"{'week':<12}{'users':>7}  " + "".join(f"{'w' + str(k):>6}" for k in range(table.weeks)))
    for r in table.rows:
        cells = "".join(f"{'' if s is None else f'{s:.0%}':>6}" for s in r.shares)
        print(f"{iso(r.week_start)[:10]:<12}{r.users:>7}  {cells}")
    return EXIT_OK


def cmd_cohorts(settings: Settings, args: argparse.Namespace) -> int:
    rows = open_reader(settings).cohorts()
    if args.json:
        emit_json([{"name": c.name, "query": c.query, "users": c.users, "error": c.error} for c in rows])
        return EXIT_OK
    for c in rows:
        size = f"{c.users:>7} users" if c.users is not None else f"  error: {printable(c.error)}"
        print(f"{printable(c.name)[:30]:<30} {size}  {printable(c.query)}")
    if not rows:
        print("no saved filters")
    return EXIT_OK


# -- goals and feedback -----------------------------------------------------------
def cmd_goals(settings: Settings, args: argparse.Namespace) -> int:
    from .domain.goals import GoalError, parse_goals
    from .store import goals

    try:
        configured = parse_goals(settings.goals)
    except GoalError as exc:
        raise CliError(f"setting goals: {exc}") from None
    with open_engine(settings).connect() as conn:
        done = goals.goal_completions(conn, profile_id(conn, args.id), configured, settings=settings)
    if args.json:
        emit_json([{"goal": g.goal, "condition": g.condition, "completed": g.completed, "first": iso(g.first_ms),
                     "times": g.times} for g in done])  # fmt: skip
        return EXIT_OK
    for g in done:
        when = f"first {iso(g.first_ms)}, {g.times}x" if g.completed else "not yet"
        print(f"{'✓' if g.completed else ' '} {printable(g.goal)[:30]:<30} {when}")
    if not done:
        print("no goals configured ([goals] in config.toml, or TUI_PROFILES_GOALS)")
    return EXIT_OK


def feedback_json(item: Any) -> dict[str, Any]:
    return {
        "timestamp": iso(item.ts), "event": item.event, "session_id": item.session_id, "survey_id": item.survey_id,
        "survey_name": item.survey_name, "score": item.score, "answer": item.answer,
        "responses": dict(item.responses), "page": item.page_path, "url": item.page_url, "page_from": item.page_from,
    }  # fmt: skip


def cmd_feedback(settings: Settings, args: argparse.Namespace) -> int:
    from .store import feedback

    with open_engine(settings).connect() as conn:
        items = feedback.feedback_of(conn, profile_id(conn, args.id), settings=settings)
    if args.json:
        emit_json([feedback_json(i) for i in items])
        return EXIT_OK
    for i in items:
        score = "" if i.score is None else f"score {i.score}  "
        page = f"  on {printable(i.page_path or i.page_url)}" if (i.page_path or i.page_url) else ""
        print(f"{iso(i.ts)}  {printable(i.survey_name or i.event)}: {score}{printable(i.answer or '')}{page}")
    if not items:
        print("no feedback")
    return EXIT_OK


# -- the audit log ------------------------------------------------------------------
def audit_json(entry: Any) -> dict[str, Any]:
    return {"at": iso(entry.at_ms), "author": entry.author, "action": entry.action, "target": entry.target, "detail": entry.detail}


def cmd_audit(settings: Settings, args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CliError("--limit must be 1 or more", EXIT_USAGE)
    entries = open_reader(settings).audit_log(args.limit)
    if args.json:
        emit_json([audit_json(e) for e in entries])
        return EXIT_OK
    if not entries:
        print("no changes recorded")
        return EXIT_OK
    author_w = min(20, max(6, *(len(printable(e.author)) for e in entries)))
    target_w = min(40, max(6, *(len(printable(e.target)) for e in entries)))
    print(f"{'at':<24}  {'author':<{author_w}}  {'action':<13}  {'target':<{target_w}}  detail")
    for e in entries:
        author, target = _cut(printable(e.author), author_w), _cut(printable(e.target), target_w)
        line = f"{iso(e.at_ms):<24}  {author:<{author_w}}  {e.action:<13}  {target:<{target_w}}  {printable(e.detail_line)}"
        print(line.rstrip())
    return EXIT_OK


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- identity ---------------------------------------------------------------------
def identity_json(report: Any) -> dict[str, Any]:
    return {
        "id": report.id,
        "kind": report.kind,
        "links": [
            {"anonymous_id": r.anonymous_id, "user_id": r.user_id, "via": r.via, "at": iso(r.at), "file": r.file,
             "line": r.line, "events": r.events, "shared_with": list(r.shared_with), "first_seen": iso(r.first_seen),
             "last_seen": iso(r.last_seen), "source": r.source, "by": r.by}
            for r in report.links
        ],
        "flags": list(report.flags),
    }  # fmt: skip


def cmd_identity(settings: Settings, args: argparse.Namespace) -> int:
    reader = open_reader(settings)
    with reader.engine.connect() as conn:
        pid = profile_id(conn, args.id)
    report = reader.identity(pid)
    if report is None:
        raise CliError(f"no profile with the id {printable(args.id)!r}")
    if args.json:
        emit_json(identity_json(report))
        return EXIT_OK
    flags = f"  flags: {', '.join(report.flags)}" if report.flags else ""
    print(f"{printable(report.id)} ({report.kind}){flags}")
    if not report.links:
        print("no anonymous ids linked")
        return EXIT_OK
    head = ("anonymous id", "user", "via", "at", "events", "source", "first seen", "last seen", "file:line", "shared with")
    rows = [
        (printable(r.anonymous_id), printable(r.user_id), r.via, _minute(r.at), str(r.events), r.source or "",
         _minute(r.first_seen), _minute(r.last_seen), f"{printable(r.file)}:{r.line}" if r.file else "",
         ", ".join(printable(u) for u in r.shared_with))
        for r in report.links
    ]  # fmt: skip
    widths = [max(len(cell) for cell in column) for column in zip(head, *rows)]
    for line in (head, *rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
    return EXIT_OK


def _minute(ms: int | None) -> str:
    return (iso(ms) or "")[:16].replace("T", " ")


def cmd_summary(settings: Settings, args: argparse.Namespace) -> int:
    """The Markdown `y` copies in the app; times in the local time zone, as the app shows them."""
    from .reader import SessionNotFound

    reader = open_reader(settings)
    with reader.engine.connect() as conn:
        pid = profile_id(conn, args.id)
    try:
        # `tui-profiles --mask summary ...`: masked as the app's `y` is while sharing a screen.
        ticket = reader.ticket(pid, args.session, mask=MASKER if getattr(args, "mask", False) else None)
    except SessionNotFound as exc:
        raise CliError(printable(str(exc))) from None
    if ticket is None:
        raise CliError(f"no profile with the id {printable(args.id)!r}")
    print(ticket.markdown, end="")
    return EXIT_OK
