"""The note dialog: several lines about a person, written (or edited) in a text area; ctrl+s saves, escape cancels.

Returns the text as typed (the store trims it and refuses an empty note), or None when cancelled. With
`owner` set, it shows someone else's note whole, read-only: only its author may change it.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from .. import safe
from .delete_dialog import DeleteDialog, delete_bindings


class NoteDialog(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="note.cancel"),
        Binding("ctrl+s", "save", "Save", id="note.save"),
    ]

    DEFAULT_CSS = """
    NoteDialog { align: center middle; }
    NoteDialog > Vertical {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    NoteDialog Static { height: auto; }
    NoteDialog TextArea { height: 10; margin-top: 1; }
    NoteDialog #note-error { color: $error; }
    NoteDialog Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    NoteDialog Button { margin-left: 2; }
    """

    def __init__(self, display_name: str, text: str = "", *, editing: bool = False, owner: str | None = None) -> None:
        super().__init__()
        self.display_name = display_name
        self.initial = text
        self.editing = editing
        self.owner = owner  # someone else's note: shown, not changed

    def compose(self) -> ComposeResult:
        with Vertical():
            if self.owner is not None:
                title = safe.text(self.owner, style="bold") + Text("'s note on ", style="bold") + safe.text(self.display_name, style="bold")
                hint = Text(f"Only {safe.clean(self.owner)} can change it. escape closes.", style="dim")
            else:
                lead = "Edit your note on " if self.editing else "A note on "
                title = Text(lead, style="bold") + safe.text(self.display_name, style="bold")
                hint = Text("Everyone on this store sees it, with your name. ctrl+s saves, escape cancels.", style="dim")
            yield Static(title, markup=False)
            yield Static(hint, markup=False)
            # A TextArea shows its text as text (no markup); someone else's note has its control characters made visible.
            shown = self.initial if self.owner is None else "\n".join(safe.lines(self.initial))
            yield TextArea(shown, id="note-text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                           read_only=self.owner is not None)  # fmt: skip
            yield Static("", id="note-error", markup=False)
            with Horizontal():
                yield Button("Close" if self.owner is not None else "Cancel", id="note-cancel")
                if self.owner is None:
                    yield Button("Save (ctrl+s)", variant="primary", id="note-save")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        if self.owner is not None:
            self.query_one("#note-error", Static).update(f"Only {safe.clean(self.owner)} can change this note.")
            return
        text = self.query_one(TextArea).text
        if not text.strip():
            self.query_one("#note-error", Static).update("A note needs some text (escape cancels).")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "note-save":
            self.action_save()
        else:
            self.dismiss(None)


class DeleteNoteScreen(DeleteDialog):
    """Delete this note of yours? (for everyone on the store)"""

    BINDINGS = delete_bindings("delete_note")
    DEFAULT_CSS = """
    DeleteNoteScreen { align: center middle; }
    DeleteNoteScreen > Vertical {
        width: 72; max-width: 95%; height: auto; border: round $border; background: $surface; padding: 0 1;
    }
    DeleteNoteScreen Static { height: auto; }
    DeleteNoteScreen .note-quote { color: $text-muted; margin-bottom: 1; }
    DeleteNoteScreen Horizontal { height: auto; align-horizontal: right; }
    DeleteNoteScreen Button { margin-left: 1; }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.note_text = text

    def question(self) -> Text:
        return Text("Delete your note for everyone on the store?", style="bold")

    def shown(self) -> Static:
        lines = safe.lines(self.note_text)
        quoted = "\n".join(lines[:4]) + (f"\n… (+{len(lines) - 4} lines)" if len(lines) > 4 else "")
        return Static(Text(quoted), classes="note-quote", markup=False)
