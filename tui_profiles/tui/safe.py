"""The ONLY way untrusted text (anything that came from an event) becomes something on screen.

Event data is data: `[bold]` must show as `[bold]`, `[@click=app.quit]` must not be an
action, and ANSI/OSC escapes or bidi controls must neither reach the terminal nor reorder
the line. So every string is first made visible (`clean`), then wrapped in a renderable
that never parses markup (`Text(...)` for rows and tree labels, `Content(...)` for widgets).

Masking for screen sharing lives here too, so that no widget can forget it: while it is on
(`set_masking`, the app's `M`), `clean` masks the emails, phone numbers and IP addresses in any
text, a value shown with its `key` is masked whole when the key is personal (`email`, `name`,
`phone`...), `person` shows a person's name as initials, and `document` masks a whole property
tree by its keys (domain/masking.py says what is masked and what stays).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import orjson
from rich.text import Text
from textual.content import Content

from ..domain.masking import MASKER, Masker

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

# The masker while masking is on, else None. Process-wide: workers build rows in threads too, and
# there is one app a process (a test's app sets it when it starts, see ProfilesApp).
_masker: Masker | None = None


def set_masking(on: bool) -> None:
    global _masker
    _masker = MASKER if on else None


def masking() -> Masker | None:
    """The masker while masking is on (for what leaves the app: copies, exports), else None."""
    return _masker


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


def clean(raw: Any, *, key: str = "") -> str:
    """One line of text with every control, escape and bidi character shown as a visible escape.

    While masking is on, masked: whole if `key` (the trait or property it is the value of) is personal."""
    if raw is None:
        return ""
    masker = _masker
    if masker is None:
        return visible(raw)
    if key:
        raw = masker.value(key, raw)
    return masker.text(visible(raw))


def visible(raw: Any) -> str:
    """`clean` without masking: only for comparing with the raw value, never for showing it."""
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


def text(raw: Any, style: str = "", *, key: str = "") -> Text:
    """A rich `Text` of untrusted data: for table cells, list rows and tree labels. Never markup."""
    return Text(clean(raw, key=key), style=style, no_wrap=True, end="")


def content(raw: Any, *, key: str = "") -> Content:
    """A Textual `Content` of untrusted data: for `Static`, `Label` and other widgets. Never markup."""
    return Content(clean(raw, key=key))


def person_name(raw: Any, *, is_name: bool = True) -> str:
    """A person's name or what stands for it (a display name: the name, else the email, else the id), cleaned.

    While masking is on: a name (`is_name`: the display name is the person's name) as initials; an
    email masked as in any text; an id as it is (`anon-alice` is no name)."""
    masker = _masker
    if masker is None or not is_name:
        return clean(raw)
    return masker.name(visible(raw))


def person(raw: Any, style: str = "", *, is_name: bool = True) -> Text:
    """`person_name` as a `Text`."""
    return Text(person_name(raw, is_name=is_name), style=style, no_wrap=True, end="")


def document(value: Any, *, key: str = "") -> Any:
    """A property tree (traits, properties, context, a raw event) as it may be shown: masked by its keys while
    masking is on (the values are still to be cleaned). `key`: what the tree is (`company`: its `name` is no person's)."""
    masker = _masker
    return value if masker is None else masker.value(key, value)


def lines(raw: str) -> list[str]:
    """Multi-line untrusted text as cleaned lines (each one safe on its own)."""
    return [clean(line) for line in raw.splitlines()] or [""]


def scalar(value: Any, *, key: str = "") -> str:
    """A property value as one short line: strings as they are, the rest as JSON."""
    if key and _masker is not None:
        value = _masker.value(key, value)
    if isinstance(value, str):
        return clean(value)
    return clean(to_json(value))


def to_json(value: Any, *, indent: bool = False) -> str:
    """JSON text of a value from an event (not yet cleaned; masked by its keys while masking is on)."""
    value = document(value)
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
