"""A cursor list drawn with the line API: only the rows on screen are ever built or rendered.

Subclasses say how many rows there are and build one row as `Text` when asked; a row that is
not loaded yet is drawn as a dim placeholder and the subclass is told the viewport moved, so
it can fetch that slice from the store in a worker (toolong's approach to huge files).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .. import textual_compat

PLACEHOLDER = "…"


class VirtualList(textual_compat.SizedByItself, ScrollView, can_focus=True):
    """Rows 0..row_count-1, one line each; `cursor` is the highlighted row."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("pagedown,ctrl+f,space", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("home,g", "first", "First row", show=False, id="list.first"),
        Binding("end,G", "last", "Last row", show=False, id="list.last"),
        Binding("enter", "select", "Open", id="list.open"),
    ]

    COMPONENT_CLASSES = {"virtual-list--cursor", "virtual-list--placeholder", "virtual-list--blurred-cursor"}

    DEFAULT_CSS = """
    VirtualList {
        overflow-x: hidden;
        overflow-y: auto;
        height: 1fr;
        scrollbar-size-vertical: 1;
        & > .virtual-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
        & > .virtual-list--blurred-cursor { background: $block-cursor-blurred-background; }
        & > .virtual-list--placeholder { color: $text-muted; }
    }
    """

    _row_base: Style | None = None  # see `row_base`
    cursor: reactive[int] = reactive(0, init=False, always_update=True, repaint=False)  # watch_cursor repaints its rows

    class RowMessage(Message):
        """About row `index` of the list `source`."""

        def __init__(self, source: "VirtualList", index: int) -> None:
            super().__init__()
            self.source = source
            self.index = index

        @property
        def control(self) -> "VirtualList":
            return self.source

    class Highlighted(RowMessage):
        """The cursor moved onto the row."""

    class Selected(RowMessage):
        """The row was opened (enter, or a double click)."""

    # -- what a subclass provides -------------------------------------------------
    def row_count(self) -> int:
        raise NotImplementedError

    def row_text(self, index: int, width: int) -> Text | None:
        """Row `index` laid out for `width` cells, or None if it is not loaded yet."""
        raise NotImplementedError

    def viewport_changed(self) -> None:
        """The visible rows changed (scroll, resize, new count): fetch what is missing."""

    def row_identity(self, index: int) -> Hashable | None:
        """What the row at `index` is (a profile id, an event id), to keep the cursor on it."""
        return None

    # -- size and position --------------------------------------------------------
    def _set_row_count(self, count: int) -> None:
        """Size the scrollable area for `count` rows, and the scrollbar with it (a layout leaves that to the list:
        `SizedByItself`).

        `virtual_size` asks for a layout of the whole screen when it changes (10-20 ms on a profile),
        needed only when the scrollbar appears or goes (the rows get narrower or wider). Otherwise
        the scrollbar and the scroll position are updated here and the list repainted, no layout.
        """
        size = Size(self.scrollable_content_region.width, count)
        if size == self.virtual_size:
            return
        if count == self.virtual_size.height:
            # The width alone: a list filled while its tab was hidden (no region, width 0) is shown. Rows are
            # drawn at the width they are shown at (overflow-x is hidden) and the layout that showed them has
            # already sized the scrollbar: repainting them here was a second frame of the whole tab.
            self.set_reactive(VirtualList.virtual_size, size)
            return
        height = self.container_size.height
        if not self.is_mounted or not height:
            self.virtual_size = size  # never laid out: its first layout, a new size, sizes the scrollbar
            return
        if self.styles.overflow_y == "auto" and (count > height) != self.show_vertical_scrollbar:
            self.virtual_size = size  # the scrollbar appears or goes: a layout
            # Shown or hidden now, in the layout just asked for: had that layout found it changed, it would
            # have asked for another (a tab showing a new profile's rows was laid out twice).
            textual_compat.scroll_update(self, size)
            return
        self.set_reactive(VirtualList.virtual_size, size)
        textual_compat.scroll_update(self, size)
        self.refresh()

    def rows_changed(self) -> None:
        """Call after the number or content of rows changed."""
        count = self.row_count()
        self._set_row_count(count)
        if count and self.cursor >= count:
            self.set_cursor(count - 1, scroll=True)
        self.refresh()
        self.viewport_changed()

    @property
    def first_visible(self) -> int:
        return int(self.scroll_y)

    @property
    def visible_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def visible_range(self) -> range:
        return range(self.first_visible, min(self.row_count(), self.first_visible + self.visible_height))

    def set_cursor(self, index: int, *, scroll: bool = True) -> None:
        count = self.row_count()
        index = max(0, min(index, count - 1)) if count else 0
        self.cursor = index
        if scroll:
            self.scroll_cursor_visible()

    def scroll_cursor_visible(self) -> None:
        top, height = self.first_visible, self.visible_height
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def place(self, cursor: int, screen_line: int) -> None:
        """Put the cursor on row `cursor`, shown on line `screen_line` of the viewport if possible."""
        self._set_row_count(self.row_count())
        self.cursor = max(0, min(cursor, self.row_count() - 1)) if self.row_count() else 0
        top = max(0, min(self.cursor - screen_line, self.row_count() - self.visible_height))
        self.scroll_to(y=top, animate=False, immediate=True, force=True)
        self.refresh()

    def watch_cursor(self, old: int, new: int) -> None:
        # Only the two rows whose highlight changed (a scroll repaints the rest through scroll_y).
        self.refresh_line(old)
        self.refresh_line(new)
        self.post_message(self.Highlighted(self, new))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if round(old) != round(new):
            self.viewport_changed()

    def on_resize(self) -> None:
        self._set_row_count(self.row_count())
        self.viewport_changed()

    def notify_style_update(self) -> None:
        self._row_base = None  # this list's or an ancestor's style changed (Textual updates a node and every descendant)
        super().notify_style_update()

    @property
    def row_base(self) -> Style:
        """`rich_style`, which walks every ancestor's background and colour, read once a style change, not once a line:
        it was half of the time a tab switch spent drawing rows. Textual keeps its component styles the same way."""
        if self._row_base is None:
            self._row_base = self.rich_style
        return self._row_base

    def on_focus(self) -> None:
        self.refresh_line(self.cursor)  # only the cursor row looks different

    def on_blur(self) -> None:
        self.refresh_line(self.cursor)

    # -- rendering ----------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        index = self.first_visible + y
        width = self.scrollable_content_region.width
        base = self.row_base
        if index >= self.row_count() or width <= 0:
            return Strip.blank(width, base)
        row = self.row_text(index, width)
        if row is None:
            row = Text(PLACEHOLDER, style=self.get_component_rich_style("virtual-list--placeholder"))
        row = row.copy()
        row.truncate(width, overflow="ellipsis", pad=True)
        if index == self.cursor:
            name = "virtual-list--cursor" if self.has_focus else "virtual-list--blurred-cursor"
            row.stylize(self.get_component_rich_style(name))
        segments = [Segment(s.text, base + s.style if s.style else base) for s in row.render(self.app.console)]
        return Strip(segments, width).crop_extend(0, width, base)

    # -- keys and mouse -----------------------------------------------------------
    def cursor_chosen(self) -> None:
        """The person moved the cursor (a key or a click)."""

    def action_cursor_up(self) -> None:
        self.cursor_chosen()
        self.set_cursor(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.cursor_chosen()
        self.set_cursor(self.cursor + 1)

    def action_page_up(self) -> None:
        self.cursor_chosen()
        self.set_cursor(self.cursor - self.visible_height)

    def action_page_down(self) -> None:
        self.cursor_chosen()
        self.set_cursor(self.cursor + self.visible_height)

    def action_first(self) -> None:
        self.cursor_chosen()
        self.set_cursor(0)

    def action_last(self) -> None:
        self.cursor_chosen()
        self.set_cursor(self.row_count() - 1)

    def action_select(self) -> None:
        if self.row_count():
            self.post_message(self.Selected(self, self.cursor))

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.first_visible + offset.y
        if index >= self.row_count():
            return
        self.cursor_chosen()
        self.set_cursor(index)
        if event.chain >= 2:
            self.action_select()


def show_scrollbars(lists: Iterable[VirtualList], shown: bool) -> None:
    """Show or hide the lists' vertical scrollbars until their next layout says whether they need one.

    For a screen prepared unseen: a scrollbar is a widget of its own, sized by the first layout that
    shows it, and that new size asks for a second layout. Laid out once, shown, while the screen is
    prepared, it is shown later, when rows first need it, in one layout.
    """
    for rows in lists:
        rows.show_vertical_scrollbar = shown
        rows.vertical_scrollbar.display = shown


def columns_text(cells: list[tuple[Text | str, int]], gap: int = 1) -> Text:
    """Cells laid out in fixed widths (a width of 0 is skipped): one row of a column list."""
    out = Text(no_wrap=True, end="")
    first = True
    for cell, width in cells:
        if width <= 0:
            continue
        if not first:
            out.append(" " * gap)
        first = False
        piece = cell if isinstance(cell, Text) else Text(cell)
        piece = piece.copy()
        piece.truncate(width, overflow="ellipsis")
        short = width - piece.cell_len
        if short > 0:
            if piece.justify == "right":
                piece = Text(" " * short) + piece
            else:
                piece.pad_right(short)
        out.append_text(piece)
    return out


def style(spec: str) -> Style:
    return Style.parse(spec)
