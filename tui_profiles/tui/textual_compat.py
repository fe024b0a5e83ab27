"""The one module that touches Textual's private names; each use is a small named function saying what we rely on.

Textual is pinned to one exact version (pyproject.toml) and tests/architecture/test_textual_compat.py
checks that every name used here still exists and does what we rely on, and that no other module of
the product, its tests or its benchmarks reaches a Textual private name. Where a public API does the
same job as fast, it is used instead, outside this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App
    from textual.events import Key
    from textual.geometry import Size
    from textual.pilot import Pilot
    from textual.screen import Screen
    from textual.widget import AwaitMount, Widget

# Every private name used below, by the Textual object that holds it: what the compat test checks.
RELIED_ON: dict[str, tuple[str, ...]] = {
    "textual.app.App": ("_get_screen", "_css_update_count", "_batch_count"),
    "textual.screen.Screen": ("_refresh_layout", "_on_timer_update", "_compositor", "_css_update_count"),
    "textual.widget.Widget": ("_scroll_update",),
    "textual.scroll_view.ScrollView": ("_size_updated",),
    "textual.pilot.Pilot": ("_wait_for_screen",),
    "textual.message_pump.MessagePump": ("_message_queue",),
    "textual.keys": ("_character_to_key", "_get_unicode_name_from_key"),
}


# -- screens built before they are shown ------------------------------------------------------------
def mount_unseen(app: App, screen: Screen) -> AwaitMount:
    """Mount an installed screen without showing it; await the result for its widgets to be mounted.

    `App._get_screen` registers a screen that is not running yet (what `push_screen` does before it
    shows one) and returns it with an awaitable for its mount.
    """
    return app._get_screen(screen)[1]


def lay_out_unseen(screen: Screen, size: Size) -> None:
    """Lay out `screen` for `size` now, shown or not (`Screen._refresh_layout`: arrange, then tell the widgets their size)."""
    screen._refresh_layout(size)


def paint_now(screen: Screen) -> None:
    """Draw what changed on `screen` now, as its next update-timer tick would (`Screen._on_timer_update`).

    It does nothing while updates are held (`App.batch_update`) or when `screen` is not the current one.
    """
    screen._on_timer_update()


def updates_held(app: App) -> bool:
    """Whether drawing is held back now (`App._batch_count`: `batch_update`, or a screen switch's `delay_update`)."""
    return bool(app._batch_count)


# -- styles ---------------------------------------------------------------------------------------
def css_generation(app: App) -> int:
    """A number that changes whenever the app's CSS or theme changes (`App._css_update_count`).

    Textual itself compares it with a screen's own count to decide whether to restyle that screen.
    """
    return app._css_update_count


def restyled_for_css(screen: Screen) -> int:
    """The CSS generation Textual last restyled `screen` for (`Screen._css_update_count`; -1 before any).

    `App.refresh_css` sets it on every screen in the stack when the theme or CSS changes.
    """
    return screen._css_update_count


# -- scrolling ------------------------------------------------------------------------------------
def scroll_update(widget: Widget, size: Size) -> None:
    """Update `widget`'s scrollbars and clamp its scroll position for a virtual `size`, without a layout.

    `Widget._scroll_update` is what Textual runs after a layout changed a widget's virtual size.
    """
    widget._scroll_update(size)


class SizedByItself:
    """For a ScrollView that sets its own `virtual_size` (a count of rows, not children laid out): a layout
    updates its scrollbars only when its size changed, not on every layout. Mix in before ScrollView.

    ScrollView's `_size_updated` compares the virtual size the layout passes (the region's) with the
    widget's own, which for a list longer than its viewport always differ: every layout that placed
    the list updated its scrollbars, and the vertical one asked to be drawn again, a frame of its own
    after the layout's (a tab switch was done a timer tick later than its content was on screen).
    Such a widget keeps its scrollbars right itself whenever it sets its virtual size (`scroll_update`);
    should a layout find the vertical one not what the rows need, Textual's own update runs (it shows
    or hides it), as it always did.
    """

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        own = self.virtual_size  # type: ignore[attr-defined]
        styles = self.styles  # type: ignore[attr-defined]
        if styles.overflow_y == "auto" and (own.height > (size - styles.gutter.totals).height) != self.show_vertical_scrollbar:  # type: ignore[attr-defined]
            own = virtual_size
        return super()._size_updated(size, own, container_size, layout)  # type: ignore[misc]


# -- tests and benchmarks -------------------------------------------------------------------------
def screen_lines(screen: Screen) -> list[str]:
    """What `screen` shows, as plain text lines (`Screen._compositor`: the whole screen as last arranged)."""
    return [strip.text for strip in screen._compositor.render_strips()]


async def wait_for_screen(pilot: Pilot) -> bool:
    """Until the app and the current screen's nodes have handled what was queued to them (`Pilot._wait_for_screen`).

    Unlike `Pilot.pause`, it waits on the message queues, not for the CPU to go idle.
    """
    return await pilot._wait_for_screen()


def pending_messages(app: App) -> int:
    """Messages and events queued, not yet handled, by the app and every node of every screen in its stack
    (`MessagePump._message_queue`).

    A message handled can post another (a window read posts "arrived", whose handler posts "loaded",
    whose handler opens a profile): `wait_for_screen` waits only for what was queued when it started.
    """
    nodes = [app, *(node for screen in app.screen_stack for node in screen.walk_children(with_self=True))]
    return sum(node._message_queue.qsize() for node in nodes)


def key_event(key: str) -> Key:
    """The Key event Pilot sends for `key` (same naming rules: `App._press_keys` and `textual.keys`' helpers)."""
    import unicodedata

    from textual import events
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)
