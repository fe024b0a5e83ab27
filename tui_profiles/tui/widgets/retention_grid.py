"""A retention table as a coloured grid: one row a cohort week, one cell a week after, darker to brighter as more came back.

The cell's colour carries the share, so a glance finds the weeks people stayed; the number
is printed on it for the exact reading. Weeks that have not begun are left blank, a cohort
with nobody in it shows a dash.
"""

from __future__ import annotations

from datetime import timezone

from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from ...store.retention import RetentionRow, RetentionTable
from .. import formatting

WEEK_W, USERS_W, CELL_W = 10, 7, 5
# The scale runs from a dark slate (nobody came back) to a bright green (everyone did).
LOW = Color.from_rgb(38, 50, 64)
HIGH = Color.from_rgb(46, 184, 92)
LEGEND_STEPS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)


def _blend(share: float) -> Color:
    # A square root spreads the low shares, where most retention lives, over more of the scale.
    t = max(0.0, min(1.0, share)) ** 0.5
    low, high = LOW.get_truecolor(), HIGH.get_truecolor()
    return Color.from_rgb(*(round(a + (b - a) * t) for a, b in zip(low, high)))


def cell_style(share: float) -> Style:
    background = _blend(share)
    r, g, b = background.get_truecolor()
    light = (0.299 * r + 0.587 * g + 0.114 * b) > 140
    return Style(bgcolor=background, color="black" if light else "white", bold=share >= 0.5)


def percent(share: float) -> str:
    """`100%`, `34%`, `0.5%` below one percent but above nothing, `0%`."""
    if 0 < share < 0.01:
        return f"{share * 100:.1f}%"
    return f"{round(share * 100)}%"


def cell(share: float | None, returned: int | None) -> Text:
    if returned is None:
        return Text(" " * CELL_W)  # that week has not begun
    if share is None:
        return Text("–".rjust(CELL_W - 1) + " ", style="dim")  # nobody in the cohort
    return Text(percent(share).rjust(CELL_W - 1) + " ", style=cell_style(share))


def header(weeks: int) -> Text:
    out = Text(no_wrap=True, end="", style="bold")
    out.append("Week of".ljust(WEEK_W) + " ")
    out.append("Users".rjust(USERS_W) + "  ")
    for k in range(weeks):
        out.append(f"w{k}".rjust(CELL_W - 1) + "  ")
    return out


def row_text(row: RetentionRow) -> Text:
    out = Text(no_wrap=True, end="")
    out.append(formatting.day(row.week_start, timezone.utc).ljust(WEEK_W) + " ")  # weeks are Mondays, UTC
    out.append(formatting.count(row.users).rjust(USERS_W) + "  ", style="bold" if row.users else "dim")
    for k, (share, returned) in enumerate(zip(row.shares, row.returned)):
        if k:
            out.append(" ")
        out.append_text(cell(share, returned))
    return out


def legend() -> Text:
    out = Text("came back: ", style="dim", no_wrap=True, end="")
    for share in LEGEND_STEPS:
        out.append(f" {percent(share)} ", style=cell_style(share))
    out.append("   blank: not begun yet   –: nobody that week", style="dim")
    return out


class RetentionGrid(Widget):
    """Shows one `RetentionTable` (or a message while there is none)."""

    DEFAULT_CSS = """
    RetentionGrid { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.table: RetentionTable | None = None
        self.message = "loading…"

    def show(self, table: RetentionTable) -> None:
        self.table = table
        self.refresh(layout=True)

    def show_message(self, message: str) -> None:
        self.table, self.message = None, message
        self.refresh(layout=True)

    def lines(self) -> list[Text]:
        if self.table is None:
            return [Text(self.message, style="dim italic")]
        out = [header(self.table.weeks)]
        out.extend(row_text(r) for r in self.table.rows)
        out.append(legend())
        return out

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001
        return len(self.lines())

    def render(self) -> Text:
        return Text("\n", no_wrap=True, end="").join(self.lines())
