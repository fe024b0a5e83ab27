"""Settings: every default in one place, the value the code reads; a config.toml and the environment override them.

Where overrides come from, and how a bad one is reported, is settings_sources.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

ENV_PREFIX = "TUI_PROFILES_"

MINUTE_MS = 60_000
DAY_MS = 24 * 60 * MINUTE_MS


def default_db_url() -> str:
    """A SQLite file in the user's data folder: nothing to set up."""
    import platformdirs

    folder = Path(platformdirs.user_data_dir("tui-profiles", appauthor=False))
    return f"sqlite:///{folder / 'store.db'}"


def default_author() -> str:
    """Who is at the keyboard, for the audit log: the OS user, or "unknown" when the system cannot say."""
    import getpass

    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError, ImportError):  # no login name in the environment and no password entry (a bare container)
        return "unknown"


@dataclass(frozen=True)
class Settings:
    """What the product can be told; each field documents its meaning."""

    #: SQLAlchemy URL of the store (sqlite:///path or postgresql+psycopg://...).
    db_url: str = ""
    #: A profile's events split into a new session after this much inactivity.
    session_gap_ms: int = 30 * MINUTE_MS
    #: A session (and its profile) is live while its last event is younger than this.
    live_ms: int = 10 * MINUTE_MS
    #: A profile first seen longer ago than this is tagged `longtime`.
    longtime_ms: int = 60 * DAY_MS
    #: Event names that make a profile a `buyer`.
    order_events: tuple[str, ...] = ("Order Completed",)
    #: Events per write transaction when ingesting.
    batch_size: int = 5000
    #: Goals: name -> condition: an event name (`Signed Up`), a page (`did page /pricing`,
    #: `/docs/*`) or a `did:`/`visited:` term (domain/goals.py). In config.toml a [goals] table;
    #: env TUI_PROFILES_GOALS: a JSON object {"name": "condition"}, or a JSON list of conditions.
    goals: dict[str, str] = field(default_factory=dict)
    #: Events that carry survey and NPS answers (the profile's Feedback), matched ignoring case.
    feedback_events: tuple[str, ...] = ("Survey Responded", "survey sent")
    #: Who the audit log names for changes made here (exclude, erase, saved filters...): the OS user unless set.
    author: str = field(default_factory=default_author)
    #: Ids that name no one here, on top of the built-in junk ids (domain/formats.JUNK_IDS): a message
    #: whose only ids are blocked is quarantined, and a blocked id never links two profiles. Any case.
    blocked_ids: tuple[str, ...] = ()
    #: A profile with more anonymous ids than this is tagged `too_many_ids`: a tracking bug merging strangers.
    max_anon_ids: int = 100
    #: Open the app with personal data masked, for screen sharing (`M` toggles it; `--mask` also turns it on).
    mask: bool = False

    def with_db(self, url: str | None) -> "Settings":
        return replace(self, db_url=url) if url else self


class SettingsError(ValueError):
    """A setting cannot be used; the message names it, the file or variable it came from, and what was expected."""
