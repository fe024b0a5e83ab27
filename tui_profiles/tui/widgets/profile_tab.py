"""A profile tab that reads its own rows (Feedback, Identity): in a thread, when shown, for the profile on screen.

The profile screen is reused for every profile, so `show` switches to another profile and clears what
the last one left; an answer read for the profile shown before is dropped (`is_current`). A tab that is
never opened costs no query. `read` is set once the rows of the profile shown have arrived.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from textual.containers import Vertical

from ...reader import StoreReader
from ..messages import OpenEvent
from ..workers import ReportsWorkerErrors, read_now
from .rows_list import RowsList


class ProfileTab(ReportsWorkerErrors, Vertical):
    """Subclasses name their worker group and list, read one profile's answer, and handle their `Loaded`."""

    READ_GROUP: ClassVar[str]
    LIST_ID: ClassVar[str]

    def __init__(self, reader: StoreReader, profile_id: int | None, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.reader = reader
        self.profile_id = profile_id
        self.read = asyncio.Event()

    @property
    def rows(self) -> RowsList:
        return self.query_one(f"#{self.LIST_ID}", RowsList)

    def on_mount(self) -> None:
        if self.profile_id is not None:
            self.load()

    def show(self, profile_id: int) -> None:
        self.clear()
        self.profile_id = profile_id
        self.load()

    def clear(self) -> None:
        self.profile_id = None
        self.read.clear()
        self.rows.empty = "loading…"
        self.rows.set_rows([], keep_cursor=False)

    def load(self) -> None:
        profile_id = self.profile_id
        if profile_id is not None:
            read_now(self, self.READ_GROUP, lambda: self.post_message(self.Loaded(profile_id, self.read_profile(profile_id))))  # type: ignore[attr-defined]

    def read_profile(self, profile_id: int) -> Any:
        """The tab's answer for this profile (runs on a thread)."""
        raise NotImplementedError

    def is_current(self, profile_id: int) -> bool:
        """Whether an answer read for this profile is still for the one shown."""
        return profile_id == self.profile_id

    def open_event(self, event_id: int) -> None:
        """`enter` on a row: the App opens the event (tui/messages.py), as from any screen."""
        self.app.post_message(OpenEvent(event_id))
