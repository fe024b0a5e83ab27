"""One line at the top of a screen: where you are on the left, live status on the right.

While the app cannot reach the store (a PostgreSQL restart), the right side says so first: the app
publishes that on its `connection` broadcast (tui/broadcasts.py), heard by every title bar. While
personal data is masked (`M`), the left side starts with MASKED, so nobody sharing a screen wonders.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from .. import safe

MASKED = " MASKED "


class TitleBar(Widget):
    DEFAULT_CSS = """
    TitleBar { height: 1; background: $panel; color: $foreground; }
    """

    left: reactive[Text] = reactive(Text(""), layout=False)
    right: reactive[Text] = reactive(Text(""), layout=False)
    alert: reactive[str] = reactive("", layout=False)  # about the store's connection; "" while it is fine

    def __init__(self, left: Text | str = "", right: Text | str = "", *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.set_reactive(TitleBar.left, Text(left) if isinstance(left, str) else left)
        self.set_reactive(TitleBar.right, Text(right) if isinstance(right, str) else right)

    def on_mount(self) -> None:
        signals = getattr(self.app, "broadcasts", None)
        if signals is not None:
            self.alert = signals.connection_note
            signals.connection.subscribe(self, self._connection_said)
            signals.mask.subscribe(self, self._mask_said)

    def _connection_said(self, note: str) -> None:
        self.alert = note

    def _mask_said(self, _on: bool) -> None:
        self.refresh()

    def render(self) -> Text:
        width = self.size.width
        right = self.right.copy()
        if self.alert:
            right = Text.assemble((self.alert, "bold yellow"), "  ", right)
        right.truncate(max(0, width - 2), overflow="ellipsis")
        left = self.left.copy()
        if safe.masking() is not None:
            left = Text.assemble((MASKED, "bold reverse red"), " ", left)
        left.truncate(max(0, width - right.cell_len - 3), overflow="ellipsis")
        gap = max(1, width - left.cell_len - right.cell_len - 2)
        return Text.assemble(" ", left, " " * gap, right, " ", no_wrap=True, end="")
