"""Whether a screen can be seen now: on top, or under screens that all let it show through (modals).

Textual's `Screen.is_current` also counts the screen right under the top one, whatever the top one
covers: the user list re-read its window and live count (20-40 ms of queries, then a repaint) on
every batch the watcher stored while a profile covered it. Screens here ask `in_view` instead, and
catch up when they are shown again.
"""

from __future__ import annotations

from textual.screen import Screen


def in_view(screen: Screen) -> bool:
    stack = screen.app.screen_stack
    if screen not in stack:
        return False
    return all(above.styles.background.a < 1 for above in stack[stack.index(screen) + 1 :])
