"""Help: every key binding of the app, by where it works (built from the bindings themselves)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

# (where, owner class) pairs; filled in by the app so this module imports no screen.
Section = tuple[str, type]


def binding_rows(app, sections: list[Section]) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """(where, keys, what) for every binding of every section, in declaration order."""
    rows = []
    for where, owner in sections:
        for binding in getattr(owner, "BINDINGS", []):
            if not isinstance(binding, Binding) or binding.system:
                continue
            keys = binding.key_display or " ".join(
                app.get_key_display(Binding(key.strip(), binding.action)) for key in binding.key.split(",")
            )
            rows.append((where, keys, binding.description or binding.action))
    return rows


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close help", id="help.close"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 80; max-width: 100%; height: auto; max-height: 100%; border: round $accent; background: $surface; padding: 0 1;
    }
    HelpScreen DataTable { height: auto; max-height: 100%; }
    """

    def __init__(self, sections: list[Section]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Keys  (escape closes; the mouse works too)", style="bold"), markup=False)
            yield DataTable(cursor_type="row", zebra_stripes=True, id="help-table")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Where", "Keys", "What")
        for where, keys, what in binding_rows(self.app, self.sections):
            table.add_row(Text(where, style="dim"), Text(keys, style="bold"), Text(what))
        table.focus()

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
