"""Textual's private names stay fenced in tui_profiles/tui/textual_compat.py, and the ones used there still work.

Textual is pinned to one version; its private names can change in any release. The first tests check
that what the compat module relies on exists on the pinned version and does what we use it for. The
last ones read every module of the product, its tests and its benchmarks and fail on any use of a
Textual private name elsewhere: an attribute (read, written, or by `getattr`), an import, or a
method of ours that overrides a private one of Textual's.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from functools import cache
from pathlib import Path

import textual
from textual.app import App, ComposeResult
from textual.events import Key
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.widgets import Static

import tui_profiles
from tui_profiles.tui import textual_compat
from tui_profiles.tui.textual_compat import RELIED_ON

ROOT = Path(__file__).resolve().parents[2]
SCANNED = (ROOT / "tui_profiles", ROOT / "tests")
COMPAT = ROOT / "tui_profiles" / "tui" / "textual_compat.py"
TEXTUAL_DIR = Path(textual.__file__).parent
ATTRIBUTE_BUILTINS = ("getattr", "setattr", "hasattr", "delattr")


# -- what the compat module relies on ----------------------------------------------------------------
# The names below are methods; the others are attributes Textual sets in `__init__`.
METHODS = {"_get_screen", "_refresh_layout", "_on_timer_update", "_scroll_update", "_size_updated", "_wait_for_screen", "_character_to_key",
           "_get_unicode_name_from_key"}


def holder(path: str) -> object:
    """`textual.app.App` -> the class; `textual.keys` -> the module."""
    try:
        return importlib.import_module(path)
    except ImportError:
        module, _, name = path.rpartition(".")
        return getattr(importlib.import_module(module), name)


def test_every_private_name_relied_on_exists_on_the_pinned_textual() -> None:
    missing = []
    for path, names in RELIED_ON.items():
        owner = holder(path)
        for name in names:
            if inspect.isclass(owner):
                exists = any(name in defined_by(base) for base in owner.__mro__)
            else:
                exists = hasattr(owner, name)
            if not exists or (name in METHODS and not callable(getattr(owner, name))):
                missing.append(f"{path}.{name}")
    assert not missing, f"gone from Textual {textual.__version__} (update textual_compat.py): {missing}"


class Prepared(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("prepared", id="body")


class Rows(ScrollView):
    def render_line(self, y: int):  # noqa: ANN201 - a Strip
        from textual.strip import Strip

        return Strip.blank(self.size.width)


class Ping(Message):
    """Handled by nobody."""


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("first", id="first")
        yield Rows(id="rows")


async def test_the_compat_functions_do_what_the_app_relies_on() -> None:
    keys_seen: list[Key] = []
    app = Host()
    hook = lambda message: keys_seen.append(message) if isinstance(message, Key) else None  # noqa: E731
    async with app.run_test(size=(40, 10), message_hook=hook) as pilot:
        # A screen mounted and laid out while another is shown.
        screen = Prepared()
        app.install_screen(screen, "prepared")
        await textual_compat.mount_unseen(app, screen)
        assert screen.is_mounted and screen not in app.screen_stack
        assert screen.query_one("#body").is_mounted
        textual_compat.lay_out_unseen(screen, Size(40, 10))
        assert screen.query_one("#body").size.width == 40
        # Drawing held, then drawn at once.
        with app.batch_update():
            assert textual_compat.updates_held(app)
        assert not textual_compat.updates_held(app)
        app.query_one("#first", Static).update("second")
        textual_compat.paint_now(app.screen)
        assert await textual_compat.wait_for_screen(pilot)
        assert any("second" in line for line in textual_compat.screen_lines(app.screen))
        # Messages queued and not yet handled, on any node of any screen in the stack.
        assert textual_compat.pending_messages(app) == 0
        app.query_one("#first", Static).post_message(Ping())
        app.post_message(Ping())
        assert textual_compat.pending_messages(app) == 2
        assert await textual_compat.wait_for_screen(pilot)
        assert textual_compat.pending_messages(app) == 0
        # The CSS generation moves with the theme.
        before = textual_compat.css_generation(app)
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        assert textual_compat.css_generation(app) != before
        await pilot.pause()
        assert textual_compat.restyled_for_css(app.screen) == textual_compat.css_generation(app)  # Textual restyled it
        assert textual_compat.restyled_for_css(screen) != textual_compat.css_generation(app)  # not in the stack: not restyled
        # Scrollbars follow a virtual size set without a layout.
        rows = app.query_one(Rows)
        rows.virtual_size = Size(38, 100)
        await pilot.pause()
        rows.set_reactive(ScrollView.virtual_size, Size(38, 200))
        textual_compat.scroll_update(rows, Size(38, 200))
        assert rows.vertical_scrollbar.window_virtual_size == 200
        # The Key events Pilot sends.
        for key in ("/", "enter", "a", "question_mark", "left_square_bracket"):
            keys_seen.clear()
            await pilot.press(key)
            sent = next(k for k in keys_seen if k.key == textual_compat.key_event(key).key)
            assert (sent.key, sent.character) == (textual_compat.key_event(key).key, textual_compat.key_event(key).character)


# -- no private name of Textual's outside the compat module -----------------------------------------
def private(name: str) -> bool:
    return name.startswith("_") and name != "_" and not (name.startswith("__") and name.endswith("__"))


def names_defined(tree: ast.AST) -> set[str]:
    """Private names a tree defines: functions, classes, and whatever it assigns (`x._y = `, `_y = `)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute):
                        found.add(part.attr)
                    elif isinstance(part, ast.Name):
                        found.add(part.id)
    return {name for name in found if private(name)}


def our_files() -> list[Path]:
    return sorted(path for folder in SCANNED for path in folder.rglob("*.py") if path != COMPAT)


@cache
def textual_private_names() -> frozenset[str]:
    """Every private name Textual's source defines (methods, attributes set on `self`, module globals)."""
    names: set[str] = set()
    for path in TEXTUAL_DIR.rglob("*.py"):
        names |= names_defined(ast.parse(path.read_text(encoding="utf-8")))
    return frozenset(names)


@cache
def our_private_names() -> frozenset[str]:
    names: set[str] = set()
    for path in our_files():
        names |= names_defined(ast.parse(path.read_text(encoding="utf-8")))
    return frozenset(names)


def textual_private_uses(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) for each use of a name only Textual defines, and each import of a private part of Textual."""
    theirs = textual_private_names() - our_private_names()
    # `os._exit` is the standard library's, whatever Textual names its own methods.
    other_modules = {
        (alias.asname or alias.name).split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
        for alias in node.names if alias.name.split(".")[0] != "textual"
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in theirs:
            if isinstance(node.value, ast.Name) and node.value.id in other_modules:
                continue
            found.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ATTRIBUTE_BUILTINS:
            if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value in theirs:
                found.append((node.lineno, f"{node.func.id}(..., {node.args[1].value!r})"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "textual":
            if any(private(part) for part in node.module.split(".")):  # type: ignore[union-attr]
                found.append((node.lineno, f"from {node.module} import"))
            found.extend((node.lineno, f"from {node.module} import {alias.name}") for alias in node.names if private(alias.name))
        elif isinstance(node, ast.Import):
            found.extend(
                (node.lineno, f"import {alias.name}") for alias in node.names
                if alias.name.split(".")[0] == "textual" and any(private(part) for part in alias.name.split("."))
            )
    return found


def test_no_module_but_the_compat_one_uses_a_textual_private_name() -> None:
    uses = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in our_files()
        for line, what in textual_private_uses(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not uses, "Textual private names outside tui_profiles/tui/textual_compat.py:\n" + "\n".join(uses)


@cache
def defined_by(cls: object) -> set[str]:
    """Private names a class's own source defines: its methods and class attributes, and what its methods set on `self`."""
    if not inspect.isclass(cls):
        return set()
    try:
        body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]
    except (OSError, TypeError):  # no source (built in): what its namespace holds
        return {name for name in vars(cls) if private(name)}
    assert isinstance(body, ast.ClassDef)
    found = set()
    for statement in body.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(statement.name)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            found.update(t.id for t in (statement.targets if isinstance(statement, ast.Assign) else [statement.target])
                         if isinstance(t, ast.Name))
    for node in ast.walk(body):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
                    found.add(target.attr)
    return {name for name in found if private(name)}


def test_no_class_of_ours_overrides_a_private_name_of_the_textual_classes_it_extends() -> None:
    # Textual dispatches `_on_x` handlers and keeps state in `self._x`: a method or attribute of ours with
    # the same name silently replaces Textual's. Public handlers (`on_x`) run subclass first, beside Textual's.
    clashes = []
    for module in product_modules():
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            textual_bases = [base for base in cls.__mro__ if base.__module__.split(".")[0] == "textual"]
            theirs = set().union(*(defined_by(base) for base in textual_bases))
            for ours in cls.__mro__:
                if ours.__module__.startswith("tui_profiles.") and ours.__module__ != textual_compat.__name__:
                    clashes.extend(f"{cls.__qualname__} ({ours.__qualname__}): {name}" for name in sorted(defined_by(ours) & theirs))
    assert not clashes, "classes of ours that override Textual's private names:\n" + "\n".join(sorted(set(clashes)))


def product_modules() -> list:  # noqa: ANN201 - modules
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(tui_profiles.__path__, "tui_profiles.")
        if not info.name.endswith("__main__")
    ]


def test_the_scan_finds_what_it_is_for() -> None:
    """The scan is not blind: each kind of use it must catch, in a module written here."""
    sample = textwrap.dedent(
        """
        from textual.keys import _character_to_key
        import textual._context
        app._notifications
        screen._compositor.render_strips()
        getattr(app, "_batch_count", 0)
        import os
        os._exit(0)
        self._profile_screen = None
        self._profile_screen
        """
    )
    found = [what for _line, what in textual_private_uses(ast.parse(sample))]
    assert sorted(found) == sorted([
        "from textual.keys import _character_to_key", "import textual._context", "._notifications", "._compositor",
        "getattr(..., '_batch_count')",
    ])
