"""Repair from the Identity tab: `u` unlinks (after a confirmation that says what will move), `l` links by hand."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static
from textual.worker import get_current_worker

from ...domain.identity import ANONYMOUS, VIA_SIGNED_IN, VIA_UNLINKED_BY_HAND
from ...store.identity_repair import RepairError, RepairReport
from .. import formatting, safe
from ..messages import StoreChanged
from ..widgets.identity_panel import IdentityPanel

if TYPE_CHECKING:
    from ...reader import StoreReader

# Shown in the help, not the footer (which is full); they act on the Identity tab.
REPAIR_BINDINGS = [
    Binding("u", "unlink", "Unlink", show=False, tooltip="Unlink the anonymous id under the cursor (Identity tab)", id="profile.unlink"),
    Binding("l", "link", "Link by hand", show=False, tooltip="Link an id to this person by hand (Identity tab)", id="profile.link"),
]


def unlink_text(anonymous_id: str, user_id: str, events: int) -> Text:
    out = Text()
    out.append("Unlink ", style="bold")
    out.append_text(safe.text(anonymous_id, style="bold cyan"))
    out.append(" from ", style="bold")
    out.append_text(safe.text(user_id, style="bold"))
    out.append("?\n\n", style="bold")
    out.append(f"{formatting.count(events)} anonymous events", style="bold")
    out.append(" of that id leave ")
    out.append_text(safe.text(user_id))
    out.append("; they stay on the anonymous profile. The decision is kept: re-reading the files or a later "
               "identify of the same pair does not link them again (l links by hand).")  # fmt: skip
    return out


class UnlinkConfirm(ModalScreen[bool]):
    """True once confirmed (`y`, or the Unlink button); False for escape, `n` or Cancel."""

    BINDINGS = [
        Binding("escape,n", "cancel", "Cancel", id="unlink.cancel"),
        Binding("y", "confirm", "Unlink", id="unlink.confirm"),
    ]

    DEFAULT_CSS = """
    UnlinkConfirm { align: center middle; }
    UnlinkConfirm > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    UnlinkConfirm #unlink-plan { height: auto; margin-bottom: 1; }
    UnlinkConfirm Horizontal { height: auto; align-horizontal: right; }
    UnlinkConfirm Button { margin-left: 2; }
    """

    def __init__(self, anonymous_id: str, user_id: str, events: int) -> None:
        super().__init__()
        self.plan = unlink_text(anonymous_id, user_id, events)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.plan, id="unlink-plan", markup=False)
            with Horizontal():
                yield Button("Cancel", id="unlink-cancel")
                yield Button("Unlink (y)", variant="warning", id="unlink-go")

    def on_mount(self) -> None:
        self.query_one("#unlink-cancel", Button).focus()

    @on(Button.Pressed, "#unlink-go")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#unlink-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class LinkPrompt(ModalScreen[str | None]):
    """The id to link with, typed; None for escape or an empty answer."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="link.cancel")]

    DEFAULT_CSS = """
    LinkPrompt { align: center middle; }
    LinkPrompt > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    LinkPrompt #link-question { height: auto; margin-bottom: 1; }
    """

    def __init__(self, question: Text) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="link-question", markup=False)
            yield Input(placeholder="an id, then enter", id="link-id")

    @on(Input.Submitted, "#link-id")
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class IdentityRepair:
    """A mixin for the profile screen: `u` unlinks the Identity tab's link under the cursor, `l` links by hand.

    Both run in thread workers; the store's answer comes back as a message, and every open view re-reads
    as after a batch of new events.
    """

    reader: StoreReader
    profile_id: int

    class UnlinkPlanned(Message, bubble=False):
        def __init__(self, anonymous_id: str, user_id: str, events: int | None, error: str | None) -> None:
            super().__init__()
            self.anonymous_id, self.user_id, self.events, self.error = anonymous_id, user_id, events, error

    class Repaired(Message, bubble=False):
        def __init__(self, report: RepairReport | None, error: str | None) -> None:
            super().__init__()
            self.report, self.error = report, error

    def _identity_panel(self) -> IdentityPanel | None:
        panels = self.query("#identity-tab").results(IdentityPanel)  # type: ignore[attr-defined]
        return next(iter(panels), None)

    # -- unlink -------------------------------------------------------------------------
    def action_unlink(self) -> None:
        panel = self._identity_panel()
        row = panel.rows.current if panel is not None else None
        if row is None or row.via in (VIA_SIGNED_IN, VIA_UNLINKED_BY_HAND):
            self.notify("Choose a link on the Identity tab (i) to unlink.", severity="warning", markup=False)  # type: ignore[attr-defined]
            return
        self._plan_unlink(row.anonymous_id, row.user_id)

    @work(thread=True, exclusive=True, group="identity-repair", exit_on_error=False)
    def _plan_unlink(self, anonymous_id: str, user_id: str) -> None:
        try:
            events, error = self.reader.unlink_plan(anonymous_id, user_id), None
        except RepairError as exc:
            events, error = None, str(exc)
        if not get_current_worker().is_cancelled:
            self.post_message(self.UnlinkPlanned(anonymous_id, user_id, events, error))  # type: ignore[attr-defined]

    def on_identity_repair_unlink_planned(self, message: UnlinkPlanned) -> None:
        app = self.app  # type: ignore[attr-defined]
        if message.error is not None or message.events is None:
            app.notify(safe.clean(message.error or "cannot unlink"), severity="warning", markup=False)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._repair("unlink", message.anonymous_id, message.user_id)
            else:
                app.notify("Nothing was unlinked.", markup=False)

        app.push_screen(UnlinkConfirm(message.anonymous_id, message.user_id, message.events), confirmed)

    # -- link by hand -------------------------------------------------------------------
    def action_link(self) -> None:
        panel = self._identity_panel()
        report = panel.report if panel is not None else None
        if report is None:
            self.notify("Open the Identity tab (i) to link by hand.", severity="warning", markup=False)  # type: ignore[attr-defined]
            return
        anonymous = report.kind == ANONYMOUS
        question = Text("Link ", style="bold")
        question.append_text(safe.text(report.id, style="bold cyan"))
        question.append(" to which user? " if anonymous else " with which anonymous id? ", style="bold")
        question.append("As an identify now would: its anonymous events so far join the user, and the decision is kept.")

        def answered(other: str | None) -> None:
            if other:
                anon, user = (report.id, other) if anonymous else (other, report.id)
                self._repair("link", anon, user)

        self.app.push_screen(LinkPrompt(question), answered)  # type: ignore[attr-defined]

    # -- both ---------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="identity-repair", exit_on_error=False)
    def _repair(self, action: str, anonymous_id: str, user_id: str) -> None:
        # Not cancellable in effect: once started, the transaction runs to its end, and its result is reported.
        run = self.reader.unlink if action == "unlink" else self.reader.link
        try:
            report, error = run(anonymous_id, user_id), None
        except RepairError as exc:
            report, error = None, str(exc)
        self.post_message(self.Repaired(report, error))  # type: ignore[attr-defined]

    def on_identity_repair_repaired(self, message: Repaired) -> None:
        app = self.app  # type: ignore[attr-defined]
        report = message.report
        if report is None:
            app.notify(safe.clean(message.error or "nothing was changed"), severity="warning", markup=False)
            return
        anon, user, n = safe.clean(report.anonymous_id), safe.clean(report.user_id), formatting.count(report.events_moved)
        if report.action == "unlink":
            app.notify(f"{anon} unlinked from {user}: {n} events left {user}.", title="Unlinked", markup=False)
        else:
            app.notify(f"{anon} linked to {user} by hand: {n} events joined {user}.", title="Linked", markup=False)
        app.post_message(StoreChanged(report.touched_profiles | {self.profile_id}, report.removed_profiles))
