"""Where settings come from: config.toml, then TUI_PROFILES_ variables, then --db; each value knows its source.

pydantic-settings reads and types them. The rest of the code reads `config.Settings`, the plain frozen value
built from them, so this module (and pydantic-settings) is imported only when settings are loaded.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, SettingsConfigDict, TomlConfigSettingsSource

from .config import DAY_MS, ENV_PREFIX, MINUTE_MS, Settings, SettingsError, default_author, default_db_url

CONFIG_ENV = ENV_PREFIX + "CONFIG"
CONFIG_NAME = "config.toml"


@dataclass(frozen=True)
class Expect:
    """What a setting takes, in words, for its error line; `in_env` where the variable is written differently."""

    text: str
    in_env: str | None = None


def _whole_number(value: Any) -> Any:
    # Pydantic would read TOML's `true` as 1 minute.
    if isinstance(value, bool):
        raise ValueError()
    return value


def _true_or_false(value: Any) -> Any:
    # Pydantic would read 1, "yes" or "on" as true: say true or false (the variable: also 1 or 0).
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    if not isinstance(value, bool):
        raise ValueError()
    return value


def _blank_is_unset(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _names(value: Any) -> Any:
    """A list of names (file), or one comma-separated string of them (environment)."""
    if isinstance(value, str):
        return tuple(name.strip() for name in value.split(",") if name.strip())
    return value


def _goals(value: Any) -> Any:
    """A table (file) or JSON (environment) of {"name": "condition"}, or a list of conditions each named by itself."""
    if isinstance(value, str):
        if not value.strip():
            return {}
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ValueError(f"not JSON: {exc}") from None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return {v: v for v in value}
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
Names = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_names)]


class KeptSettings(BaseSettings):
    """The settings a person keeps: each is a key of config.toml and the variable TUI_PROFILES_<KEY>, which wins."""

    # The values arrive already merged, through the constructor (read_settings); no source reads behind its back.
    # Descriptions are Field(description=...), not attribute docstrings: reading those back costs ~35 ms a start.
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="forbid", frozen=True)

    db: Annotated[str | None, BeforeValidator(_blank_is_unset), Expect("a store URL: sqlite:///path or postgresql+psycopg://...")] = Field(
        None,
        description="Store URL (sqlite:///path or postgresql+psycopg://user@host/dbname); unset, a SQLite file in the user's data folder.",
    )
    session_gap_minutes: Annotated[WholeNumber, Expect("a whole number of minutes (1 or more)")] = Field(
        Settings.session_gap_ms // MINUTE_MS,
        ge=1,
        description="A profile's events split into a new session after this many minutes without one.",
    )
    live_minutes: Annotated[WholeNumber, Expect("a whole number of minutes (0 or more)")] = Field(
        Settings.live_ms // MINUTE_MS,
        ge=0,
        description="A session (and its profile) is live while its last event is younger than this many minutes.",
    )
    longtime_days: Annotated[WholeNumber, Expect("a whole number of days (0 or more)")] = Field(
        Settings.longtime_ms // DAY_MS,
        ge=0,
        description="A profile first seen more than this many days ago is tagged `longtime`.",
    )
    order_events: Annotated[Names, Expect("a list of event names", in_env="event names separated by commas")] = Field(
        Settings.order_events,
        description="Event names that make a profile a `buyer`.",
    )
    batch_size: Annotated[WholeNumber, Expect("a whole number of events (1 or more)")] = Field(
        Settings.batch_size,
        ge=1,
        description="Events per write transaction when ingesting.",
    )
    goals: Annotated[
        dict[str, str],
        NoDecode,
        BeforeValidator(_goals),
        Expect(
            'a table of "goal name" = "condition", or a list of conditions',
            in_env='a JSON object {"goal name": "condition"} or a JSON list of conditions',
        ),
    ] = Field(
        {},
        description="Goals, name = condition: an event name (`Signed Up`), a page (`did page /pricing`, `/docs/*`) "
        "or a `did:`/`visited:` term of the filter language.",
    )
    feedback_events: Annotated[Names, Expect("a list of event names", in_env="event names separated by commas")] = Field(
        Settings.feedback_events,
        description="Events that carry survey and NPS answers (the profile's Feedback), matched ignoring case.",
    )
    author: Annotated[str | None, BeforeValidator(_blank_is_unset), Expect("a name (text)")] = Field(
        None,
        description="Who the audit log names for changes made from here (exclude, erase, saved filters); unset, the OS user.",
    )
    blocked_ids: Annotated[Names, Expect("a list of ids", in_env="ids separated by commas")] = Field(
        Settings.blocked_ids,
        description="Ids that name no one (a placeholder a client sends for everybody), on top of the built-in junk ids: "
        "a message whose only ids are blocked is quarantined, and a blocked id never links two profiles. Any case.",
    )
    max_anon_ids: Annotated[WholeNumber, Expect("a whole number of anonymous ids (1 or more)")] = Field(
        Settings.max_anon_ids,
        ge=1,
        description="A profile with more anonymous ids than this is tagged `too_many_ids`: usually a tracking bug merged strangers.",
    )
    mask: Annotated[bool, BeforeValidator(_true_or_false), Expect("true or false")] = Field(
        Settings.mask,
        description="Open the app with personal data masked, for screen sharing (M toggles it; --mask also turns it on).",
    )

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: Any, **_: Any) -> tuple[Any, ...]:
        return (init_settings,)


SETTING_NAMES = tuple(KeptSettings.model_fields)


@dataclass(frozen=True)
class Source:
    """Where one value came from: `kind` is default, file, env or command line; `where` names the file, variable or option."""

    kind: str
    where: str | None = None

    def __str__(self) -> str:
        return self.kind if self.where is None else f"{self.kind} {self.where}"


DEFAULT = Source("default")


@dataclass(frozen=True)
class ConfigFile:
    """The config file that was (or would have been) read, and how it was found."""

    path: Path
    found_by: Source
    exists: bool


@dataclass(frozen=True)
class LoadedSettings:
    kept: KeptSettings
    sources: dict[str, Source]
    config_file: ConfigFile

    def source_of(self, name: str) -> Source:
        return self.sources.get(name, DEFAULT)

    def effective(self) -> dict[str, Any]:
        """Every setting as a person writes it (minutes, days, lists), the default store URL filled in."""
        values = self.kept.model_dump()
        values["db"] = values["db"] or default_db_url()
        values["author"] = values["author"] or default_author()
        values["order_events"] = list(values["order_events"])
        values["feedback_events"] = list(values["feedback_events"])
        values["blocked_ids"] = list(values["blocked_ids"])
        return values

    def settings(self) -> Settings:
        kept = self.kept
        return Settings(
            db_url=kept.db or default_db_url(),
            session_gap_ms=kept.session_gap_minutes * MINUTE_MS,
            live_ms=kept.live_minutes * MINUTE_MS,
            longtime_ms=kept.longtime_days * DAY_MS,
            order_events=kept.order_events,
            batch_size=kept.batch_size,
            goals=dict(kept.goals),
            feedback_events=kept.feedback_events,
            author=kept.author or default_author(),
            blocked_ids=kept.blocked_ids,
            max_anon_ids=kept.max_anon_ids,
            mask=kept.mask,
        )


def find_config_file() -> ConfigFile:
    """$TUI_PROFILES_CONFIG, else config.toml in the user's config folder (~/.config/tui-profiles on Linux)."""
    named = os.environ.get(CONFIG_ENV, "").strip()
    if named:
        path, found_by = Path(named).expanduser().absolute(), Source("env", CONFIG_ENV)
    else:
        import platformdirs

        path, found_by = Path(platformdirs.user_config_dir("tui-profiles", appauthor=False)) / CONFIG_NAME, DEFAULT
    return ConfigFile(path, found_by, path.is_file())


def read_settings(db_url: str | None = None) -> LoadedSettings:
    """The file's values, then the environment's, then `db_url` (--db), validated together; defaults for the rest."""
    config_file = find_config_file()
    values: dict[str, Any] = {}
    sources: dict[str, Source] = {}
    file_source = Source("file", str(config_file.path))
    for name, value in _file_values(config_file).items():
        values[name], sources[name] = value, file_source
    for name, value in EnvSettingsSource(KeptSettings)().items():
        values[name], sources[name] = value, Source("env", ENV_PREFIX + name.upper())
    if db_url:
        values["db"], sources["db"] = db_url, Source("command line", "--db")
    try:
        kept = KeptSettings(**values)
    except ValidationError as exc:
        raise SettingsError("\n".join(dict.fromkeys(_problem(err, values, sources) for err in exc.errors()))) from None
    return LoadedSettings(kept, sources, config_file)


_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def _file_values(config_file: ConfigFile) -> dict[str, Any]:
    path = config_file.path
    if not config_file.exists:
        if config_file.found_by.kind == "env":
            # Asked for by name: carrying on with defaults would hide the mistake.
            raise SettingsError(f"{CONFIG_ENV} names {path}, which is not a file")
        return {}
    try:
        return TomlConfigSettingsSource(KeptSettings, toml_file=path)()
    except tomllib.TOMLDecodeError as exc:
        at = _TOML_AT.search(str(exc))
        if at is None:
            raise SettingsError(f"{path}: not valid TOML: {exc}") from None
        raise SettingsError(f"{path}:{at[1]}:{at[2]}: not valid TOML: {_TOML_AT.sub('', str(exc))}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: not UTF-8 text, as TOML must be") from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read: {exc.strerror}") from None


def _problem(err: Any, values: dict[str, Any], sources: dict[str, Source]) -> str:
    """One line: which setting, which file or variable, what was expected and what was found."""
    name = str(err["loc"][0]) if err["loc"] else "?"
    source = sources.get(name, DEFAULT)
    where = source.where or str(source)
    if err["type"] == "extra_forbidden":
        near = difflib.get_close_matches(name, SETTING_NAMES, n=1)
        hint = f"did you mean {near[0]}?" if near else "the settings are " + ", ".join(SETTING_NAMES)
        return f"unknown setting {name} in {where} ({hint})"
    expect = next(m for m in KeptSettings.model_fields[name].metadata if isinstance(m, Expect))
    wanted = expect.in_env if source.kind == "env" and expect.in_env else expect.text
    # The only detail a validator gives is why a variable's JSON did not parse; in a file, the type says enough.
    detail = str(err.get("ctx", {}).get("error", "")) if err["type"] == "value_error" and source.kind == "env" else ""
    return f"setting {name} in {where}: expected {wanted}, got {_shown(values.get(name))}" + (f" ({detail})" if detail else "")


def _shown(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_settings(db_url: str | None = None) -> Settings:
    """Settings from config.toml, then TUI_PROFILES_ variables, then the given database URL (--db); defaults otherwise."""
    return read_settings(db_url).settings()
