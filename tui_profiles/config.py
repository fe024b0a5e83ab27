"""Settings: every default in one place, overridable by environment (prefix TUI_PROFILES_)."""

from __future__ import annotations

import json
import os
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
    #: `/docs/*`) or a `did:`/`visited:` term (domain/goals.py). Env TUI_PROFILES_GOALS: a
    #: JSON object {"name": "condition"}, or a JSON list of conditions each named by itself.
    goals: dict[str, str] = field(default_factory=dict)
    #: Events that carry survey and NPS answers (the profile's Feedback), matched ignoring case.
    feedback_events: tuple[str, ...] = ("Survey Responded", "survey sent")

    def with_db(self, url: str | None) -> "Settings":
        return replace(self, db_url=url) if url else self


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(ENV_PREFIX + name)
    return int(raw) if raw else default


class SettingsError(ValueError):
    """A setting from the environment cannot be used; the message names it."""


def _env_goals() -> dict[str, str]:
    raw = os.environ.get(ENV_PREFIX + "GOALS")
    if not raw or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise SettingsError(f"{ENV_PREFIX}GOALS is not JSON: {exc}") from None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return {v: v for v in value}
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return dict(value)
    raise SettingsError(f'{ENV_PREFIX}GOALS must be a JSON object {{"goal name": "condition"}} or a list of conditions')


def load_settings(db_url: str | None = None) -> Settings:
    """Settings from the environment, then the given database URL, then defaults."""
    url = db_url or os.environ.get(ENV_PREFIX + "DB") or default_db_url()
    order = os.environ.get(ENV_PREFIX + "ORDER_EVENTS")
    feedback = os.environ.get(ENV_PREFIX + "FEEDBACK_EVENTS")
    return Settings(
        db_url=url,
        session_gap_ms=_env_int("SESSION_GAP_MINUTES", 30) * MINUTE_MS,
        live_ms=_env_int("LIVE_MINUTES", 10) * MINUTE_MS,
        longtime_ms=_env_int("LONGTIME_DAYS", 60) * DAY_MS,
        order_events=tuple(s.strip() for s in order.split(",") if s.strip()) if order else ("Order Completed",),
        batch_size=_env_int("BATCH_SIZE", 5000),
        goals=_env_goals(),
        feedback_events=tuple(s.strip() for s in feedback.split(",") if s.strip()) if feedback else Settings.feedback_events,
    )
