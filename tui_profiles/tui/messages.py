"""Messages that cross the app: the store changed under us (from the watcher's thread)."""

from __future__ import annotations

from textual.message import Message


class StoreChanged(Message):
    """New events were stored: these profiles were created or changed, those removed (merged away).

    A burst of batches coalesces into one message, so the screens refresh once per burst.
    """

    def __init__(self, touched: frozenset[int], removed: frozenset[int] = frozenset()) -> None:
        super().__init__()
        self.touched = touched
        self.removed = removed

    def can_replace(self, message: Message) -> bool:
        # Called with the next pending message: if it is also a change, it absorbs this one.
        if isinstance(message, StoreChanged):
            message.touched = message.touched | self.touched
            message.removed = message.removed | self.removed
            return True
        return False
