"""Every table of the store, in one module (SQLModel)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

SCHEMA_VERSION = 6  # 2: companies, suppressed_ids, events(group_id, profile_id); 3: read indexes on profiles, sessions, page events
# 4: events.anon_profile_id (an anonymous profile keeps its merged history) and the indexes that carry it
# 5: notes. A version of its own, unlike the audit and change logs: an older app could otherwise open the
# store and erase a person while leaving their notes behind (it knows nothing of them).
# 6: the raw message leaves the events table for compressed blocks (raw_blocks); events.props holds the
# event's own properties, which filters read.

# JSON documents: JSONB on PostgreSQL (indexable, queryable), JSON text on SQLite.
JsonType = sa.JSON().with_variant(JSONB(), "postgresql")


def _json(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=sa.Column(JsonType, nullable=nullable))


def _ms(nullable: bool = False, index: bool = False) -> Any:
    """Times are epoch milliseconds UTC in a 64-bit integer: the same on both databases."""
    column = sa.Column(sa.BigInteger, nullable=nullable, index=index, default=None if nullable else 0)
    return Field(default=0 if not nullable else None, sa_column=column)


class Meta(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class SourceFile(SQLModel, table=True):
    """A file the ingest has read, known by the fingerprint of its content."""

    __tablename__ = "files"
    id: int | None = Field(default=None, primary_key=True)
    fingerprint: str = Field(sa_column=sa.Column(sa.String, nullable=False, unique=True))
    path: str
    size: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False, default=0))
    offset: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False, default=0))
    line: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False, default=0))
    status: str = "reading"  # reading | done | broken
    mtime_ms: int = _ms()
    updated_ms: int = _ms()


class Event(SQLModel, table=True):
    """One accepted message, attributed to one profile."""

    __tablename__ = "events"
    __table_args__ = (
        # A named index, not a column constraint: a first load builds it after the rows are in
        # (store/bulk.py), which a constraint inside CREATE TABLE would not allow on SQLite.
        sa.Index("ux_events_message_id", "message_id", unique=True),
        sa.Index("ix_events_profile_ts", "profile_id", "ts"),
        sa.Index("ix_events_anonymous_id", "anonymous_id"),
        # An anonymous profile's events (its own and those merged into a user): only events tracked
        # with no user id have one, so the index is partial.
        sa.Index(
            "ix_events_anon_profile_ts", "anon_profile_id", "ts",
            sqlite_where=sa.text("anon_profile_id IS NOT NULL"), postgresql_where=sa.text("anon_profile_id IS NOT NULL"),
        ),
        # `did:`; anon_profile_id in it so an anonymous profile's merged events answer from the index too.
        sa.Index("ix_events_name_profile", "name", "profile_id", "anon_profile_id"),
        # `visited:` (page events only: without the type in the index, each match was a row read).
        # text_pattern_ops: PostgreSQL orders it bytewise, as SQLite does, so a path prefix is a range.
        sa.Index(
            "ix_events_page_profile", "path", "profile_id", "anon_profile_id", postgresql_ops={"path": "text_pattern_ops"},
            sqlite_where=sa.text("type = 'page'"), postgresql_where=sa.text("type = 'page'"),
        ),
        # Company membership is read from events: who carried a group id (a partial index,
        # as most events carry none).
        sa.Index(
            "ix_events_group_profile", "group_id", "profile_id", "anon_profile_id",
            sqlite_where=sa.text("group_id IS NOT NULL"), postgresql_where=sa.text("group_id IS NOT NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(sa_column=sa.Column(sa.String, nullable=False))
    # The profile the event counts for: the user for an event merged into one, else the anonymous profile.
    profile_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    # The anonymous profile of an event tracked with no user id (merged or not): its history stays
    # its own. None for an event tracked while identified.
    anon_profile_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer, nullable=True))
    user_id: str | None = None
    anonymous_id: str | None = None
    id_ambiguous: bool = False
    format: str
    type: str
    name: str | None = None
    path: str | None = None
    url: str | None = None
    title: str | None = None
    source: str = "unknown"
    country: str | None = None
    city: str | None = None
    group_id: str | None = None
    ts: int = _ms()
    received_at: int = _ms()
    time_flag: str | None = None
    # Person and group traits the event sets: {"set": {...}, "set_once": {...}, "group": {...}}.
    traits: dict | None = _json()
    # The event's own properties (identify and group: traits), what `did:X where key=value` reads.
    props: dict | None = _json()
    # Where the message's own JSON text is kept: a member of a compressed block (store/raw_blocks.py).
    raw_block: int | None = None
    raw_slot: int | None = None
    file_id: int | None = None
    line: int | None = None


class RawBlock(SQLModel, table=True):
    """Messages' own JSON text, as received, zlib-compressed a few dozen at a time (store/raw_blocks.py)."""

    __tablename__ = "raw_blocks"
    id: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False))
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))


class IdentityLink(SQLModel, table=True):
    """An anonymous id tied to a user id at a moment (identify, alias)."""

    __tablename__ = "identity_links"
    __table_args__ = (sa.Index("ix_links_anon_ts", "anonymous_id", "ts"),)
    id: int | None = Field(default=None, primary_key=True)
    anonymous_id: str
    user_id: str = Field(index=True)
    ts: int = _ms()
    message_id: str


class Profile(SQLModel, table=True):
    """A person as support staff see them, with aggregates kept up to date at ingest."""

    __tablename__ = "profiles"
    __table_args__ = (
        sa.UniqueConstraint("kind", "external_id", name="uq_profiles_kind_external"),
        # The user list's order (last seen, then id, newest first): PostgreSQL reads a page from
        # it without sorting the period; SQLite's rowid made ix_profiles_last_seen do the same.
        sa.Index("ix_profiles_last_seen_id", "last_seen", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # identified | anonymous
    external_id: str = Field(index=True)  # the user id, or the anonymous id
    name: str | None = None
    email: str | None = None
    country: str | None = None
    city: str | None = None
    company: str | None = None
    first_seen: int = _ms()
    last_seen: int = _ms()
    event_count: int = 0
    session_count: int = 0
    total_session_ms: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False, default=0))
    order_count: int = 0
    has_contact: bool = False
    has_custom_attributes: bool = False
    excluded: bool = False
    traits: dict | None = _json()


class ProfileAnonymousId(SQLModel, table=True):
    """The anonymous ids an identified profile has used (one per device/browser)."""

    __tablename__ = "profile_anonymous_ids"
    profile_id: int = Field(primary_key=True)
    anonymous_id: str = Field(primary_key=True, index=True)


class ProfileSession(SQLModel, table=True):
    """A run of a profile's events with no gap longer than the session gap."""

    __tablename__ = "sessions"
    __table_args__ = (
        sa.UniqueConstraint("profile_id", "start", name="uq_sessions_profile_start"),
        sa.Index("ix_sessions_source_profile", "source", "profile_id"),  # `source:` filters
    )
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(index=True)
    start: int = _ms()
    end: int = _ms(index=True)
    event_count: int = 0
    source: str = "unknown"
    entry_path: str | None = None


class RejectedLine(SQLModel, table=True):
    """The quarantine: a line that could not be accepted, with why, and its bytes."""

    __tablename__ = "rejected"
    id: int | None = Field(default=None, primary_key=True)
    file: str
    line: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False, default=0))
    reason: str
    raw: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    received_at: int = _ms()


class SavedFilter(SQLModel, table=True):
    """A named filter (a cohort), shared by everyone on the store."""

    __tablename__ = "saved_filters"
    name: str = Field(primary_key=True)
    query: str
    created_ms: int = _ms()


class CatalogEntry(SQLModel, table=True):
    """What the store has seen, for suggestions and filters: event names, page paths, trait keys."""

    __tablename__ = "catalog"
    kind: str = Field(primary_key=True)  # event | page | trait
    value: str = Field(primary_key=True)


class Company(SQLModel, table=True):
    """A company (a Segment group, a PostHog group), kept at ingest from the events that carry its id.

    Name and traits fold the group calls of that id in time order (the latest value
    wins); first/last seen span every event carrying the id. Who belongs is not
    stored here: it is read from events.group_id, so it follows re-attribution and
    deletion by itself.
    """

    __tablename__ = "companies"
    id: str = Field(primary_key=True)  # the group id
    name: str | None = None
    traits: dict | None = _json()
    traits_ts: int | None = _ms(nullable=True)  # time of the last group call folded in
    first_seen: int = _ms()
    last_seen: int = _ms(index=True)


class SuppressedId(SQLModel, table=True):
    """An id erased on request: events and quarantined lines carrying it are dropped at ingest.

    The list keeps the ids themselves (the minimum needed to honour the erasure):
    a quarantined line is matched by searching its bytes, which a digest cannot do.
    """

    __tablename__ = "suppressed_ids"
    id: str = Field(primary_key=True)  # a user id or an anonymous id
    erased_ms: int = _ms()


class AuditLogEntry(SQLModel, table=True):
    """A change a person made (exclude, erase, a saved filter...): when, who, what, to what (store/audit.py).

    No schema version of its own: create_all adds the table to an older store, which then simply has no entries.
    """

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_at_id", "at_ms", "id"),)  # the listing's order, newest first
    id: int | None = Field(default=None, primary_key=True)
    at_ms: int = _ms()
    author: str
    action: str  # one of store/audit.py ACTIONS
    target: str = ""  # what was changed: a profile's id, a saved filter's name; "(erased)" once its person is erased
    detail: dict | None = _json()  # counts and values that say more (an erasure's counts, a filter's query)


class IdentityOverride(SQLModel, table=True):
    """A person's decision about one (anonymous id, user id) pair, which wins over the data.

    `unlink`: the pair is not linked, whatever identify or alias the files carry (now, re-ingested
    or late). `link`: linked by hand at `at_ms`, as an identify at that moment would. The latest
    decision about a pair is the one kept (store/identity_repair.py).
    """

    __tablename__ = "identity_overrides"
    anonymous_id: str = Field(primary_key=True)
    user_id: str = Field(primary_key=True, index=True)
    action: str  # link | unlink
    at_ms: int = _ms()
    author: str = ""


class UnlinkedLink(SQLModel, table=True):
    """A link from the data between a pair a person unlinked: kept apart from identity_links, as a barrier.

    It links no one, yet it still ends the run of anonymous events before it: what came before it stays
    on the anonymous profile instead of joining whoever identified next on that id (store/identity_repair.py).
    """

    __tablename__ = "identity_unlinked"
    __table_args__ = (sa.Index("ix_unlinked_anon_ts", "anonymous_id", "ts"),)
    id: int | None = Field(default=None, primary_key=True)
    anonymous_id: str
    user_id: str
    ts: int = _ms()
    message_id: str


class ChangeLogEntry(SQLModel, table=True):
    """One committed write that changed profiles, for readers in other processes to follow (store/changes.py).

    No schema version of its own: create_all adds the table to an older store, whose readers start from its first entry.
    """

    __tablename__ = "change_log"
    # AUTOINCREMENT on SQLite: a number is never handed out twice, even once every entry has been trimmed.
    __table_args__ = {"sqlite_autoincrement": True}
    seq: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True))
    at_ms: int = _ms()
    touched: list | None = _json()  # profile ids created or changed; null: too many to list, every view reloads
    removed: list | None = _json()  # profile ids gone (merged away, erased)
    origin: str = ""  # the writing process (store/changes.py ORIGIN): an app skips what it wrote and announced itself


class ProfileNote(SQLModel, table=True):
    """A note a person wrote on a profile (store/notes.py): shared by everyone on the store, erased with the person."""

    __tablename__ = "notes"
    __table_args__ = (sa.Index("ix_notes_profile_created", "profile_id", "created_ms", "id"),)  # a profile's notes, newest first
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    author: str
    created_ms: int = _ms()
    updated_ms: int = _ms()
    text: str


# The Core tables the store's statements are written against: named once here, imported by every store module.
META: sa.Table = Meta.__table__  # type: ignore[assignment]
FILES: sa.Table = SourceFile.__table__  # type: ignore[assignment]
EVENTS: sa.Table = Event.__table__  # type: ignore[assignment]
RAW_BLOCKS: sa.Table = RawBlock.__table__  # type: ignore[assignment]
LINKS: sa.Table = IdentityLink.__table__  # type: ignore[assignment]
PROFILES: sa.Table = Profile.__table__  # type: ignore[assignment]
ANON_IDS: sa.Table = ProfileAnonymousId.__table__  # type: ignore[assignment]
SESSIONS: sa.Table = ProfileSession.__table__  # type: ignore[assignment]
REJECTED: sa.Table = RejectedLine.__table__  # type: ignore[assignment]
SAVED: sa.Table = SavedFilter.__table__  # type: ignore[assignment]
CATALOG: sa.Table = CatalogEntry.__table__  # type: ignore[assignment]
COMPANIES: sa.Table = Company.__table__  # type: ignore[assignment]
SUPPRESSED: sa.Table = SuppressedId.__table__  # type: ignore[assignment]
AUDIT: sa.Table = AuditLogEntry.__table__  # type: ignore[assignment]
OVERRIDES: sa.Table = IdentityOverride.__table__  # type: ignore[assignment]
UNLINKED: sa.Table = UnlinkedLink.__table__  # type: ignore[assignment]
CHANGES: sa.Table = ChangeLogEntry.__table__  # type: ignore[assignment]
NOTES: sa.Table = ProfileNote.__table__  # type: ignore[assignment]
