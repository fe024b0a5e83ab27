"""The user list: users by latest activity, a window of them held at a time (see `WindowedList`).

A live refresh re-reads the window around the followed profile, so the cursor stays on
the same user and that row stays on the same screen line (unless the list is at the top, where
new arrivals are shown pushing in above).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from rich.text import Text
from textual.message import Message

from ...reader import StoreReader, UserQuery, UserWindow
from ...store.queries import UserRow
from .. import formatting, safe
from .virtual_list import columns_text
from .windowed_list import MARGIN, WINDOW, Window, WindowedList

LIVE_DOT = "●"


@dataclass(frozen=True, slots=True)
class Layout:
    dot: int
    name: int
    kind: int
    country: int
    sessions: int
    events: int
    last_seen: int
    first_seen: int
    tags: int


def layout(width: int) -> Layout:
    """Column widths for a width: fixed numbers, the name and the tags share what is left."""
    fixed = Layout(dot=1, name=0, kind=10, country=11, sessions=5, events=7, last_seen=9, first_seen=10, tags=0)
    gaps = 8
    used = fixed.dot + fixed.kind + fixed.country + fixed.sessions + fixed.events + fixed.last_seen + fixed.first_seen + gaps
    rest = max(20, width - used)
    name = max(14, rest * 11 // 20)
    return Layout(**{**{f: getattr(fixed, f) for f in fixed.__dataclass_fields__}, "name": name, "tags": max(0, rest - name)})


def header_text(width: int) -> Text:
    lay = layout(width)
    return columns_text(
        [
            (" ", lay.dot), ("Name or id", lay.name), ("Kind", lay.kind), ("Country", lay.country),
            (Text("Sess", justify="right"), lay.sessions), (Text("Events", justify="right"), lay.events),
            ("Last seen", lay.last_seen), ("First seen", lay.first_seen), ("Tags", lay.tags),
        ]
    )


class UserList(WindowedList[UserQuery, UserRow]):
    """Users matching a query, newest activity first."""

    WINDOW_GROUP = "users-window"

    class NewAbove(Message):
        """`count` rows arrived above the viewport since the list was last at its top."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(self, reader: StoreReader, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(reader, UserQuery(), UserWindow(total=0, start=0, rows=()), id=id)
        self.chosen = False  # the person moved the cursor: it then stays on that user
        self.new_above = 0

    # -- the rows -----------------------------------------------------------------
    def row_key(self, row: UserRow) -> Hashable:
        return row.profile_id

    def user_at(self, index: int) -> UserRow | None:
        return self.row_at(index)

    @property
    def current_user(self) -> UserRow | None:
        return self.current

    def row_text(self, index: int, width: int) -> Text | None:
        user = self.user_at(index)
        if user is None:
            return None
        now = self.reader.now()
        # Re-evaluated on every draw: dots fade on time. An excluded user is out of every count, "live now" too: no dot.
        live = not user.excluded and now - user.last_seen < self.reader.settings.live_ms
        lay = layout(width)
        tz = self.reader.clock.tz
        tags = [t for t in user.tags if t != "live"]  # the dot says it, and fades on time
        tags_text = Text(", ".join(tags), style="cyan")
        name_style = "bold" if user.kind == "identified" else ""
        if user.excluded:
            # Still listed so staff can find them, but visibly out of every count.
            tags_text = Text("excluded" + (", " if tags else ""), style="bold red") + tags_text
            name_style = "dim strike"
        return columns_text(
            [
                (Text(LIVE_DOT if live else " ", style="bold green"), lay.dot),
                (safe.person(user.display_name, style=name_style, is_name=bool(user.name)), lay.name),
                (Text(user.kind, style="" if user.kind == "identified" else "dim"), lay.kind),
                (safe.text(user.country or ""), lay.country),
                (Text(formatting.count(user.sessions), justify="right"), lay.sessions),
                (Text(formatting.count(user.events), justify="right"), lay.events),
                (Text(formatting.ago(user.last_seen, now)), lay.last_seen),
                (Text(formatting.day(user.first_seen, tz), style="dim"), lay.first_seen),
                (tags_text, lay.tags),
            ]
        )

    # -- loading ------------------------------------------------------------------
    def set_query(self, query: UserQuery) -> None:
        """Show another query's users from the top (a new search or period)."""
        self.set_criteria(query)

    def read_window(self, criteria: UserQuery, start: int, *, follow: Hashable | None, anchor: int) -> UserWindow:
        return self.reader.user_window(criteria, start, WINDOW, follow=follow, anchor=anchor)  # type: ignore[arg-type]

    def refresh_keeping_cursor(self) -> None:
        """Re-read after the store changed: same user under the cursor, on the same screen line."""
        if not self.loaded_once or self.live_read_busy():
            return
        user = self.current_user
        follow = user.profile_id if user is not None and self.chosen else None
        line = self.cursor - self.first_visible
        start = max(0, self.first_visible - MARGIN)
        self.fetch(start, follow=follow, anchor=MARGIN + line, live=True)

    def read_again_live(self) -> None:
        self.refresh_keeping_cursor()

    def show_window(self, window: Window[UserRow], *, reset: bool, live: bool) -> None:
        # Who is under the cursor now (the user may have moved it while this was in flight).
        before = self.current_user
        line, top = self.cursor - self.first_visible, self.first_visible
        self.hold(window)
        if reset:
            self.chosen = False
            self.place(0, 0)
        elif not self.chosen:
            # Nobody has picked a row yet: the list is a live feed, newest on top.
            if live:
                self.place(0, 0)
            else:
                self.rows_changed()
        else:
            index = self.index_of(before.profile_id) if before is not None else None
            if index is None:
                index = min(self.cursor, max(0, self.total - 1))
            self.place(index, line)
            if live and self.first_visible > top:
                self.new_above += self.first_visible - top
        if self.first_visible == 0:
            self.new_above = 0
        self.refresh()

    def post_loaded(self) -> None:
        super().post_loaded()
        self.post_message(self.NewAbove(self.new_above))

    # -- the cursor: picked by the person, or following the newest ---------------
    def action_first(self) -> None:
        """Back to the top: the list follows the newest arrivals again."""
        self.chosen = False
        self.new_above = 0
        self.set_cursor(0)
        self.post_message(self.NewAbove(0))

    def cursor_chosen(self) -> None:
        self.chosen = True
