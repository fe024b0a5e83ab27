"""The search-bar language: query text -> an immutable filter tree (no SQL here).

    query   := group (space group)*        every group must hold; empty matches everyone
    group   := unary ("OR" unary)*         any one of them ("OR" binds tighter than the space)
    unary   := "-"? term                   "-" negates the term
    term    := word | "quoted" | key ":" value

A `"` opens a quoted string only where a term, a value or a key name starts;
inside quotes `\\"` and `\\\\` are escapes. Anywhere else `"`, `\\`, `%`, `_`,
`'` and `[` are plain characters, stored as typed (the SQL compiler escapes).
Reserved keys (is, tag, seen, first, sessions, events, did, visited, note and the
built-in fields) count only written bare and lowercase; a quoted key, and any
dotted one, is a trait: `"tag":x`, `company.name:x`, `company."legal name":x`.

Time conditions keep what was typed (`Ago` or a `date`); `time_bound` turns one
into an absolute, half-open bound given "now", for the evaluator and the SQL
compiler alike, so the `<`/`>` inversion between ages and dates lives in one place.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal, NoReturn

from .tags import TAGS

BUILTIN_FIELDS = ("id", "email", "name", "country", "city", "source", "company")
STATES = ("live", "identified", "anonymous", "excluded")
COUNT_FIELDS = ("sessions", "events")
TIME_KEYS = {"seen": "last_seen", "first": "first_seen"}
RESERVED_KEYS = frozenset(("is", "tag", "did", "visited", "note", *TIME_KEYS, *COUNT_FIELDS, *BUILTIN_FIELDS))
UNIT_MS = {"m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
MAX_AGO_MS = 10_000 * 365 * UNIT_MS["d"]  # keeps `now - ago` far inside a 64-bit SQL integer
_INT64 = 2**63

CompareOp = Literal["<", "<=", ">", ">="]
_COMPARE_OPS: tuple[CompareOp, ...] = (">=", "<=", ">", "<")  # longest first
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DURATION = re.compile(r"([0-9]+)([mhdw])")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class FilterSyntaxError(ValueError):
    """The query cannot be parsed: what was expected, and the 0-based offset where it broke."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} at column {self.position + 1}"


# --- Tests applied to one value (a trait, a built-in field, an event property) ---


@dataclass(frozen=True, slots=True)
class Equals:
    """`key:value`: equal ignoring case for text; a number-looking text also equals that number."""

    text: str


@dataclass(frozen=True, slots=True)
class Contains:
    """`key:~value`: the text contains it, ignoring case."""

    text: str


@dataclass(frozen=True, slots=True)
class IsSet:
    """`key:*`: present, not null, not empty text."""


@dataclass(frozen=True, slots=True)
class Compare:
    """`key:>100` and friends: a number compared with a number."""

    op: CompareOp
    number: int | float


Test = Equals | Contains | IsSet | Compare


# --- The filter tree ---


@dataclass(frozen=True, slots=True)
class Everything:
    """The empty query: matches every user."""


@dataclass(frozen=True, slots=True)
class And:
    terms: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Or:
    terms: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Not:
    term: Filter


@dataclass(frozen=True, slots=True)
class Search:
    """A plain word: a substring of the id, an anonymous id, the name or the email, ignoring case."""

    text: str


@dataclass(frozen=True, slots=True)
class Field:
    """A built-in field (one of BUILTIN_FIELDS)."""

    name: str
    test: Test


@dataclass(frozen=True, slots=True)
class Trait:
    """A trait, by its path into the (nested) traits: `company.name` -> ("company", "name")."""

    path: tuple[str, ...]
    test: Test


@dataclass(frozen=True, slots=True)
class State:
    name: str  # one of STATES


@dataclass(frozen=True, slots=True)
class Tag:
    name: str  # one of TAGS


@dataclass(frozen=True, slots=True)
class Ago:
    """A duration as typed: `7d` -> Ago(7, "d")."""

    amount: int
    unit: Literal["m", "h", "d", "w"]

    @property
    def ms(self) -> int:
        return self.amount * UNIT_MS[self.unit]


@dataclass(frozen=True, slots=True)
class Seen:
    """`seen:<7d`, `first:>2026-11-01`, as typed; `time_bound` gives its meaning."""

    field: Literal["last_seen", "first_seen"]
    op: Literal["<", ">"]
    when: Ago | date


@dataclass(frozen=True, slots=True)
class Count:
    field: Literal["sessions", "events"]
    op: Literal["=", "<", "<=", ">", ">="]
    value: int


@dataclass(frozen=True, slots=True)
class EventProperty:
    path: tuple[str, ...]
    test: Test


@dataclass(frozen=True, slots=True)
class Did:
    """At least one event of that name (exact, ignoring case), with that property if `where` is given."""

    event: str
    where: EventProperty | None = None


@dataclass(frozen=True, slots=True)
class Visited:
    """At least one page event whose path equals `path`, or starts with it when `prefix`."""

    path: str
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class NoteText:
    """`note:TEXT`: some note written on the user contains the text, ignoring case."""

    text: str


Filter = Everything | And | Or | Not | Search | Field | Trait | State | Tag | Seen | Count | Did | Visited | NoteText


@dataclass(frozen=True, slots=True)
class TimeBound:
    """A resolved time condition: `after_ms <= t` and/or `t < before_ms` on the field."""

    field: Literal["last_seen", "first_seen"]
    after_ms: int | None = None
    before_ms: int | None = None


def time_bound(seen: Seen, now_ms: int) -> TimeBound:
    """Resolve a time condition against now.

    "`seen:<7d` (last seen within 7 days), `seen:>30d` (last seen more than 30
    days ago) ... `seen:>2026-11-01` (after that date, UTC midnight) and
    `seen:<2026-11-01` (before)." Bounds are half-open, so `<X` and `>X` split
    the users with a known time in two, whether X is an age or a date.
    """
    if isinstance(seen.when, Ago):
        edge = now_ms - seen.when.ms
        recent = seen.op == "<"  # a smaller age is a later time
    else:
        edge = (seen.when - date(1970, 1, 1)).days * UNIT_MS["d"]
        recent = seen.op == ">"
    return TimeBound(seen.field, after_ms=edge) if recent else TimeBound(seen.field, before_ms=edge)


def as_number(text: str) -> int | float | None:
    """The number a text spells (`100`, `-2.5`, `1e3`), or None. Integers beyond 64 bits become floats."""
    if not _NUMBER.fullmatch(text):
        return None
    digits = text.lstrip("+-")
    if digits.isdigit() and len(digits) <= 19 and -_INT64 <= (whole := int(text)) < _INT64:
        return whole
    number = float(text)
    return number if math.isfinite(number) else None


def _clip(typed: str) -> str:
    """What an error message quotes of the query: enough to recognise, never a whole pasted page."""
    return typed if len(typed) <= 40 else typed[:39] + "…"


def parse(query: str) -> Filter:
    """Parse search-bar text into a filter tree; raises FilterSyntaxError and nothing else."""
    return _Parser(query).query()


class _Parser:
    """Recursive descent over the characters; `pos` is where reading stands."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str, position: int | None = None) -> NoReturn:
        raise FilterSyntaxError(message, self.pos if position is None else position)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def at_break(self) -> bool:
        return self.pos >= len(self.text) or self.text[self.pos].isspace()

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at_or(self) -> bool:
        end = self.pos + 2
        return self.text.startswith("OR", self.pos) and (end == len(self.text) or self.text[end].isspace())

    def bare(self, stops: tuple[str, ...] = ()) -> str:
        start = self.pos
        while not self.at_break() and self.text[self.pos] not in stops:
            self.pos += 1
        return self.text[start : self.pos]

    def quoted(self) -> str:
        start, i, out = self.pos, self.pos + 1, []
        while i < len(self.text):
            char = self.text[i]
            if char == "\\" and self.text[i + 1 : i + 2] in ('"', "\\"):
                out.append(self.text[i + 1])
                i += 2
            elif char == '"':
                self.pos = i + 1
                return "".join(out)
            else:
                out.append(char)
                i += 1
        self.fail("unterminated quote", start)

    def query(self) -> Filter:
        groups = []
        self.skip_space()
        while self.pos < len(self.text):
            groups.append(self.group())
            self.skip_space()
        if not groups:
            return Everything()
        return groups[0] if len(groups) == 1 else And(tuple(groups))

    def group(self) -> Filter:
        if self.at_or():
            self.fail("expected a term before 'OR'")
        terms = [self.unary()]
        while True:
            after_term = self.pos
            self.skip_space()
            if not self.at_or():
                self.pos = after_term
                break
            self.pos += 2
            self.skip_space()
            if self.pos == len(self.text) or self.at_or():
                self.fail("expected a term after 'OR'")
            terms.append(self.unary())
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def unary(self) -> Filter:
        # Only one "-" negates: `--a` is the negated word "-a", which keeps trees shallow.
        if self.peek() == "-":
            self.pos += 1
            if self.at_break():
                self.fail("expected a term after '-'")
            return Not(self.term())
        return self.term()

    def key_path(self) -> tuple[list[str], bool, bool]:
        """Read `name(.name)*` up to a ':' or a space: (names, any name quoted, stopped at ':')."""
        names, any_quoted = [], False
        while True:
            if self.peek() == '"':
                names.append(self.quoted())
                any_quoted = True
            else:
                names.append(self.bare(stops=(".", ":")))
            if self.at_break():
                return names, any_quoted, False
            if self.peek() == ":":
                return names, any_quoted, True
            if self.peek() != ".":
                self.fail("expected ':' or a space after the closing quote")
            self.pos += 1

    def check_names(self, names: list[str], start: int) -> None:
        if names == [""]:
            self.fail("expected a key before ':'")
        if "" in names:
            self.fail(f"empty name in key '{_clip(self.text[start:self.pos])}'", start)

    def term(self) -> Filter:
        start = self.pos
        names, any_quoted, keyed = self.key_path()
        if not keyed:
            if any_quoted and len(names) == 1:
                return Search(names[0])
            if any_quoted:
                self.fail("expected ':' after the key")
            return Search(self.text[start : self.pos])
        self.check_names(names, start)
        self.pos += 1
        label = _clip(self.text[start : self.pos])
        key = None if any_quoted or len(names) > 1 else names[0]
        if key == "is":
            return State(self.choice(label, "state", STATES))
        if key == "tag":
            return Tag(self.choice(label, "tag", TAGS))
        if key in TIME_KEYS:
            return self.seen(label, TIME_KEYS[key])
        if key in COUNT_FIELDS:
            return self.count(label, key)
        if key == "did":
            return self.did(label)
        if key == "visited":
            return self.page_path(label)
        if key == "note":
            return NoteText(self.value(label))
        if key in BUILTIN_FIELDS:
            return Field(key, self.test(label))
        return Trait(tuple(names), self.test(label))

    def value(self, label: str) -> str:
        if self.at_break():
            self.fail(f"expected a value after '{label}'")
        if self.peek() != '"':
            return self.bare()
        text = self.quoted()
        if not self.at_break():
            self.fail("expected a space after the closing quote")
        return text

    def test(self, label: str) -> Test:
        if self.at_break():
            self.fail(f"expected a value after '{label}'")
        if self.peek() == "~":
            self.pos += 1
            return Contains(self.value("~"))
        if self.peek() == "*" and (self.pos + 1 == len(self.text) or self.text[self.pos + 1].isspace()):
            self.pos += 1
            return IsSet()
        for op in _COMPARE_OPS:
            if self.text.startswith(op, self.pos):
                self.pos += len(op)
                start, token = self.pos, self.bare()
                number = as_number(token)
                if number is None:
                    too_large = _NUMBER.fullmatch(token) is not None  # 1e999
                    self.fail("number too large" if too_large else f"expected a number after '{op}'", start)
                return Compare(op, number)
        return Equals(self.value(label))

    def choice(self, label: str, what: str, options: tuple[str, ...]) -> str:
        listing = ", ".join(options)
        if self.at_break():
            self.fail(f"expected a {what} after '{label}' (one of: {listing})")
        start = self.pos
        name = self.value(label)
        if name.lower() not in options:
            self.fail(f"unknown {what} '{_clip(name)}' (expected one of: {listing})", start)
        return name.lower()

    def seen(self, label: str, field: Literal["last_seen", "first_seen"]) -> Seen:
        op = self.peek()
        if op not in ("<", ">"):
            self.fail(f"expected '<' or '>' after '{label}'")
        self.pos += 1
        start, token = self.pos, self.bare()
        if duration := _DURATION.fullmatch(token):
            digits, unit = duration.groups()
            if len(digits) > 15 or int(digits) * UNIT_MS[unit] > MAX_AGO_MS:
                self.fail("duration too long (at most 10000 years)", start)
            return Seen(field, op, Ago(int(digits), unit))
        if _DATE.fullmatch(token):
            try:
                return Seen(field, op, date.fromisoformat(token))
            except ValueError:
                self.fail(f"invalid date '{token}'", start)
        self.fail(f"expected a duration (like 7d) or a date (like 2026-11-01) after '{op}'", start)

    def count(self, label: str, field: Literal["sessions", "events"]) -> Count:
        op = next((op for op in _COMPARE_OPS if self.text.startswith(op, self.pos)), "=")
        self.pos += 0 if op == "=" else len(op)
        start, token = self.pos, self.bare()
        if not (token.isascii() and token.isdigit()):
            self.fail(f"expected a whole number after '{label if op == '=' else op}'", start)
        if len(token) > 19 or int(token) >= _INT64:
            self.fail("number too large", start)
        return Count(field, op, int(token))

    def did(self, label: str) -> Did | Visited:
        if self.at_break():
            self.fail(f"expected an event name after '{label}'")
        if self.text.startswith("page.", self.pos):
            self.pos += len("page.")
            return self.page_path(label + "page.")
        event = self.quoted() if self.peek() == '"' else self.bare(stops=(".",))
        if self.at_break():
            return Did(event)
        if self.peek() != ".":
            self.fail("expected '.' or a space after the event name")
        self.pos += 1
        start = self.pos
        if self.at_break() or self.peek() == ":":
            self.fail("expected a property name after '.'")
        names, _, keyed = self.key_path()
        if not keyed:
            self.fail("expected ':' after the property name")
        self.check_names(names, start)
        self.pos += 1
        return Did(event, EventProperty(tuple(names), self.test(_clip(self.text[start : self.pos]))))

    def page_path(self, label: str) -> Visited:
        if self.at_break():
            self.fail(f"expected a page path after '{label}'")
        if self.peek() != '"':
            path = self.bare()
            # "support a trailing `*` as prefix match"
            return Visited(path[:-1], True) if path.endswith("*") else Visited(path)
        path = self.quoted()
        prefix = self.peek() == "*"
        self.pos += prefix
        if not self.at_break():
            self.fail("expected a space after the closing quote")
        return Visited(path, prefix)


# --- Back to text ---


def describe(tree: Filter) -> str:
    """The normalised text of a tree that `parse` can return; `parse(describe(t)) == t`.

    Raises ValueError for a nesting the language cannot write (no parentheses:
    an OR of ANDs, a negated OR, `Everything` inside another node).
    """
    if isinstance(tree, Everything):
        return ""
    if isinstance(tree, And):
        return " ".join(_describe_group(term) for term in tree.terms)
    return _describe_group(tree)


def _describe_group(tree: Filter) -> str:
    if isinstance(tree, Or):
        return " OR ".join(_describe_unary(term) for term in tree.terms)
    return _describe_unary(tree)


def _describe_unary(tree: Filter) -> str:
    return "-" + _describe_term(tree.term) if isinstance(tree, Not) else _describe_term(tree)


def _describe_term(tree: Filter) -> str:
    match tree:
        case Search(text):
            bare = _bare_ok(text, never_first="-", never=":") and text != "OR" and '."' not in text
            return text if bare else _quote(text)
        case Field(name, test):
            return f"{name}:{_describe_test(test)}"
        case Trait(path, test):
            return f"{_describe_key(path)}:{_describe_test(test)}"
        case State(name):
            return f"is:{name}"
        case Tag(name):
            return f"tag:{name}"
        case Seen(field, op, when):
            key = next(key for key, name in TIME_KEYS.items() if name == field)
            written = when.isoformat() if isinstance(when, date) else f"{when.amount}{when.unit}"
            return f"{key}:{op}{written}"
        case Count(field, op, value):
            return f"{field}:{'' if op == '=' else op}{value}"
        case Did(event, where):
            name = event if _bare_ok(event, never=".") and event != "page" else _quote(event)
            if where is None:
                return f"did:{name}"
            return f"did:{name}.{_describe_path(where.path)}:{_describe_test(where.test)}"
        case Visited(path, prefix):
            if not path and prefix:
                return "visited:*"
            bare = _bare_ok(path) and (prefix or not path.endswith("*"))
            return f"visited:{path if bare else _quote(path)}{'*' if prefix else ''}"
        case NoteText(text):
            return f"note:{text if _bare_ok(text) else _quote(text)}"
    raise ValueError(f"{tree!r} cannot be written in the filter language")


def _describe_test(test: Test) -> str:
    match test:
        case IsSet():
            return "*"
        case Contains(text):
            return "~" + (text if _bare_ok(text) else _quote(text))
        case Equals(text):
            return text if _bare_ok(text, never_first="~<>") and text != "*" else _quote(text)
        case Compare(op, number):
            return f"{op}{number!r}"
    raise ValueError(f"{test!r} is not a test")


def _describe_key(path: tuple[str, ...]) -> str:
    if len(path) == 1 and path[0] in RESERVED_KEYS:
        return _quote(path[0])
    return _describe_path(path)


def _describe_path(path: tuple[str, ...]) -> str:
    names = [name if _bare_ok(name, never_first="-", never=".:") else _quote(name) for name in path[:1]]
    names += [name if _bare_ok(name, never=".:") else _quote(name) for name in path[1:]]
    return ".".join(names)


def _bare_ok(text: str, never_first: str = "", never: str = "") -> bool:
    # Bare text must not be empty, open a quote, hold a space, or start or hold what the place reads as syntax.
    return (
        bool(text)
        and text[0] != '"'
        and text[0] not in never_first
        and not any(c.isspace() or c in never for c in text)
    )


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_error(query: str, err: FilterSyntaxError) -> str:
    """Two lines: the query, then a caret under where it broke and what was expected."""
    shown = "".join(_printable(char) for char in query)
    column = sum(_cells(char) for char in shown[: err.position])
    return f"{shown}\n{' ' * column}^ {err.message}"


def _printable(char: str) -> str:
    # One line on a terminal: tabs and newlines become spaces, other controls a replacement mark.
    if char.isspace():
        return " "
    return char if char.isprintable() else "\ufffd"


def _cells(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


# --- What is being typed, for suggestions ---

# Kinds: "key" (a bare name, no ':' yet: a key, or a plain word still), "word" (a
# plain word or quoted value), "value" (after a trait or built-in key, or `~`),
# "state" (after is:), "tag", "event" (after did:), "event_property" (after
# did:Name.), "page" (after visited: or did:page.), "none" (a number, a time).
_KEYISH = re.compile(r"[\w.$-]*")


def terms_for_completion(query: str, cursor: int) -> tuple[str, str]:
    """(kind, prefix): what the term under the cursor is, and its text typed so far, unquoted."""
    head = query[: max(0, min(cursor, len(query)))]
    term = head[term_start(head) :]
    term = term[1:] if term.startswith("-") else term
    colon = _unquoted_index(term, ":")
    if colon < 0:
        kind = "key" if _KEYISH.fullmatch(term) else "word"
        return kind, _unquote(term)
    key, value = term[:colon], term[colon + 1 :]
    if key in ("is", "tag"):
        return ("state" if key == "is" else "tag"), _unquote(value)
    if key == "visited":
        return "page", _unquote(value)
    if key == "did":
        return _did_completion(value)
    if key in TIME_KEYS or key in COUNT_FIELDS or key == "note" or value.startswith(("<", ">")):
        return "none", ""  # a note's words are not suggested: they are not a catalog of values
    return "value", _unquote(value.removeprefix("~"))


def _did_completion(value: str) -> tuple[str, str]:
    if value.startswith("page."):
        return "page", _unquote(value[len("page.") :])
    dot = _unquoted_index(value, ".")
    if dot < 0:
        return "event", _unquote(value)
    prop = value[dot + 1 :]
    colon = _unquoted_index(prop, ":")
    if colon < 0:
        return "event_property", _unquote(prop)
    test = prop[colon + 1 :]
    return ("none", "") if test.startswith(("<", ">")) else ("value", _unquote(test.removeprefix("~")))


def term_start(text: str) -> int:
    """Where the last term begins: after the last space outside quotes."""
    start, in_quote, i = 0, False, 0
    while i < len(text):
        char = text[i]
        if in_quote:
            i += char == "\\"
            in_quote = char != '"'
        elif char.isspace():
            start = i + 1
        elif char == '"' and (i == start or text[i - 1] in "-:.~"):
            in_quote = True
        i += 1
    return start


def _unquoted_index(text: str, wanted: str) -> int:
    """The first `wanted` outside quotes, or -1."""
    in_quote, i = False, 0
    while i < len(text):
        char = text[i]
        if in_quote:
            i += char == "\\"
            in_quote = char != '"'
        elif char == wanted:
            return i
        elif char == '"' and (i == 0 or text[i - 1] in ":.~"):
            in_quote = True
        i += 1
    return -1


def _unquote(text: str) -> str:
    """The text a possibly unfinished quoted string stands for; bare text as it is."""
    if not text.startswith('"'):
        return text
    out, i = [], 1
    while i < len(text) and text[i] != '"':
        if text[i] == "\\" and text[i + 1 : i + 2] in ('"', "\\"):
            i += 1
        out.append(text[i])
        i += 1
    return "".join(out)
