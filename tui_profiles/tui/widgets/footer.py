"""The key bar at the bottom: one widget drawing one line, repainted only when the keys it shows change.

Textual's footer is a container with a widget per key, recomposed whenever the focus or the screen
changes: 40-80 ms each time with a profile's keys (composing, styling and laying out a dozen widgets),
more than the key that caused it, and the key widgets' data bindings kept every old one alive. This
draws the same line (same keys, order, styles, the palette key on the right) as one `Text`; a change
of bindings that shows the same keys costs a comparison, another costs a repaint, never a layout.
Mouse: a click presses the key (a disabled one rings the bell), hovering highlights it and shows its tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget


@dataclass(frozen=True, slots=True)
class ShownKey:
    key: str  # what a click simulates
    display: str  # how the key is written
    description: str
    enabled: bool
    tooltip: str


class Footer(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer-key--key", "footer-key--description", "footer-key--hover", "footer--palette-border"}
    # The looks of Textual's footer (`FooterKey`, non-compact; its palette key compact, docked right).
    DEFAULT_CSS = """
    Footer {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .footer-key--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
        & > .footer-key--description { color: $footer-description-foreground; background: $footer-description-background; }
        & > .footer-key--hover { color: $footer-key-foreground; background: $block-hover-background; }
        & > .footer--palette-border { color: $foreground 20%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.keys: tuple[ShownKey, ...] = ()
        self.palette: ShownKey | None = None
        self._spans: list[tuple[int, int, ShownKey]] = []  # (start, end) cells of each key as last drawn
        self._hover: ShownKey | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    # -- what to show -------------------------------------------------------------
    def bindings_changed(self, screen: Screen) -> None:
        if screen is not self.screen:
            return
        keys, palette = self._shown(screen)
        if (keys, palette) != (self.keys, self.palette):
            self.keys, self.palette = keys, palette
            self.refresh()

    def _shown(self, screen: Screen) -> tuple[tuple[ShownKey, ...], ShownKey | None]:
        """The keys with `show` set, one per action (the first bound), and the command palette's key."""
        app = self.app
        seen: set[str] = set()
        keys = []
        bindings = screen.active_bindings
        for _node, binding, enabled, tooltip in bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            keys.append(ShownKey(binding.key, app.get_key_display(binding), binding.description, enabled, tooltip))
        palette = None
        if app.ENABLE_COMMAND_PALETTE and (active := bindings.get(app.COMMAND_PALETTE_BINDING)) is not None:
            _node, binding, enabled, tooltip = active
            palette = ShownKey(binding.key, app.get_key_display(binding), binding.description, enabled,
                               binding.tooltip or binding.description)  # fmt: skip
        return tuple(keys), palette

    # -- drawing ------------------------------------------------------------------
    def _key_text(self, shown: ShownKey, *, compact: bool) -> Text:
        key_style = self.get_component_rich_style("footer-key--key")
        description_style = self.get_component_rich_style("footer-key--description")
        if self._hover == shown:
            hover = self.get_component_rich_style("footer-key--hover")
            key_style, description_style = key_style + hover, description_style + hover
        key = shown.display if compact else f" {shown.display} "
        if shown.description:
            text = Text.assemble((key, key_style), (f" {shown.description}" if compact else f"{shown.description} ", description_style))
        else:
            text = Text(shown.display, style=key_style)
        if not shown.enabled:
            text.stylize_before(Style(dim=True))
        return text

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        blank = Style(bgcolor=base.bgcolor)  # the footer's own cells: background only, as Textual draws them
        if y:
            return Strip.blank(width, blank)
        line = Text(no_wrap=True, end="")
        spans = []
        for shown in self.keys:
            piece = self._key_text(shown, compact=False)
            spans.append((line.cell_len, line.cell_len + piece.cell_len, shown))
            line.append_text(piece)
        right = Text(no_wrap=True, end="")
        if self.palette is not None:
            right = Text.assemble(("▏", self.get_component_rich_style("footer--palette-border")), no_wrap=True, end="")
            right.append_text(self._key_text(self.palette, compact=True))
        start = max(0, width - right.cell_len - (1 if self.palette is not None else 0))
        line.truncate(start)  # the palette key is drawn over the keys that do not fit
        spans = [(a, min(b, start), k) for a, b, k in spans if a < start]
        segments = list(line.render(self.app.console))
        if line.cell_len < start:
            segments.append(Segment(" " * (start - line.cell_len), blank))
        if self.palette is not None:
            spans.append((start + 1, start + right.cell_len, self.palette))
            segments.extend(right.render(self.app.console))
            segments.append(Segment(" ", blank))  # its right padding
        self._spans = spans
        return Strip(segments).crop_extend(0, width, blank)

    # -- mouse --------------------------------------------------------------------
    def _key_at(self, x: int) -> ShownKey | None:
        return next((key for start, end, key in self._spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hover = self._key_at(event.x)
        if hover != self._hover:
            self._hover = hover
            self.tooltip = hover.tooltip or None if hover is not None else None
            self.refresh()

    def on_leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        shown = self._key_at(event.x)
        if shown is None:
            return
        if shown.enabled:
            self.app.simulate_key(shown.key)
        else:
            self.app.bell()
