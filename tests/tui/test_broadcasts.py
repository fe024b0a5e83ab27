"""A screen hears the app's broadcasts only while in the stack, without the subscription keeping it alive."""

from __future__ import annotations

import gc
import weakref
from types import SimpleNamespace

import pytest

from tui_profiles.tui.broadcasts import hear_while_stacked


class Signal:
    """Records the subscription, as a Textual Signal keeps it (strongly)."""

    def subscribe(self, node: object, callback, immediate: bool = False) -> None:  # noqa: ANN001
        self.node, self.callback, self.immediate = node, callback, immediate


class Screen:
    app = SimpleNamespace(screen_stack=[])

    def __init__(self) -> None:
        self.heard: list[int] = []
        self.later: list[tuple[object, tuple[object, ...]]] = []

    def period_changed(self, data: int) -> None:
        if data < 0:
            raise ValueError(data)
        self.heard.append(data)

    def call_next(self, callback: object, *args: object) -> None:
        self.later.append((callback, args))


def test_heard_at_once_while_in_the_stack_and_not_kept_alive() -> None:
    screen, signal = Screen(), Signal()
    Screen.app.screen_stack[:] = [screen]
    hear_while_stacked(signal, screen.period_changed)  # type: ignore[arg-type]
    assert signal.node is screen and signal.immediate
    signal.callback(1)
    Screen.app.screen_stack[:] = []
    signal.callback(2)  # kept by the app for later, out of the stack: not heard
    assert screen.heard == [1]
    # An error is handed to the screen's next callback (Textual's handler stops the app), not dropped.
    Screen.app.screen_stack[:] = [screen]
    signal.callback(-1)
    (reraise, (error,)), = screen.later
    with pytest.raises(ValueError):
        reraise(error)  # type: ignore[operator]
    # What the signal keeps does not keep the screen alive once it is closed.
    probe = weakref.ref(screen)
    Screen.app.screen_stack[:] = []
    del screen, signal.node, error
    gc.collect()
    assert probe() is None
    signal.callback(3)  # and is harmless afterwards
