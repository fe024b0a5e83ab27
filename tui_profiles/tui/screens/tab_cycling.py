"""A mixin for screens whose content is one TabbedContent: tab and shift+tab step through its tabs, round and round.

The step sets `TabbedContent.active`, which switches the pane at once. `Tabs.action_next_tab`
would do it a message later (the pane follows the Tabs' `TabActivated`) after a query of the
tabs, on a key that is pressed in bursts.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding
from textual.widgets import TabbedContent


def tab_bindings(screen: str) -> list[Binding]:
    """The two keys, with ids under the screen's name (`profile.next_tab`): help and footer list them."""
    return [
        Binding("tab", "next_tab", "Next tab", id=f"{screen}.next_tab"),
        Binding("shift+tab", "previous_tab", "Previous tab", show=False, id=f"{screen}.previous_tab"),
    ]


class CyclesTabs:
    TABS: ClassVar[tuple[str, ...]]  # the panes' ids, in the order the tabs show them

    def action_next_tab(self) -> None:
        self._step_tab(1)

    def action_previous_tab(self) -> None:
        self._step_tab(-1)

    def _step_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)  # type: ignore[attr-defined]
        index = self.TABS.index(tabs.active) if tabs.active in self.TABS else 0
        tabs.active = self.TABS[(index + step) % len(self.TABS)]
