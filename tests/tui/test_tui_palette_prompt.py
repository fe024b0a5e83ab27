"""The palette's two-line prompt: the typed part highlighted where it is, data never markup."""

from tui_profiles.tui.commands import two_line_prompt


def test_the_match_is_highlighted_whatever_its_case():
    prompt = two_line_prompt("Alice Smith", "SMI", "identified")
    assert prompt.plain == "Alice Smith\nidentified"
    assert [(s.start, s.end) for s in prompt.spans if s.style == "reverse"] == [(6, 9)]


def test_no_highlight_where_casefold_moves_the_letters():
    prompt = two_line_prompt("Straße Ost", "ost", "x")
    assert not [s for s in prompt.spans if s.style == "reverse"]


def test_markup_in_a_name_stays_text():
    prompt = two_line_prompt("[bold]x[/bold]", "", "d")
    assert prompt.plain.startswith("[bold]x[/bold]")
