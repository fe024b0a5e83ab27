"""An event's nested JSON as an expandable tree; each node keeps its value so it can be copied."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from .. import safe

EXPAND_BELOW = 200  # nodes with fewer children than this open at once


class PropertyTree(Tree[Any]):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="tree.down"),
        Binding("k", "cursor_up", "Up", show=False, id="tree.up"),
    ]

    def __init__(self, label: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(Text(label), id=id)
        self.show_root = False
        self.guide_depth = 3

    def set_document(self, document: dict[str, Any], *, key: str = "") -> None:
        """`key`: what the document is, for masking (`traits`, `properties`, `context`; see domain/masking.py)."""
        self.clear()
        document = safe.document(document, key=key)  # masked by its keys while masking is on: shown and copied so
        _add_children(self.root, document)
        self.root.expand()
        if not document:
            self.root.add_leaf(Text("(nothing)", style="dim italic"), None)
        self.cursor_line = 0  # on the first property, so `c` has something to copy at once

    def copy_text(self) -> tuple[str, str] | None:
        """(what, text) of the value under the cursor: strings as they are, anything else as JSON."""
        node = self.cursor_node
        if node is None or node is self.root:
            return None
        if node.data is None:
            return None
        what, value = node.data
        if isinstance(value, str):
            return what, value
        return what, safe.to_json(value, indent=isinstance(value, (dict, list)))


def _add_children(node: TreeNode[Any], value: Any, path: str = "") -> None:
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in items:
        name = str(key) if isinstance(value, dict) else f"[{key}]"
        child_path = f"{path}{name}" if not path or name.startswith("[") else f"{path}.{name}"
        key_label = safe.text(name, style="bold cyan")
        if isinstance(child, (dict, list)) and child:
            kind = "{…}" if isinstance(child, dict) else "[…]"
            branch = node.add(key_label + Text(f" {kind} {len(child)}", style="dim"), (child_path, child), expand=len(child) < EXPAND_BELOW)
            _add_children(branch, child, child_path)
        else:
            if child == "":
                shown = Text('""', style="dim")
            elif isinstance(child, str):
                shown = safe.text(child, style="green")
            else:
                shown = Text(safe.scalar(child), style="yellow")
            node.add_leaf(key_label + Text(": ", style="dim") + shown, (child_path, child))
