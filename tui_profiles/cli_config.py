"""`tui-profiles config`: the settings in effect and where each came from (default, file, env, command line).

The text form is itself a config.toml, each line commented with its source, so it can be saved and edited.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

import orjson

from .config import ENV_PREFIX, Settings


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("config", help="the settings in effect and where each came from (default, config file, env, --db)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_config)


def cmd_config(settings: Settings, args: argparse.Namespace) -> int:
    from .settings_sources import KeptSettings, read_settings

    # The CLI has loaded (and so validated) the settings already; this second read keeps where each came from.
    loaded = read_settings(args.db)
    values = loaded.effective()
    config_file = loaded.config_file
    if args.json:
        doc = {
            "config_file": {"path": str(config_file.path), "found_by": str(config_file.found_by), "exists": config_file.exists},
            "settings": {
                name: {
                    "value": value,
                    "source": loaded.source_of(name).kind,
                    "where": loaded.source_of(name).where,
                    "env": ENV_PREFIX + name.upper(),
                    "description": KeptSettings.model_fields[name].description,
                }
                for name, value in values.items()
            },
        }
        sys.stdout.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    how = "the default location" if config_file.found_by.kind == "default" else f"from {config_file.found_by.where}"
    print(f"# config file: {config_file.path} ({how}{'' if config_file.exists else ', not found'})")
    for name, value in values.items():
        print(f"{name} = {_toml(value)}  # {loaded.source_of(name)}")
    return 0


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml(value: Any) -> str:
    """A TOML value on one line; JSON's string escapes are TOML's too."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"{k if _BARE_KEY.fullmatch(k) else _toml(k)} = {_toml(v)}" for k, v in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    raise TypeError(f"no TOML form for {type(value).__name__}")
