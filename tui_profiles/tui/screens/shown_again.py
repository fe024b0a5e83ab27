"""A mixin for the screens the app keeps and shows again (profile, session): no restyling on each showing.

Textual restyles every node of a screen each time it is pushed (`ScreenResume.refresh_styles`), in
case the CSS or theme changed while it was away: 8-40 ms for the profile screen and its tabs, on
every open. Focus and classes restyle their own nodes as they change, hidden or not; what a kept
screen can miss is a CSS or theme change, which Textual counts. The full restyle is done only then.
"""

from __future__ import annotations

from textual import events

from .. import textual_compat


class ShownAgain:
    # The app's CSS generation (`textual_compat.css_generation`) this screen was last styled for, by us.
    _styled_for_css: int | None = None

    def styled(self) -> None:
        """Every node has the styles of the app's CSS as it is now (just mounted, say)."""
        self._styled_for_css = textual_compat.css_generation(self.app)  # type: ignore[attr-defined]

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Handlers run subclass first: this is seen before Screen's own `_on_screen_resume`, which reads
        # `refresh_styles`. Styles are current if nothing changed since we styled the screen, or since
        # Textual restyled it (it does so for every screen in the stack when the theme changes).
        generation = textual_compat.css_generation(self.app)  # type: ignore[attr-defined]
        current = generation in (self._styled_for_css, textual_compat.restyled_for_css(self))  # type: ignore[arg-type]
        if event.refresh_styles and current:
            event.refresh_styles = False
        self._styled_for_css = generation
