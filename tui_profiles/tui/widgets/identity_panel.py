"""A profile's Identity tab: why each anonymous id is linked to this person, and who else shares it.

One row per link (or per anonymous id only used while signed in): the id (for an anonymous profile, the user
it was linked to), where its events came from, first and last seen on it, how and when it was linked, how
many anonymous events the link brought, the file and line of the linking event, and the other users the id
is linked to (or, for a link made or taken apart by hand, who did it). A line above the rows warns of a shared
device or a blob. It loads itself in a thread worker when shown; `enter` opens the linking event.
"""

from __future__ import annotations

from pathlib import PurePath

from rich.text import Text
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Static

from ...domain.identity import ANONYMOUS, VIA_UNLINKED_BY_HAND
from ...domain.tags import SHARED_DEVICE, TOO_MANY_IDS
from ...reader import StoreReader
from ...store.identity_links import IdentityLinkRow, IdentityReport
from .. import formatting, safe
from .profile_tab import ProfileTab
from .rows_list import RowsList
from .virtual_list import columns_text

# Fixed columns: lead 1, source 7, first 10, last 10, how 13, linked at 16, events 6; a space between each of the ten.
_FIXED = 1 + 7 + 10 + 10 + 13 + 16 + 6 + 9


def _widths(width: int) -> tuple[int, int, int]:
    """(id, from, shared with) widths out of what the fixed columns leave."""
    rest = max(36, width - _FIXED)
    ident = max(12, min(24, rest * 2 // 5))
    origin = max(10, min(20, (rest - ident) // 2))
    return ident, origin, rest - ident - origin


def header_text(width: int, anonymous: bool) -> Text:
    ident, origin, shared = _widths(width)
    return columns_text(
        [(" ", 1), ("User" if anonymous else "Anonymous id", ident), ("Source", 7), ("First seen", 10), ("Last seen", 10),
         ("How linked", 13), ("Linked at", 16), (Text("Events", justify="right"), 6), ("From", origin),
         ("Also linked to", shared)]  # fmt: skip
    )


def warning_text(report: IdentityReport, max_anon_ids: int) -> Text:
    out = Text(no_wrap=True, end="")
    if TOO_MANY_IDS in report.flags:
        ids = len({r.anonymous_id for r in report.links})
        out.append(f"⚠ {ids} anonymous ids, over {max_anon_ids} (max_anon_ids): a tracking bug may have merged strangers  ",
                   style="bold yellow")  # fmt: skip
    if SHARED_DEVICE in report.flags:
        out.append("⚠ shared device: an id here is linked to other users too (Also linked to)", style="bold yellow")
    return out


class IdentityPanel(ProfileTab):
    """The warning line, the column header and the links of one profile."""

    DEFAULT_CSS = """
    IdentityPanel { height: 1fr; }
    IdentityPanel > #identity-warning { height: auto; }
    IdentityPanel > #identity-columns { height: 1; }
    """
    READ_GROUP = "identity"
    LIST_ID = "identity-list"

    class Loaded(Message, bubble=False):
        def __init__(self, profile_id: int, report: IdentityReport | None) -> None:
            super().__init__()
            self.profile_id, self.report = profile_id, report

    def __init__(self, reader: StoreReader, profile_id: int | None, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(reader, profile_id, id=id)
        self.report: IdentityReport | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="identity-warning", markup=False)
        yield Static("", id="identity-columns", classes="columns", markup=False)
        yield RowsList(self._line, identity=lambda r: (r.anonymous_id, r.user_id, r.at), empty="loading…", id="identity-list")

    def on_resize(self) -> None:
        self._draw_header()

    def _draw_header(self) -> None:
        anonymous = self.report is not None and self.report.kind == ANONYMOUS
        width = self.rows.scrollable_content_region.width or self.size.width
        self.query_one("#identity-columns", Static).update(header_text(width, anonymous))

    def clear(self) -> None:
        super().clear()
        self.report = None
        self.query_one("#identity-warning", Static).update("")

    def read_profile(self, profile_id: int) -> IdentityReport | None:
        return self.reader.identity(profile_id)

    def on_identity_panel_loaded(self, message: Loaded) -> None:
        if not self.is_current(message.profile_id):
            return
        report = self.report = message.report
        self.query_one("#identity-warning", Static).update(
            warning_text(report, self.reader.settings.max_anon_ids) if report else Text("")
        )
        self._draw_header()
        anonymous = report is not None and report.kind == ANONYMOUS
        self.rows.empty = "never linked to a user" if anonymous else "no anonymous ids"
        self.rows.set_rows(list(report.links) if report else [])
        self.read.set()

    def on_virtual_list_selected(self, message: RowsList.Selected) -> None:
        message.stop()
        row = self.rows.current
        if row is not None and row.event_id is not None:
            self.open_event(row.event_id)

    def _line(self, row: IdentityLinkRow, width: int) -> Text:
        ident_w, origin_w, shared_w = _widths(width)
        tz = self.reader.clock.tz
        anonymous = self.report is not None and self.report.kind == ANONYMOUS
        origin = Text("")
        if row.file:
            origin = safe.text(PurePath(row.file).name, style="dim")
            origin.append(f":{row.line}", style="dim")
        return columns_text(
            [
                (Text(" "), 1),
                (safe.text(row.user_id if anonymous else row.anonymous_id, style="bold"), ident_w),
                (Text(row.source or ""), 7),
                (Text(formatting.day(row.first_seen, tz) if row.first_seen is not None else "", style="dim"), 10),
                (Text(formatting.day(row.last_seen, tz) if row.last_seen is not None else "", style="dim"), 10),
                (Text(row.via, style="cyan"), 13),
                (Text(formatting.stamp(row.at, tz)), 16),
                (Text(formatting.count(row.events), justify="right"), 6),
                # A link made or taken apart by hand has no file: who did it takes both last columns.
                *([(origin, origin_w), (self._others(row), shared_w)] if row.by is None
                  else [(self._others(row), origin_w + 1 + shared_w)]),  # fmt: skip
            ]
        )

    @staticmethod
    def _others(row: IdentityLinkRow) -> Text:
        """Who else the id is linked to; for a link made or taken apart by hand, who did it."""
        if row.by is not None:
            out = Text("unlinked by hand, by " if row.via == VIA_UNLINKED_BY_HAND else "linked by hand, by ", style="magenta")
            out.append_text(safe.text(row.by, style="bold magenta"))
            return out
        return safe.text(", ".join(row.shared_with), style="bold yellow")
