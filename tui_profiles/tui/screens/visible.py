"""Whether a screen can be seen now: on top, or under screens that all let it show through (modals).

Textual's `Screen.is_current` also counts the screen right under the top one, whatever the top one
covers: the user list re-read its window and live count (20-40 ms of queries, then a repaint) on
every batch the watcher stored while a profile covered it. Screens here ask `in_view` instead, and
catch up when they are shown again.
"""

from __future__ import annotations

from textual.screen import Screen

from ..broadcasts import broadcasts, hear_while_stacked
from ..messages import StoreChanged


def in_view(screen: Screen) -> bool:
    stack = screen.app.screen_stack
    if screen not in stack:
        return False
    return all(above.styles.background.a < 1 for above in stack[stack.index(screen) + 1 :])


class FollowsStore:
    """A screen that follows the store: brought up to date at once when in view, else when shown again.

    Every screen in the stack hears of each stored batch (`store_changed`, through the app's store
    signal). A screen says whether a batch concerns it (`concerns`) and how to bring itself up to date
    (`catch_up`).
    """

    _stale = False

    def on_mount(self) -> None:
        hear_while_stacked(broadcasts(self).store, self.heard_store)  # type: ignore[arg-type]
        hear_while_stacked(broadcasts(self).mask, self.mask_changed)  # type: ignore[arg-type]

    def mask_changed(self, _masked: bool) -> None:
        """Masking went on or off: what is shown is read and drawn again (lists draw their rows afresh anyway)."""
        self._bring_up_to_date()

    def heard_store(self, change: StoreChanged) -> None:
        if change.everything:
            self._bring_up_to_date()  # whatever it shows may have changed
        else:
            self.store_changed(change.touched, change.removed)

    def concerns(self, touched: frozenset[int], removed: frozenset[int]) -> bool:
        return True

    def catch_up(self) -> None:
        raise NotImplementedError

    def store_changed(self, touched: frozenset[int], removed: frozenset[int]) -> None:
        if self.concerns(touched, removed):
            self._bring_up_to_date()

    def _bring_up_to_date(self) -> None:
        if in_view(self):  # type: ignore[arg-type]
            self.catch_up()
        else:
            self._stale = True  # caught up when shown again, not while hidden

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.catch_up()
