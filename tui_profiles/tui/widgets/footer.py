"""The key bar at the bottom: Textual's footer, rebuilt once per burst of binding changes instead of once per change.

Textual's footer recomposes (a widget per key, ~20 ms with a profile's keys) each time the focus or
the screen stack changes. Opening a profile makes six such changes in a row (the screen is pushed,
resumes, focuses its list, ...), and they cost more than composing the screen itself; one rebuild
after the burst shows the same keys.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    _recompose_pending = False

    def bindings_changed(self, screen: Screen) -> None:
        if self._recompose_pending:
            return  # the rebuild already asked for reads the bindings as they are then
        super().bindings_changed(screen)
        # The same test the footer makes before asking for a rebuild after the next refresh.
        self._recompose_pending = bool(screen.app.app_focus and self.is_attached and screen is self.screen)

    async def recompose(self) -> None:
        self._recompose_pending = False
        await super().recompose()
