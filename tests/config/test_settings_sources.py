"""Settings from a real config.toml and the real environment: precedence, goals, and the one-line error for each bad value."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from tui_profiles.config import DAY_MS, MINUTE_MS, Settings, SettingsError, default_db_url
from tui_profiles.settings_sources import SETTING_NAMES, Source, find_config_file, load_settings, read_settings


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Writes config.toml in tmp_path and points TUI_PROFILES_CONFIG at it; no setting comes from the outer environment."""
    for name in SETTING_NAMES:
        monkeypatch.delenv("TUI_PROFILES_" + name.upper(), raising=False)
    path = tmp_path / "config.toml"
    path.write_text("")
    monkeypatch.setenv("TUI_PROFILES_CONFIG", str(path))

    def write(text: str | bytes) -> Path:
        path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text)
        return path

    return write


def test_with_nothing_set_every_setting_is_its_default(config):
    loaded = read_settings()
    assert loaded.settings() == Settings(db_url=default_db_url())
    assert {str(loaded.source_of(name)) for name in SETTING_NAMES} == {"default"}


def test_the_file_lives_in_the_users_config_folder(monkeypatch):
    monkeypatch.delenv("TUI_PROFILES_CONFIG")
    found = find_config_file()
    assert found.path == Path(platformdirs.user_config_dir("tui-profiles", appauthor=False)) / "config.toml"
    assert found.found_by == Source("default")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG_CONFIG_HOME moves the config folder on Linux only")
def test_a_file_in_the_config_folder_is_read(config, tmp_path, monkeypatch):
    monkeypatch.delenv("TUI_PROFILES_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    (tmp_path / "xdg" / "tui-profiles").mkdir(parents=True)
    (tmp_path / "xdg" / "tui-profiles" / "config.toml").write_text("batch_size = 7\n")
    assert load_settings().batch_size == 7
    (tmp_path / "xdg" / "tui-profiles" / "config.toml").unlink()
    assert load_settings().batch_size == Settings.batch_size  # no file at the default place: defaults, no error


def test_every_setting_from_the_file(config, tmp_path):
    path = config(f"""
db = "sqlite:///{tmp_path}/kept.db"
session_gap_minutes = 45
live_minutes = 5
longtime_days = 90
order_events = ["Order Completed", "Subscription Started"]
batch_size = 250
feedback_events = ["NPS"]
author = "dana@support"
blocked_ids = ["kiosk", "00000000-0000-0000-0000-000000000000"]
max_anon_ids = 20
mask = true

[goals]
"Saw pricing" = "visited:/pricing"
"Signed up" = "Signed Up"
""")
    loaded = read_settings()
    assert loaded.settings() == Settings(
        db_url=f"sqlite:///{tmp_path}/kept.db",
        session_gap_ms=45 * MINUTE_MS,
        live_ms=5 * MINUTE_MS,
        longtime_ms=90 * DAY_MS,
        order_events=("Order Completed", "Subscription Started"),
        batch_size=250,
        goals={"Saw pricing": "visited:/pricing", "Signed up": "Signed Up"},
        feedback_events=("NPS",),
        author="dana@support",
        blocked_ids=("kiosk", "00000000-0000-0000-0000-000000000000"),
        max_anon_ids=20,
        mask=True,
    )
    assert list(loaded.settings().goals) == ["Saw pricing", "Signed up"]  # the file's order is the order shown
    assert {loaded.source_of(name) for name in SETTING_NAMES} == {Source("file", str(path))}


def test_the_environment_wins_over_the_file_and_db_on_the_command_line_over_both(config, monkeypatch, tmp_path):
    path = config('db = "sqlite:///file.db"\nsession_gap_minutes = 45\nlive_minutes = 5\norder_events = ["A"]\n')
    monkeypatch.setenv("TUI_PROFILES_DB", "sqlite:///env.db")
    monkeypatch.setenv("TUI_PROFILES_SESSION_GAP_MINUTES", "20")
    monkeypatch.setenv("TUI_PROFILES_ORDER_EVENTS", "Order Completed, Refund Issued ,")
    monkeypatch.setenv("TUI_PROFILES_LIVE_MINUTES", "")  # empty is unset, as it always was
    loaded = read_settings()
    assert (loaded.settings().session_gap_ms, loaded.settings().live_ms) == (20 * MINUTE_MS, 5 * MINUTE_MS)
    assert loaded.settings().order_events == ("Order Completed", "Refund Issued")
    assert loaded.settings().db_url == "sqlite:///env.db"
    assert loaded.source_of("session_gap_minutes") == Source("env", "TUI_PROFILES_SESSION_GAP_MINUTES")
    assert loaded.source_of("live_minutes") == Source("file", str(path))
    assert loaded.source_of("longtime_days") == Source("default")

    loaded = read_settings("sqlite:///cli.db")
    assert loaded.settings().db_url == "sqlite:///cli.db" and loaded.source_of("db") == Source("command line", "--db")
    assert load_settings("sqlite:///cli.db").with_db(None).db_url == "sqlite:///cli.db"


def test_blocked_ids_and_the_anonymous_id_cap_from_the_environment(config, monkeypatch):
    config('blocked_ids = ["from-file"]\nmax_anon_ids = 50\n')
    monkeypatch.setenv("TUI_PROFILES_BLOCKED_IDS", " kiosk, Shared-Tablet ,,")
    monkeypatch.setenv("TUI_PROFILES_MAX_ANON_IDS", "7")
    loaded = read_settings()
    assert loaded.settings().blocked_ids == ("kiosk", "Shared-Tablet")  # the variable replaces the file's list
    assert loaded.settings().max_anon_ids == 7
    assert loaded.source_of("blocked_ids") == Source("env", "TUI_PROFILES_BLOCKED_IDS")
    assert loaded.effective()["blocked_ids"] == ["kiosk", "Shared-Tablet"]


def test_goals_from_the_file_table_and_from_env_json(config, monkeypatch):
    config('[goals]\n"Saw pricing" = "visited:/pricing"\n')
    assert load_settings().goals == {"Saw pricing": "visited:/pricing"}
    config('goals = ["Signed Up", "did page /docs/*"]\n')
    assert load_settings().goals == {"Signed Up": "Signed Up", "did page /docs/*": "did page /docs/*"}
    # The variable replaces the file's table; goals are not merged name by name.
    monkeypatch.setenv("TUI_PROFILES_GOALS", '{"Bought": "Order Completed"}')
    assert load_settings().goals == {"Bought": "Order Completed"}
    monkeypatch.setenv("TUI_PROFILES_GOALS", '["Order Completed"]')
    assert load_settings().goals == {"Order Completed": "Order Completed"}


def test_the_author_is_the_os_user_unless_set(config, monkeypatch):
    """The audit log's "who": getpass's answer (LOGNAME first), else the file, else TUI_PROFILES_AUTHOR."""
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOGNAME", "dana")
    loaded = read_settings()
    assert loaded.settings().author == "dana" and loaded.source_of("author") == Source("default")
    assert loaded.effective()["author"] == "dana" and Settings().author == "dana"
    path = config('author = "file-dana"\n')
    assert load_settings().author == "file-dana"
    monkeypatch.setenv("TUI_PROFILES_AUTHOR", "Dana Support")
    loaded = read_settings()
    assert loaded.settings().author == "Dana Support" and loaded.source_of("author") == Source("env", "TUI_PROFILES_AUTHOR")
    monkeypatch.setenv("TUI_PROFILES_AUTHOR", "")  # empty is unset, as for every variable: the file's
    assert load_settings().author == "file-dana"
    assert read_settings().source_of("author") == Source("file", str(path))


def test_an_author_the_system_cannot_name_is_unknown(config, monkeypatch):
    import getpass

    def no_user() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert load_settings().author == "unknown" and Settings().author == "unknown"


BAD_FILE_VALUES = [
    ('session_gap_minutes = "abc"', 'setting session_gap_minutes in {path}: expected a whole number of minutes (1 or more), got "abc"'),
    ("session_gap_minutes = 0", "setting session_gap_minutes in {path}: expected a whole number of minutes (1 or more), got 0"),
    ("live_minutes = true", "setting live_minutes in {path}: expected a whole number of minutes (0 or more), got true"),
    ("longtime_days = 1.5", "setting longtime_days in {path}: expected a whole number of days (0 or more), got 1.5"),
    ("batch_size = -3", "setting batch_size in {path}: expected a whole number of events (1 or more), got -3"),
    ('order_events = ["A", 1]', 'setting order_events in {path}: expected a list of event names, got ["A", 1]'),
    ("feedback_events = {}", "setting feedback_events in {path}: expected a list of event names, got {}"),
    ("db = 5", "setting db in {path}: expected a store URL: sqlite:///path or postgresql+psycopg://..., got 5"),
    ("author = 5", "setting author in {path}: expected a name (text), got 5"),
    ('goals = "Signed Up"',
     'setting goals in {path}: expected a table of "goal name" = "condition", or a list of conditions, got "Signed Up"'),
    ("[goals]\nBought = 1",
     'setting goals in {path}: expected a table of "goal name" = "condition", or a list of conditions, got {"Bought": 1}'),
    ("sesion_gap_minutes = 10", "unknown setting sesion_gap_minutes in {path} (did you mean session_gap_minutes?)"),
    ("blocked_ids = [1]", "setting blocked_ids in {path}: expected a list of ids, got [1]"),
    ("max_anon_ids = 0", "setting max_anon_ids in {path}: expected a whole number of anonymous ids (1 or more), got 0"),
    ("max_anon_ids = true", "setting max_anon_ids in {path}: expected a whole number of anonymous ids (1 or more), got true"),
    ("colour = 'blue'", "unknown setting colour in {path} (the settings are db, session_gap_minutes, live_minutes, longtime_days, "
                        "order_events, batch_size, goals, feedback_events, author, blocked_ids, max_anon_ids, mask)"),
    ("mask = 1", "setting mask in {path}: expected true or false, got 1"),
    ('mask = "yes"', 'setting mask in {path}: expected true or false, got "yes"'),
    ('batch_size = 10\nlive_minutes = = 3\n', "{path}:2:16: not valid TOML: Invalid value"),
    ("[goals\n", "{path}:1:7: not valid TOML: Expected ']' at the end of a table declaration"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), BAD_FILE_VALUES)
def test_a_bad_value_in_the_file_names_the_setting_the_file_and_what_was_expected(config, text, message):
    path = config(text + "\n")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == message.replace("{path}", str(path))


BAD_ENV_VALUES = [
    ("SESSION_GAP_MINUTES", "abc", 'expected a whole number of minutes (1 or more), got "abc"'),
    ("LIVE_MINUTES", "-1", 'expected a whole number of minutes (0 or more), got "-1"'),
    ("LONGTIME_DAYS", "ten", 'expected a whole number of days (0 or more), got "ten"'),
    ("BATCH_SIZE", "0", 'expected a whole number of events (1 or more), got "0"'),
    ("MAX_ANON_IDS", "many", 'expected a whole number of anonymous ids (1 or more), got "many"'),
    ("GOALS", "{not json", 'expected a JSON object {"goal name": "condition"} or a JSON list of conditions, got "{not json" '
                           "(not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
    ("GOALS", '{"a": 1}', 'expected a JSON object {"goal name": "condition"} or a JSON list of conditions, got "{\\"a\\": 1}"'),
    ("GOALS", '"x"', 'expected a JSON object {"goal name": "condition"} or a JSON list of conditions, got "\\"x\\""'),
]  # fmt: skip


@pytest.mark.parametrize(("name", "value", "expected"), BAD_ENV_VALUES)
def test_a_bad_value_in_the_environment_names_the_variable(config, monkeypatch, name, value, expected):
    config("session_gap_minutes = 45\n[goals]\nok = \"Signed Up\"\n")  # good values the variable overrides
    monkeypatch.setenv("TUI_PROFILES_" + name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == f"setting {name.lower()} in TUI_PROFILES_{name}: {expected}"


def test_every_bad_value_is_reported_each_on_its_own_line(config, monkeypatch):
    path = config('session_gap_minutes = "x"\nbatch_size = 0\n')
    monkeypatch.setenv("TUI_PROFILES_LIVE_MINUTES", "soon")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).splitlines() == [
        f'setting session_gap_minutes in {path}: expected a whole number of minutes (1 or more), got "x"',
        'setting live_minutes in TUI_PROFILES_LIVE_MINUTES: expected a whole number of minutes (0 or more), got "soon"',
        f"setting batch_size in {path}: expected a whole number of events (1 or more), got 0",
    ]


def test_a_config_file_that_cannot_be_read_says_why(config, monkeypatch, tmp_path):
    path = config(b"batch_size = 5 # caf\xe9\n")
    with pytest.raises(SettingsError, match=f"^{path}: not UTF-8 text"):
        load_settings()
    monkeypatch.setenv("TUI_PROFILES_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == f"TUI_PROFILES_CONFIG names {tmp_path / 'missing.toml'}, which is not a file"


def test_the_readme_example_file_is_a_valid_config(config):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    config(example)
    settings = load_settings()
    assert settings.db_url.startswith("postgresql+psycopg://") and settings.goals["Saw pricing"] == "visited:/pricing"
