"""One line at the top of a screen: where you are on the left, live status on the right."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class TitleBar(Widget):
    DEFAULT_CSS = """
    TitleBar { height: 1; background: $panel; color: $foreground; }
    """

    left: reactive[Text] = reactive(Text(""), layout=False)
    right: reactive[Text] = reactive(Text(""), layout=False)

    def __init__(self, left: Text | str = "", right: Text | str = "", *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.set_reactive(TitleBar.left, Text(left) if isinstance(left, str) else left)
        self.set_reactive(TitleBar.right, Text(right) if isinstance(right, str) else right)

    def render(self) -> Text:
        width = self.size.width
        right = self.right.copy()
        right.truncate(max(0, width - 2), overflow="ellipsis")
        left = self.left.copy()
        left.truncate(max(0, width - right.cell_len - 3), overflow="ellipsis")
        gap = max(1, width - left.cell_len - right.cell_len - 2)
        return Text.assemble(" ", left, " " * gap, right, " ", no_wrap=True, end="")
