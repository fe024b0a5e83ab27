"""The search bar: an input that reports what was typed after a short pause, and an error line under it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

from .. import safe

DEBOUNCE_S = 0.15


class SearchBar(Vertical):
    """`Changed` is posted once typing pauses; `show_error` puts a message under the bar."""

    DEFAULT_CSS = """
    SearchBar { height: auto; }
    SearchBar > Input { width: 1fr; }
    SearchBar > .search-error { color: $error; height: auto; display: none; padding: 0 1; }
    SearchBar.-error > .search-error { display: block; }
    """

    class Changed(Message):
        def __init__(self, bar: "SearchBar", text: str, submitted: bool) -> None:
            super().__init__()
            self.bar = bar
            self.text = text
            self.submitted = submitted  # enter was pressed

        @property
        def control(self) -> "SearchBar":
            return self.bar

    def __init__(self, placeholder: str, *, id: str | None = None, debounce: float = DEBOUNCE_S) -> None:  # noqa: A002
        super().__init__(id=id)
        self.placeholder = placeholder
        self.debounce = debounce
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder=self.placeholder, compact=True, select_on_focus=False)
        yield Static("", classes="search-error", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def value(self) -> str:
        return self.input.value

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.debounce, self._announce)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._announce(submitted=True)

    def _announce(self, submitted: bool = False) -> None:
        self._timer = None
        self.post_message(self.Changed(self, self.input.value, submitted))

    def show_error(self, message: str | None) -> None:
        error = self.query_one(".search-error", Static)
        if message:
            # Each line cleaned on its own: the caret line under the query must keep its newline.
            error.update(Content("\n").join(safe.content(line) for line in message.splitlines()))
        self.set_class(bool(message), "-error")

