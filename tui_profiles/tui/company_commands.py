"""The command palette's way to a company: type part of its id or name; also the Companies, Cohorts and Audit log screens."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.message import Message

from ..store.companies import CompanyRow
from . import formatting, safe
from .commands import read_in_thread, two_line_prompt
from .messages import OpenAudit, OpenCohorts, OpenCompanies, OpenCompany

LIMIT = 10
# (what is typed to find it, help line, what asks the app to open it)
SCREENS: tuple[tuple[str, str, type[Message]], ...] = (
    ("Companies", "every company, searchable (C)", OpenCompanies),
    ("Cohorts and retention", "saved filters with their size and a weekly retention grid (R)", OpenCohorts),
    ("Audit log", "who changed what: exclude, include, erase, saved filters", OpenAudit),
)


def _prompt(company: CompanyRow, query: str) -> Text:
    details = f"company  ·  {safe.clean(company.id)}  ·  {formatting.count(company.users)} users"
    return two_line_prompt(company.display_name, query, details)


class CompanyJumpProvider(Provider):
    """Companies whose id or name contains what is typed (most recently active first), and the screens above."""

    async def _companies(self, text: str) -> list[CompanyRow]:
        reader = self.app.reader  # type: ignore[attr-defined]
        return await read_in_thread(
            self.app, partial(reader.find_companies, text, LIMIT), group="palette-companies", name="find companies"
        )

    def _open(self, opens: type[Message], *args: object) -> None:
        self.app.post_message(opens(*args))

    async def discover(self) -> Hits:
        for name, help_text, opens in SCREENS:
            yield DiscoveryHit(Text(name, style="bold"), partial(self._open, opens), text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        query = query.strip()
        if not query:
            return
        matcher = self.matcher(query)
        for name, help_text, opens in SCREENS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, Text(name, style="bold"), partial(self._open, opens), text=name, help=help_text)
        folded = query.casefold()
        for rank, company in enumerate(await self._companies(query)):
            exact = folded in (company.id.casefold(), (company.name or "").casefold())
            score = 1.0 if exact else 0.85 - rank / (2 * LIMIT)
            yield Hit(
                score, _prompt(company, query), partial(self._open, OpenCompany, company.id),
                text=safe.clean(company.display_name),
            )
