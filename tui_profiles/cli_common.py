"""What every command of the command line shares: exit codes, errors, opening the store, and text and JSON out.

cli.py, cli_actions.py and cli_reports.py all import from here and never from each other.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime, timezone
from typing import Any

import orjson

from .config import Settings

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A one-line message for the person at the terminal, and an exit code."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    dt = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(value: object) -> str:
    """Text for a plain terminal: control and bidi characters shown as escapes, never obeyed."""
    text = "" if value is None else str(value)
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def open_engine(settings: Settings, *, writer: bool = False):  # noqa: ANN201
    """The store's engine; a store that cannot be opened is one line and exit 1."""
    from .store.engine import StoreError, make_engine

    try:
        return make_engine(settings.db_url, writer=writer)
    except StoreError as exc:
        raise CliError(str(exc)) from None


def open_reader(settings: Settings):  # noqa: ANN201
    """The store's read facade, as the app's screens use it, on the pinned or real "now"."""
    from .domain.clock import Clock, now_ms
    from .reader import StoreReader

    return StoreReader(open_engine(settings), settings, Clock(now=now_ms))


def emit_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode() + "\n")


def parse_filter(text: str):  # noqa: ANN201
    """The search-bar language; a query that does not parse exits 2 showing where."""
    from .domain import filters

    try:
        return filters.parse(text)
    except filters.FilterSyntaxError as exc:
        raise CliError("the filter does not parse:\n" + filters.format_error(text, exc), EXIT_USAGE) from None


def profile_id(conn: Any, ident: str) -> int:
    """The stored id of the profile with this user id or anonymous id; none is exit 1."""
    from .store import queries

    pid = queries.find_profile(conn, ident)
    if pid is None:
        raise CliError(f"no profile with the id {printable(ident)!r}")
    return pid


def user_json(u: Any) -> dict[str, Any]:
    return {
        "id": u.id, "kind": u.kind, "name": u.name, "email": u.email, "first_seen": iso(u.first_seen),
        "last_seen": iso(u.last_seen), "live": u.live, "sessions": u.sessions, "events": u.events,
        "tags": list(u.tags),
    }


def event_json(e: Any) -> dict[str, Any]:
    """One timeline entry, as `profile --json` and `timeline --json` write it."""
    return {
        "message_id": e.message_id, "timestamp": iso(e.ts), "type": e.type, "name": e.name,
        "path": e.path, "session_id": e.session_id, "properties": e.properties,
        "merged_into": e.merged_into,
    }
