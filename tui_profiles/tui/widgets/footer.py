"""The key bar at the bottom: Textual's footer, rebuilt once per burst of binding changes, and without a leak.

Textual's footer recomposes (a widget per key, ~20 ms with a profile's keys) each time the focus or
the screen stack changes. Opening a profile makes six such changes in a row (the screen is pushed,
resumes, focuses its list, ...), and they cost more than composing the screen itself. Here the
changes before the next refresh make one rebuild, and a rebuild that would show the same keys is skipped.

Each key widget binds the footer's `compact` reactive (`data_bind`), which registers a watcher on
the footer that Textual drops only when `compact` next changes, i.e. never: every rebuild kept the
old key widgets, their styles and rendered lines alive (~6,000 objects per profile opened and
closed, which made each full garbage collection slower). The rebuild drops them.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    _recompose_pending = False
    _composed: Hashable = None  # what the keys shown were built from

    def _shown(self) -> Hashable:
        """What the footer would show: the keys, their descriptions, whether they are enabled."""
        if not self._bindings_ready:
            return None
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple(
            (key, active.binding.action, active.binding.description, active.binding.group, active.enabled, active.tooltip)
            for key, active in self.screen.active_bindings.items()
            if active.binding.show or key == palette
        )

    def compose(self) -> ComposeResult:
        self._composed = self._shown()
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if self._recompose_pending:
            return  # the rebuild already asked for reads the bindings as they are then
        super().bindings_changed(screen)
        # The same test the footer makes before asking for a rebuild after the next refresh.
        self._recompose_pending = bool(screen.app.app_focus and self.is_attached and screen is self.screen)

    async def recompose(self) -> None:
        self._recompose_pending = False
        if self._shown() == self._composed and self._composed is not None:
            return  # the same keys: nothing to rebuild
        await super().recompose()
        # The watchers of removed key widgets (Textual keeps them in the node's "__watchers").
        watchers = getattr(self, "__watchers", {}).get("compact")
        if watchers:
            watchers[:] = [(node, callback) for node, callback in watchers if node.is_attached]
