"""The search bar: an input that reports what was typed after a short pause, an error line under it,
and (given a completer) a list of suggestions for the term being typed, drawn over what is below.

Keys while suggestions show: `tab` (or `right` at the end of the text) takes the highlighted one,
`up`/`down` choose (then `enter` takes it too), `escape` closes the list. Suggestions are computed
in a thread worker (the completer reads the store); an answer for text that has changed since is
dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from .. import safe
from ..suggest import Completion
from ..workers import ReportsWorkerErrors

DEBOUNCE_S = 0.15

# (text, cursor) -> suggestions for the term under the cursor; blocking, called from a thread worker.
Completer = Callable[[str, int], Sequence[Completion]]


class QueryInput(Input):
    """An input whose keys work the suggestion list of its search bar while that list shows."""

    BINDINGS = [
        Binding("tab", "take_suggestion", "Take the suggestion (→ at the end too)", show=False, id="search.take_suggestion"),
        Binding("down", "move_suggestion(1)", "Next suggestion", show=False, id="search.next_suggestion"),
        Binding("up", "move_suggestion(-1)", "Previous suggestion", show=False, id="search.previous_suggestion"),
        Binding("escape", "close_suggestions", "Close the suggestions", show=False, id="search.close_suggestions"),
    ]

    @property
    def bar(self) -> SearchBar:
        return self.parent  # type: ignore[return-value]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Without suggestions these keys do what they do elsewhere (tab moves focus, down leaves the bar).
        if action in ("take_suggestion", "move_suggestion", "close_suggestions"):
            return self.bar.suggesting
        return super().check_action(action, parameters)

    def action_take_suggestion(self) -> None:
        self.bar.take_suggestion()

    def action_move_suggestion(self, step: int) -> None:
        self.bar.move_suggestion(step)

    def action_close_suggestions(self) -> None:
        self.bar.close_suggestions()

    def action_cursor_right(self, select: bool = False) -> None:
        if not select and self.cursor_at_end and self.bar.suggesting:
            self.bar.take_suggestion()
        else:
            super().action_cursor_right(select)

    async def action_submit(self) -> None:
        if self.bar.suggesting and self.bar.chosen:
            self.bar.take_suggestion()  # a suggestion picked with the arrows: enter takes it
        else:
            self.bar.close_suggestions()
            await super().action_submit()


class Suggestions(OptionList, can_focus=False):
    """What the term being typed could become; the input keeps the focus."""


class SearchBar(ReportsWorkerErrors, Vertical):
    """`Changed` is posted once typing pauses; `show_error` puts a message under the bar."""

    DEFAULT_CSS = """
    SearchBar { height: auto; }
    SearchBar > Input { width: 1fr; }
    SearchBar > .search-error { color: $error; height: auto; display: none; padding: 0 1; }
    SearchBar.-error > .search-error { display: block; }
    SearchBar > Suggestions {
        display: none;
        overlay: screen;
        constrain: none inside;
        width: auto;
        min-width: 36;
        max-width: 80%;
        height: auto;
        max-height: 10;
        border: round $border;
        border-subtitle-color: $text-muted;
        padding: 0;
        background: $surface;
    }
    SearchBar > Suggestions > .option-list--option-highlighted {
        color: $block-cursor-foreground;
        background: $block-cursor-background;
        text-style: $block-cursor-text-style;
    }
    SearchBar.-suggesting > Suggestions { display: block; }
    /* The half-typed term's error is what the list answers: hidden under it, its lines kept (no jump). */
    SearchBar.-suggesting > .search-error { visibility: hidden; }
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

    class SuggestionsFound(Message, bubble=False):
        def __init__(self, text: str, cursor: int, found: Sequence[Completion]) -> None:
            super().__init__()
            self.text, self.cursor, self.found = text, cursor, found

    def __init__(
        self, placeholder: str, *, id: str | None = None, debounce: float = DEBOUNCE_S, completer: Completer | None = None,  # noqa: A002
    ) -> None:
        super().__init__(id=id)
        self.placeholder = placeholder
        self.debounce = debounce
        self.completer = completer
        self.completions: tuple[Completion, ...] = ()
        self.chosen = False  # an arrow key picked a suggestion
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield QueryInput(placeholder=self.placeholder, compact=True, select_on_focus=False)
        if self.completer is not None:
            # Right under the input, over the error line and whatever is below.
            suggestions = Suggestions(id=f"{self.id or 'search'}-suggestions")
            suggestions.border_subtitle = "tab takes it · esc closes"
            yield suggestions
        yield Static("", classes="search-error", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def value(self) -> str:
        return self.input.value

    def set_value(self, text: str) -> None:
        """Put `text` in the bar (cursor at its end); it is announced like typing, without the pause."""
        self.input.value = text
        self.input.cursor_position = len(text)
        self.close_suggestions()
        if self._timer is not None:
            self._timer.stop()
        self._announce(submitted=False)

    def clear(self) -> None:
        """Empty the bar without announcing it (its screen shows something else now)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.close_suggestions()
        self.show_error(None)
        if self.input.value:
            with self.input.prevent(Input.Changed):
                self.input.value = ""

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.debounce, self._announce)
        if self.completer is not None:
            if self.input.has_focus:
                self._suggest(event.value, self.input.cursor_position)
            else:
                self.close_suggestions()

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

    # -- suggestions --------------------------------------------------------------
    @property
    def suggesting(self) -> bool:
        return bool(self.completions) and self.has_class("-suggesting")

    @work(thread=True, exclusive=True, group="suggestions", exit_on_error=False)
    def _suggest(self, text: str, cursor: int) -> None:
        assert self.completer is not None
        found = tuple(self.completer(text, cursor))
        if not get_current_worker().is_cancelled:
            self.post_message(self.SuggestionsFound(text, cursor, found))

    def on_search_bar_suggestions_found(self, message: SuggestionsFound) -> None:
        field = self.input
        if message.text != field.value or not field.has_focus:
            return  # typed on since, or left the bar: a stale answer
        self.completions = tuple(message.found)
        self.chosen = False
        if not self.completions:
            self.close_suggestions()
            return
        suggestions = self.query_one(Suggestions)
        suggestions.set_options(Option(_prompt(c)) for c in self.completions)
        suggestions.highlighted = 0
        # Under the term being completed, where the screen allows.
        start = self.completions[0].start
        suggestions.styles.offset = (max(0, min(start, field.size.width - 36)), 0)
        self.add_class("-suggesting")

    def move_suggestion(self, step: int) -> None:
        suggestions = self.query_one(Suggestions)
        if step > 0:
            suggestions.action_cursor_down()
        else:
            suggestions.action_cursor_up()
        self.chosen = True

    def take_suggestion(self, index: int | None = None) -> None:
        if not self.completions:
            return
        if index is None:
            index = self.query_one(Suggestions).highlighted or 0
        completion = self.completions[min(index, len(self.completions) - 1)]
        field = self.input
        text, cursor = completion.apply(field.value)
        self.close_suggestions()
        field.value = text
        field.cursor_position = cursor

    def close_suggestions(self) -> None:
        self.completions = ()
        self.chosen = False
        self.remove_class("-suggesting")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click on a suggestion
        self.take_suggestion(event.option_index)
        self.input.focus()

    def on_descendant_blur(self) -> None:
        if not self.input.has_focus:
            self.close_suggestions()


def _prompt(completion: Completion) -> Text:
    """The suggestion as it will be typed (event data: never markup), and what it is, dim."""
    line = safe.text(completion.text)
    line.append(f"  {completion.hint}", style="dim")
    return line
