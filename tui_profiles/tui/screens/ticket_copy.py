"""`y`: copy a person's summary for a support ticket (Markdown) to the clipboard, with a file where that may fail.

A mixin for the Profile and Session screens, which say which session goes with it (`ticket_session`).
The summary is read in a thread worker (reader.ticket), which also decides whether the terminal will
take the copy (tui/clipboard.py) and, where it may not, writes the Markdown to `ticket-<id>.md` in
the folder the profile export uses; the copy itself (OSC 52) is sent on the event loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding
from textual.message import Message

from ...domain.ticket import Masker
from ...reader import SessionNotFound, Ticket
from .. import clipboard, safe
from .export_dialog import default_folder, default_name

if TYPE_CHECKING:
    from ...reader import StoreReader

COPY_BINDING = Binding("y", "copy_ticket", "Copy for ticket", show=False, tooltip="Copy a Markdown summary for a ticket",
                       id="ticket.copy")  # fmt: skip


def ticket_file(ident: str) -> Path:
    """Where a summary goes when the clipboard may not take it: `ticket-<id>.md` beside the profile exports."""
    return default_folder() / default_name(ident, "md").replace("profile-", "ticket-", 1)


class CopiesTicket:
    reader: StoreReader
    profile_id: int | None

    class TicketRead(Message, bubble=False):
        def __init__(self, ticket: Ticket | None, error: str | None, unreachable: str | None, written: Path | None) -> None:
            super().__init__()
            self.ticket, self.error, self.unreachable, self.written = ticket, error, unreachable, written

    def ticket_session(self) -> int | str | None:
        """The session the summary holds: its start or id; None for the latest."""
        return None

    def ticket_masker(self) -> Masker | None:
        """The masker in effect (masking for screen sharing), None while masking is off."""
        return safe.masking()

    def action_copy_ticket(self) -> None:
        if self.profile_id is None:
            return
        headless = self.app.is_headless  # type: ignore[attr-defined]
        self._read_ticket(self.profile_id, self.ticket_session(), self.ticket_masker(), headless)

    @work(thread=True, exclusive=True, group="ticket-copy", exit_on_error=False)
    def _read_ticket(self, profile_id: int, session: int | str | None, mask: Masker | None, headless: bool) -> None:
        ticket = error = written = None
        try:
            ticket = self.reader.ticket(profile_id, session, mask=mask)
        except SessionNotFound as exc:
            error = str(exc)
        unreachable = clipboard.unreachable(headless=headless) if ticket is not None else None
        if ticket is not None and unreachable is not None:
            path = ticket_file(ticket.ident if mask is None else str(profile_id))  # a masked id stays off the screen
            try:
                self.reader.save_summary(path, ticket.markdown)
                written = path
            except OSError as exc:
                error = f"cannot write {path}: {exc.strerror or exc}"
        self.post_message(self.TicketRead(ticket, error, unreachable, written))  # type: ignore[attr-defined]

    def on_copies_ticket_ticket_read(self, message: TicketRead) -> None:
        app = self.app  # type: ignore[attr-defined]
        ticket = message.ticket
        if ticket is None:
            if message.error:
                app.notify(safe.clean(message.error), title="Nothing copied", severity="warning", markup=False)
            else:
                app.notify("The profile no longer exists: nothing was copied.", severity="warning", markup=False)
            return
        app.copy_to_clipboard(ticket.markdown)
        what = f"Copied the summary of {safe.clean(ticket.who)}"
        what += f" with the session of {ticket.session}" if ticket.session else " (no session)"
        if message.written is not None:
            what += f"\nThe terminal may not take it ({message.unreachable}): also written to {safe.clean(str(message.written))}"
        elif message.error:
            what += f"\nThe terminal may not take it ({message.unreachable}), and {safe.clean(message.error)}"
        app.notify(what, title="Copied for the ticket", markup=False)
