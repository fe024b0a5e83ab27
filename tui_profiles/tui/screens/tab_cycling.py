"""A mixin for screens whose content is tabs: a TabBar over a ContentSwitcher of panes with the tabs' ids,
both children of the screen (found among its children, not by a query of the whole screen).

`show_tab` switches both at once: the pane is shown in the same step as the bar's highlight, not a
message later. tab and shift+tab step through the tabs, round and round. The bar posts
`TabBar.Changed` however its tab changed (a key here, or a click on the bar, which switches the
bar alone): a screen's handler calls `follow_tab_bar` first, then loads and focuses the tab.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding
from textual.widgets import ContentSwitcher

from ..widgets.tab_bar import TabBar


def tab_bindings(screen: str) -> list[Binding]:
    """The two keys, with ids under the screen's name (`profile.next_tab`): help and footer list them."""
    return [
        Binding("tab", "next_tab", "Next tab", id=f"{screen}.next_tab"),
        Binding("shift+tab", "previous_tab", "Previous tab", show=False, id=f"{screen}.previous_tab"),
    ]


class CyclesTabs:
    TABS: ClassVar[tuple[str, ...]]  # the panes' ids, in the order the tabs show them

    @property
    def tab_bar(self) -> TabBar:
        return self.get_child_by_type(TabBar)  # type: ignore[attr-defined]

    @property
    def active_tab(self) -> str:
        return self.tab_bar.active

    def show_tab(self, pane_id: str) -> None:
        """Show the pane `pane_id` and highlight its tab; the bar then posts `Changed` if it was another."""
        self.tab_bar.active = pane_id
        self.follow_tab_bar()

    def follow_tab_bar(self) -> str:
        """Show the pane of the tab highlighted now (a click switches the bar alone); its id."""
        active = self.tab_bar.active
        self.get_child_by_type(ContentSwitcher).current = active  # type: ignore[attr-defined]  # no-op when already shown
        return active

    def action_next_tab(self) -> None:
        self._step_tab(1)

    def action_previous_tab(self) -> None:
        self._step_tab(-1)

    def _step_tab(self, step: int) -> None:
        active = self.active_tab
        index = self.TABS.index(active) if active in self.TABS else 0
        self.show_tab(self.TABS[(index + step) % len(self.TABS)])
