"""Cohorts screen driven by keys: saved filters with their size now, the retention grid of each, an event pair, the weeks."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from rich.text import Text

from tests.teams import build_teams_store, make_teams_app
from tests.tui.support import screen_text, settle
from tui_profiles.store.retention import RetentionRow
from tui_profiles.tui.screens.cohorts import CohortsScreen
from tui_profiles.tui.widgets import retention_grid
from tui_profiles.tui.widgets.retention_grid import RetentionGrid
from tui_profiles.tui.widgets.rows_list import RowsList

SIZE = (120, 40)


@pytest.fixture
def store(tmp_path: Path) -> str:
    return build_teams_store(tmp_path / "store")


@pytest.fixture
def any_store(tmp_path: Path, db_url: str) -> str:
    return build_teams_store(tmp_path / "store", db_url)


def week(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp() * 1000)


def rows_by_week(app) -> dict[int, RetentionRow]:  # noqa: ANN001
    table = app.screen.query_one(RetentionGrid).table
    assert table is not None
    return {r.week_start: r for r in table.rows}


async def open_cohorts(pilot) -> CohortsScreen:  # noqa: ANN001
    await settle(pilot)
    await pilot.press("R")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CohortsScreen)
    return screen


async def test_saved_filters_with_their_size_and_everyones_retention_grid(any_store: str) -> None:
    app = make_teams_app(any_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cohorts(pilot)
        cohorts = screen.query_one("#cohort-list", RowsList)
        # In Germany: user-alice and her own anonymous profile anon-alice, whose pages were sent from DE.
        assert [(c.name, c.users) for c in cohorts.rows] == [
            ("Everyone", None), ("Acme", 2), ("Broken", None), ("Buyers", 1), ("In Germany", 2),
        ]  # fmt: skip
        text = screen_text(app)
        assert "Acme                                    2 company:acme" in text
        assert "Buyers                                  1 tag:buyer" in text
        assert "Broken                              error expected a value after 'plan:'" in text
        # Everyone: eight cohort weeks, oldest first; week 0 is everyone, later weeks those who came back.
        assert "Retention Everyone · by the week first seen (Monday, UTC) · back = started a session" in text
        rows = rows_by_week(app)
        assert len(rows) == 8
        assert rows[week("2026-11-09")].users == 10 and rows[week("2026-11-09")].returned == (10, 3, None, None, None, None, None, None)
        assert "2026-11-09      10  100%   30%" in text
        assert "2026-09-28       9  100%   22%   22%   11%   11%   11%   11%   11%" in text
        assert "came back:  0%  10%  25%  50%  75%  100%" in text


async def test_one_cohort_an_unreadable_one_and_the_weeks(store: str) -> None:
    app = make_teams_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cohorts(pilot)
        await pilot.press("down")  # Acme
        await settle(pilot)
        assert "Retention Acme · by the week first seen" in screen_text(app)
        rows = rows_by_week(app)
        # Alice, first seen 2026-10-31, back in the week of 2026-11-16; Bob, first seen 2026-11-15, back the week after.
        assert rows[week("2026-10-26")].returned == (1, 0, 0, 1, None, None, None, None)
        assert rows[week("2026-11-09")].returned == (1, 1, None, None, None, None, None, None)
        assert sum(r.users for r in rows.values()) == 2
        assert "2026-10-19       0     –     –     –     –     –" in screen_text(app)  # nobody that week
        await pilot.press("down")  # Broken: says why instead of a table
        await settle(pilot)
        assert screen.query_one(RetentionGrid).table is None
        assert "this saved filter cannot be read: expected a value after 'plan:'" in screen_text(app)
        await pilot.press("down")  # Buyers: the grid comes back
        await settle(pilot)
        assert sum(r.users for r in rows_by_week(app).values()) == 1
        # w: 8 -> 12 -> 4 weeks.
        await pilot.press("w")
        await settle(pilot)
        assert len(rows_by_week(app)) == 12 and "12 weeks" in screen_text(app)
        await pilot.press("w")
        await settle(pilot)
        assert len(rows_by_week(app)) == 4
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "users-screen"


async def test_did_an_event_then_came_back_and_did_another(store: str) -> None:
    app = make_teams_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cohorts(pilot)
        await pilot.press("e", *"Product Viewed", "enter")
        await settle(pilot)
        # One event alone is not a pair: it says so and keeps the session table.
        assert "give both events" in screen_text(app)
        assert screen.query_one(RetentionGrid).table.first_event is None
        await pilot.press(*"Order Completed", "enter")
        await settle(pilot)
        table = screen.query_one(RetentionGrid).table
        assert (table.first_event, table.return_event) == ("Product Viewed", "Order Completed")
        text = screen_text(app)
        assert "give both events" not in text
        assert "by the week of their first Product Viewed · back = did Order Completed" in text
        # Alice viewed a product on 2026-11-17 and ordered the same week.
        rows = rows_by_week(app)
        assert rows[week("2026-11-16")].returned[0] == 1 and sum(r.users for r in rows.values()) == 1
        assert screen.cohort_list.has_focus  # enter in the second box goes back to the cohorts
        # A condition that cannot be read is shown, not raised.
        await pilot.press("e")
        screen.query_one("#first-event").value = "did:"
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert screen.query_one(RetentionGrid).table is None
        assert "no table:" in screen_text(app) and app.is_running


def test_the_grid_is_coloured_by_share() -> None:
    # Brighter as more came back; the number is printed on the colour.
    backgrounds = [retention_grid.cell_style(s).bgcolor.get_truecolor() for s in (0.0, 0.1, 0.5, 1.0)]
    assert [sum(b) for b in backgrounds] == sorted(sum(b) for b in backgrounds)
    assert len(set(backgrounds)) == 4
    row = RetentionRow(week_start=week("2026-11-09"), users=4, returned=(4, 1, 0, None))
    line = retention_grid.row_text(row)
    assert line.plain == "2026-11-09       4  100%   25%    0%       "  # the week not begun is blank
    spans = [line.plain[s.start : s.end] for s in line.spans if getattr(s.style, "bgcolor", None)]
    assert spans == ["100% ", " 25% ", "  0% "]
    empty = retention_grid.row_text(RetentionRow(week_start=week("2026-11-09"), users=0, returned=(0, None)))
    assert isinstance(empty, Text) and empty.plain.split() == ["2026-11-09", "0", "–"]
