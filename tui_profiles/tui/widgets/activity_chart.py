"""Events per day as a bar chart that fits its width (days merge into wider buckets when they must)."""

from __future__ import annotations

from datetime import datetime, timezone

from rich.text import Text
from textual.widget import Widget

from .. import formatting

DAY_MS = 86_400_000
BLOCKS = " ▁▂▃▄▅▆▇█"


class ActivityChart(Widget):
    DEFAULT_CSS = """
    ActivityChart { height: 6; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.per_day: dict[int, int] = {}
        self.since_ms = 0
        self.until_ms = 0

    def set_data(self, per_day: tuple[tuple[int, int], ...], since_ms: int, until_ms: int) -> None:
        self.per_day = dict(per_day)
        self.since_ms, self.until_ms = since_ms, until_ms
        self.refresh()

    def buckets(self, columns: int) -> tuple[list[int], int]:
        """Counts per column and the days each column holds."""
        first = self.since_ms // DAY_MS
        last = max(first, self.until_ms // DAY_MS)
        days = last - first + 1
        per_column = max(1, -(-days // max(1, columns)))
        counts = [0] * (-(-days // per_column))
        for day_start, n in self.per_day.items():
            index = (day_start // DAY_MS - first) // per_column
            if 0 <= index < len(counts):
                counts[index] += n
        return counts, per_column

    def render(self) -> Text:
        if not self.until_ms:
            return Text("")
        width, height = self.size.width, max(1, self.size.height - 1)
        label_w = 7
        room = max(1, width - label_w)
        counts, per_column = self.buckets(room)
        bar_w = max(1, room // max(1, len(counts)))
        gap = 1 if bar_w >= 3 else 0
        peak = max(counts) if counts else 0
        out = Text(no_wrap=True, end="")
        for row in range(height, 0, -1):
            label = formatting.count(peak) if row == height else ("0" if row == 1 else "")
            out.append(f"{label:>{label_w - 1}} ", style="dim")
            for n in counts:
                level = 0 if not peak else n * height * 8 // peak - (row - 1) * 8
                if n and row == 1:
                    level = max(level, 1)  # a day with any events is never invisible
                out.append(BLOCKS[max(0, min(8, level))] * (bar_w - gap) + " " * gap, style="green")
            out.append("\n")
        unit = "1 bar = 1 day" if per_column == 1 else f"1 bar = {per_column} days"
        start, end = _utc_day(self.since_ms), _utc_day(self.until_ms)
        span = len(counts) * bar_w
        middle = max(1, span - len(start) - len(end))
        axis = start + (unit.center(middle) if middle >= len(unit) + 2 else " " * middle) + end
        out.append(" " * label_w + axis, style="dim")
        return out


def _utc_day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d")
