"""`E` on Users: export the users listed (the search and period in effect) to a CSV file, with a progress bar.

The path is confirmed first in the profile export's dialog (screens/export_dialog.py), set for a list:
`users-<period>.csv` in the same folder, CSV only. The rows are read and written a page at a time in a
thread worker (reader.export_users); when that takes more than a moment (`PROGRESS_AFTER_S`) a small
dialog shows a progress bar, and `escape` there stops the export, leaving no file. A notification says
how many users went where.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Input, ProgressBar, Static

from ...domain.ticket import Masker
from ...reader import ExportCancelled, UserQuery
from .. import formatting, safe
from .export_dialog import CSV, ExportDialog, ExportRequest

if TYPE_CHECKING:
    from ...reader import StoreReader
    from ..search import SearchCompiled

EXPORT_LIST_BINDING = Binding("E", "export_list", "Export list", show=False,
                              tooltip="Export the users listed (search and period) to a CSV file", id="users.export")  # fmt: skip
PROGRESS_AFTER_S = 0.4


class ListExportDialog(ExportDialog):
    """The export dialog for the user list: which users, and the file (CSV)."""

    def __init__(self, description: str, file_name: str, folder: Path | None = None) -> None:
        super().__init__(file_name, description, folder)
        self.file_name = file_name

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Export the user list", style="bold"), markup=False)
            yield Static(Text(self.display_name), markup=False)
            yield Static(
                Text("One row a user: the list's columns, ids and traits (CSV, spreadsheet-safe). Enter writes it "
                     "(a file there is replaced); escape cancels.", style="dim"),
                markup=False,
            )  # fmt: skip
            yield Input(str(self.folder / self.file_name), id="export-path")
            with Horizontal():
                yield Button("Cancel", id="export-cancel")
                yield Button("Export", variant="primary", id="export-go")

    def _chosen(self) -> str:
        return CSV

    def _request(self) -> ExportRequest | None:
        request = super()._request()
        return ExportRequest(request.path, CSV) if request is not None else None


class ExportProgress(ModalScreen[None]):
    """How far a list export is; `escape` stops it."""

    BINDINGS = [Binding("escape", "stop", "Stop", id="export_progress.stop")]

    DEFAULT_CSS = """
    ExportProgress { align: center middle; }
    ExportProgress > Vertical { width: 72; max-width: 100%; height: auto; border: round $accent; background: $surface; padding: 0 1; }
    ExportProgress Static { height: auto; }
    ExportProgress ProgressBar { margin: 1 0; }
    """

    def __init__(self, path: Path, total: int, written: int, stop: threading.Event) -> None:
        super().__init__()
        self.path, self.total, self.written, self.stop = path, total, written, stop

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Exporting {formatting.count(self.total)} users to ") + safe.text(str(self.path)), markup=False)
            yield ProgressBar(total=max(1, self.total), show_eta=False, id="export-progress")
            yield Static(Text("escape stops it (nothing is written)", style="dim"), id="export-progress-hint", markup=False)

    def on_mount(self) -> None:
        self._draw()

    def advance(self, written: int, total: int) -> None:
        self.written, self.total = written, total
        if self.is_mounted:  # else drawn on mount
            self._draw()

    def _draw(self) -> None:
        self.query_one(ProgressBar).update(total=max(1, self.total), progress=self.written)

    def action_stop(self) -> None:
        self.stop.set()
        self.query_one("#export-progress-hint", Static).update(Text("stopping…", style="bold"))


class ExportsList:
    """A mixin for the Users screen (which has `reader`, `search` and `period`)."""

    reader: StoreReader
    search: SearchCompiled
    period: str
    matching: int | None

    class ListProgress(Message, bubble=False):
        def __init__(self, written: int, total: int) -> None:
            super().__init__()
            self.written, self.total = written, total

    class ListExported(Message, bubble=False):
        def __init__(self, path: Path, written: int | None, error: str | None) -> None:
            super().__init__()
            self.path, self.written, self.error = path, written, error  # written None: stopped

    _list_export: tuple[threading.Event, Path, Timer] | None = None
    _list_progress: ExportProgress | None = None
    _list_figures: tuple[int, int] = (0, 0)

    def list_masker(self) -> Masker | None:
        """The masker in effect (masking for screen sharing), None while masking is off."""
        return safe.masking()

    def action_export_list(self) -> None:
        app = self.app  # type: ignore[attr-defined]
        if self._list_export is not None:
            app.notify("An export of the list is already running.", severity="warning", markup=False)
            return
        query = UserQuery(period=self.period, condition=self.search.condition)
        which = "everyone" if not self.search.text else f"the users matching {safe.clean(self.search.text)}"
        period = "of all time" if self.period == "all" else f"seen in the last {self.period}"
        count = f" ({formatting.count(self.matching)})" if self.matching is not None else ""
        dialog = ListExportDialog(f"{which} {period}{count}", f"users-{self.period}.csv")
        app.push_screen(dialog, lambda request: request is not None and self._start_list_export(query, request.path))

    def _start_list_export(self, query: UserQuery, path: Path) -> None:
        stop = threading.Event()
        timer = self.set_timer(PROGRESS_AFTER_S, self._show_list_progress)  # type: ignore[attr-defined]
        self._list_export, self._list_progress, self._list_figures = (stop, path, timer), None, (0, 0)
        self._export_list(query, path, stop, self.list_masker())

    @work(thread=True, exclusive=True, group="list-export", exit_on_error=False)
    def _export_list(self, query: UserQuery, path: Path, stop: threading.Event, mask: Masker | None) -> None:
        post = self.post_message  # type: ignore[attr-defined]
        written: int | None = None
        error = None
        try:
            written = self.reader.export_users(
                query, path, mask=mask, progress=lambda n, total: post(self.ListProgress(n, total)), cancelled=stop.is_set
            )
        except ExportCancelled:
            pass
        except OSError as exc:  # a missing folder, no permission: the file system's answer, shown to the person who asked
            error = f"cannot write {path}: {exc.strerror or exc}"
        post(self.ListExported(path, written, error))

    def _show_list_progress(self) -> None:
        if self._list_export is None:
            return  # done within the moment
        stop, path, _ = self._list_export
        written, total = self._list_figures
        self._list_progress = ExportProgress(path, total, written, stop)
        self.app.push_screen(self._list_progress)  # type: ignore[attr-defined]

    def on_exports_list_list_progress(self, message: ListProgress) -> None:
        self._list_figures = (message.written, message.total)
        if self._list_progress is not None:
            self._list_progress.advance(message.written, message.total)

    def on_exports_list_list_exported(self, message: ListExported) -> None:
        app = self.app  # type: ignore[attr-defined]
        if self._list_export is not None:
            self._list_export[2].stop()
        self._list_export = None
        progress, self._list_progress = self._list_progress, None
        if progress is not None and progress in app.screen_stack:
            progress.dismiss(None)
        shown = safe.clean(str(message.path))
        if message.error:
            app.notify(safe.clean(message.error), title="Export failed", severity="error", markup=False)
        elif message.written is None:
            app.notify(f"Export stopped: nothing was written to {shown}.", title="Not exported", markup=False)
        else:
            users = "user" if message.written == 1 else "users"
            app.notify(f"{formatting.count(message.written)} {users} written to {shown}", title="Exported", markup=False)
