"""What a note's text may be: line ends made `\\n`, blank edges and trailing spaces dropped, never empty, never huge;
and `note:` in the filter language, written back as it reads."""

from __future__ import annotations

import pytest

from tui_profiles.domain.filter_eval import UserFacts, evaluate
from tui_profiles.domain.filters import NoteText, Trait, describe, parse
from tui_profiles.domain.notes import MAX_NOTE_CHARS, NoteError, clean_note_text


def test_a_note_is_kept_as_typed_less_its_blank_edges() -> None:
    assert clean_note_text("\n\n  Called.  \r\nWill call back\rtomorrow \n\n") == "  Called.\nWill call back\ntomorrow"
    assert clean_note_text("one\n\n\ntwo") == "one\n\n\ntwo"  # blank lines inside stay


@pytest.mark.parametrize("text", ["", "   ", "\n \r\n\t"])
def test_an_empty_note_is_refused(text: str) -> None:
    with pytest.raises(NoteError, match="a note needs some text"):
        clean_note_text(text)


def test_a_note_too_long_is_refused() -> None:
    assert len(clean_note_text("x" * MAX_NOTE_CHARS)) == MAX_NOTE_CHARS
    with pytest.raises(NoteError, match="at most 10,000 characters"):
        clean_note_text("x" * (MAX_NOTE_CHARS + 1))


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("note:refund", NoteText("refund")),
        ('note:"call back"', NoteText("call back")),
        ('"note":x', Trait(("note",), parse('"note":x').test)),  # quoted: the trait called note
    ],
)
def test_note_filter_parses_and_is_written_back(query: str, tree: object) -> None:
    assert parse(query) == tree
    assert parse(describe(tree)) == tree  # type: ignore[arg-type]


def test_note_filter_evaluates_any_note_any_case() -> None:
    user = UserFacts(id="u1", kind="identified", notes=("Asked for a REFUND", "vip"))
    assert evaluate(parse("note:refund"), user, 0)
    assert evaluate(parse("note:VIP -note:churn"), user, 0)
    assert not evaluate(parse("note:churn"), user, 0)
    assert not evaluate(parse("note:refund"), UserFacts(id="u2", kind="identified"), 0)
