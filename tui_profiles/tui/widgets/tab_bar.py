"""A one-line tab bar: the tabs' labels drawn as one line, the active one highlighted; a click activates a tab.

Textual's TabbedContent is a stack of containers (Tabs with its scroll container, its label widgets and an
animated underline bar, ContentTabs, a TabPane around each pane) that the compositor redrew at full height
on every tab switch and profile open: most of a key's time. This is one widget drawing one line; the screen
keeps its panes in a plain ContentSwitcher beside it and switches both (screens/tab_cycling.py). Setting
`active` repaints the line and posts `Changed`, however it was set (a key, a click, the screen), so the
screen loads and focuses the tab shown in one place. Not focusable: the screens' tab and shift+tab step it.

Labels are the screen's own constants (`set_label` too: "Timeline (filtered)"), drawn as plain text, never markup.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget


class TabBar(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"tab-bar--tab", "tab-bar--active", "tab-bar--hover"}
    # Close to Textual's tabs: the others dim, the active one in the text's colour, underlined in the cursor's.
    DEFAULT_CSS = """
    TabBar {
        height: 1;
        background: $foreground 5%;
        & > .tab-bar--tab { color: $foreground 50%; }
        & > .tab-bar--active { color: $foreground; text-style: bold underline; }
        & > .tab-bar--hover { color: $foreground; }
        &:ansi > .tab-bar--tab { text-style: dim; }
        &:ansi > .tab-bar--active { text-style: not dim bold underline; }
    }
    """

    active: reactive[str] = reactive("", layout=False, init=False)

    class Changed(Message):
        """The active tab changed: `active` is the tab shown now, `previous` the one before ("" at first)."""

        def __init__(self, tab_bar: TabBar, active: str, previous: str) -> None:
            super().__init__()
            self.tab_bar, self.active, self.previous = tab_bar, active, previous

        @property
        def control(self) -> TabBar:
            return self.tab_bar

    def __init__(self, tabs: Iterable[tuple[str, str]], *, active: str | None = None, id: str | None = None) -> None:  # noqa: A002
        """`tabs`: (tab id, label) in the order shown; `active`: the tab shown first (the first if None)."""
        super().__init__(id=id)
        self.labels: dict[str, str] = dict(tabs)
        if not self.labels:
            raise ValueError("a tab bar needs at least one tab")
        first = next(iter(self.labels))
        self.set_reactive(TabBar.active, self.validate_active(first if active is None else active))
        self._spans: list[tuple[int, int, str]] = []  # (start, end) cells of each tab as last drawn
        self._hover: str | None = None

    @property
    def tab_ids(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def validate_active(self, tab_id: str) -> str:
        if tab_id not in self.labels:
            raise ValueError(f"no tab {tab_id!r} in this tab bar (tabs: {', '.join(self.labels)})")
        return tab_id

    def watch_active(self, previous: str, active: str) -> None:
        self.post_message(self.Changed(self, active, previous))

    def set_label(self, tab_id: str, label: str) -> None:
        """Say `label` for a tab (repainted only if it changed)."""
        if self.labels[self.validate_active(tab_id)] != label:
            self.labels[tab_id] = label
            self.refresh()

    # -- drawing ------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.size.width
        blank = Style(bgcolor=self.rich_style.bgcolor)  # the bar's own cells: background only
        if y:
            return Strip.blank(width, blank)
        line = Text(no_wrap=True, end="")
        tab_style = self.get_component_rich_style("tab-bar--tab")
        active_style = self.get_component_rich_style("tab-bar--active")
        hover_style = self.get_component_rich_style("tab-bar--hover")
        spans = []
        for tab_id, label in self.labels.items():
            style = active_style if tab_id == self.active else hover_style if tab_id == self._hover else tab_style
            start = line.cell_len
            # One cell either side, outside the highlight, as Textual's tabs are padded.
            line.append(" ", blank)
            line.append(label, style)
            line.append(" ", blank)
            spans.append((start, line.cell_len, tab_id))
        line.truncate(width, overflow="ellipsis")
        self._spans = [(a, min(b, width), t) for a, b, t in spans if a < width]
        return Strip(list(line.render(self.app.console)) or [Segment("")]).crop_extend(0, width, blank)

    # -- mouse --------------------------------------------------------------------
    def tab_at(self, x: int) -> str | None:
        """The tab drawn at cell `x` of the line, if any."""
        return next((tab_id for start, end, tab_id in self._spans if start <= x < end), None)

    def on_click(self, event: events.Click) -> None:
        tab_id = self.tab_at(event.x)
        if tab_id is not None:
            event.stop()
            self.active = tab_id

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hover = self.tab_at(event.x)
        if hover != self._hover:
            self._hover = hover
            self.refresh()

    def on_leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()
