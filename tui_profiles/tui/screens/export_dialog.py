"""The export dialog: where to write one profile's file, and in which format (the person confirms the path).

CSV is a summary then one row an event, safe to open in a spreadsheet; JSONL is the raw events
as received. The default is `profile-<id>.csv` in the current folder, or in the home folder
when the current one cannot be written to.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from .. import safe

CSV, JSONL = "csv", "jsonl"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class ExportRequest:
    path: Path
    fmt: str


def default_folder() -> Path:
    here = Path.cwd()
    return here if os.access(here, os.W_OK) else Path.home()


def default_name(ident: str, fmt: str) -> str:
    """`profile-<id>.<fmt>`, the id reduced to characters every file system accepts."""
    slug = _UNSAFE_NAME.sub("_", ident).strip("._")[:60] or "profile"
    return f"profile-{slug}.{fmt}"


def format_of(path: str, chosen: str) -> str:
    """The suffix decides when it names a format; otherwise the chosen button does."""
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return JSONL
    if suffix == ".csv":
        return CSV
    return chosen


class ExportDialog(ModalScreen[ExportRequest | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    ExportDialog Static { height: auto; }
    ExportDialog Input { margin-top: 1; }
    ExportDialog RadioSet { width: 1fr; layout: horizontal; }
    ExportDialog Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    ExportDialog Button { margin-left: 2; }
    """

    def __init__(self, ident: str, display_name: str, folder: Path | None = None) -> None:
        super().__init__()
        self.ident = ident
        self.display_name = display_name
        self.folder = folder or default_folder()

    def compose(self) -> ComposeResult:
        with Vertical():
            title = Text("Export ", style="bold") + safe.text(self.display_name, style="bold")
            yield Static(title, markup=False)
            yield Static(
                Text("Every event of this profile, to this file (replaced if it exists). Enter writes it; tab: the format.", style="dim"),
                markup=False,
            )
            yield Input(str(self.folder / default_name(self.ident, CSV)), id="export-path")
            with RadioSet(id="export-format"):
                yield RadioButton("CSV: a summary, then one row an event (spreadsheet-safe)", value=True, id="fmt-csv")
                yield RadioButton("JSONL: the raw events", id="fmt-jsonl")
            with Horizontal():
                yield Button("Cancel", id="export-cancel")
                yield Button("Export", variant="primary", id="export-go")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.focus()
        field.cursor_position = len(field.value)

    def _chosen(self) -> str:
        return JSONL if self.query_one("#fmt-jsonl", RadioButton).value else CSV

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        """Choosing a format changes the suffix of the path, when it names the other format."""
        field = self.query_one(Input)
        fmt = self._chosen()
        path = Path(field.value)
        if path.suffix.lower() in (".csv", ".jsonl", ".ndjson"):
            field.value = str(path.with_suffix("." + fmt))

    def _request(self) -> ExportRequest | None:
        raw = self.query_one(Input).value.strip()
        if not raw:
            return None
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = Path.cwd() / path  # the notification then says exactly where the file is
        return ExportRequest(path, format_of(raw, self._chosen()))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        request = self._request()
        if request is None:
            self.app.bell()
        else:
            self.dismiss(request)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(self._request() if event.button.id == "export-go" else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
