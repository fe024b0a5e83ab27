"""Notes from a profile: `n` writes one, `N` goes to the notes on the Overview, where `enter` edits one's own (shows
someone else's whole, read-only) and `delete` deletes one's own.

A mixin for the profile screen (which has `reader`, `profile_id` and `detail`). Every store call runs in a
thread worker; the answer comes back as a message. A note belongs to its author (settings.author): the
store refuses to edit or delete another person's, and this says so before asking. Once written, the app's
views hear of it as of any change to the profile (StoreChanged), so the notes list re-reads itself; other
apps on the same store hear of it from the change log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding
from textual.message import Message

from ...domain.notes import Note, NoteError
from .. import safe
from ..messages import StoreChanged
from ..widgets.notes import NoteRows, NotesPanel
from .note_dialog import DeleteNoteScreen, NoteDialog

if TYPE_CHECKING:
    from ...reader import StoreReader
    from ...store.queries import ProfileDetail

NOTE_BINDINGS = [
    Binding("n", "add_note", "Note", show=False, tooltip="Write a note on this person (several lines; ctrl+s saves)", id="profile.note"),
    Binding("N", "focus_notes", "Notes", show=False, tooltip="Go to the notes on the Overview (enter edits yours, delete removes it)",
            id="profile.notes"),
]  # fmt: skip


class ProfileNotes:
    reader: StoreReader
    profile_id: int
    detail: ProfileDetail | None

    class NoteWritten(Message, bubble=False):
        def __init__(self, profile_id: int, done: str, error: str | None) -> None:
            super().__init__()
            self.profile_id, self.done, self.error = profile_id, done, error

    def _notes_panel(self) -> NotesPanel:
        return self.query_one(NotesPanel)  # type: ignore[attr-defined]

    def _who_noted(self) -> str:
        return self.detail.user.display_name if self.detail is not None else str(self.profile_id)

    # -- keys -------------------------------------------------------------------------
    def action_add_note(self) -> None:
        if self.profile_id is None:
            return
        profile_id = self.profile_id
        self.app.push_screen(NoteDialog(self._who_noted()), lambda text: text and self._write_note("add", profile_id, text))  # type: ignore[attr-defined]

    def action_focus_notes(self) -> None:
        self.show_tab("overview")  # type: ignore[attr-defined]
        self._notes_panel().rows.focus(scroll_visible=False)

    def _mine(self, note: Note, doing: str) -> bool:
        author = self.reader.settings.author
        if note.author != author:
            self.app.notify(  # type: ignore[attr-defined]
                f"This note is {safe.clean(note.author)}'s: only its author can {doing} it (you are {safe.clean(author)}).",
                severity="warning", markup=False,
            )  # fmt: skip
            return False
        return True

    def on_note_rows_edit_note(self, message: NoteRows.EditNote) -> None:
        message.stop()
        note, profile_id = message.note, self.profile_id
        if self._mine(note, "edit"):
            dialog = NoteDialog(self._who_noted(), note.text, editing=True)
            self.app.push_screen(dialog, lambda text: text and self._write_note("edit", profile_id, text, note.id))  # type: ignore[attr-defined]
        else:
            self.app.push_screen(NoteDialog(self._who_noted(), note.text, owner=note.author))  # type: ignore[attr-defined]

    def on_note_rows_delete_note(self, message: NoteRows.DeleteNote) -> None:
        message.stop()
        note, profile_id = message.note, self.profile_id
        if self._mine(note, "delete"):
            self.app.push_screen(DeleteNoteScreen(note.text), lambda yes: yes and self._write_note("delete", profile_id, "", note.id))  # type: ignore[attr-defined]

    # -- the write --------------------------------------------------------------------
    @work(thread=True, group="profile-note", exit_on_error=False)
    def _write_note(self, what: str, profile_id: int, text: str, note_id: int | None = None) -> None:
        # Not exclusive: each note asked for is written, in the order asked.
        done = {"add": "Note saved: everyone on this store sees it.", "edit": "Note updated for everyone on this store.",
                "delete": "Note deleted for everyone on this store."}[what]  # fmt: skip
        error = None
        try:
            if what == "add":
                self.reader.add_note(profile_id, text)
            elif what == "edit" and note_id is not None:
                self.reader.edit_note(note_id, text)
            elif note_id is not None:
                self.reader.delete_note(note_id)
        except NoteError as exc:
            error = str(exc)
        self.post_message(self.NoteWritten(profile_id, done, error))  # type: ignore[attr-defined]

    def on_profile_notes_note_written(self, message: NoteWritten) -> None:
        app = self.app  # type: ignore[attr-defined]
        if message.error:
            app.notify(safe.clean(message.error), title="Note not saved", severity="error", markup=False)
            return
        app.notify(message.done, markup=False)
        app.post_message(StoreChanged(frozenset({message.profile_id})))  # every open view re-reads, this one's notes too
