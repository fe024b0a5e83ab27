"""One line on a profile: the configured goals it completed (first time, how often) and those it has not yet.

Hidden when no goals are configured (setting goals); a configuration that cannot be read says so.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from ...reader import StoreReader
from ...store.goals import GoalCompletion
from .. import formatting, safe
from ..workers import ReportsWorkerErrors

GOAL_MARK = "★"


class GoalsBar(ReportsWorkerErrors, Static):
    DEFAULT_CSS = """
    GoalsBar { height: auto; max-height: 2; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    GoalsBar.-none { display: none; }
    """

    class Loaded(Message, bubble=False):
        def __init__(self, profile_id: int, done: list[GoalCompletion]) -> None:
            super().__init__()
            self.profile_id, self.done = profile_id, done

    def __init__(self, reader: StoreReader, profile_id: int | None, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__("", id=id, markup=False)
        self.reader = reader
        self.profile_id = profile_id
        self.done: list[GoalCompletion] = []

    def on_mount(self) -> None:
        if self.reader.goals_error:
            self.update(Text("goals: " + safe.clean(self.reader.goals_error), style="red"))
        elif not self.reader.goals:
            self.add_class("-none")
            return
        self.reload()

    def show(self, profile_id: int) -> None:
        """Another profile's goals (the profile screen is reused)."""
        self.profile_id = profile_id
        if self.done:
            self.done = []
            self.update("")
        if self.reader.goals and not self.reader.goals_error:
            self.reload()

    @work(thread=True, exclusive=True, group="goals", exit_on_error=False)
    def reload(self) -> None:
        profile_id = self.profile_id
        if profile_id is None:
            return
        done = self.reader.goal_completions(profile_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(profile_id, done))

    def on_goals_bar_loaded(self, message: Loaded) -> None:
        if message.profile_id != self.profile_id:
            return  # read for the profile shown before
        self.done = message.done
        if message.done:
            self.update(self.lines(message.done, self.content_region.width or self.size.width))

    def on_resize(self) -> None:
        if self.done:
            self.update(self.lines(self.done, self.content_region.width))

    def items(self, done: list[GoalCompletion]) -> list[Text]:
        """One piece a goal: completed ones first, oldest first (the journey's order), then those not yet met."""
        tz = self.reader.clock.tz
        out = []
        for goal in sorted(done, key=lambda g: (not g.completed, g.first_ms or 0)):
            item = Text(no_wrap=True, end="")
            if goal.completed and goal.first_ms is not None:
                item.append(f"{GOAL_MARK} ", style="bold yellow")
                item.append_text(safe.text(goal.goal, style="bold"))
                item.append(f" {formatting.stamp(goal.first_ms, tz)}")
                if goal.times > 1:
                    item.append(f" ({goal.times}×)", style="dim")
            else:
                item.append("☆ ", style="dim")
                item.append_text(safe.text(goal.goal, style="dim"))
                item.append(" not yet", style="dim italic")
            out.append(item)
        return out

    def lines(self, done: list[GoalCompletion], width: int, max_lines: int = 2) -> Text:
        """The pieces packed into at most `max_lines` lines, never split; what does not fit is counted."""
        pieces = self.items(done)
        rows: list[Text] = [Text("Goals", style="bold", no_wrap=True, end="")]
        width = max(20, width)
        for i, piece in enumerate(pieces):
            gap = "   "
            if rows[-1].cell_len + len(gap) + piece.cell_len <= width:
                rows[-1].append(gap)
                rows[-1].append_text(piece)
                continue
            if len(rows) < max_lines:
                rows.append(Text("     ", no_wrap=True, end="") + Text(gap) + piece)
                continue
            rows[-1].append(f"   +{len(pieces) - i} more", style="dim")
            break
        out = Text("\n", no_wrap=True, end="").join(rows)
        out.no_wrap = True
        return out
