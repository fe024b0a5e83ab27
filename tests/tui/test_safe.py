"""tui/safe.py: untrusted text becomes visible, literal, single-line and harmless on screen."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.text import Text
from textual.content import Content

from tui_profiles.tui import safe

ESC = "\x1b"


def rendered(text: Text) -> str:
    """What rich would send to a terminal for this Text (styles off): the exact characters."""
    console = Console(width=400, color_system=None, force_terminal=True, legacy_windows=False)
    with console.capture() as capture:
        console.print(text, end="")
    return capture.get()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("[bold]x[/bold]", "[bold]x[/bold]"),
        ("[@click=app.quit]go", "[@click=app.quit]go"),
        ("[/", "[/"),
        (f"{ESC}[31mred{ESC}[0m", "\\e[31mred\\e[0m"),
        (f"{ESC}]52;c;ZXZpbA==\x07", "\\e]52;c;ZXZpbA==\\x07"),  # OSC 52 writes the clipboard
        (f"{ESC}]8;;http://x{ESC}\\a", "\\e]8;;http://x\\e\\a"),  # OSC 8 hyperlink
        ("\x9b31m", "\\x9b31m"),  # 8-bit CSI
        ("a\u202eevil\u202c", "a\\u202eevil\\u202c"),  # right-to-left override
        ("\u2066x\u2069\u200f", "\\u2066x\\u2069\\u200f"),
        ("line\nbreak\r\ttab", "line\\nbreak\\r\\ttab"),
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
        ("soft\u00adhyphen", "soft\\u00adhyphen"),
        ("Zoë 東京 🙂", "Zoë 東京 🙂"),
        (None, ""),
        (42, "42"),
    ],
)
def test_clean_shows_every_dangerous_character_as_a_visible_escape(raw: object, shown: str) -> None:
    assert safe.clean(raw) == shown


def test_cleaned_text_has_no_control_or_bidi_characters_left() -> None:
    every = "".join(chr(c) for c in range(0x00, 0xA0)) + "\u061c\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"  # noqa: E501
    cleaned = safe.clean(every)
    assert cleaned.isprintable()
    assert ESC not in cleaned and "\x07" not in cleaned and "\x9b" not in cleaned


def test_text_is_literal_and_unstyled() -> None:
    cell = safe.text("[bold]x[/bold] [@click=app.quit]q")
    assert cell.plain == "[bold]x[/bold] [@click=app.quit]q"
    assert cell.spans == []  # no markup was parsed into styles
    out = rendered(cell)
    assert "[bold]x[/bold]" in out and ESC + "[1m" not in out


def test_text_never_sends_an_escape_from_the_data_to_the_terminal() -> None:
    out = rendered(safe.text(f"{ESC}]52;c;ZXZpbA==\x07{ESC}[2J"))
    assert "52;c;ZXZpbA==" in out
    assert f"{ESC}]52" not in out and f"{ESC}[2J" not in out and "\x07" not in out


def test_content_is_literal() -> None:
    content = safe.content("[b]bold?[/b] [@click=app.quit]x")
    assert isinstance(content, Content)
    assert content.plain == "[b]bold?[/b] [@click=app.quit]x"
    assert not content.spans


def test_scalar_shows_non_strings_as_json_and_cleans_them() -> None:
    assert safe.scalar(120) == "120"
    assert safe.scalar(None) == "null"
    assert safe.scalar({"k": f"{ESC}[31m"}) == '{"k":"\\u001b[31m"}'
    assert safe.scalar([1, "\u202e"]) == '[1,"\\u202e"]'


def test_lines_cleans_each_line_and_keeps_the_breaks() -> None:
    assert safe.lines(f"a\n{ESC}[1mb\n") == ["a", "\\e[1mb"]
    assert safe.lines("") == [""]


def test_truncate_counts_cells() -> None:
    assert safe.truncate("東京東京", 5) == "東京…"
    assert safe.truncate("short", 10) == "short"
