"""The ticket summary's Markdown: escaping that keeps event data as text, checked through a real Markdown renderer."""

from __future__ import annotations

import html
import re
from datetime import timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tui_profiles.domain.ticket import (
    HEAD_EVENTS,
    KEY_PROPERTIES,
    NEWLINE_MARK,
    TicketEvent,
    TicketPerson,
    TicketSession,
    code,
    escape,
    event_line,
    key_properties,
    summary_markdown,
)

# GitHub-like: tables, strikethrough, bare links made links, and raw HTML passed through (the worst case).
RENDER = MarkdownIt("gfm-like", {"html": True, "linkify": True})
OUR_TAGS = {"p", "ul", "li", "strong", "code", "h3", "h4"}
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")

# Text made of the characters Markdown reads, and the words that make links and HTML.
MARKDOWN_BITS = st.sampled_from([
    "`", "``", "|", "*", "**", "_", "__", "~~", "[", "]", "(", ")", "<", ">", "&", "&amp;", "&#x41;", "#", "# ", ">", "-", "- ",
    "+", "1.", "1)", "!", "\\", "\n", "\r\n", "\t", "    ", " ", "http://", "https://evil.example", "www.evil.example",
    "javascript:alert(1)", "a@b.example", "<script>", "</script>", "<b>", "<!--", "-->", "<http://x.example>", ":", ".", "=", "===",
    "---", "$", "^", "{", "}", "@", "\x1b[31m", "\u202e", "ü", "☃", "x", "word",
])  # fmt: skip
HOSTILE_TEXT = st.lists(st.one_of(MARKDOWN_BITS, st.text(max_size=3)), max_size=12).map("".join)


def render(markdown: str) -> str:
    return RENDER.render(markdown)


def tags(rendered: str) -> set[str]:
    return {m.group(2).lower() for m in TAG.finditer(rendered)}


def shown_text(rendered: str) -> str:
    """What a reader of the rendered ticket sees: the text without our tags, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


def expected(text: str) -> str:
    """The text as the ticket shows it: one line, controls as visible escapes."""
    text = re.sub(r"\r\n|[\n\r\v\f\x85\u2028\u2029]", NEWLINE_MARK, text).replace("\t", " ")
    return re.sub("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]",
                  lambda m: f"\\u{ord(m.group()):04x}", text)  # fmt: skip


def squash(text: str) -> str:
    return " ".join(text.split())


@settings(max_examples=400, deadline=None)
@given(HOSTILE_TEXT)
def test_escaped_prose_renders_as_exactly_its_text(text: str) -> None:
    rendered = render("- **key:** " + escape(text) + " ·")
    assert tags(rendered) <= {"ul", "li", "strong"}, rendered  # no link, image, HTML, code, emphasis, heading from the data
    assert "href" not in rendered and "<a" not in rendered
    assert squash(shown_text(rendered)) == squash("key: " + expected(text) + " ·")


@settings(max_examples=400, deadline=None)
@given(HOSTILE_TEXT)
def test_a_code_span_renders_as_exactly_its_text(text: str) -> None:
    rendered = render("- value " + code(text) + " ·")
    assert tags(rendered) <= {"ul", "li", "code"}, rendered
    assert "href" not in rendered
    body = re.search(r"<code>(.*)</code>", rendered, re.S)
    if text:
        assert body is not None and html.unescape(body.group(1)) == expected(text), rendered
    else:
        assert "(empty)" in rendered


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("[x](javascript:alert(1))", "\\[x\\]\\(javascript\\:alert\\(1\\)\\)"),
        ("<script>alert(1)</script>", "\\<script\\>alert\\(1\\)\\</script\\>"),
        ("a | b `c`", "a \\| b \\`c\\`"),
        ("&amp;", "\\&amp;"),
        ("# title\n> quote\n- item", "\\# title ↵ \\> quote ↵ \\- item"),
        ("*a* _b_", "\\*a\\* \\_b\\_"),
        ("O'Brien, 50% off? /pricing", "O'Brien, 50% off? /pricing"),  # readable where nothing can happen
        ("\x1b[31mred\u202e", "\\\\u001b\\[31mred\\\\u202e"),
    ],
)
def test_escape_examples(text: str, escaped: str) -> None:
    assert escape(text) == escaped


def test_code_fences_outrun_the_backticks_inside() -> None:
    assert code("a") == "`a`"
    assert code("a`b") == "``a`b``"
    assert code("``x") == "``` ``x ```"
    assert code("x`") == "`` x` ``"
    assert code("a\nb") == "`a ↵ b`"
    assert code("") == "\\(empty\\)"


# -- the summary ----------------------------------------------------------------------
T0 = 1_764_597_780_000  # 2025-12-01 14:03:00 UTC


def person(**changes: Any) -> TicketPerson:
    base = dict(display_name="Alice Martin", user_id="user-alice", kind="identified", name="Alice Martin", email="alice@acme.com",
                anonymous_ids=("anon-1", "anon-2"), companies=("Acme",), first_seen=T0 - 86_400_000, last_seen=T0 + 60_000,
                tags=("returning", "buyer"))  # fmt: skip
    return TicketPerson(**{**base, **changes})


class Note:
    def __init__(self, author: str, at: int, text: str) -> None:
        self.author, self.at, self.text = author, at, text


class TestMasker:
    """Masks as screen sharing would: values by key, emails and phone numbers in free text."""

    PERSONAL = ("email", "phone", "name", "address", "ip")

    def text(self, s: str) -> str:
        s = re.sub(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", "•email•", s)
        return re.sub(r"\+?\d[\d ]{6,}\d", "•phone•", s)

    def value(self, key: str, value: Any) -> Any:
        return "•••" if isinstance(value, str) and any(p in key.lower() for p in self.PERSONAL) else value


def session(events: list[TicketEvent], total: int | None = None, tail: list[TicketEvent] | None = None) -> TicketSession:
    return TicketSession(id="7-1", start=events[0].ts, end=(tail or events)[-1].ts, events=total or len(events), source="web",
                         head=tuple(events), tail=tuple(tail or ()))  # fmt: skip


def test_summary_holds_the_person_the_notes_newest_first_and_the_session() -> None:
    events = [
        TicketEvent(T0, "page", "Pricing", "/pricing", {"path": "/pricing", "url": "https://shop.example/pricing", "title": "Pricing"}),
        TicketEvent(T0 + 30_000, "track", "Order Completed", None,
                    {"$pathname": "/checkout", "total": 120, "currency": "EUR", "products": [{}], "coupon": "", "paid": True}),
        TicketEvent(T0 + 60_000, "screen", "Cart", None, {}),
    ]  # fmt: skip
    notes = [Note("dana", T0 + 120_000, "Refund *promised*"), Note("lee", T0 + 180_000, "Called back\nno answer")]
    md = summary_markdown(person(), notes, session(events), tz=timezone.utc)
    assert md == (
        "### Alice Martin\n\n"
        "- **User id:** `user-alice`\n"
        "- **Anonymous ids:** `anon-1`, `anon-2`\n"
        "- **Email:** `alice@acme.com`\n"
        "- **Kind:** identified\n"
        "- **Company:** Acme\n"
        "- **First seen:** 2025-11-30 14:03 UTC\n"
        "- **Last seen:** 2025-12-01 14:04 UTC\n"
        "- **Tags:** returning, buyer\n\n"
        "#### Notes\n\n"
        "- **lee**, 2025-12-01 14:06 UTC: Called back ↵ no answer\n"
        "- **dana**, 2025-12-01 14:05 UTC: Refund \\*promised\\*\n\n"
        "#### Session of 2025-12-01 14:03 UTC, 1 min 00 s, 3 events (web)\n\n"
        "- 14:03:00 · page `/pricing`\n"
        "- 14:03:30 · **Order Completed** on `/checkout` · currency `EUR` · paid `true` · total `120`\n"
        "- 14:04:00 · screen **Cart**\n"
    )
    assert tags(render(md)) <= OUR_TAGS


def test_a_long_session_shows_its_first_and_last_events_and_counts_the_rest() -> None:
    head = [TicketEvent(T0 + i * 1000, "track", f"Step {i}", None, {}) for i in range(HEAD_EVENTS)]
    tail = [TicketEvent(T0 + 900_000 + i * 1000, "track", f"End {i}", None, {}) for i in range(3)]
    md = summary_markdown(person(), [], session(head, total=5_000, tail=tail), tz=timezone.utc)
    lines = md.splitlines()
    gap = lines.index("- … 4,977 more events …")
    assert lines[gap - 1].endswith(f"**Step {HEAD_EVENTS - 1}**") and lines[gap + 1].endswith("**End 0**")
    assert "5,000 events (web)" in md


def test_no_session_and_an_anonymous_person() -> None:
    md = summary_markdown(person(kind="anonymous", name=None, email=None, user_id="anon-9", anonymous_ids=(), companies=()), [],
                          None, tz=timezone.utc)  # fmt: skip
    assert md.startswith("### `anon-9`\n\n- **Anonymous id:** `anon-9`\n- **Kind:** anonymous\n")
    assert md.endswith("No session.\n")


def test_key_properties_are_short_scalars_by_name_without_internals_or_page_keys() -> None:
    event = TicketEvent(T0, "track", "X", None, {
        "z": 1, "$lib": "web", "url": "https://x", "nested": {"a": 1}, "list": [1], "long": "y" * 100, "b": False, "a": "  ", "c": 2.5,
    })  # fmt: skip
    assert key_properties(event) == [("b", "false"), ("c", "2.5"), ("long", "y" * 59 + "…"), ("z", "1")]
    assert len(key_properties(event)) == KEY_PROPERTIES


def test_a_masker_hides_every_personal_string() -> None:
    events = [
        TicketEvent(T0, "identify", None, None, {"email": "alice@acme.com", "phone": "+49 30 1234567", "plan": "pro"}),
        TicketEvent(T0 + 1000, "track", "Mailed alice@acme.com", "/u/alice@acme.com", {"comment": "call +49 30 1234567"}),
    ]
    notes = [Note("dana", T0, "she wrote from alice@acme.com")]
    md = summary_markdown(person(user_id="alice@acme.com", anonymous_ids=("bob@example.org",)), notes, session(events),
                          tz=timezone.utc, mask=TestMasker())  # fmt: skip
    for personal in ("Alice", "alice@", "acme.com", "bob@", "1234567"):
        assert personal not in md, personal
    assert md.startswith("### •••\n")
    assert "plan `pro`" in md and "comment `call •phone•`" in md


def test_event_line_of_hostile_names_stays_text() -> None:
    line = event_line(TicketEvent(T0, "track", "[x](javascript:alert(1))", "/`|<b>", {"k|": "<img src=x>"}), timezone.utc)
    rendered = render(line)
    assert tags(rendered) <= {"ul", "li", "strong", "code"} and "href" not in rendered
    assert "[x](javascript:alert(1))" in shown_text(rendered) and "<img src=x>" in shown_text(rendered)
