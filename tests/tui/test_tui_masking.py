"""Masking for screen sharing: with it on, no personal value of the demo data shows on any screen.

The personal values are collected from the store the demo generator's history was ingested into
(every email, name, phone number and IP address in the people's traits and the events' context and
properties), not from a list written here; then every screen is opened with masking on and read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from textual.command import CommandPalette
from textual.pilot import Pilot

from tests.storekit import stored_messages
from tests.tui.support import NOW, SIZE, Notes, build_store, keys, make_app, screen_text, settle
from tui_profiles.generator import generate
from tui_profiles.store.engine import make_engine
from tui_profiles.store.models import EVENTS, PROFILES
from tui_profiles.tui import safe
from tui_profiles.tui.app import ProfilesApp
from tui_profiles.tui.screens.event import EventScreen
from tui_profiles.tui.screens.profile import ProfileScreen
from tui_profiles.tui.widgets.title_bar import MASKED

# Where a person's own name is kept (a `name` elsewhere names an app, an OS, a product, a company).
PERSON_PARENTS = {"traits", "$set", "$set_once", "person_properties", "set", "set_once"}
CONTACT_KEYS = {"email", "phone", "ip", "$ip"}
NAME_KEYS = {"name", "firstName", "lastName", "first_name", "last_name"}


def personal_in(document: Any, parent: str = "traits") -> Iterator[str]:
    if isinstance(document, dict):
        for key, value in document.items():
            if isinstance(value, str) and value and (key in CONTACT_KEYS or (key in NAME_KEYS and parent in PERSON_PARENTS)):
                yield value
            elif isinstance(value, dict | list):
                yield from personal_in(value, str(key))
    elif isinstance(document, list):
        for item in document:
            yield from personal_in(item, parent)


def personal_values(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found: set[str] = set()
            for (traits,) in conn.execute(sa.select(PROFILES.c.traits)):
                found.update(personal_in(traits or {}))
            for (traits,) in conn.execute(sa.select(EVENTS.c.traits)):
                found.update(personal_in(traits or {}))
    finally:
        engine.dispose()
    for text in stored_messages(url)[0].values():
        found.update(personal_in(orjson.loads(text), "root"))
    # Each part of a name too ("Alice", "Martin"), as whole words; no value shorter than 3 characters.
    words = {part for value in found if "@" not in value for part in value.split() if part.isalpha()}
    return {v for v in found | words if len(v) >= 3}


def leaks(text: str, values: set[str]) -> list[str]:
    return sorted(v for v in values if re.search(rf"(?<![\w.@]){re.escape(v)}(?![\w@])", text))


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, set[str]]:
    folder = tmp_path_factory.mktemp("masking")
    generate(folder / "history", events=1500, users=60, days=10, seed=7, end_ms=NOW, bad_lines=False)
    url = f"sqlite:///{folder}/store.db"
    from tests.tui.support import ingest

    ingest(url, sorted((folder / "history").rglob("*.jsonl*")))
    values = personal_values(url)
    assert any("@" in v for v in values) and any(re.fullmatch(r"[\d.]+", v) for v in values)  # emails and IPs, at least
    return url, values


def profiles_to_read(url: str) -> list[int]:
    """A user with a phone, one with a company, the busiest, and an anonymous visitor."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(PROFILES.c.id, PROFILES.c.kind, PROFILES.c.traits, PROFILES.c.event_count)).all()
    finally:
        engine.dispose()
    users = [r for r in rows if r.kind == "identified"]
    with_phone = next(r.id for r in users if "phone" in (r.traits or {}))
    with_company = next(r.id for r in users if "company" in (r.traits or {}))
    busiest = max(users, key=lambda r: r.event_count).id
    anonymous = next(r.id for r in rows if r.kind == "anonymous")
    return list(dict.fromkeys((with_phone, with_company, busiest, anonymous)))


async def read_screen(pilot: Pilot, seen: dict[str, str], name: str) -> None:
    await settle(pilot)
    await pilot.pause()
    text = screen_text(pilot.app)
    assert MASKED.strip() in text, f"{name}: the top line does not say MASKED"
    seen[name] = text


async def test_no_personal_value_of_the_demo_shows_on_any_screen_while_masked(demo_store: tuple[str, set[str]]) -> None:
    url, values = demo_store
    app = make_app(url, mask=True)
    seen: dict[str, str] = {}
    notes = Notes()
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await read_screen(pilot, seen, "users")
        for pid in profiles_to_read(url):
            app.open_profile(pid)
            await settle(pilot)
            for tab in ProfileScreen.TABS:
                app.screen.show_tab(tab)  # type: ignore[attr-defined]
                await read_screen(pilot, seen, f"profile {pid} {tab}")
            await pilot.press("e")  # the export dialog
            await read_screen(pilot, seen, f"profile {pid} export dialog")
            await pilot.press("escape")
            await pilot.press("D")  # the erase confirmation
            await read_screen(pilot, seen, f"profile {pid} erase dialog")
            await pilot.press("escape")
            await settle(pilot)
            profile = app.screen
            assert isinstance(profile, ProfileScreen)
            sessions = app.reader.sessions(pid)
            if sessions:
                app.open_session(pid, sessions[0].start)
                await read_screen(pilot, seen, f"session of {pid}")
                app.pop_screen()
            # The newest events and the identify that set the traits, if any.
            events = app.reader.timeline_page(pid, before=None, limit=400)
            picked = events[:3] + [e for e in events if e.type == "identify"][:1]
            for event in picked:
                app.open_event(event.event_id)
                await settle(pilot)
                for tab in EventScreen.TABS:
                    app.screen.show_tab(tab)  # type: ignore[attr-defined]
                    await read_screen(pilot, seen, f"event {event.event_id} {tab}")
                app.pop_screen()
            if profile.detail is not None and profile.detail.companies:
                await pilot.press("c")
                await read_screen(pilot, seen, f"company of {pid}")
                app.pop_screen()
            app.pop_screen()
            await settle(pilot)
        app.open_companies()
        await read_screen(pilot, seen, "companies")
        app.pop_screen()
        app.open_cohorts()
        await read_screen(pilot, seen, "cohorts")
        app.pop_screen()
        app.open_audit()
        await read_screen(pilot, seen, "audit")
        app.pop_screen()
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.pause(0.3)
        seen["palette"] = screen_text(app)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("e")  # users whose name or email holds an e
        await settle(pilot)
        await pilot.pause(0.5)
        seen["palette, e typed"] = screen_text(app)
        assert "•••" in seen["palette, e typed"]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("M")  # and off again: the same list shows who they are
        await settle(pilot)
        assert leaks(screen_text(app), values) and MASKED.strip() not in screen_text(app)
    found = {name: leaks(text, values) for name, text in seen.items()}
    assert {name: shown for name, shown in found.items() if shown} == {}
    assert not leaks("\n".join(notes.said), values)
    assert "•••" in seen["users"]  # masked, not left out


# -- M on each screen: masked at once, shown again at the next M -----------------------------------
ALICE = ("Alice Martin", "alice@acme.com")
IDENTIFY = ("enter", "tab", "tab", *["down"] * 7, "enter")  # Alice's timeline, down to the identify


@pytest.fixture
def url(tmp_path: Path) -> str:
    return build_store(tmp_path / "store")


async def _toggle_here(pilot: Pilot, *shown: str) -> None:
    """On the current screen: the values show; after M they do not and the top line says MASKED; after M again they do."""
    app = pilot.app
    await settle(pilot)
    before = screen_text(app)
    assert all(value in before for value in shown), before
    assert MASKED.strip() not in before
    await pilot.press("M")
    await settle(pilot)
    masked = screen_text(app)
    assert not [value for value in shown if value in masked], masked
    assert MASKED.strip() in masked and "•••" in masked
    await pilot.press("M")
    await settle(pilot)
    again = screen_text(app)
    assert all(value in again for value in shown) and MASKED.strip() not in again


@pytest.mark.parametrize(
    ("presses", "shown"),
    [
        ((), ("Alice Martin", "Bob Stone")),  # the user list
        (("enter",), ALICE),  # profile header and overview
        (("enter", "tab", "tab"), ("Alice Martin",)),  # the timeline, under the header
        (("enter", "shift+tab", "shift+tab"), (*ALICE, "Alice")),  # properties
        (("enter", "i"), ALICE),  # identity
        (("enter", "tab", "down", "enter"), ("Alice Martin",)),  # a session
        ((*IDENTIFY,), ("alice@acme.com",)),  # the event that set her traits
        ((*IDENTIFY, "tab", "tab"), ("alice@acme.com",)),  # its raw JSON
        (("enter", "c"), ("Alice Martin",)),  # Alice's company, Acme, with her among its users
    ],
)
async def test_m_masks_what_is_on_screen_and_shows_it_again(url: str, presses: tuple[str, ...], shown: tuple[str, ...]) -> None:
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in presses:
            await pilot.press(key)
            await settle(pilot)
        await _toggle_here(pilot, *shown)


async def test_m_is_not_taken_above_a_dialog_and_the_dialog_opens_masked(url: str) -> None:
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        assert "Alice Martin" in screen_text(app)
        await pilot.press("M")  # typed into the dialog's field, not a toggle
        await settle(pilot)
        assert not app.masked and "Alice Martin" in screen_text(app)
        await pilot.press("escape")
        await pilot.press("M", "D")
        await settle(pilot)
        assert "Erase A••• M•••" in screen_text(app)


async def test_the_app_starts_masked_when_asked(url: str) -> None:
    app = make_app(url, mask=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert text.splitlines()[0].lstrip().startswith("MASKED") and "A••• M•••" in text and "Alice Martin" not in text
    assert safe.masking() is None  # a closed app leaves the process unmasked


def test_mask_from_the_command_line_reaches_the_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tui_profiles import cli
    from tui_profiles.tui import app as app_module

    opened: dict[str, Any] = {}
    monkeypatch.setattr(app_module, "run_app", lambda settings, inbox=None, *, mask=False: opened.update(mask=mask) or 0)
    url = build_store(tmp_path / "store")
    config = tmp_path / "config.toml"
    config.write_text("")
    monkeypatch.setenv("TUI_PROFILES_CONFIG", str(config))
    monkeypatch.delenv("TUI_PROFILES_MASK", raising=False)
    assert cli.main(["--db", url, "--mask"]) == 0 and opened == {"mask": True}
    assert cli.main(["--db", url]) == 0 and opened == {"mask": False}
    config.write_text("mask = true\n")  # the setting: masked without the flag
    assert cli.main(["--db", url]) == 0 and opened == {"mask": True}


# -- snapshots of the main screens, masked ------------------------------------------------------------
@pytest.fixture
def masked_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProfilesApp:
    monkeypatch.chdir(tmp_path)
    return make_app(build_store(Path("store")), mask=True)


@pytest.mark.parametrize(
    "presses",
    [
        pytest.param((), id="users"),
        pytest.param(("enter",), id="profile_overview"),
        pytest.param(("enter", "tab", "tab"), id="timeline"),
        pytest.param(("enter", "shift+tab", "shift+tab"), id="properties"),
        pytest.param(("enter", "tab", "down", "enter"), id="session"),
        pytest.param((*IDENTIFY, "tab", "tab"), id="event_raw"),
        pytest.param(("enter", "i"), id="identity"),
    ],
)
def test_masked_screen(masked_app: ProfilesApp, snap_compare, presses: tuple[str, ...]) -> None:  # noqa: ANN001
    assert snap_compare(masked_app, terminal_size=SIZE, run_before=keys(*presses))


async def test_an_export_from_the_app_while_masked_holds_no_personal_value(
    demo_store: tuple[str, set[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    url, values = demo_store
    monkeypatch.chdir(tmp_path)  # the export dialog's default folder
    app = make_app(url, mask=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for n, pid in enumerate(profiles_to_read(url)):
            app.open_profile(pid)
            await settle(pilot)
            await pilot.press("e", "ctrl+u", *f"p{n}.{'csv' if n % 2 == 0 else 'jsonl'}", "enter")
            await settle(pilot)
            app.pop_screen()
            await settle(pilot)
    files = sorted(tmp_path.glob("p*.*"))
    assert len(files) == len(profiles_to_read(url))
    written = {path.name: path.read_text(encoding="utf-8-sig") for path in files}
    assert written["p0.csv"] and written["p1.jsonl"]
    assert {name: leaks(text, values) for name, text in written.items() if leaks(text, values)} == {}


async def test_copies_from_the_event_screen_are_masked_while_masking_is_on(url: str) -> None:
    app = make_app(url, mask=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in (*IDENTIFY, "tab", "tab"):
            await pilot.press(key)
            await settle(pilot)
        await pilot.press("y")  # the raw JSON
        assert '"email": "a•••@a•••.com"' in app.clipboard and "alice@acme.com" not in app.clipboard
        await pilot.press("shift+tab", "shift+tab")
        await settle(pilot)
        tree = app.screen.query_one("#property-tree")
        tree.focus()
        for _ in range(30):  # down to the email
            node = tree.cursor_node  # type: ignore[attr-defined]
            if node is not None and node.data and node.data[0] == "email":
                break
            await pilot.press("down")
        await pilot.press("c")
        assert app.clipboard == "a•••@a•••.com"
        await pilot.press("M", "y")  # shown again: copied as stored
        await settle(pilot)
        assert "alice@acme.com" in app.clipboard
