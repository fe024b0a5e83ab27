"""The search bar's one door to the store: text -> a condition on profiles, or an error to show.

The filter language (`domain/filters.py` + `store/filter_sql.py`) is used when it is there;
until then, plain text matches id, anonymous ids, name and email.
"""

from __future__ import annotations

from dataclasses import dataclass

from .reader import Condition

_FILTER_MODULES = ("tui_profiles.domain.filters", "tui_profiles.store.filter_sql")


@dataclass(frozen=True, slots=True)
class SearchCompiled:
    """`condition(now_ms)` gives the where-clause (None: everyone); `error` is shown under the bar."""

    text: str
    condition: Condition | None = None
    error: str | None = None


def compile_search(text: str, now_ms: int) -> SearchCompiled:
    """Parse once now (so a syntax error shows at once); compile again for each query's "now"."""
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
        return SearchCompiled(text, lambda _now: condition)
    try:
        tree = filters.parse(text)
    except filters.FilterSyntaxError as exc:
        return SearchCompiled(text, error=filters.format_error(text, exc))
    try:  # compiled here once so a query the compiler refuses is reported under the bar, not in a worker
        filter_sql.compile_filter(tree, now_ms=now_ms)
    except Exception as exc:  # noqa: BLE001 - shown to the person typing, never swallowed
        return SearchCompiled(text, error=f"{text}\ncannot search for this: {exc}")
    return SearchCompiled(text, lambda now: filter_sql.compile_filter(tree, now_ms=now))
