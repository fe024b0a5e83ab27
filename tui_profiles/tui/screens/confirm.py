"""The erasure confirmation: what will be erased, for good, and a word to type before it is.

Erasure cannot be undone and its ids are suppressed for ever, so a stray `enter` must not do
it: the Erase button stays disabled until `delete` is typed. `escape` (or Cancel) keeps everything.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ...store.actions import ErasurePlan
from .. import formatting, safe

CONFIRM_WORD = "delete"
IDS_SHOWN = 8


def plan_text(plan: ErasurePlan, display_name: str) -> Text:
    out = Text()
    out.append("Erase ", style="bold")
    out.append_text(safe.text(display_name, style="bold"))
    out.append(f" ({plan.kind}) for good?\n\n", style="bold")
    out.append("This removes ")
    out.append(f"{formatting.count(plan.events)} events", style="bold")
    out.append(", the profile, its sessions, traits and company memberships, the anonymous history merged into it, "
               "and quarantined lines carrying its ids. These ids are suppressed: their events are never ingested again:\n")  # fmt: skip
    shown = [safe.clean(i) for i in plan.ids[:IDS_SHOWN]]
    out.append("  " + ", ".join(shown), style="cyan")
    if len(plan.ids) > IDS_SHOWN:
        out.append(f", +{len(plan.ids) - IDS_SHOWN} more", style="dim")
    out.append("\n")
    if plan.profiles > 1:
        mine = plan.profiles - 1
        out.append(f"\nThat is {plan.profiles} profiles: the user and {mine} anonymous profile{'s' if mine > 1 else ''} of their own.\n")
    if plan.shared_ids:
        out.append("\nShared with ", style="bold")
        out.append(", ".join(safe.clean(u) for u in plan.shared_with), style="bold")
        out.append(", these anonymous ids stay, with their events; only this person's events on them go: ")
        out.append(", ".join(safe.clean(i) for i in plan.shared_ids), style="cyan")
        out.append("\n")
    if plan.other_profiles:
        out.append("\nIt also removes ", style="bold yellow")
        out.append(f"{formatting.count(plan.other_events)} events of ", style="bold yellow")
        out.append(", ".join(safe.clean(p) for p in plan.other_profiles), style="bold yellow")
        out.append(" sent with one of these anonymous ids (a shared device).\n", style="bold yellow")
    return out


class EraseConfirm(ModalScreen[bool]):
    """True once the person typed the word and confirmed; False for escape or Cancel."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="erase.cancel")]

    DEFAULT_CSS = """
    EraseConfirm { align: center middle; }
    EraseConfirm > Vertical {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: thick $error; background: $surface; padding: 0 1;
    }
    EraseConfirm #erase-plan { height: auto; margin-bottom: 1; }
    EraseConfirm Input { width: 1fr; }
    EraseConfirm Horizontal { height: auto; align-horizontal: right; }
    EraseConfirm Button { margin-left: 2; }
    """

    def __init__(self, plan: ErasurePlan, display_name: str) -> None:
        super().__init__()
        self.plan = plan
        self.display_name = display_name

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plan_text(self.plan, self.display_name), id="erase-plan", markup=False)
            yield Static(Text.assemble("Type ", (CONFIRM_WORD, "bold"), " to confirm, escape to keep everything:"), markup=False)
            yield Input(placeholder=CONFIRM_WORD, id="erase-word")
            with Horizontal():
                yield Button("Cancel", id="erase-cancel")
                yield Button("Erase for good", variant="error", id="erase-go", disabled=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def _confirmed(self) -> bool:
        return self.query_one(Input).value.strip().lower() == CONFIRM_WORD

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#erase-go", Button).disabled = not self._confirmed()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._confirmed():
            self.dismiss(True)
        else:
            self.app.bell()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "erase-go" and self._confirmed())

    def action_cancel(self) -> None:
        self.dismiss(False)
