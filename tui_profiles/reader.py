"""How the faces ask the store: one short connection per call, small frozen results, no Textual.

Every method here blocks on the database, so none may run on the event loop: the app's screens call
them from `@work(thread=True, ...)` methods and hand the results to widgets; the command line calls
them directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .config import Settings
from .domain import ticket as tickets
from .domain.clock import Clock
from .domain.goals import Goal, GoalError, parse_goals, tag_goal_events
from .domain.masking import Masker
from .domain.notes import Note
from .domain.periods import DEFAULT_PERIOD, period_start
from .domain.sessions import parse_session_id
from .domain.ticket import NoteLike, TicketEvent, TicketPerson, TicketSession
from .domain.timeline_filter import EventFilter
from .ingest import export, list_export
from .ingest.list_export import ExportCancelled
from .store import (
    actions,
    audit,
    changes,
    companies,
    feedback,
    goals,
    identity_links,
    identity_repair,
    notes,
    queries,
    retention,
    user_export,
)
from .store.actions import ErasurePlan, ErasureReport
from .store.audit import AuditEntry
from .store.companies import CompanyDetail, CompanyRow
from .store.feedback import FeedbackItem
from .store.follow import StoreFollower
from .store.goals import GoalCompletion
from .store.identity_links import IdentityReport
from .store.queries import EventDetail, EventRow, ProfileDetail, SavedFilterRow, SessionRow, UserRow
from .store.retention import CohortRow, RetentionTable

# A search condition, built in the worker from its connection and its "now".
Condition = Callable[[sa.Connection, int], "sa.ColumnElement[bool] | None"]


@dataclass(frozen=True, slots=True)
class UserQuery:
    """Which users the list shows: a period and a search condition."""

    period: str = DEFAULT_PERIOD
    condition: Condition | None = None

    def since(self, now_ms: int) -> int | None:
        return period_start(self.period, now_ms)


@dataclass(frozen=True, slots=True)
class UserWindow:
    """A slice of the user list: `rows` start at index `start`; `total` users match."""

    total: int
    start: int
    rows: tuple[UserRow, ...]
    cursor: int | None = None  # where the followed profile is now, if it was asked for


@dataclass(frozen=True, slots=True)
class Overview:
    events: int
    sessions: int
    avg_session_ms: int
    top_events: tuple[tuple[str, int], ...]
    top_pages: tuple[tuple[str, int], ...]
    per_day: tuple[tuple[int, int], ...]
    since_ms: int
    until_ms: int


@dataclass(frozen=True, slots=True)
class CompanyWindow:
    """A slice of the Companies list: `rows` start at index `start`; `total` companies match."""

    total: int
    start: int
    rows: tuple[CompanyRow, ...]


@dataclass(frozen=True, slots=True)
class Ticket:
    """A person's summary for a support ticket, and how a notification names what it holds."""

    markdown: str
    ident: str  # the person's user id (or anonymous id), never masked
    who: str  # the person (masked when the summary is)
    session: str | None  # `2026-12-01 14:03 UTC (23 events)`, or None when the person has no session


__all__ = ["ExportCancelled"]  # raised by export_users; the screens catch it from here


class SessionNotFound(LookupError):
    """A session asked for by id or start that is not one of the person's."""


class StoreReader:
    """Queries for the screens, each in its own short-lived connection."""

    def __init__(self, engine: Engine, settings: Settings, clock: Clock) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        try:
            self.goals: tuple[Goal, ...] = parse_goals(settings.goals)
            self.goals_error: str | None = None
        except GoalError as exc:  # shown on the profile; the app still opens
            self.goals, self.goals_error = (), str(exc)

    def now(self) -> int:
        return self.clock.now()

    # -- the user list ------------------------------------------------------------
    def user_window(self, query: UserQuery, start: int, limit: int, *, follow: int | None = None, anchor: int = 0) -> UserWindow:
        """`limit` users from index `start`; with `follow` (a profile id), the window is placed so
        that profile sits `anchor` rows below its top, wherever the profile has moved to."""
        now = self.now()
        since = query.since(now)
        with self.engine.connect() as conn:
            where = query.condition(conn, now) if query.condition else None
            total = queries.count_users(conn, since_ms=since, where=where)
            cursor = None
            if follow is not None:
                cursor = self._rank(conn, follow, since, where)
                if cursor is not None:
                    start = max(0, cursor - anchor)
            start = max(0, min(start, max(0, total - 1)))
            rows = queries.list_users(
                conn, settings=self.settings, now_ms=now, since_ms=since, where=where, limit=limit, offset=start
            )
        return UserWindow(total=total, start=start, rows=tuple(rows), cursor=cursor)

    def _rank(self, conn: sa.Connection, profile_id: int, since: int | None, where: sa.ColumnElement[bool] | None) -> int | None:
        """The index of a profile in the list (newest last seen first, then higher id), or None
        if it is not in it; built from the public queries: users seen after it, then its ties."""
        found = queries.users_by_ids(conn, [profile_id], settings=self.settings, now_ms=self.now())
        if not found:
            return None
        seen = found[0].last_seen
        if since is not None and seen < since:
            return None
        above = queries.count_users(conn, since_ms=seen + 1, where=where)
        ties = queries.list_users(
            conn, settings=self.settings, now_ms=self.now(), since_ms=seen, where=where, limit=500, offset=above
        )
        for i, row in enumerate(ties):
            if row.profile_id == profile_id:
                return above + i
            if row.last_seen != seen:
                break
        return None

    def live_count(self) -> int:
        with self.engine.connect() as conn:
            return queries.live_count(conn, settings=self.settings, now_ms=self.now())

    def find_users(self, text: str, limit: int = 20) -> list[UserRow]:
        """Users whose id, anonymous ids, name or email contain the text; most recent first."""
        where = queries.plain_text_condition(text) if text.strip() else None
        with self.engine.connect() as conn:
            return queries.list_users(conn, settings=self.settings, now_ms=self.now(), where=where, limit=limit)

    # -- one profile --------------------------------------------------------------
    def profile(self, profile_id: int) -> ProfileDetail | None:
        """The header; its top events and pages are left out, as the screen shows the period's (overview)."""
        with self.engine.connect() as conn:
            return queries.profile_detail(conn, profile_id, settings=self.settings, now_ms=self.now(), top=0)

    def find_profile(self, ident: str) -> int | None:
        with self.engine.connect() as conn:
            return queries.find_profile(conn, ident)

    def overview(self, profile: ProfileDetail, period: str, contains: str | None) -> Overview:
        now = self.now()
        since = period_start(period, now)
        chart_since = since if since is not None else profile.user.first_seen
        pid = profile.user.profile_id
        with self.engine.connect() as conn:
            events, sessions, total_ms = queries.period_stats(conn, pid, since_ms=since)
            top_events = queries.top_events(conn, pid, limit=10, since_ms=since, contains=contains or None)
            top_pages = queries.top_pages(conn, pid, limit=10, since_ms=since, contains=contains or None)
            per_day = queries.events_per_day(conn, pid, since_ms=chart_since)
        return Overview(
            events=events, sessions=sessions, avg_session_ms=total_ms // sessions if sessions else 0,
            top_events=top_events, top_pages=top_pages, per_day=tuple(per_day), since_ms=chart_since, until_ms=now,
        )

    def sessions(self, profile_id: int) -> list[SessionRow]:
        with self.engine.connect() as conn:
            return queries.sessions_of(conn, profile_id, settings=self.settings, now_ms=self.now(), newest_first=True)

    # -- the timeline -------------------------------------------------------------
    def timeline_page(
        self, profile_id: int, *, before: tuple[int, int] | None, limit: int, names: EventFilter | None = None
    ) -> list[EventRow]:
        """Up to `limit` events older than `before` (or the newest), newest first; `names` keeps or hides by name."""
        with self.engine.connect() as conn:
            return queries.timeline(conn, profile_id, newest_first=True, limit=limit, before=before, names=names)

    def timeline_at(self, profile_id: int, at_ms: int, *, limit: int, names: EventFilter | None = None) -> list[EventRow]:
        """A jump: up to `limit` events at or before `at_ms`, newest first (the newest of them first);
        the events after it are not read."""
        return self.timeline_page(profile_id, before=(at_ms + 1, 0), limit=limit, names=names)

    def timeline_newer(
        self, profile_id: int, *, after: tuple[int, int], limit: int | None = None, names: EventFilter | None = None
    ) -> list[EventRow]:
        """Events newer than `after`, newest first: every one (what arrived since the last look), or with
        `limit` the `limit` next to it (a page up from a jump)."""
        with self.engine.connect() as conn:
            if limit is None:
                return queries.timeline(conn, profile_id, newest_first=True, after=after, names=names)
            return queries.timeline(conn, profile_id, after=after, limit=limit, names=names)[::-1]

    def event_names(self, profile_id: int) -> list[str]:
        """The names of this person's events, for completing the timeline's filter."""
        with self.engine.connect() as conn:
            return queries.event_names(conn, profile_id)

    def newest_session(self, profile_id: int) -> SessionRow | None:
        with self.engine.connect() as conn:
            return queries.newest_session(conn, profile_id, settings=self.settings, now_ms=self.now())

    # -- one session, one event ---------------------------------------------------
    def session(self, profile_id: int, start: int) -> tuple[SessionRow, list[EventRow]] | None:
        with self.engine.connect() as conn:
            row = queries.session_at(conn, profile_id, start, settings=self.settings, now_ms=self.now())
            if row is None:
                return None
            return row, queries.session_events(conn, profile_id, row.start, row.end)

    def neighbour_session(self, profile_id: int, start: int, step: int) -> tuple[SessionRow, list[EventRow]] | None:
        with self.engine.connect() as conn:
            row = queries.neighbour_session(conn, profile_id, start, step=step, settings=self.settings, now_ms=self.now())
            if row is None:
                return None
            return row, queries.session_events(conn, profile_id, row.start, row.end)

    def event(self, event_id: int) -> EventDetail | None:
        with self.engine.connect() as conn:
            return queries.event_detail(conn, event_id)

    def identity(self, profile_id: int) -> IdentityReport | None:
        """The identity panel: every anonymous id of the person, how it was linked, and its flags."""
        with self.engine.connect() as conn:
            return identity_links.identity_report(conn, profile_id, max_anon_ids=self.settings.max_anon_ids)

    def unlink_plan(self, anonymous_id: str, user_id: str) -> int:
        """Events an unlink would take from the user; RepairError when the pair is not linked."""
        with self.engine.connect() as conn:
            return identity_repair.unlink_plan(conn, anonymous_id, user_id)

    def unlink(self, anonymous_id: str, user_id: str) -> identity_repair.RepairReport:
        return identity_repair.unlink(
            self.engine, anonymous_id, user_id, settings=self.settings, author=self.settings.author, now_ms=self.now()
        )

    def link(self, anonymous_id: str, user_id: str) -> identity_repair.RepairReport:
        return identity_repair.link(
            self.engine, anonymous_id, user_id, settings=self.settings, author=self.settings.author, now_ms=self.now()
        )

    def user(self, profile_id: int) -> UserRow | None:
        with self.engine.connect() as conn:
            rows = queries.users_by_ids(conn, [profile_id], settings=self.settings, now_ms=self.now())
        return rows[0] if rows else None

    # -- companies ----------------------------------------------------------------
    def company_window(self, search: str, start: int, limit: int) -> CompanyWindow:
        with self.engine.connect() as conn:
            total = companies.count_companies(conn, search=search or None)
            start = max(0, min(start, max(0, total - 1)))
            rows = companies.list_companies(conn, search=search or None, limit=limit, offset=start)
        return CompanyWindow(total=total, start=start, rows=tuple(rows))

    def find_companies(self, text: str, limit: int = 20) -> list[CompanyRow]:
        with self.engine.connect() as conn:
            return companies.list_companies(conn, search=text.strip() or None, limit=limit)

    def company(self, company_id: str, period: str) -> CompanyDetail | None:
        now = self.now()
        with self.engine.connect() as conn:
            return companies.company_detail(conn, company_id, settings=self.settings, now_ms=now, since_ms=period_start(period, now))

    def companies_of(self, profile_id: int) -> list[CompanyRow]:
        with self.engine.connect() as conn:
            return companies.companies_of(conn, profile_id)

    @staticmethod
    def company_members(company_id: str) -> UserQuery:
        """The user list's query for a company's users (its counted members, every period)."""
        return UserQuery(period="all", condition=lambda _conn, _now: companies.members_condition(company_id))

    # -- cohorts and retention ----------------------------------------------------
    def cohorts(self) -> list[CohortRow]:
        with self.engine.connect() as conn:
            return retention.cohorts(conn, settings=self.settings, now_ms=self.now())

    def retention(
        self, *, weeks: int, filter_text: str | None = None, first_event: str | None = None, return_event: str | None = None
    ) -> RetentionTable:
        """Raises filters.FilterSyntaxError or goals.GoalError for text that does not parse."""
        with self.engine.connect() as conn:
            return retention.retention(
                conn, settings=self.settings, now_ms=self.now(), weeks=weeks, filter_text=filter_text,
                first_event=first_event, return_event=return_event,
            )  # fmt: skip

    # -- the search bar: suggestions and saved filters -----------------------------
    def catalog(self, kind: str, prefix: str, limit: int) -> list[str]:
        """Stored event names (`event`), page paths (`page`) or trait keys (`trait`) starting with `prefix`."""
        with self.engine.connect() as conn:
            return queries.catalog_values(conn, kind, prefix, limit=limit)

    def saved_filters(self) -> list[SavedFilterRow]:
        with self.engine.connect() as conn:
            return queries.saved_filters(conn)

    def save_filter(self, name: str, query: str) -> None:
        """Save (or replace) a named filter, in the store: everyone on it sees it."""
        with self.engine.begin() as conn:
            queries.save_filter(conn, name, query, now_ms=self.now(), author=self.settings.author)

    def delete_filter(self, name: str) -> bool:
        with self.engine.begin() as conn:
            return queries.delete_filter(conn, name, now_ms=self.now(), author=self.settings.author)

    # -- goals and feedback -------------------------------------------------------
    def goal_completions(self, profile_id: int) -> list[GoalCompletion]:
        if not self.goals:
            return []
        with self.engine.connect() as conn:
            return goals.goal_completions(conn, profile_id, self.goals, settings=self.settings)

    def goal_tags(self, events: list[EventRow]) -> dict[int, tuple[str, ...]]:
        """{event_id: goal names} for the events that meet a configured goal (no query: the events are here)."""
        return tag_goal_events(events, self.goals) if self.goals else {}

    def feedback(self, profile_id: int) -> list[FeedbackItem]:
        with self.engine.connect() as conn:
            return feedback.feedback_of(conn, profile_id, settings=self.settings, newest_first=True)

    # -- notes on a profile (these write; each names settings.author in the audit log) --
    def notes(self, profile_id: int) -> list[Note]:
        """The profile's notes, newest first."""
        with self.engine.connect() as conn:
            return notes.notes_of(conn, profile_id)

    def add_note(self, profile_id: int, text: str) -> Note:
        """Raises domain.notes.NoteError for an empty note or a profile that is gone."""
        with self.engine.begin() as conn:
            return notes.add_note(conn, profile_id, text, author=self.settings.author, now_ms=self.now())

    def edit_note(self, note_id: int, text: str) -> Note:
        """Raises NoteError when the note is gone or another person's, or the text is empty."""
        with self.engine.begin() as conn:
            return notes.edit_note(conn, note_id, text, author=self.settings.author, now_ms=self.now())

    def delete_note(self, note_id: int) -> Note:
        """Raises NoteError when the note is gone or another person's."""
        with self.engine.begin() as conn:
            return notes.delete_note(conn, note_id, author=self.settings.author, now_ms=self.now())

    # -- the audit log --------------------------------------------------------------
    def audit_log(self, limit: int | None = None) -> list[AuditEntry]:
        """What people changed, newest first."""
        with self.engine.connect() as conn:
            return audit.entries(conn, limit=limit)

    # -- following other processes' writes (store/changes.py, store/follow.py) --------
    def change_position(self) -> int:
        """The newest entry of the change log: follow from here after reading what the store holds now."""
        with self.engine.connect() as conn:
            return changes.latest(conn)

    def follower(
        self,
        on_changes: Callable[[changes.Changes], None],
        *,
        on_status: Callable[[bool], None],
        start: int | None = None,
    ) -> StoreFollower:
        """What runs (in a thread of the caller's) to hear of every write other processes make to the store
        (this one's, its watcher's batches and its people's actions, are announced where they are made)."""
        return StoreFollower(self.engine, on_changes, on_status=on_status, start=start, skip_origin=changes.ORIGIN)

    # -- profile actions (these write; each names settings.author in the audit log) --
    def export_profile(self, profile_id: int, path: Path, fmt: str, *, mask: Masker | None = None) -> int | None:
        """Write the profile's export file (personal values masked with `mask`); how many events, None if the profile is gone."""
        return export.export_profile(self.engine, profile_id, path, fmt=fmt, settings=self.settings, now_ms=self.now(), mask=mask)

    def set_excluded(self, profile_id: int, excluded: bool) -> int:
        """How many profiles were excluded (the person's own anonymous ones too); 0 if there is no such profile."""
        with self.engine.begin() as conn:
            return actions.set_excluded(conn, profile_id, excluded, author=self.settings.author, now_ms=self.now())

    def erasure_plan(self, profile_id: int) -> ErasurePlan | None:
        with self.engine.connect() as conn:
            return actions.erasure_plan(conn, profile_id)

    def erase_profile(self, profile_id: int) -> ErasureReport | None:
        return actions.erase_profile(self.engine, profile_id, settings=self.settings, now_ms=self.now(), author=self.settings.author)

    # -- copy for the ticket, export the list --------------------------------------
    def ticket_notes(self, profile_id: int) -> Sequence[NoteLike]:
        """The notes a ticket summary shows, newest first."""
        return self.notes(profile_id)

    def ticket(self, profile_id: int, session: int | str | None = None, *, mask: Masker | None = None) -> Ticket | None:
        """The Markdown summary of a profile with one session: the latest (None), the one starting at
        `session` (ms), or the one with that id (`<profile>-<start>`, as `profile --json` gives it).
        None if the profile is gone; SessionNotFound for a session that is not the person's."""
        now = self.now()
        with self.engine.connect() as conn:
            detail = queries.profile_detail(conn, profile_id, settings=self.settings, now_ms=now, top=0)
            if detail is None:
                return None
            row = self._ticket_session(conn, profile_id, session, now)
            shown = self._ticket_events(conn, profile_id, row) if row is not None else None
        u = detail.user
        person = TicketPerson(
            display_name=u.display_name, user_id=u.id, kind=u.kind, name=u.name, email=u.email,
            anonymous_ids=detail.anonymous_ids, companies=detail.companies, first_seen=u.first_seen,
            last_seen=u.last_seen, tags=u.tags,
        )  # fmt: skip
        markdown = tickets.summary_markdown(person, self.ticket_notes(profile_id), shown, tz=self.clock.tz, mask=mask)
        who = u.display_name
        if mask is not None:
            who = str(mask.value("name", u.name)) if u.name else str(mask.value("email", u.email)) if u.email else mask.text(u.id)
        return Ticket(markdown, u.id, who, tickets.session_title(shown, self.clock.tz) if shown is not None else None)

    def _ticket_session(self, conn: sa.Connection, profile_id: int, session: int | str | None, now: int) -> SessionRow | None:
        if session is None or session == "latest":  # the one before the end of time
            return queries.neighbour_session(conn, profile_id, 2**62, step=-1, settings=self.settings, now_ms=now)
        if isinstance(session, str):
            parsed = parse_session_id(session)
            if parsed is None or parsed[0] != profile_id:
                raise SessionNotFound(f"no session {session!r} of this profile (an id is <profile>-<start>, as profile --json lists it)")
            session = parsed[1]
        row = queries.session_at(conn, profile_id, session, settings=self.settings, now_ms=now)
        if row is None:
            raise SessionNotFound(f"no session of this profile starts at {session}")
        return row

    @staticmethod
    def _ticket_events(conn: sa.Connection, profile_id: int, row: SessionRow) -> TicketSession:
        """The session's events; of a long one, only the first and the last (two keyset reads, never the whole session)."""
        def ticket_event(e: EventRow) -> TicketEvent:
            return TicketEvent(ts=e.ts, type=e.type, name=e.name, path=e.path, properties=e.properties)

        if row.events <= tickets.HEAD_EVENTS + tickets.TAIL_EVENTS:
            head = queries.session_events(conn, profile_id, row.start, row.end)
            tail: list[EventRow] = []
        else:
            head = queries.timeline(conn, profile_id, after=(row.start, -1), limit=tickets.HEAD_EVENTS)
            tail = queries.timeline(conn, profile_id, newest_first=True, before=(row.end + 1, -1), limit=tickets.TAIL_EVENTS)[::-1]
        return TicketSession(
            id=row.id, start=row.start, end=row.end, events=max(row.events, len(head) + len(tail)), source=row.source,
            head=tuple(map(ticket_event, head)), tail=tuple(map(ticket_event, tail)),
        )  # fmt: skip

    def export_users(
        self,
        query: UserQuery,
        path: Path,
        *,
        mask: Masker | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> int:
        """Write the users of the list (its period and search) to a CSV file, a page at a time; the number
        written. `progress(written, total)` after each page; list_export.ExportCancelled if `cancelled()`."""
        now = self.now()
        since = query.since(now)
        with self.engine.connect() as conn:
            where = query.condition(conn, now) if query.condition else None
            total = user_export.count(conn, since_ms=since, where=where)
            if progress is not None:
                progress(0, total)
            pages = user_export.pages(conn, settings=self.settings, now_ms=now, since_ms=since, where=where)
            return list_export.write_users_csv(
                path, pages, mask=mask, progress=(lambda n: progress(n, max(n, total))) if progress else None, cancelled=cancelled
            )

    @staticmethod
    def save_summary(path: Path, markdown: str) -> None:
        """Write a ticket summary to a file (where the clipboard cannot take it)."""
        list_export.write_summary(path, markdown)
