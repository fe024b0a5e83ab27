"""`tui-profiles config` and bad settings, run as a real process with a real config file and real variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tui_profiles.settings_sources import SETTING_NAMES

CONFIG_TOML = """
session_gap_minutes = 45
order_events = ["Order Completed", "Refund Issued"]
db = "sqlite:///from-the-file.db"

[goals]
"Saw pricing" = "visited:/pricing"
"""


def run_cli(*args: str, config: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k.removeprefix("TUI_PROFILES_").lower() not in SETTING_NAMES}
    full_env = {**base, "TUI_PROFILES_CONFIG": str(config), **(env or {})}
    return subprocess.run([sys.executable, "-m", "tui_profiles", *args], capture_output=True, text=True, env=full_env, timeout=120)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG_TOML)
    return path


def test_config_prints_each_setting_and_where_it_came_from(config):
    run = run_cli("--db", "sqlite:///from-the-command-line.db", "config", config=config,
                  env={"TUI_PROFILES_LIVE_MINUTES": "5", "TUI_PROFILES_DB": "sqlite:///from-env.db",
                       "TUI_PROFILES_AUTHOR": "dana"})  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"# config file: {config} (from TUI_PROFILES_CONFIG)"
    assert f"session_gap_minutes = 45  # file {config}" in lines
    assert f'order_events = ["Order Completed", "Refund Issued"]  # file {config}' in lines
    assert f'goals = {{ "Saw pricing" = "visited:/pricing" }}  # file {config}' in lines
    assert "live_minutes = 5  # env TUI_PROFILES_LIVE_MINUTES" in lines
    assert 'db = "sqlite:///from-the-command-line.db"  # command line --db' in lines
    assert "longtime_days = 60  # default" in lines and "batch_size = 5000  # default" in lines
    assert 'author = "dana"  # env TUI_PROFILES_AUTHOR' in lines
    # The listing is a config file itself: saved, it reads back as the same settings.
    assert tomllib.loads(run.stdout) == {
        "db": "sqlite:///from-the-command-line.db", "session_gap_minutes": 45, "live_minutes": 5, "longtime_days": 60,
        "order_events": ["Order Completed", "Refund Issued"], "batch_size": 5000, "goals": {"Saw pricing": "visited:/pricing"},
        "feedback_events": ["Survey Responded", "survey sent"], "author": "dana", "blocked_ids": [], "max_anon_ids": 100,
        "mask": False,
    }  # fmt: skip


def test_config_json_names_the_source_of_each_value(config):
    run = run_cli("config", "--json", config=config, env={"TUI_PROFILES_GOALS": '["Signed Up"]'})
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["config_file"] == {"path": str(config), "found_by": "env TUI_PROFILES_CONFIG", "exists": True}
    settings = doc["settings"]
    assert list(settings) == list(SETTING_NAMES)
    assert {name: (s["source"], s["where"]) for name, s in settings.items()} == {
        "db": ("file", str(config)),
        "session_gap_minutes": ("file", str(config)),
        "live_minutes": ("default", None),
        "longtime_days": ("default", None),
        "order_events": ("file", str(config)),
        "batch_size": ("default", None),
        "goals": ("env", "TUI_PROFILES_GOALS"),
        "feedback_events": ("default", None),
        "author": ("default", None),
        "blocked_ids": ("default", None),
        "max_anon_ids": ("default", None),
        "mask": ("default", None),
    }
    assert settings["goals"]["value"] == {"Signed Up": "Signed Up"} and settings["db"]["value"] == "sqlite:///from-the-file.db"
    assert settings["session_gap_minutes"]["env"] == "TUI_PROFILES_SESSION_GAP_MINUTES"
    assert settings["author"]["value"]  # the OS user (or "unknown"), never empty
    assert all(s["description"] for s in settings.values())


def test_the_default_store_is_shown_when_nothing_names_one(tmp_path):
    empty = tmp_path / "config.toml"
    empty.write_text("")
    settings = json.loads(run_cli("config", "--json", config=empty).stdout)["settings"]
    assert settings["db"]["source"] == "default" and settings["db"]["value"].startswith("sqlite:///")
    assert settings["db"]["value"].endswith("store.db")


def test_settings_from_the_file_reach_the_commands(config, tmp_path):
    config.write_text(f'db = "sqlite:///{tmp_path}/kept.db"\n')
    run = run_cli("users", "--json", config=config)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [] and (tmp_path / "kept.db").exists()


@pytest.mark.parametrize(("text", "env", "message"), [
    ('session_gap_minutes = "abc"\n', {},
     'setting session_gap_minutes in {path}: expected a whole number of minutes (1 or more), got "abc"'),
    ("", {"TUI_PROFILES_BATCH_SIZE": "lots"},
     'setting batch_size in TUI_PROFILES_BATCH_SIZE: expected a whole number of events (1 or more), got "lots"'),
    ("sesion_gap_minutes = 5\n", {}, "unknown setting sesion_gap_minutes in {path} (did you mean session_gap_minutes?)"),
    ("[goals]\nx = \n", {}, "{path}:2:5: not valid TOML: Invalid value"),
])  # fmt: skip
@pytest.mark.parametrize("command", [("config",), ("users", "--json")])
def test_a_bad_setting_is_one_line_and_a_failing_exit(tmp_path, text, env, message, command):
    path = tmp_path / "config.toml"
    path.write_text(text)
    run = run_cli(*command, config=path, env=env)
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.splitlines() == ["tui-profiles: " + message.replace("{path}", str(path))]
