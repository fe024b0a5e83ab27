"""Write the user list (its period and search) to a CSV file, a page at a time; and a ticket summary to a Markdown file.

CSV as the profile export writes it (ingest/export.py: every field quoted, UTF-8 with a byte-order
mark, a cell that starts a formula gets a leading `'`), one row a user, in the list's order:
`id, kind, name, email, anonymous_ids, live, country, city, company, sessions, events, first_seen,
last_seen, tags, excluded, traits`. Anonymous ids and tags are joined with `; `; the traits are one
JSON object in one column, so every row has the same columns whatever traits each user has, and the
file can be written while the pages are read (one column a trait key would need every key first).
Written beside its destination and renamed into place: a failed or cancelled export leaves no half file.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..domain.ticket import Masker
from ..store.export import as_json_text, iso
from ..store.user_export import ExportUser
from .export import neutralise

USER_HEADER = (
    "id", "kind", "name", "email", "anonymous_ids", "live", "country", "city", "company", "sessions", "events",
    "first_seen", "last_seen", "tags", "excluded", "traits",
)  # fmt: skip


class ExportCancelled(Exception):
    """The person stopped the export; nothing was written."""


def _masked_traits(traits: dict[str, Any], mask: Masker) -> dict[str, Any]:
    def walk(key: str, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(str(k), v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(key, v) for v in value]
        masked = mask.value(key, value)
        return mask.text(masked) if isinstance(masked, str) else masked

    return {k: walk(str(k), v) for k, v in traits.items()}


def user_cells(row: ExportUser, mask: Masker | None = None) -> tuple[str, ...]:
    """One user's row, before formula protection."""
    u = row.user
    name, email, city, company, traits = u.name, u.email, u.city, u.company, row.traits
    ids, anon = u.id, row.anonymous_ids
    if mask is not None:
        name = mask.value("name", name) if name else name
        email = mask.value("email", email) if email else email
        city = mask.value("city", city) if city else city
        company = mask.value("company", company) if company else company
        ids, anon = mask.text(ids), tuple(mask.text(a) for a in anon)
        traits = _masked_traits(traits, mask)
    return (
        ids, u.kind, str(name or ""), str(email or ""), "; ".join(anon), "yes" if u.live else "no", u.country or "",
        str(city or ""), str(company or ""), str(u.sessions), str(u.events), iso(u.first_seen), iso(u.last_seen),
        "; ".join(u.tags), "yes" if u.excluded else "no", as_json_text(traits),
    )  # fmt: skip


def write_users_csv(
    path: Path,
    pages: Iterable[list[ExportUser]],
    *,
    mask: Masker | None = None,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Write the users to `path` (replacing it), all or nothing; `progress(written)` after each page.
    Raises ExportCancelled when `cancelled()` says so between pages; returns the number of users written."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or Path("."))
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
            writer.writerow(USER_HEADER)
            for page in pages:
                if cancelled is not None and cancelled():
                    raise ExportCancelled()
                writer.writerows(tuple(neutralise(c) for c in user_cells(row, mask)) for row in page)
                n += len(page)
                if progress is not None:
                    progress(n)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n


def write_summary(path: Path, markdown: str) -> None:
    """A ticket summary to a Markdown file (where the clipboard cannot take it), replacing it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(markdown)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
