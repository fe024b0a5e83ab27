"""How one event reads as a list row: pages, clicks and goals at a glance, rage clicks in red."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from rich.text import Text

from ...domain.masking import properties_key
from ...store.queries import EventRow, SessionRow
from .. import formatting, safe
from .virtual_list import columns_text

RAGE_CLICK = "$rageclick"

# type -> (badge, style)
_BADGES = {
    "page": ("page", "bold blue"),
    "screen": ("screen", "bold blue"),
    "identify": ("identify", "bold green"),
    "group": ("group", "green"),
    "alias": ("alias", "green"),
    "track": ("event", ""),
}
_QUIET_KEYS = frozenset({"path", "url", "title", "referrer", "search", "$current_url", "$pathname"})


def badge(event: EventRow, goals: Collection[str], met: Collection[str] = ()) -> Text:
    """`met`: the configured goals this event completes (domain/goals.py), marked like an order."""
    if event.name == RAGE_CLICK:
        return Text("rage", style="bold red")
    if met or event.name in goals:
        return Text("★ goal", style="bold yellow")
    if event.name == "$autocapture" or (event.name or "").endswith("click"):
        return Text("click", style="magenta")
    label, style = _BADGES.get(event.type, (event.type, "dim"))
    return Text(label, style=style)


def title(event: EventRow) -> Text:
    """What happened: the page path for a page view, else the event or screen name."""
    if event.type == "page":
        return safe.text(event.path or event.name or "(page)", style="blue")
    if event.name == RAGE_CLICK:
        return safe.text(event.name, style="bold red")
    if event.type == "identify":
        return Text("set traits", style="green")
    return safe.text(event.name or event.type)


def summary(properties: dict[str, Any], limit: int = 6) -> str:
    """A few properties as `key=value`, cleaned; the page ones are already in the title."""
    parts = []
    for key, value in properties.items():
        if key in _QUIET_KEYS or key.startswith("$"):
            continue
        parts.append(f"{safe.clean(key)}={safe.scalar(value)}")
        if len(parts) >= limit:
            break
    return "  ".join(parts)


def _widths(width: int, show_path: bool) -> tuple[int, int, int]:
    """(name, path, details) widths; the other columns are fixed: 1 + 9 + 8 + 7 and the gaps."""
    path_w = 18 if show_path and width >= 90 else 0
    rest = width - 1 - 9 - 8 - 7 - (6 if path_w else 5) - path_w
    name_w = max(16, rest * 2 // 5)
    return name_w, path_w, max(0, rest - name_w)


def event_header(width: int, *, lead: str, show_path: bool = False) -> Text:
    name_w, path_w, details_w = _widths(width, show_path)
    return columns_text(
        [(" ", 1), (lead, 9), ("Kind", 8), ("What", name_w), ("Page", path_w), ("Details", details_w), ("Source", 7)]
    )


def event_line(
    event: EventRow, width: int, *, lead: str, goals: Collection[str], show_path: bool = False, met: tuple[str, ...] = ()
) -> Text:
    """`lead` is the time column (a clock time, or the time since the session started); `met` names the goals it completes."""
    rage = event.name == RAGE_CLICK
    name_w, path_w, details_w = _widths(width, show_path)
    source = Text(event.source or "", style="dim")
    path = safe.text(event.path or "", style="blue") if event.type != "page" else Text("")
    details = Text(summary(safe.document(event.properties, key=properties_key(event.type))), style="dim")
    if met:
        details = Text("★ " + ", ".join(safe.clean(g) for g in met) + "  ", style="bold yellow") + details
    row = columns_text(
        [
            (Text(" "), 1), (Text(lead, style="dim"), 9), (badge(event, goals, met), 8), (title(event), name_w),
            (path, path_w), (details, details_w), (source, 7),
        ]
    )
    if rage:
        row.stylize("red")
    return row


def session_line(session: SessionRow | None, session_id: str, width: int, *, tz, now_ms: int, live_ms: int) -> Text:  # noqa: ANN001
    """A timeline's session header: when, how long, how many events, where from."""
    if session is None:
        return Text(f"── session {session_id}", style="bold")
    parts = [
        formatting.long_stamp(session.start, tz)[:-3],
        formatting.duration(session.duration_ms),
        f"{formatting.count(session.events)} events",
        session.source,
    ]
    line = Text("── ", style="bold magenta")
    line.append("Session ", style="bold magenta")
    line.append(" · ".join(parts), style="bold")
    if session.entry_path:
        line.append("  entry ", style="dim")
        line.append_text(safe.text(session.entry_path, style="blue"))
    if now_ms - session.end < live_ms:  # re-evaluated on every draw, so it fades on time
        line.append("  ● live", style="bold green")
    line.append(" " + "─" * max(0, width), style="magenta")
    return line
