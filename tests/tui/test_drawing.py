"""What reaches the terminal, frame by frame: a tab's list is drawn in one frame when shown, and a layout
that does not change a list's size does not draw its scrollbar again in a frame of its own.

These apps run with a driver that keeps what Textual writes (it is not "headless", so every frame is
rendered to the terminal's text as in a real one): what a person would see is what is asserted.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.drivers.headless_driver import HeadlessDriver
from textual.screen import ModalScreen
from textual.widgets import ContentSwitcher, Static

from tui_profiles.tui.held_drawing import hold_updates
from tui_profiles.tui.widgets.virtual_list import VirtualList, show_scrollbars


class Terminal(HeadlessDriver):
    """Keeps every write, as a terminal would receive it."""

    writes: list[str] = []  # the app's of the test running (one at a time)

    @property
    def is_headless(self) -> bool:
        return False  # Textual renders each frame to text and writes it

    def write(self, data: str) -> None:
        Terminal.writes.append(data)

    def flush(self) -> None:
        pass


def written(app: App) -> str:
    assert app.is_running
    return "".join(Terminal.writes)


def frames(app: App) -> int:
    """Frames written: Textual writes each at once (other writes are a pointer shape's few bytes, "ESC ] 22")."""
    assert app.is_running
    return sum(1 for data in Terminal.writes if not data.startswith("\x1b]"))


class Rows(VirtualList):
    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.rows: list[str] = []
        self.drawn: list[int] = []  # the rows drawn, in order

    def row_count(self) -> int:
        return len(self.rows)

    def row_text(self, index: int, width: int) -> Text | None:
        self.drawn.append(index)
        return Text(self.rows[index])


class TabsApp(App[None]):
    CSS = "#header { height: 1; } #tabs { height: 1fr; }"

    def __init__(self) -> None:
        super().__init__(driver_class=Terminal)
        Terminal.writes = []

    def compose(self) -> ComposeResult:
        yield Static("a header", id="header")
        with ContentSwitcher(initial="first", id="tabs"):
            yield Static("the first tab", id="first")
            with Vertical(id="second"):
                yield Rows(id="rows")


async def idle(pilot) -> None:  # noqa: ANN001
    for _ in range(3):
        await pilot.pause()
        await asyncio.sleep(0.05)  # past a frame of the update timer


async def test_a_list_filled_while_its_tab_is_hidden_is_drawn_once_when_shown() -> None:
    app = TabsApp()
    async with app.run_test(size=(60, 10), headless=False) as pilot:
        await idle(pilot)
        rows = app.query_one(Rows)
        rows.rows = [f"row {i}" for i in range(30)]  # more than fit: the scrollbar shows with them
        rows.rows_changed()  # filled while hidden (it has no width then)
        await idle(pilot)
        rows.drawn.clear()
        app.query_one(ContentSwitcher).current = "second"
        await idle(pilot)
        visible = rows.scrollable_content_region.height
        assert "row 0" in written(app) and rows.scrollable_content_region.width == 59
        # One frame draws the list at the width it is shown at; no second one when it hears its new size.
        assert rows.drawn == list(range(visible)), rows.drawn


def fill_hidden(app: App, count: int) -> Rows:
    rows = app.query_one(Rows)
    rows.rows = [f"row {i}" for i in range(count)]
    rows.rows_changed()
    return rows


async def test_a_layout_that_does_not_resize_a_list_draws_no_frame_for_its_scrollbar() -> None:
    app = TabsApp()
    async with app.run_test(size=(60, 10), headless=False) as pilot:
        await idle(pilot)
        fill_hidden(app, 30)
        app.query_one(ContentSwitcher).current = "second"
        await idle(pilot)
        assert app.query_one(Rows).show_vertical_scrollbar
        Terminal.writes = []
        app.query_one("#header", Static).update("another header")  # a layout of the screen; the list keeps its size
        await idle(pilot)
        assert "another header" in written(app)
        assert frames(app) == 1  # not a second one, a tick later, with the list's scrollbar again


async def test_a_tab_whose_list_first_needs_its_scrollbar_is_drawn_in_one_frame() -> None:
    app = TabsApp()
    async with app.run_test(size=(60, 10), headless=False) as pilot:
        await idle(pilot)
        # As a screen is prepared: each tab laid out once with its lists' scrollbars shown, then hidden again.
        switcher, lists = app.query_one(ContentSwitcher), [app.query_one(Rows)]
        switcher.current = "second"
        show_scrollbars(lists, True)
        await idle(pilot)
        show_scrollbars(lists, False)
        switcher.current = "first"
        await idle(pilot)
        rows = fill_hidden(app, 30)  # more rows than fit: the scrollbar appears with them
        Terminal.writes = []
        switcher.current = "second"
        await idle(pilot)
        assert rows.show_vertical_scrollbar and "row 0" in written(app)
        assert frames(app) == 1


async def test_a_layout_shows_a_scrollbar_the_rows_need_and_the_list_has_not_shown() -> None:
    app = TabsApp()
    async with app.run_test(size=(60, 10), headless=False) as pilot:
        await idle(pilot)
        rows = fill_hidden(app, 30)
        app.query_one(ContentSwitcher).current = "second"
        await idle(pilot)
        assert rows.show_vertical_scrollbar
        # Out of step, however it came to be: the next layout puts it right, as Textual's own update always did.
        rows.show_vertical_scrollbar = False
        rows.vertical_scrollbar.display = False
        await idle(pilot)
        app.query_one("#header", Static).update("another header")
        await idle(pilot)
        assert rows.show_vertical_scrollbar and rows.vertical_scrollbar.display


class Prompt(ModalScreen[None]):
    DEFAULT_CSS = "Prompt { align: center bottom; } Prompt > Static { width: 20; height: 3; }"

    def compose(self) -> ComposeResult:
        yield Static("a prompt")


async def test_a_screen_under_a_modal_one_is_drawn_when_a_hold_ends() -> None:
    # `d` on a profile: the Timeline tab is shown and its read held the drawing; the date prompt opens over
    # it; the rows arrive (a layout of the profile screen, asked for while held) and the hold ends.
    app = TabsApp()
    async with app.run_test(size=(60, 10), headless=False) as pilot:
        await idle(pilot)
        under = app.screen
        ready = asyncio.Event()
        hold_updates(app, ready, timeout=5)
        app.push_screen(Prompt())
        await idle(pilot)
        await under.query_one("#first", Static).mount(Static("the rows arrived"))
        await idle(pilot)
        Terminal.writes = []
        ready.set()
        await idle(pilot)
        assert "a prompt" in written(app)
        # Drawn at once, not when some message of its own reaches the screen underneath (its timer's, seconds later).
        assert "the rows arrived" in written(app)
