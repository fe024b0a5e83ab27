"""The command palette's way to a user: type part of an id, a name or an email, press enter."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.worker import WorkerCancelled, WorkerFailed

from ..store.queries import UserRow
from . import safe

LIMIT = 20


def _prompt(user: UserRow, query: str) -> Text:
    """Name on the first line (the match highlighted), ids and email dim on the second.

    Built as `Text` from cleaned strings: `Matcher.highlight` would parse the data as markup.
    """
    name = safe.clean(user.display_name)
    line = Text(name, style="bold")
    if query:
        at = name.casefold().find(query.casefold())
        if at >= 0:
            line.stylize("reverse", at, at + len(query))
    details = [user.kind, safe.clean(user.id)]
    if user.email and user.email != user.display_name:
        details.append(safe.clean(user.email))
    return line + Text("\n" + "  ·  ".join(details), style="dim")


class UserJumpProvider(Provider):
    """Users whose id, anonymous ids, name or email contain what is typed (most recent first)."""

    async def _users(self, text: str) -> list[UserRow]:
        reader = self.app.reader  # type: ignore[attr-defined]
        worker = self.app.run_worker(
            partial(reader.find_users, text, LIMIT), thread=True, exclusive=True, group="palette",
            exit_on_error=False, name="find users",
        )
        try:
            return await worker.wait()
        except (WorkerCancelled, WorkerFailed):
            return []

    async def discover(self) -> Hits:
        for user in await self._users(""):
            yield DiscoveryHit(
                _prompt(user, ""), partial(self.app.open_profile, user.profile_id),  # type: ignore[attr-defined]
                text=safe.clean(user.display_name),
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
                score, _prompt(user, query), partial(self.app.open_profile, user.profile_id),  # type: ignore[attr-defined]
                text=safe.clean(user.display_name),
            )
