"""Traits and properties as `path = value` rows: nested keys become dotted paths, list items `[i]`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.text import Text

from .. import safe
from .virtual_list import columns_text

PropertyRow = tuple[str, str]  # (path, value), both cleaned for the screen


def flatten(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, leaf value) for every leaf; an empty dict or list is a leaf too."""
    if isinstance(value, dict) and value:
        for key, child in value.items():
            key_text = str(key)
            yield from flatten(child, f"{path}.{key_text}" if path else key_text)
    elif isinstance(value, list) and value:
        for i, child in enumerate(value):
            yield from flatten(child, f"{path}[{i}]")
    else:
        yield path, value


def property_rows(document: dict[str, Any], *, key: str = "") -> list[PropertyRow]:
    """`key`: what the document is, for masking (`company`: its `name` is no person's)."""
    return [(safe.clean(path), safe.scalar(value)) for path, value in flatten(safe.document(document, key=key))]


def matching(rows: list[PropertyRow], text: str) -> list[PropertyRow]:
    """Rows whose path or value contains the text, case-insensitively."""
    needle = text.strip().casefold()
    if not needle:
        return rows
    return [row for row in rows if needle in row[0].casefold() or needle in row[1].casefold()]


def property_line(row: PropertyRow, width: int) -> Text:
    path_w = max(12, min(40, width * 2 // 5))
    # Both parts are already cleaned: Text() does not parse markup.
    return columns_text([(Text(" "), 1), (Text(row[0], style="bold cyan"), path_w), (Text(row[1]), max(1, width - path_w - 3))])
