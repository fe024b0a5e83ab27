"""A person and one of their sessions as Markdown for a support ticket, with event data escaped so it stays text.

What the summary holds, in this order: the name as a heading; user id, anonymous ids, email, kind,
company, first and last seen, tags; the notes, newest first, with author and time; then one session
(the latest, or the one asked for) as a list of its events, oldest first, each with its time, what it
was and a few key properties:
- a page: its path; a screen: its name; any other event: its name, and the page it was sent from
  where the event names it (its stored path, or PostHog's `$pathname`);
- then up to `KEY_PROPERTIES` of its own properties whose values are short scalars (text up to
  `VALUE_CHARS` characters, numbers, true/false), by key name (PostgreSQL keeps no order of its own), leaving out
  PostHog's `$` keys and the page keys (`path`, `url`, `title`, `referrer`, `search`) already shown.
A session of more than `HEAD_EVENTS + TAIL_EVENTS` events shows its first and last events and says how
many were left out between them (the end of a session is where a ticket's trouble usually is).

Event data is data here too: whatever a sender put in a name, an id or a property (backticks, `|`,
`*`, `[x](javascript:...)`, `<script>`, `&amp;`, line breaks, a leading `#`) must show as those
characters in the ticket, never as a link, HTML, code or a heading. Two functions do it and every
piece of data goes through one of them: `escape` for prose (a backslash before every ASCII
punctuation character that Markdown could read, line breaks and controls made visible) and `code`
for identifiers and values (a code span, fenced by more backticks than the text holds; nothing is
read inside one, and it keeps `https://...` and `a@b.com` from becoming links).

Personal data: with a `Masker`, every personal string goes through it (names and emails by their key,
ids and free text for the emails, phones and addresses inside them, event property values by key).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Protocol

KEY_PROPERTIES = 4
VALUE_CHARS = 60
HEAD_EVENTS = 20
TAIL_EVENTS = 80
PAGE_KEYS = frozenset({"path", "url", "title", "referrer", "search", "name"})


class NoteLike(Protocol):
    """A note on a person, as the notes of the store give it."""

    @property
    def author(self) -> str: ...
    @property
    def at(self) -> int: ...  # epoch ms
    @property
    def text(self) -> str: ...


class Masker(Protocol):
    """Hides personal data for screen sharing."""

    def text(self, s: str) -> str:
        """Free text with the emails, phone numbers and IP addresses in it masked."""
        ...

    def value(self, key: str, value: Any) -> Any:
        """A trait or property value, masked when its key names personal data (email, phone, name, address, ip)."""
        ...


@dataclass(frozen=True, slots=True)
class TicketPerson:
    display_name: str
    user_id: str  # the user id, or the anonymous id of an anonymous profile
    kind: str
    name: str | None
    email: str | None
    anonymous_ids: tuple[str, ...]
    companies: tuple[str, ...]
    first_seen: int
    last_seen: int
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TicketEvent:
    ts: int
    type: str
    name: str | None
    path: str | None
    properties: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TicketSession:
    id: str
    start: int
    end: int
    events: int  # how many events the session has (more than `head + tail` when some are left out)
    source: str
    head: tuple[TicketEvent, ...]  # the first events, oldest first (all of them for a short session)
    tail: tuple[TicketEvent, ...] = ()  # the last events, oldest first, when some between are left out

    @property
    def left_out(self) -> int:
        return max(0, self.events - len(self.head) - len(self.tail))


# -- escaping -------------------------------------------------------------------------
# Line breaks of every kind: a ticket line must stay one line (a break could start a heading or a list).
_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x85\u2028\u2029]")
# Controls, bidi and invisible format characters: shown as a visible \uXXXX, never obeyed by whoever reads the ticket.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")
# Every ASCII punctuation character CommonMark may read, except a few that no construct starts with
# once the others are escaped (`'` `"` `,` `;` `?` `%` `/`): kept plain so names and paths stay readable.
_SPECIAL = re.compile(r"""[!#$&()*+\-.:<=>@\[\\\]^_`{|}~]""")
NEWLINE_MARK = " ↵ "


def _visible(text: str) -> str:
    text = _BREAKS.sub(NEWLINE_MARK, text).replace("\t", " ")
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def escape(text: Any) -> str:
    """Prose that Markdown shows exactly as written: one line, every construct's character backslash-escaped."""
    if text is None:
        return ""
    return _SPECIAL.sub(lambda m: "\\" + m.group(), _visible(str(text)))


def code(text: Any) -> str:
    """A code span that shows `text` exactly (one line): fenced by one backtick more than its longest run."""
    body = _visible("" if text is None else str(text))
    if not body:
        return escape("(empty)")
    if not body.strip(" "):
        return f"`{body}`"  # spaces only: shown as they are
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    # A space each side when the text starts or ends with a backtick or a space (one each side is taken off).
    pad = " " if body[0] in "` " or body[-1] in "` " else ""
    return f"{fence}{pad}{body}{pad}{fence}"


# -- the summary ----------------------------------------------------------------------
def _stamp(ms: int, tz: tzinfo) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=tz).strftime("%Y-%m-%d %H:%M %Z").strip()


def _clock(ms: int, tz: tzinfo) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=tz).strftime("%H:%M:%S")


def _minutes(ms: int) -> str:
    seconds = max(0, ms) // 1000
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class _Plain:
    """No masking."""

    def text(self, s: str) -> str:
        return s

    def value(self, key: str, value: Any) -> Any:
        return value


def _shown_value(value: Any) -> str | None:
    """A property value worth a place on the event's line: a short scalar, as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value if len(value) <= VALUE_CHARS else value[: VALUE_CHARS - 1] + "…"
    return None


def key_properties(event: TicketEvent, mask: Masker | None = None) -> list[tuple[str, str]]:
    """The (key, value) pairs an event's line shows: see the module's docstring."""
    m = mask or _Plain()
    out: list[tuple[str, str]] = []
    for key, value in sorted(event.properties.items(), key=lambda kv: str(kv[0])):
        if len(out) >= KEY_PROPERTIES:
            break
        if not isinstance(key, str) or key.startswith("$") or key in PAGE_KEYS:
            continue
        masked = m.value(key, value)
        shown = _shown_value(masked)
        if shown is not None:
            out.append((key, m.text(shown)))
    return out


def event_line(event: TicketEvent, tz: tzinfo, mask: Masker | None = None) -> str:
    """`- 14:03:10 · **Order Completed** on `/checkout` · total `120` · currency `EUR``."""
    m = mask or _Plain()
    parts = [f"- {_clock(event.ts, tz)} ·"]
    if event.type == "page":
        parts.append("page " + code(m.text(event.path or event.name or "")))
    elif event.type == "screen":
        parts.append("screen **" + escape(m.text(event.name or "(unnamed)")) + "**")
    else:
        label = event.name or event.type
        parts.append(f"**{escape(m.text(label))}**" if event.type == "track" else escape(m.text(label)))
        page = event.path or event.properties.get("$pathname")
        if isinstance(page, str) and page:
            parts.append("on " + code(m.text(page)))
    line = " ".join(parts)
    for key, value in key_properties(event, mask):
        line += f" · {escape(key)} {code(value)}"
    return line


def session_title(session: TicketSession, tz: tzinfo) -> str:
    """`2026-12-01 14:03 UTC (23 events)`: how the notification names the session copied."""
    return f"{_stamp(session.start, tz)} ({session.events:,} event{'s' if session.events != 1 else ''})"


def summary_markdown(
    person: TicketPerson,
    notes: Sequence[NoteLike],
    session: TicketSession | None,
    *,
    tz: tzinfo,
    mask: Masker | None = None,
) -> str:
    """The ticket's Markdown: see the module's docstring for what it holds."""
    m = mask or _Plain()
    name = m.value("name", person.name) if person.name else None
    email = m.value("email", person.email) if person.email else None
    shown = name or email
    lines = [f"### {escape(m.text(str(shown)))}" if shown else f"### {code(m.text(person.user_id))}", ""]
    id_label = "User id" if person.kind == "identified" else "Anonymous id"
    lines.append(f"- **{id_label}:** {code(m.text(person.user_id))}")
    if person.anonymous_ids:
        lines.append("- **Anonymous ids:** " + ", ".join(code(m.text(a)) for a in person.anonymous_ids))
    if email:
        lines.append(f"- **Email:** {code(m.text(str(email)))}")
    lines.append(f"- **Kind:** {escape(person.kind)}")
    if person.companies:
        lines.append("- **Company:** " + ", ".join(escape(m.text(str(m.value("company", c)))) for c in person.companies))
    lines.append(f"- **First seen:** {_stamp(person.first_seen, tz)}")
    lines.append(f"- **Last seen:** {_stamp(person.last_seen, tz)}")
    lines.append("- **Tags:** " + (", ".join(escape(t) for t in person.tags) if person.tags else "none"))
    if notes:
        lines += ["", "#### Notes", ""]
        for note in sorted(notes, key=lambda n: n.at, reverse=True):
            lines.append(f"- **{escape(m.text(note.author))}**, {_stamp(note.at, tz)}: {escape(m.text(note.text))}")
    lines.append("")
    if session is None:
        lines.append("No session.")
    else:
        lines.append(
            f"#### Session of {_stamp(session.start, tz)}, {_minutes(session.end - session.start)}, "
            f"{session.events:,} event{'s' if session.events != 1 else ''} ({escape(session.source)})"
        )
        lines.append("")
        lines += [event_line(e, tz, mask) for e in session.head]
        if session.left_out:
            lines.append(f"- … {session.left_out:,} more events …")
        lines += [event_line(e, tz, mask) for e in session.tail]
    return "\n".join(lines) + "\n"
