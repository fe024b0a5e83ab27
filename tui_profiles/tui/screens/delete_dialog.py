"""The yes/no question "Delete this for everyone on the store?", asked before a shared thing (a saved
filter, a note) is deleted. `n`, `escape` or Keep keep it; `y` or Delete delete it. The subclass
says what is asked and shows what would go."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.visual import VisualType
from textual.widgets import Button, Static


def delete_bindings(prefix: str) -> list[Binding]:
    """The dialog's keys, with ids under `prefix` (the help and keymaps name them)."""
    return [
        Binding("escape", "answer(False)", "Keep it", id=f"{prefix}.keep"),
        Binding("y", "answer(True)", "Delete", id=f"{prefix}.delete"),
        Binding("n", "answer(False)", "Keep it", show=False, id=f"{prefix}.no"),
    ]


class DeleteDialog(ModalScreen[bool]):
    """Dismissed with True to delete, False to keep; Keep has the focus, so a stray `enter` keeps."""

    def question(self) -> VisualType:
        raise NotImplementedError

    def shown(self) -> Static:
        """What would be deleted (untrusted text goes through `safe`)."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question(), classes="dialog-title", markup=False)
            yield self.shown()
            with Horizontal():
                yield Button("Keep it (n)", id="keep")
                yield Button("Delete (y)", variant="error", id="delete")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "delete")

    def action_answer(self, delete: bool) -> None:
        self.dismiss(delete)
