"""A note a person wrote on a profile, as the rest of the code sees it (no database here), and what a note's text may be."""

from __future__ import annotations

from dataclasses import dataclass

MAX_NOTE_CHARS = 10_000  # a note is a few lines for a colleague, not a document


class NoteError(ValueError):
    """The note cannot be written, edited or deleted; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    profile_id: int
    author: str  # who wrote it (settings.author: TUI_PROFILES_AUTHOR, else the OS user)
    at: int  # epoch ms of creation: notes are listed newest first by it, and an edit does not reorder them
    text: str
    edited_at: int | None = None  # epoch ms of the last edit, None if never edited

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0]


def clean_note_text(text: str) -> str:
    """The text as stored: line ends made `\\n`, blank lines at either end and trailing spaces dropped.

    Raises NoteError for an empty note or one too long.
    """
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    cleaned = "\n".join(lines)
    if not cleaned:
        raise NoteError("a note needs some text")
    if len(cleaned) > MAX_NOTE_CHARS:
        raise NoteError(f"a note holds at most {MAX_NOTE_CHARS:,} characters ({len(cleaned):,} given)")
    return cleaned
