"""The command palette: jump to a user (part of an id, a name or an email), and recall or delete a saved filter."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.worker import WorkerCancelled, WorkerFailed

from ..store.queries import SavedFilterRow, UserRow
from . import safe
from .messages import OpenProfile

LIMIT = 20


def two_line_prompt(name: str, query: str, details: str) -> Text:
    """Name on the first line (the match highlighted), details dim on the second.

    Built as `Text` from cleaned strings: `Matcher.highlight` would parse the data as markup.
    """
    name = safe.clean(name)
    line = Text(name, style="bold")
    if query:
        folded = name.casefold()
        at = folded.find(query.casefold())
        if at >= 0 and len(folded) == len(name):  # casefold kept every index in place ("ß" -> "ss" does not)
            line.stylize("reverse", at, at + len(query))
    return line + Text("\n" + details, style="dim")


async def read_in_thread(app: Any, read: Callable[[], list[Any]], *, group: str, name: str) -> list[Any]:
    """What `read` returns, read in a thread worker (a newer read in the group cancels it: then nothing)."""
    worker = app.run_worker(read, thread=True, exclusive=True, group=group, exit_on_error=False, name=name)
    try:
        return await worker.wait()  # type: ignore[no-any-return]
    except (WorkerCancelled, WorkerFailed):
        return []


def _prompt(user: UserRow, query: str) -> Text:
    details = [user.kind, safe.clean(user.id)]
    if user.email and user.email != user.display_name:
        details.append(safe.clean(user.email))
    return two_line_prompt(safe.person_name(user.display_name, is_name=bool(user.name)), query, "  ·  ".join(details))


class UserJumpProvider(Provider):
    """Users whose id, anonymous ids, name or email contain what is typed (most recent first)."""

    async def _users(self, text: str) -> list[UserRow]:
        reader = self.app.reader  # type: ignore[attr-defined]
        return await read_in_thread(self.app, partial(reader.find_users, text, LIMIT), group="palette", name="find users")

    def _open(self, profile_id: int) -> None:
        self.app.post_message(OpenProfile(profile_id))

    async def discover(self) -> Hits:
        for user in await self._users(""):
            yield DiscoveryHit(
                _prompt(user, ""), partial(self._open, user.profile_id),
                text=safe.person_name(user.display_name, is_name=bool(user.name)),
            )

    async def search(self, query: str) -> Hits:
        query = query.strip()
        if not query:
            return
        users = await self._users(query)
        folded = query.casefold()
        for rank, user in enumerate(users):
            exact = folded in (user.id.casefold(), (user.email or "").casefold(), (user.name or "").casefold())
            score = 1.0 if exact else 0.9 - rank / (2 * LIMIT)
            yield Hit(
                score, _prompt(user, query), partial(self._open, user.profile_id),
                text=safe.person_name(user.display_name, is_name=bool(user.name)),
            )


def _filter_prompt(verb: str, saved: SavedFilterRow) -> Text:
    """`Filter: name` on the first line, the query dim on the second; both typed by people, so cleaned."""
    line = Text(f"{verb}: ", style="bold red" if verb.startswith("Delete") else "bold")
    line.append_text(safe.text(saved.name, style="bold"))
    return line + Text("\n") + safe.text(saved.query, style="dim")


class SavedFilterProvider(Provider):
    """Saved filters, from the store: `Filter: <name>` puts its query in the user list's search bar,
    `Delete filter: <name>` deletes it (after asking). Registered on the Users screen, which does both."""

    filters: list[SavedFilterRow] = []

    async def startup(self) -> None:
        worker = self.app.run_worker(
            self.app.reader.saved_filters, thread=True, exclusive=True, group="palette-filters",  # type: ignore[attr-defined]
            exit_on_error=False, name="saved filters",
        )
        try:
            self.filters = await worker.wait()
        except (WorkerCancelled, WorkerFailed):
            self.filters = []

    def _apply(self, saved: SavedFilterRow) -> None:
        self.screen.apply_saved_filter(saved.name, saved.query)  # type: ignore[attr-defined]

    def _delete(self, saved: SavedFilterRow) -> None:
        self.screen.delete_saved_filter(saved.name, saved.query)  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for saved in self.filters:
            yield DiscoveryHit(_filter_prompt("Filter", saved), partial(self._apply, saved), text=f"Filter: {safe.clean(saved.name)}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for saved in self.filters:
            name = safe.clean(saved.name)
            for verb, command, weight in (("Filter", self._apply, 1.0), ("Delete filter", self._delete, 0.9)):
                # The name and the query both find it; `Matcher.match` only scores (it parses nothing).
                score = max(matcher.match(f"{verb}: {name}"), 0.8 * matcher.match(f"{verb}: {safe.clean(saved.query)}"))
                if score > 0:
                    yield Hit(score * weight, _filter_prompt(verb, saved), partial(command, saved), text=f"{verb}: {name}")
