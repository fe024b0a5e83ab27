"""The ONLY way untrusted text (anything that came from an event) becomes something on screen.

Event data is data: `[bold]` must show as `[bold]`, `[@click=app.quit]` must not be an
action, and ANSI/OSC escapes or bidi controls must neither reach the terminal nor reorder
the line. So every string is first made visible (`clean`), then wrapped in a renderable
that never parses markup (`Text(...)` for rows and tree labels, `Content(...)` for widgets).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import orjson
from rich.text import Text
from textual.content import Content

# Bidi embeddings, overrides and isolates, marks; line and paragraph separators.
_BIDI_AND_SEPARATORS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
# C0 and C1 controls (ESC starts ANSI and OSC sequences, BEL/ST end OSC), DEL, lone surrogates,
# and the invisible format characters that make a terminal disagree with us about widths.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f" + _BIDI_AND_SEPARATORS + "\ud800-\udfff\u200b-\u200d\u2060-\u2064\ufeff\ufff9-\ufffb]"
    "|[\U000e0000-\U000e007f]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}
ELLIPSIS = "…"


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def clean(raw: Any) -> str:
    """One line of text with every control, escape and bidi character shown as a visible escape."""
    if raw is None:
        return ""
    text = raw if isinstance(raw, str) else str(raw)
    text = _UNSAFE.sub(_visible, text)
    # Other format characters (category Cf) are invisible too: show them the same way.
    if not text.isprintable():
        text = "".join(
            _visible_char(ch) if unicodedata.category(ch) == "Cf" else ch for ch in text
        )
    return text


def _visible_char(char: str) -> str:
    return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"


def text(raw: Any, style: str = "") -> Text:
    """A rich `Text` of untrusted data: for table cells, list rows and tree labels. Never markup."""
    return Text(clean(raw), style=style, no_wrap=True, end="")


def content(raw: Any) -> Content:
    """A Textual `Content` of untrusted data: for `Static`, `Label` and other widgets. Never markup."""
    return Content(clean(raw))


def lines(raw: str) -> list[str]:
    """Multi-line untrusted text as cleaned lines (each one safe on its own)."""
    return [clean(line) for line in raw.splitlines()] or [""]


def scalar(value: Any) -> str:
    """A property value as one short line: strings as they are, the rest as JSON."""
    if isinstance(value, str):
        return clean(value)
    return clean(to_json(value))


def to_json(value: Any, *, indent: bool = False) -> str:
    """JSON text of a value from an event (not yet cleaned)."""
    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    try:
        return orjson.dumps(value, option=option).decode()
    except TypeError:
        return repr(value)


def truncate(value: str, width: int) -> str:
    """At most `width` cells (cleaned text in, cleaned text out)."""
    text_value = Text(value)
    if text_value.cell_len <= width:
        return value
    text_value.truncate(max(0, width - 1))
    return text_value.plain + ELLIPSIS
