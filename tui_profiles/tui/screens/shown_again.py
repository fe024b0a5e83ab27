"""A mixin for the screens the app keeps and shows again (profile, session): no restyling on each showing.

Textual restyles every node of a screen each time it is pushed (`ScreenResume.refresh_styles`), in
case the CSS or theme changed while it was away: 8-40 ms for the profile screen and its tabs, on
every open. Focus and classes restyle their own nodes as they change, hidden or not; what a kept
screen can miss is a CSS or theme change, which Textual counts. The full restyle is done only then.
"""

from __future__ import annotations

from textual import events


class ShownAgain:
    def styled(self) -> None:
        """Every node has the styles of the app's CSS as it is now (just mounted, say)."""
        self._css_update_count = self.app._css_update_count  # type: ignore[attr-defined]

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Handlers run subclass first: this is seen before Screen's own, which reads `refresh_styles`.
        app = self.app  # type: ignore[attr-defined]
        if event.refresh_styles and self._css_update_count == app._css_update_count:  # type: ignore[has-type]
            event.refresh_styles = False
        self._css_update_count = app._css_update_count
