"""Suggestions in the search bar: what the term being typed completes to (tui/suggest.py), and the bar's
list of them driven by keys: tab or right takes one, arrows choose, escape closes, stale answers dropped."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from tests.tui.support import HOSTILE_EVENT, HOSTILE_PATH, build_store, make_app, screen_text, settle
from tui_profiles.domain import filters
from tui_profiles.tui.screens.users import UsersScreen
from tui_profiles.tui.suggest import Completion, FilterCompleter, complete
from tui_profiles.tui.widgets.search_bar import SearchBar, Suggestions
from tui_profiles.tui.widgets.user_list import UserList

SIZE = (120, 40)

CATALOG = {
    "event": ["Order Completed", "Order Refunded", "$rageclick", "Signup", "page", "Sign.up", HOSTILE_EVENT, "bad\x1b[2Jname"],
    "page": ["/pricing", "/my docs", "/sale*", HOSTILE_PATH],
    "trait": ["plan", "plan type", "company", "company.name", "email", "events"],
}


def lookup(kind: str, prefix: str) -> list[str]:
    return [v for v in CATALOG.get(kind, []) if v.casefold().startswith(prefix.casefold())]


def texts(query: str, cursor: int | None = None) -> list[str]:
    return [c.text for c in complete(query, len(query) if cursor is None else cursor, lookup)]


# --- what a term completes to ---


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("did:Ord", ['did:"Order Completed"', 'did:"Order Refunded"']),
        ('did:"Order R', ['did:"Order Refunded"']),
        ("did:$r", ["did:$rageclick"]),
        ("did:sign", ["did:Signup", 'did:"Sign.up"']),  # a dot would start a property: quoted
        ("did:pa", ['did:"page"']),  # bare `did:page.` is a page: the event named page is quoted
        ("tag:bu", ["tag:buyer"]),
        ("tag:BU", ["tag:buyer"]),
        ("is:i", ["is:identified"]),
        ("visited:/", ["visited:/pricing", 'visited:"/my docs"', 'visited:"/sale*"']),  # a bare * would be a prefix
        ("did:page./p", ["did:page./pricing"]),
        ("pla", ["plan:", '"plan type":']),
        ("company.", ["company.name:"]),
        ("ev", ["events:"]),  # the reserved key once; the trait named events is reached as "events":
        ("se", ["seen:", "sessions:"]),
        ("vis", ["visited:"]),
    ],
)
def test_what_a_term_completes_to(query: str, expected: list[str]) -> None:
    assert texts(query) == expected


def test_every_suggestion_reads_back_as_what_it_names() -> None:
    for completion in complete("did:", 4, lookup):
        tree = filters.parse(completion.text)
        assert isinstance(tree, filters.Did) and tree.event in CATALOG["event"]
    for completion in complete("visited:", 8, lookup):
        tree = filters.parse(completion.text)
        assert tree == filters.Visited(tree.path) and tree.path in CATALOG["page"]


def test_nothing_to_suggest() -> None:
    assert texts("") == []  # an empty bar, or just after a space: no list in the way
    assert texts("alice ") == []
    assert texts("tag:buyer") == []  # already complete
    assert texts("seen:<") == [] and texts("plan:pr") == [] and texts('"alice sm') == []
    assert texts("did:Order.to") == []  # event properties are not in the catalog


def test_values_that_cannot_be_typed_or_shown_literally_are_left_out() -> None:
    assert 'did:"[@click=app.quit]Buy [/"' in texts("did:")  # markup-like: shown as it is
    assert not any("\x1b" in text for text in texts("did:") + texts("visited:"))


def test_the_term_under_the_cursor_is_replaced_and_a_negation_kept() -> None:
    query = "-tag:bu plan:pro"
    (completion,) = complete(query, 7, lookup)
    assert completion == Completion("tag:buyer", 1, 7, "tag")
    assert completion.apply(query) == ("-tag:buyer plan:pro", 11)
    (completion,) = complete("did:Ord", 7, lookup)[:1]
    assert completion.apply("did:Ord") == ('did:"Order Completed" ', 22)
    key = complete("pla", 3, lookup)[0]
    assert key.apply("pla") == ("plan:", 5)  # a key: no space, its value comes next


def test_the_completer_caches_catalog_answers_and_forgets_them() -> None:
    calls: list[tuple[str, str]] = []

    def catalog(kind: str, prefix: str, limit: int) -> list[str]:
        calls.append((kind, prefix))
        return lookup(kind, prefix)[:limit]

    completer = FilterCompleter(catalog)
    assert [c.text for c in completer("did:Ord", 7)][0] == 'did:"Order Completed"'
    completer("did:ORD", 7)
    assert calls == [("event", "Ord")]  # same prefix in another case: one query
    completer.forget()
    completer("did:Ord", 7)
    assert len(calls) == 2


# --- the bar, by keys ---


@pytest.fixture
def store(tmp_path: Path) -> str:
    return build_store(tmp_path / "store")


def bar(app) -> SearchBar:  # noqa: ANN001
    return app.screen.query_one("#search", SearchBar)


def shown(app) -> list[str]:  # noqa: ANN001
    """The suggestions on screen, as plain text (empty if the list is hidden)."""
    search = bar(app)
    if not search.suggesting:
        return []
    options = search.query_one(Suggestions)
    return [options.get_option_at_index(i).prompt.plain.rsplit("  ", 1)[0] for i in range(options.option_count)]


async def typed(pilot, *keys: str) -> None:  # noqa: ANN001
    await pilot.press(*keys)
    await pilot.pause(0.2)  # past the debounce
    await settle(pilot)


async def test_did_completes_an_event_name_quoted_and_tab_takes_it(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await typed(pilot, "/", *"did:Ord")
        assert shown(app) == ['did:"Order Completed"']
        assert 'did:"Order Completed"  event' in screen_text(app)
        await typed(pilot, "tab")
        assert bar(app).value == 'did:"Order Completed" '
        assert not bar(app).suggesting
        users = app.screen.query_one(UserList)
        assert users.total == 1 and users.user_at(0).id == "user-alice"  # and the list follows


async def test_tag_completes_and_right_takes_it(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await typed(pilot, "/", *"tag:bu")
        assert shown(app) == ["tag:buyer"]
        await typed(pilot, "right")
        assert bar(app).value == "tag:buyer "
        assert app.screen.query_one(UserList).user_at(0).id == "user-alice"


async def test_a_key_then_its_values(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await typed(pilot, "/", *"di")
        assert shown(app) == ["did:"]
        await typed(pilot, "tab")
        assert bar(app).value == "did:"
        events = shown(app)  # the stored event names (a page's name too), the first eight
        assert events[:3] == ["did:$rageclick", "did:/", "did:/blog/launch"] and len(events) == 8
        await typed(pilot, *"Ch")
        assert shown(app) == ['did:"Checkout Started"']


async def test_arrows_choose_enter_takes_escape_closes_then_leaves(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await typed(pilot, "/", *"is:")
        assert shown(app) == ["is:live", "is:identified", "is:anonymous", "is:excluded"]
        await typed(pilot, "down", "down", "up", "down")
        await typed(pilot, "enter")
        assert bar(app).value == "is:anonymous "
        assert bar(app).input.has_focus  # enter took the suggestion, it did not submit
        await typed(pilot, *"tag:")
        assert shown(app)
        await typed(pilot, "escape")
        assert shown(app) == [] and bar(app).input.has_focus  # the first escape only closes the list
        await typed(pilot, "escape")
        assert app.screen.query_one(UserList).has_focus


async def test_without_suggestions_the_keys_do_what_they_did(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await typed(pilot, "/", *"alice")
        assert shown(app) == []
        await typed(pilot, "down")  # leaves the bar for the list
        assert app.screen.query_one(UserList).has_focus
        await typed(pilot, "/", "enter")
        assert app.screen.query_one(UserList).has_focus and bar(app).value == "alice"


async def test_hostile_event_names_are_suggested_literally(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await typed(pilot, "/", *"did:[@")
        assert shown(app) == ['did:"[@click=app.quit]Buy [/"']
        assert 'did:"[@click=app.quit]Buy [/"' in screen_text(app)  # not a link, not markup
        await typed(pilot, "tab")
        assert app.is_running
        assert bar(app).value == 'did:"[@click=app.quit]Buy [/" '
        assert app.screen.query_one(UserList).user_at(0).id == "[@click=app.quit]mallory"
        # A page path carrying an escape sequence is never offered (it could not be typed, nor shown as it is).
        await typed(pilot, *"visited:/[")
        assert shown(app) == []
        assert "\x1b" not in screen_text(app)


async def test_suggestions_are_read_in_a_thread_and_stale_answers_dropped() -> None:
    release = threading.Event()
    threads: list[str] = []

    def completer(text: str, cursor: int) -> Sequence[Completion]:
        threads.append(threading.current_thread().name)
        if text == "a":
            release.wait(5)  # the answer for "a" arrives after "ab" is typed
        return (Completion(text + "-done", 0, len(text), "key"),)

    class BarApp(App[None]):
        def compose(self) -> ComposeResult:
            yield SearchBar("search", id="search", completer=completer)

    app = BarApp()
    async with app.run_test() as pilot:
        app.query_one(SearchBar).input.focus()
        await pilot.press("a")
        await pilot.pause(0.05)
        await pilot.press("b")
        await pilot.pause(0.1)
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        search = app.query_one(SearchBar)
        assert [c.text for c in search.completions] == ["ab-done"]
        assert threading.main_thread().name not in threads


async def test_the_users_screen_forgets_cached_names_when_the_store_changes(store: str) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, UsersScreen)
        await typed(pilot, "/", *"did:Ord")
        assert screen.completer._cache  # noqa: SLF001
        screen.store_changed(frozenset({1}), frozenset())
        assert not screen.completer._cache  # noqa: SLF001
