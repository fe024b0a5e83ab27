"""The search bar's one door (tui/search.py): the filter language when present, plain text otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tui.support import NOW, build_store, demo_reader, make_app, screen_text, settle
from tui_profiles.reader import StoreReader, UserQuery
from tui_profiles.tui.search import compile_search
from tui_profiles.tui.widgets.search_bar import SearchBar
from tui_profiles.tui.widgets.user_list import UserList


@pytest.fixture
def reader(tmp_path: Path, db_url: str) -> Iterator[StoreReader]:
    with demo_reader(tmp_path, db_url) as r:
        yield r


def ids(reader: StoreReader, text: str, period: str = "all") -> list[str]:
    compiled = compile_search(text, NOW, settings=reader.settings, dialect=reader.engine.dialect.name)
    assert compiled.error is None, compiled.error
    window = reader.user_window(UserQuery(period=period, condition=compiled.condition), 0, 100)
    return [u.id for u in window.rows]


def test_empty_search_is_everyone(reader: StoreReader) -> None:
    compiled = compile_search("   ", NOW)
    assert compiled.condition is None and compiled.error is None
    # 4 identified users, anon-alice's own anonymous profile (she browsed before signing up) and 40 visitors.
    assert len(ids(reader, "")) == 45


def test_the_filter_language_is_used(reader: StoreReader) -> None:
    pytest.importorskip("tui_profiles.store.filter_sql")
    assert ids(reader, "plan:pro") == ["user-alice"]
    assert ids(reader, 'did:"Order Completed".total:>100') == ["user-alice"]
    assert ids(reader, "is:live") == ["user-alice", "user-bob"]
    assert ids(reader, "is:identified -is:live") == ["[@click=app.quit]mallory", "user-carol"]


def test_a_syntax_error_says_where_and_what(reader: StoreReader) -> None:
    pytest.importorskip("tui_profiles.store.filter_sql")
    compiled = compile_search("seen:<", NOW, settings=reader.settings)
    assert compiled.condition is None
    assert compiled.error is not None
    query, caret = compiled.error.splitlines()
    assert query == "seen:<" and caret.startswith("      ^ expected a duration")


def test_without_the_filter_modules_plain_text_is_used(reader: StoreReader, monkeypatch: pytest.MonkeyPatch) -> None:
    import tui_profiles.store

    monkeypatch.setitem(sys.modules, "tui_profiles.store.filter_sql", None)
    monkeypatch.delattr(tui_profiles.store, "filter_sql", raising=False)
    compiled = compile_search("plan:pro", NOW, settings=reader.settings)
    assert compiled.error is None
    assert ids(reader, "plan:pro") == []  # no profile has "plan:pro" in its id, name or email
    assert ids(reader, "ACME.com") == ["user-alice"]
    assert ids(reader, "[@click") == ["[@click=app.quit]mallory"]
    assert ids(reader, "%") == [] and ids(reader, "_") == []  # LIKE wildcards are literal


async def test_a_filter_typed_in_the_bar_and_its_error_under_it(tmp_path: Path) -> None:
    pytest.importorskip("tui_profiles.store.filter_sql")
    app = make_app(build_store(tmp_path / "store"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("/", *'did:"Order Completed"', "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ProfileScreen"  # one match: enter opened it
        await pilot.press("escape")
        await settle(pilot)
        users = app.screen.query_one(UserList)
        assert users.total == 1 and users.user_at(0).id == "user-alice"
        await pilot.press("/", *" seen:<")
        await pilot.pause(0.3)
        await settle(pilot)
        text = screen_text(app)
        assert "^ expected a duration" in text
        assert app.screen.query_one(SearchBar).has_class("-error")
        assert users.total == 1 and users.user_at(0).id == "user-alice"  # the list stays as it was
        await pilot.press("1", "d")
        await pilot.pause(0.3)
        await settle(pilot)
        assert not app.screen.query_one(SearchBar).has_class("-error")
        assert "expected" not in screen_text(app)
