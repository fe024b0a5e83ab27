"""Suggestions for the term being typed in the search bar: keys, `is:` states, tags, event names, page paths;
and for the Timeline tab's filter line, the person's own event names (`EventNameCompleter`).

`complete(query, cursor, lookup)` says what the term under the cursor could become; `lookup(kind, prefix)`
reads the store's catalog (event names, page paths, trait keys), so it blocks: `FilterCompleter`
wraps the reader with a small cache and is only ever called from a thread worker.
Every suggestion is written back in the filter language by `filters.describe`, so accepting one
gives text the parser reads as meant (`did:"Order Completed"`, `visited:"/my docs"`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..domain import filters
from ..domain.tags import TAGS
from ..domain.timeline_filter import EventFilter
from . import safe

LIMIT = 8  # suggestions shown at once
CACHE_S = 10.0  # how long a catalog answer is reused (the catalog only grows while the app runs)
CACHE_SIZE = 256

# The reserved keys, in the order they are offered; the built-in fields follow.
RESERVED = ("is", "tag", "did", "visited", "seen", "first", "sessions", "events", "note")
KEYS = RESERVED + tuple(key for key in filters.BUILTIN_FIELDS if key not in RESERVED)

# (catalog kind, prefix) -> stored values starting with the prefix (any case), at most `limit`.
Lookup = Callable[[str, str], Sequence[str]]


@dataclass(frozen=True, slots=True)
class Completion:
    """Replace `query[start:end]` with `text`; `hint` says what it is (key, tag, event, page, ...)."""

    text: str
    start: int
    end: int
    hint: str

    @property
    def is_key(self) -> bool:
        return self.text.endswith(":")  # more is typed after it, so no space follows

    def apply(self, query: str) -> tuple[str, int]:
        """The query with the completion in place, and where the cursor goes (after a space for a whole term)."""
        tail = query[self.end :]
        text = self.text
        if not self.is_key and not tail.startswith(" "):
            text += " "
        cursor = self.start + len(text)
        if not self.is_key and tail.startswith(" "):
            cursor += 1
        return query[: self.start] + text + tail, cursor


def complete(query: str, cursor: int, lookup: Lookup, *, limit: int = LIMIT) -> tuple[Completion, ...]:
    """What the term before the cursor could be completed to, best first; () when nothing fits."""
    cursor = max(0, min(cursor, len(query)))
    kind, prefix = filters.terms_for_completion(query, cursor)
    start, end = _term_span(query, cursor)
    typed = query[start:end]
    if kind == "key":
        candidates = _keys(prefix, lookup) if prefix else []
    elif kind == "state":
        candidates = [(f"is:{state}", "state") for state in _starting(filters.STATES, prefix)]
    elif kind == "tag":
        candidates = [(f"tag:{tag}", "tag") for tag in _starting(TAGS, prefix)]
    elif kind == "event":
        candidates = [(filters.describe(filters.Did(name)), "event") for name in _stored(lookup, "event", prefix)]
    elif kind == "page":
        as_did = typed.startswith("did:")
        candidates = [(_page_term(path, as_did), "page") for path in _stored(lookup, "page", prefix)]
    else:
        candidates = []
    out: list[Completion] = []
    seen: set[str] = set()
    for text, hint in candidates:
        if text == typed or text in seen:
            continue
        seen.add(text)
        out.append(Completion(text, start, end, hint))
        if len(out) == limit:
            break
    return tuple(out)


def _term_span(query: str, cursor: int) -> tuple[int, int]:
    """The term under the cursor: from its start (after a leading `-`) to the next space after the cursor."""
    start = filters.term_start(query[:cursor])  # the parser's own rule for where a term starts
    start += query[start : start + 1] == "-"
    end = cursor
    while end < len(query) and not query[end].isspace():
        end += 1
    return start, end


def _starting(options: Sequence[str], prefix: str) -> list[str]:
    folded = prefix.casefold()
    return [option for option in options if option.casefold().startswith(folded)]


def _stored(lookup: Lookup, kind: str, prefix: str) -> list[str]:
    """Catalog values that can be shown and typed as they are: one holding a control, bidi or
    invisible character could not be typed, and would not be shown literally, so it is left out. So is one
    that masking would change (a page path holding an email, while masking is on): taking it would type
    the personal data into the search bar."""
    return [value for value in lookup(kind, prefix) if value and safe.clean(value) == value]


def _keys(prefix: str, lookup: Lookup) -> list[tuple[str, str]]:
    out = [(f"{key}:", "key") for key in _starting(KEYS, prefix)]
    for path in _stored(lookup, "trait", prefix):
        names = tuple(path.split("."))
        if len(names) == 1 and names[0] in filters.RESERVED_KEYS:
            continue  # its built-in key is offered already
        if "" in names:
            continue  # a key with an empty name cannot be written
        out.append((filters.describe(filters.Trait(names, filters.IsSet())).removesuffix("*"), "trait"))
    return out


def _page_term(path: str, as_did: bool) -> str:
    term = filters.describe(filters.Visited(path))
    return "did:page." + term.removeprefix("visited:") if as_did else term


class FilterCompleter:
    """`complete` with the store's catalog behind it, cached for a few seconds. Blocking: call it from a thread."""

    def __init__(self, catalog: Callable[[str, str, int], Sequence[str]], *, ttl: float = CACHE_S) -> None:
        self._catalog = catalog
        self._ttl = ttl
        self._cache: OrderedDict[tuple[str, str], tuple[float, tuple[str, ...]]] = OrderedDict()
        self._lock = threading.Lock()  # workers of two bars may ask at once

    def __call__(self, query: str, cursor: int) -> tuple[Completion, ...]:
        return complete(query, cursor, self.lookup)

    def lookup(self, kind: str, prefix: str) -> tuple[str, ...]:
        key = (kind, prefix.casefold())
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and now - hit[0] < self._ttl:
                self._cache.move_to_end(key)
                return hit[1]
        # Ask for more than is shown: some are dropped (unprintable, already typed, reserved keys).
        values = tuple(self._catalog(kind, prefix, 4 * LIMIT))
        with self._lock:
            self._cache[key] = (now, values)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return values

    def forget(self) -> None:
        """Drop what is cached (the store changed)."""
        with self._lock:
            self._cache.clear()


# -- the Timeline tab's filter line: this person's own event names -------------------------
@dataclass(frozen=True, slots=True)
class NameCompletion(Completion):
    """A whole event name for the term under the cursor (between commas): no space is added after it."""

    def apply(self, query: str) -> tuple[str, int]:
        return query[: self.start] + self.text + query[self.end :], self.start + len(self.text)


def complete_names(query: str, cursor: int, names: Sequence[str], *, limit: int = LIMIT) -> tuple[NameCompletion, ...]:
    """The names of `names` the term before the cursor could be (prefix first, then containing it), written
    as the filter line reads them (`EventFilter.describe`: quoted when they hold a comma)."""
    cursor = max(0, min(cursor, len(query)))
    start = query.rfind(",", 0, cursor) + 1
    while start < cursor and query[start] in " \t-":
        start += 1
    end = query.find(",", cursor)
    end = len(query) if end < 0 else end
    typed = query[start:cursor].strip().strip('"').casefold()
    whole = query[start:end].strip()
    shown = [n for n in names if n and safe.clean(n) == n]
    ranked = [n for n in shown if n.casefold().startswith(typed)] + [n for n in shown if typed and typed in n.casefold()[1:]]
    out: list[NameCompletion] = []
    for name in dict.fromkeys(ranked):
        text = EventFilter(keep=(name,)).describe()
        if text == whole:
            continue
        out.append(NameCompletion(text, start, end, "event"))
        if len(out) == limit:
            break
    return tuple(out)


class EventNameCompleter:
    """`complete_names` over the names of the profile shown (`profile_id`), read once a profile and cached.
    Blocking: call it from a thread."""

    def __init__(self, names: Callable[[int], Sequence[str]]) -> None:
        self._names = names
        self.profile_id: int | None = None
        self._cache: tuple[int, tuple[str, ...]] | None = None
        self._lock = threading.Lock()

    def __call__(self, query: str, cursor: int) -> tuple[NameCompletion, ...]:
        profile_id = self.profile_id
        if profile_id is None:
            return ()
        with self._lock:
            cached = self._cache
        if cached is None or cached[0] != profile_id:
            cached = (profile_id, tuple(self._names(profile_id)))
            with self._lock:
                self._cache = cached
        return complete_names(query, cursor, cached[1])

    def forget(self) -> None:
        with self._lock:
            self._cache = None
