"""The headless core (everything but tui_profiles.tui and the cli) never loads Textual or Rich.

Only a fresh interpreter shows what an import really pulls in, so the check runs in a subprocess
and reads `sys.modules`. Modules are found by walking the package folder: a new one is covered
the day it is added.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "tui_profiles"
FORBIDDEN = ("textual", "rich")
# The face may use Textual; `__main__` would run the app when imported.
EXCLUDED = ("tui_profiles.tui", "tui_profiles.cli", "tui_profiles.__main__")

# Imports each module in turn and reports the forbidden modules that first appeared after it.
CHECK = """
import importlib, json, sys
forbidden, leaks = {forbidden!r}, {{}}
for name in {modules!r}:
    importlib.import_module(name)
    new = [m for m in forbidden if m in sys.modules and not any(m in seen for seen in leaks.values())]
    if new:
        leaks[name] = new
print(json.dumps(leaks))
"""


def core_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts)
        if not any(name == excluded or name.startswith(excluded + ".") for excluded in EXCLUDED):
            names.append(name)
    return names


def leaked_imports(modules: list[str]) -> dict[str, list[str]]:
    """{module: forbidden modules loaded by importing it}; an import that fails fails the test."""
    proc = subprocess.run(
        [sys.executable, "-c", CHECK.format(forbidden=FORBIDDEN, modules=modules)],
        cwd=PACKAGE_DIR.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"importing the core failed:\n{proc.stderr}"
    return json.loads(proc.stdout)


def test_the_core_does_not_load_textual_or_rich() -> None:
    modules = core_modules()
    assert "tui_profiles.domain.formats" in modules
    assert not leaked_imports(modules)


def test_the_walk_skips_the_face_only() -> None:
    modules = core_modules()
    assert "tui_profiles" in modules
    assert not [m for m in modules if m.startswith("tui_profiles.tui") or m == "tui_profiles.cli"]


def test_a_leak_is_caught_and_blamed() -> None:
    # textual.color pulls in rich; the check must name the import that did it.
    assert leaked_imports(["tui_profiles", "textual.color"]) == {"textual.color": ["textual", "rich"]}
