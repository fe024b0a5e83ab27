"""What the app tells the screens in its stack: the period changed, the store changed, masking went on or off (Textual Signals).

The app publishes; a screen hears while it is in the app's screen stack (an installed screen the app
keeps for later hears nothing until it is shown again, which reads afresh anyway). The callback runs
at once, inside the app's handler, as when the app called each screen itself.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from textual.signal import Signal

from .messages import StoreChanged

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.screen import Screen

T = TypeVar("T")


class Broadcasts:
    """The app's signals; the app holds one as `broadcasts`."""

    def __init__(self, app: App) -> None:
        self.period: Signal[str] = Signal(app, "period")
        self.store: Signal[StoreChanged] = Signal(app, "store-changed")
        # What the title bars say about the store's connection: "" while it is fine.
        self.connection: Signal[str] = Signal(app, "store-connection")
        self.connection_note = ""
        # Masking for screen sharing went on (True) or off: what is on screen is drawn again.
        self.mask: Signal[bool] = Signal(app, "mask")


class _Broadcasting(Protocol):
    broadcasts: Broadcasts


def broadcasts(node: DOMNode) -> Broadcasts:
    """The signals of the app `node` runs in."""
    return cast(_Broadcasting, node.app).broadcasts


def hear_while_stacked(signal: Signal[T], handler: Callable[[T], object]) -> None:
    """Call `handler`, a method of a mounted screen, on each publish of `signal` while that screen is in the stack.

    The subscription holds the screen weakly: a closed screen is not kept alive until the next publish
    (a Signal keeps what its callbacks refer to).
    """
    screen = cast("Screen", handler.__self__)  # type: ignore[attr-defined]
    method = weakref.WeakMethod(handler)  # type: ignore[arg-type]

    def heard(data: T) -> None:
        bound = method()
        if bound is None or bound.__self__ not in bound.__self__.app.screen_stack:
            return
        try:
            bound(data)
        except Exception as error:  # noqa: BLE001 - a Signal logs and drops it: hand it to Textual, which stops the app, as before
            bound.__self__.call_next(_raise, error)

    signal.subscribe(screen, heard, immediate=True)


def _raise(error: Exception) -> None:
    raise error
