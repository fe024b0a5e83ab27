"""Two small dialogs for saved filters: the name to save a search under, and "delete this one?".

Names and queries are typed by people sharing the store, so they are shown through `safe` too.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static
from textual.worker import get_current_worker

from ...reader import StoreReader
from .. import safe
from ..workers import ReportsWorkerErrors
from .delete_dialog import DeleteDialog, delete_bindings

NAME_MAX = 80

DIALOG_CSS = """
{cls} {{ align: center middle; background: $background 60%; }}
{cls} > Vertical {{
    width: 72; max-width: 95%; height: auto;
    border: round $border; background: $surface; padding: 0 1;
}}
{cls} .dialog-title {{ text-style: bold; }}
{cls} .dialog-query {{ color: $text-muted; height: auto; margin-bottom: 1; }}
{cls} .dialog-note {{ color: $text-muted; height: auto; }}
{cls} .dialog-note.-warning {{ color: $warning; }}
{cls} Horizontal {{ height: auto; align-horizontal: right; }}
{cls} Button {{ margin-left: 1; }}
"""


class SaveFilterScreen(ReportsWorkerErrors, ModalScreen[str | None]):
    """The name to save `query` under (None: cancelled). A name already saved is replaced, and says so."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="save_filter.cancel")]
    DEFAULT_CSS = DIALOG_CSS.format(cls="SaveFilterScreen")

    def __init__(self, reader: StoreReader, query: str, name: str = "") -> None:
        super().__init__()
        self.reader = reader
        self.filter_query = query
        self.default_name = name
        self.existing: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Save this search for everyone on the store (ctrl+p recalls it)", classes="dialog-title")
            yield Static(safe.content(self.filter_query), classes="dialog-query", markup=False)
            yield Input(self.default_name, placeholder="a name, like: buyers this week", max_length=NAME_MAX, id="filter-name")
            yield Static("", id="name-note", classes="dialog-note", markup=False)
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Save", variant="primary", id="save")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.load_names()

    @work(thread=True, exclusive=True, group="saved-filters", exit_on_error=False)
    def load_names(self) -> None:
        names = {f.name: f.query for f in self.reader.saved_filters()}
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._names_loaded, names)

    def _names_loaded(self, names: dict[str, str]) -> None:
        self.existing = names
        self._show_note()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show_note()

    def _show_note(self) -> None:
        name = self.query_one(Input).value.strip()
        note = self.query_one("#name-note", Static)
        replaces = name in self.existing and self.existing[name] != self.filter_query
        note.set_class(replaces, "-warning")
        if replaces:
            note.update(Text("replaces the saved filter of that name: ") + safe.text(self.existing[name]))
        else:
            note.update("enter saves · escape cancels")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._save()
        else:
            self.dismiss(None)

    def _save(self) -> None:
        name = self.query_one(Input).value.strip()
        if not name:
            self.query_one("#name-note", Static).update("type a name first")
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DeleteFilterScreen(DeleteDialog):
    """Delete the saved filter `name`? (for everyone on the store)"""

    BINDINGS = delete_bindings("delete_filter")
    DEFAULT_CSS = DIALOG_CSS.format(cls="DeleteFilterScreen")

    def __init__(self, name: str, query: str) -> None:
        super().__init__()
        self.filter_name = name
        self.filter_query = query

    def question(self) -> Text:
        return Text("Delete the saved filter ") + safe.text(self.filter_name, style="bold") + Text(" for everyone on the store?")

    def shown(self) -> Static:
        return Static(safe.content(self.filter_query), classes="dialog-query", markup=False)
