"""Cohorts: the saved filters with their size now, and the retention grid of the one under the cursor.

Retention groups users by the week they were first seen and shows, for each week after,
the share who came back (a session). With a first and a return event it becomes "did X,
then came back and did Y": grouped by the week of their first X, back means doing Y.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from ...domain.filters import FilterSyntaxError
from ...domain.goals import GoalError
from ...reader import StoreReader
from ...store.retention import CohortRow, RetentionTable
from .. import formatting, safe
from ..widgets.footer import Footer
from ..widgets.retention_grid import RetentionGrid
from ..widgets.rows_list import RowsList
from ..widgets.title_bar import TitleBar
from ..widgets.virtual_list import VirtualList, columns_text
from ..workers import ReportsWorkerErrors
from .visible import FollowsStore

WEEKS = (8, 12, 4)  # `w` cycles through them
EVERYONE = CohortRow(name="Everyone", query="", users=None)


@dataclass(frozen=True, slots=True)
class RetentionAsk:
    """What the grid shows: a cohort's filter (empty: everyone), how many weeks, and an event pair or none."""

    cohort: CohortRow
    weeks: int
    first_event: str | None
    return_event: str | None


class CohortsScreen(ReportsWorkerErrors, FollowsStore, Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="cohorts.back"),
        Binding("e", "events", "Event pair", id="cohorts.events"),
        Binding("w", "weeks", "Weeks", id="cohorts.weeks"),
    ]

    DEFAULT_CSS = """
    CohortsScreen #cohort-list { height: 1fr; min-height: 3; }
    CohortsScreen #event-pair { height: 1; padding: 0 1; background: $boost; }
    CohortsScreen #event-pair > Input { width: 1fr; background: $surface; }
    CohortsScreen #event-pair > Static { width: auto; padding: 0 1; color: $text-muted; }
    CohortsScreen #pair-error { height: auto; color: $error; padding: 0 1; display: none; }
    CohortsScreen #pair-error.-shown { display: block; }
    CohortsScreen #retention-title { height: 1; padding: 0 1; background: $boost; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    class CohortsLoaded(Message, bubble=False):
        def __init__(self, cohorts: list[CohortRow]) -> None:
            super().__init__()
            self.cohorts = cohorts

    class RetentionLoaded(Message, bubble=False):
        def __init__(self, generation: int, table: RetentionTable | None, error: str | None) -> None:
            super().__init__()
            self.generation, self.table, self.error = generation, table, error

    def __init__(self, reader: StoreReader) -> None:
        super().__init__(id="cohorts-screen")
        self.reader = reader
        self.weeks = WEEKS[0]
        self._generation = 0
        self._stale = False

    def compose(self) -> ComposeResult:
        yield TitleBar(Text("tui-profiles", style="bold") + Text(" · Cohorts and retention"), id="title")
        yield Static("", id="cohort-columns", classes="columns", markup=False)
        yield RowsList(self._cohort_line, identity=lambda c: c.name, selectable=False, id="cohort-list")
        with Horizontal(id="event-pair"):
            yield Static(Text("did"), markup=False)
            yield Input(placeholder="first event, e.g. Signed Up", compact=True, id="first-event")
            yield Static(Text("then came back and did"), markup=False)
            yield Input(placeholder="return event, e.g. Order Completed", compact=True, id="return-event")
        yield Static("", id="pair-error", markup=False)
        yield Static("", id="retention-title", markup=False)
        yield RetentionGrid(id="retention")
        yield Footer()

    @property
    def cohort_list(self) -> RowsList:
        return self.query_one("#cohort-list", RowsList)

    def on_resize(self) -> None:
        width = self.cohort_list.scrollable_content_region.width or self.size.width
        self.query_one("#cohort-columns", Static).update(_cohort_header(width))

    def on_mount(self) -> None:
        self.cohort_list.set_rows([EVERYONE])
        self.cohort_list.focus()
        self.load_cohorts()
        self._show_weeks()

    # -- loading ------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="cohorts", exit_on_error=False)
    def load_cohorts(self) -> None:
        cohorts = self.reader.cohorts()
        if not get_current_worker().is_cancelled:
            self.post_message(self.CohortsLoaded(cohorts))

    def on_cohorts_screen_cohorts_loaded(self, message: CohortsLoaded) -> None:
        self.cohort_list.set_rows([EVERYONE, *message.cohorts])
        self._reload_retention()

    def _ask(self) -> RetentionAsk:
        cohort = self.cohort_list.current or EVERYONE
        first = self.query_one("#first-event", Input).value.strip() or None
        back = self.query_one("#return-event", Input).value.strip() or None
        return RetentionAsk(cohort, self.weeks, first, back)

    def _reload_retention(self) -> None:
        ask = self._ask()
        self._show_title(ask)
        error = None
        if (ask.first_event is None) != (ask.return_event is None):
            error = "give both events (or neither: then coming back means starting a session)"
        self._show_pair_error(error)
        if ask.cohort.error:
            self._generation += 1  # drop a table still on its way
            self.query_one(RetentionGrid).show_message(f"this saved filter cannot be read: {safe.clean(ask.cohort.error)}")
            return
        if error:
            ask = RetentionAsk(ask.cohort, ask.weeks, None, None)
        self._generation += 1
        self.load_retention(self._generation, ask)

    @work(thread=True, exclusive=True, group="retention", exit_on_error=False)
    def load_retention(self, generation: int, ask: RetentionAsk) -> None:
        table, error = None, None
        try:
            table = self.reader.retention(
                weeks=ask.weeks, filter_text=ask.cohort.query or None, first_event=ask.first_event, return_event=ask.return_event
            )
        except (FilterSyntaxError, GoalError, ValueError) as exc:  # typed by a person: shown, not raised
            error = str(exc)
        if not get_current_worker().is_cancelled:
            self.post_message(self.RetentionLoaded(generation, table, error))

    def on_cohorts_screen_retention_loaded(self, message: RetentionLoaded) -> None:
        if message.generation != self._generation:
            return
        grid = self.query_one(RetentionGrid)
        if message.table is None:
            self._show_pair_error(message.error)
            grid.show_message("no table: " + safe.clean(message.error or ""))
        else:
            grid.show(message.table)

    # -- text ---------------------------------------------------------------------
    def _cohort_line(self, cohort: CohortRow, width: int) -> Text:
        if cohort is EVERYONE:
            size = Text("all", style="dim", justify="right")
            query = Text("every user (excluded users left out)", style="dim")
        elif cohort.users is None:
            size = Text("error", style="bold red", justify="right")
            query = safe.text(cohort.error or "", style="red")
        else:
            size = Text(formatting.count(cohort.users), style="bold", justify="right")
            query = safe.text(cohort.query, style="cyan")
        name_w, query_w = _widths(width)
        return columns_text([(Text(" "), 1), (safe.text(cohort.name, style="bold"), name_w), (size, 10), (query, query_w)])

    def _show_title(self, ask: RetentionAsk) -> None:
        title = Text("Retention ", style="bold")
        title.append_text(safe.text(ask.cohort.name, style="bold cyan"))
        if ask.first_event and ask.return_event:
            title.append(" · by the week of their first ", style="dim")
            title.append_text(safe.text(ask.first_event, style="bold"))
            title.append(" · back = did ", style="dim")
            title.append_text(safe.text(ask.return_event, style="bold"))
        else:
            title.append(" · by the week first seen (Monday, UTC) · back = started a session", style="dim")
        self.query_one("#retention-title", Static).update(title)

    def _show_pair_error(self, error: str | None) -> None:
        line = self.query_one("#pair-error", Static)
        line.update(Text(safe.clean(error or "")))
        line.set_class(bool(error), "-shown")

    def _show_weeks(self) -> None:
        self.query_one(TitleBar).right = Text.assemble((f"{self.weeks} weeks", "bold reverse"), (" (w: change)", "dim"))

    # -- live ---------------------------------------------------------------------
    def catch_up(self) -> None:
        self.load_cohorts()

    # -- keys ---------------------------------------------------------------------
    def on_virtual_list_highlighted(self, message: VirtualList.Highlighted) -> None:
        if message.source is self.cohort_list:
            self._reload_retention()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        if message.input.id == "first-event":
            self.query_one("#return-event", Input).focus()
        else:
            self.cohort_list.focus()
        self._reload_retention()

    def action_events(self) -> None:
        self.query_one("#first-event", Input).focus()

    def action_weeks(self) -> None:
        self.weeks = WEEKS[(WEEKS.index(self.weeks) + 1) % len(WEEKS)]
        self._show_weeks()
        self._reload_retention()

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.cohort_list.focus()
        else:
            self.app.pop_screen()


def _widths(width: int) -> tuple[int, int]:
    """(name, filter) widths; the size column is 10 wide."""
    name_w = max(12, min(30, width // 3))
    return name_w, max(4, width - name_w - 14)


def _cohort_header(width: int) -> Text:
    name_w, query_w = _widths(width)
    return columns_text([(" ", 1), ("Cohort (saved filter)", name_w), (Text("Users now", justify="right"), 10), ("Filter", query_w)])
