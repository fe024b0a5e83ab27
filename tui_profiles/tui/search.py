"""The search bar's one door to the store: text -> a condition on profiles, or an error to show.

The filter language (`domain/filters.py` + `store/filter_sql.py`) is used when it is there;
until then, plain text matches id, anonymous ids, name and email.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Settings
from ..reader import Condition

_FILTER_MODULES = ("tui_profiles.domain.filters", "tui_profiles.store.filter_sql")


@dataclass(frozen=True, slots=True)
class SearchCompiled:
    """`condition(now_ms)` gives the where-clause (None: everyone); `error` is shown under the bar."""

    text: str
    condition: Condition | None = None
    error: str | None = None


def compile_search(text: str, now_ms: int, *, settings: Settings | None = None, dialect: str = "sqlite") -> SearchCompiled:
    """Parse now, so a syntax error shows at once; the condition is compiled again in each query's
    worker, with its connection (the compiler looks event names up there) and its "now"."""
    text = text.strip()
    if not text:
        return SearchCompiled(text)
    try:
        from ..domain import filters
        from ..store import filter_sql
    except ModuleNotFoundError as exc:
        if exc.name not in _FILTER_MODULES:
            raise
        from ..store import queries

        condition = queries.plain_text_condition(text)
        return SearchCompiled(text, lambda _conn, _now: condition)
    try:
        tree = filters.parse(text)
    except filters.FilterSyntaxError as exc:
        return SearchCompiled(text, error=filters.format_error(text, exc))
    try:  # compiled once here, without a connection, so a refused query is reported under the bar
        filter_sql.compile_filter(tree, now_ms=now_ms, settings=settings, dialect=dialect)
    except Exception as exc:  # noqa: BLE001 - shown to the person typing, never swallowed
        return SearchCompiled(text, error=f"{text}\ncannot search for this: {exc}")
    return SearchCompiled(
        text, lambda conn, now: filter_sql.compile_filter(tree, now_ms=now, settings=settings, conn=conn)
    )
