"""Messages that cross the app: the store changed under us (from the watcher's thread), and a screen asks to open another."""

from __future__ import annotations

from textual.message import Message


class StoreChanged(Message):
    """New events were stored: these profiles were created or changed, those removed (merged away).

    `everything`: too much changed to list (a first load, or changes this app could no longer read
    one by one): every screen reloads what it shows. A burst of batches coalesces into one message,
    so the screens refresh once per burst.
    """

    def __init__(self, touched: frozenset[int], removed: frozenset[int] = frozenset(), *, everything: bool = False) -> None:
        super().__init__()
        self.touched = touched
        self.removed = removed
        self.everything = everything

    def can_replace(self, message: Message) -> bool:
        # Called with the next pending message: if it is also a change, it absorbs this one.
        if isinstance(message, StoreChanged):
            message.touched = message.touched | self.touched
            message.removed = message.removed | self.removed
            message.everything = message.everything or self.everything
            return True
        return False


class StoreConnection(Message):
    """The app's link to the store (following other processes' writes) went down, or is back."""

    def __init__(self, connected: bool) -> None:
        super().__init__()
        self.connected = connected


# -- navigation: a screen asks, the app opens (ProfilesApp.open_profile and the others) ----------------
class OpenProfile(Message):
    """Show this profile."""

    def __init__(self, profile_id: int) -> None:
        super().__init__()
        self.profile_id = profile_id


class OpenSession(Message):
    """Show the session of this profile that starts at `start` (ms)."""

    def __init__(self, profile_id: int, start: int) -> None:
        super().__init__()
        self.profile_id, self.start = profile_id, start


class OpenEvent(Message):
    """Show one stored event, whole."""

    def __init__(self, event_id: int) -> None:
        super().__init__()
        self.event_id = event_id


class OpenCompany(Message):
    """Show this company."""

    def __init__(self, company_id: str) -> None:
        super().__init__()
        self.company_id = company_id


class OpenCompanies(Message):
    """Show the list of companies (unless it is shown already)."""


class OpenCohorts(Message):
    """Show the cohorts and their retention (unless they are shown already)."""


class OpenAudit(Message):
    """Show the audit log: who changed what (unless it is shown already)."""
