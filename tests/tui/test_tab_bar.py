"""The one-line tab bar on its own: what it draws, a click on a label, a label changed, the message it posts."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.message import Message

from tui_profiles.tui.widgets.tab_bar import TabBar

TABS = (("one", "One"), ("two", "Two"), ("three", "Three"))


class BarApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.changes: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield TabBar(TABS, id="bar")

    def on_tab_bar_changed(self, message: TabBar.Changed) -> None:
        self.changes.append((message.previous, message.active))


def line(app: App) -> str:
    return app.query_one(TabBar).render_line(0).text


async def test_one_line_with_every_label_and_the_first_tab_active() -> None:
    app = BarApp()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        bar = app.query_one(TabBar)
        assert bar.size.height == 1 and not bar.can_focus and not bar.children
        assert line(app) == " One  Two  Three ".ljust(40)
        assert bar.active == "one" and app.changes == []  # nothing changed yet: no message


async def test_the_active_tab_is_drawn_in_its_own_style() -> None:
    app = BarApp()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        bar = app.query_one(TabBar)
        active, other = bar.get_component_rich_style("tab-bar--active"), bar.get_component_rich_style("tab-bar--tab")
        assert active != other and active.bold and active.underline
        styles = {segment.text: segment.style for segment in bar.render_line(0)}
        assert styles["One"] == active and styles["Two"] == other
        bar.active = "two"
        styles = {segment.text: segment.style for segment in bar.render_line(0)}
        assert styles["Two"] == active and styles["One"] == other


async def test_a_click_on_a_label_activates_its_tab_and_says_so() -> None:
    app = BarApp()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        assert await pilot.click("#bar", offset=(len(" One  Tw"), 0))  # on "Two"
        await pilot.pause()
        assert app.query_one(TabBar).active == "two"
        assert app.changes == [("one", "two")]
        await pilot.click("#bar", offset=(len(" One  Two  Three ") + 5, 0))  # past the last label: nothing
        await pilot.click("#bar", offset=(len(" One  Two  Th"), 0))
        await pilot.pause()
        assert app.changes == [("one", "two"), ("two", "three")]
        await pilot.click("#bar", offset=(len(" One  Two  Th"), 0))  # the active one again: no change, no message
        await pilot.pause()
        assert app.changes == [("one", "two"), ("two", "three")]


async def test_set_label_redraws_and_moves_what_a_click_hits() -> None:
    app = BarApp()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        bar = app.query_one(TabBar)
        bar.set_label("one", "One (filtered)")
        await pilot.pause()
        assert line(app).startswith(" One (filtered)  Two  Three ")
        assert bar.tab_at(len(" One (filt")) == "one" and bar.tab_at(len(" One (filtered)  T")) == "two"
        with pytest.raises(ValueError):
            bar.set_label("four", "Four")


async def test_setting_active_posts_changed_and_refuses_an_unknown_tab() -> None:
    seen: list[Message] = []
    app = BarApp()
    async with app.run_test(size=(40, 5), message_hook=seen.append) as pilot:
        await pilot.pause()
        bar = app.query_one(TabBar)
        bar.active = "three"
        await pilot.pause()
        changed = list({id(m): m for m in seen if isinstance(m, TabBar.Changed)}.values())  # the hook sees each hop of its bubbling
        assert [(m.previous, m.active, m.control) for m in changed] == [("one", "three", bar)]
        with pytest.raises(ValueError):
            bar.active = "four"
        assert bar.active == "three"


async def test_labels_are_plain_text_never_markup() -> None:
    class MarkupApp(App[None]):
        def compose(self) -> ComposeResult:
            yield TabBar((("a", "[bold]A[/bold]"), ("b", "[@click=app.quit]B")))

    app = MarkupApp()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        assert line(app).startswith(" [bold]A[/bold]  [@click=app.quit]B ")


async def test_a_narrow_bar_ends_in_an_ellipsis() -> None:
    app = BarApp()
    async with app.run_test(size=(10, 5)) as pilot:
        await pilot.pause()
        text = line(app)
        assert len(text) == 10 and text.rstrip().endswith("…")
        assert app.query_one(TabBar).tab_at(9) == "two" and app.query_one(TabBar).tab_at(12) is None
