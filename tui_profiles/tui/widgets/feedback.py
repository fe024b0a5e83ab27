"""A profile's Feedback tab: its survey and NPS answers, newest first, each with the page the user was on.

It reads itself when shown (widgets/profile_tab.py), so a tab that is never opened costs no query.
`enter` opens the answer's event, where every response field is listed.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Static

from ...store.feedback import PAGE_BEFORE, FeedbackItem
from .. import formatting, safe
from .profile_tab import ProfileTab
from .rows_list import RowsList
from .virtual_list import columns_text


def _widths(width: int) -> tuple[int, int, int]:
    """(survey, answer, page) widths; the time (16) and score (5) columns are fixed."""
    rest = max(30, width - 1 - 16 - 5 - 5)
    survey = max(10, min(22, rest // 5))
    page = max(10, min(28, rest // 4))
    return survey, rest - survey - page, page


def header_text(width: int) -> Text:
    survey, answer, page = _widths(width)
    return columns_text(
        [(" ", 1), ("Answered", 16), ("Survey", survey), (Text("Score", justify="right"), 5), ("Answer", answer), ("On page", page)]
    )


def score_style(score: float) -> str:
    """NPS reading: 9-10 promoters in green, 7-8 passives, 0-6 detractors in red (other scales read the same way)."""
    if score >= 9:
        return "bold green"
    if score >= 7:
        return "bold yellow"
    return "bold red"


class FeedbackList(ProfileTab):
    """The column header and the answers of one profile."""

    DEFAULT_CSS = """
    FeedbackList { height: 1fr; }
    FeedbackList > #feedback-columns { height: 1; }
    """
    READ_GROUP = "feedback"
    LIST_ID = "feedback-list"

    class Loaded(Message, bubble=False):
        def __init__(self, profile_id: int, items: list[FeedbackItem]) -> None:
            super().__init__()
            self.profile_id, self.items = profile_id, items

    def compose(self) -> ComposeResult:
        yield Static("", id="feedback-columns", classes="columns", markup=False)
        yield RowsList(self._line, identity=lambda i: i.event_id, empty="loading…", id="feedback-list")

    def on_resize(self) -> None:
        self.query_one("#feedback-columns", Static).update(header_text(self.rows.scrollable_content_region.width or self.size.width))

    def reload(self) -> None:
        self.load()

    def read_profile(self, profile_id: int) -> list[FeedbackItem]:
        return self.reader.feedback(profile_id)

    def on_feedback_list_loaded(self, message: Loaded) -> None:
        if not self.is_current(message.profile_id):
            return
        names = ", ".join(safe.clean(n) for n in self.reader.settings.feedback_events)
        self.rows.empty = f"no survey or NPS answers ({names} events)"
        self.rows.set_rows(message.items)
        self.read.set()

    def on_virtual_list_selected(self, message: RowsList.Selected) -> None:
        message.stop()
        item = self.rows.current
        if item is not None:
            self.open_event(item.event_id)

    def _line(self, item: FeedbackItem, width: int) -> Text:
        survey_w, answer_w, page_w = _widths(width)
        survey = item.survey_name or item.survey_id or item.event
        score = Text("", justify="right")
        if isinstance(item.score, (int, float)):
            score = Text(f"{item.score:g}", style=score_style(item.score), justify="right")
        answer = item.answer
        if answer is None:
            others = [f"{safe.clean(k)}={safe.scalar(v, key=k)}" for k, v in item.responses if k not in ("score",)]
            answer = "  ".join(others)
        page = Text("")
        if item.page_path or item.page_url:
            page = safe.text(item.page_path or item.page_url, style="blue")
            if item.page_from == PAGE_BEFORE:
                page.append(" (before)", style="dim")  # the last page viewed before answering, same session
        return columns_text(
            [
                (Text(" "), 1),
                (Text(formatting.stamp(item.ts, self.reader.clock.tz), style="dim"), 16),
                (safe.text(survey, style="bold"), survey_w),
                (score, 5),
                (safe.text(answer or ""), answer_w),
                (page, page_w),
            ]
        )
