"""Which of a profile's companies to open, when it belongs to more than one."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...store.companies import CompanyRow
from .. import formatting, safe


def _prompt(company: CompanyRow) -> Text:
    # Text from cleaned strings: an OptionList would parse a str prompt as markup.
    line = safe.text(company.display_name, style="bold")
    line.append(f"  {safe.clean(company.id)} · {formatting.count(company.users)} users", style="dim")
    return line


class CompanyPicker(ModalScreen[str | None]):
    """The chosen company's id, or None (escape)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="picker.cancel")]

    DEFAULT_CSS = """
    CompanyPicker { align: center middle; }
    CompanyPicker > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 80%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    CompanyPicker OptionList { height: auto; max-height: 20; }
    """

    def __init__(self, companies: list[CompanyRow]) -> None:
        super().__init__()
        self.companies = companies

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Open which company?", style="bold"), markup=False)
            yield OptionList(*[Option(_prompt(c), id=str(i)) for i, c in enumerate(self.companies)])

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.companies[event.option_index].id)

    def action_cancel(self) -> None:
        self.dismiss(None)
