"""The Timeline's `d`: a date or time typed, read as the machine's local time; a bad one says where, and the prompt stays."""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ...domain.timeline_filter import EXAMPLES, TimelineInputError, parse_moment
from .. import safe


class JumpPrompt(ModalScreen[int | None]):
    """Answers the latest instant (epoch ms) the typed moment covers; None for escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="jump.cancel")]

    DEFAULT_CSS = """
    JumpPrompt { align: center middle; }
    JumpPrompt > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    JumpPrompt #jump-question { height: auto; margin-bottom: 1; }
    JumpPrompt #jump-error { height: auto; color: $error; }
    """

    def __init__(self, now_ms: int, tz: tzinfo, *, filtered: bool = False) -> None:
        super().__init__()
        self.now_ms, self.tz = now_ms, tz
        self.filtered = filtered

    def compose(self) -> ComposeResult:
        question = Text("Jump to a date or time", style="bold")
        question.append(f"\nthe timeline opens at the newest {'matching ' if self.filtered else ''}event at or before it", style="dim")
        question.append(f"\n{EXAMPLES}", style="dim")
        with Vertical():
            yield Static(question, id="jump-question", markup=False)
            yield Input(placeholder="a date or time, then enter", id="jump-when")
            yield Static("", id="jump-error", markup=False)

    @on(Input.Submitted, "#jump-when")
    def submitted(self, event: Input.Submitted) -> None:
        try:
            moment = parse_moment(event.value, now_ms=self.now_ms, tz=self.tz)
        except TimelineInputError as exc:
            self.query_one("#jump-error", Static).update(safe.content(str(exc)))
            return
        self.dismiss(moment.last)

    @on(Input.Changed, "#jump-when")
    def typed(self) -> None:
        self.query_one("#jump-error", Static).update("")

    def action_cancel(self) -> None:
        self.dismiss(None)
