"""The notes on a profile, on its Overview: newest first, each a line with its author and time, then its text.

It reads itself (widgets/profile_tab.py): when the profile is shown, and again when the store says the
profile changed (a note written here, or by a colleague on the same store). Note text is untrusted
like event data: every line goes through tui/safe.py. `enter` on any line of a note asks to edit it,
`delete` to delete it; the profile screen decides whether the person may (screens/profile_notes.py).
"""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from ...domain.notes import Note
from .. import formatting, safe
from .profile_tab import ProfileTab
from .rows_list import RowsList
from .virtual_list import VirtualList

LINES_SHOWN = 6  # of one note's text; the rest is counted ("+3 lines")


class NoteLine(NamedTuple):
    note: Note
    line: int  # -1: the note's heading (author, time); else the index of a line of its text
    text: str


class NoteRows(RowsList):
    BINDINGS = [
        Binding("delete", "delete_note", "Delete note", show=False, tooltip="Delete your note under the cursor (asks first)",
                id="notes.delete"),
    ]  # fmt: skip

    class EditNote(Message):
        def __init__(self, note: Note) -> None:
            super().__init__()
            self.note = note

    class DeleteNote(Message):
        def __init__(self, note: Note) -> None:
            super().__init__()
            self.note = note

    def action_delete_note(self) -> None:
        if (row := self.current) is not None:
            self.post_message(self.DeleteNote(row.note))


class NotesPanel(ProfileTab):
    DEFAULT_CSS = """
    NotesPanel { height: 1fr; }
    """
    READ_GROUP = "notes"
    LIST_ID = "note-list"

    class Loaded(Message, bubble=False):
        def __init__(self, profile_id: int, notes: list[Note]) -> None:
            super().__init__()
            self.profile_id, self.notes = profile_id, notes

    def compose(self) -> ComposeResult:
        yield Static(Text("Notes", style="bold") + Text("  n adds, N goes here", style="dim"), classes="list-title")
        yield NoteRows(self.note_line, identity=lambda r: (r.note.id, r.line), empty="no notes", id=self.LIST_ID)

    def read_profile(self, profile_id: int) -> list[Note]:
        return self.reader.notes(profile_id)

    def on_notes_panel_loaded(self, message: Loaded) -> None:
        if not self.is_current(message.profile_id):
            return
        self.notes = message.notes
        self.rows.empty = "no notes (n adds one)"
        self.rows.set_rows(note_lines(message.notes))
        self.read.set()

    def note_line(self, row: NoteLine, width: int) -> Text:
        if row.line < 0:
            n = row.note
            out = Text(" ", no_wrap=True, end="")
            out.append_text(safe.text(n.author, style="bold"))
            out.append(f" · {formatting.stamp(n.at, self.reader.clock.tz)}", style="dim")
            if n.edited_at is not None:
                out.append(" (edited)", style="dim italic")
            return out
        if row.line >= LINES_SHOWN:
            return Text(f"   {row.text}", style="dim italic", no_wrap=True, end="")
        return Text("   ", no_wrap=True, end="") + safe.text(row.text)

    def on_virtual_list_selected(self, message: VirtualList.Selected) -> None:
        message.stop()
        if (row := self.rows.current) is not None:
            self.post_message(NoteRows.EditNote(row.note))


def note_lines(notes: list[Note]) -> list[NoteLine]:
    """Each note as a heading line then its text, at most LINES_SHOWN lines of it."""
    out: list[NoteLine] = []
    for n in notes:
        out.append(NoteLine(n, -1, ""))
        lines = n.text.split("\n")
        out.extend(NoteLine(n, i, line) for i, line in enumerate(lines[:LINES_SHOWN]))
        if len(lines) > LINES_SHOWN:
            more = len(lines) - LINES_SHOWN
            out.append(NoteLine(n, LINES_SHOWN, f"+{more} line{'s' if more > 1 else ''} (enter shows all)"))
    return out
