"""Defaults in one place: ``followup.toml`` and ``FOLLOWUP_*`` environment variables.

Each setting is the default of a command-line option; the order, first wins, is

1. the option on the command line,
2. its environment variable (``FOLLOWUP_TZ``, …),
3. the settings file: ``--config FILE`` (before the command: ``followup --config f.toml score
   …``), else ``$FOLLOWUP_CONFIG``, else ``followup.toml`` in the working folder,
4. the built-in default.

Every source is validated (pydantic, like the policies) and a bad value is one error line naming
the file or variable and the setting. ``followup config`` prints the effective settings and
where each came from. Paths in a settings file are relative to the file's folder.

>>> settings = effective(environ={"FOLLOWUP_TZ": "Europe/London"}, folder="/nonexistent")
>>> settings.value("tz"), settings.source("tz"), settings.source("policy")
('Europe/London', 'FOLLOWUP_TZ', 'built-in default')
>>> settings.default_map(["score"])["score"]["tz"]
'Europe/London'
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .errors import FollowupError
from .policy import DEFAULT_POLICY, load_policy

FILE_NAME = "followup.toml"
CONFIG_ENV = "FOLLOWUP_CONFIG"
ENV_PREFIX = "FOLLOWUP_"
BUILT_IN = "built-in default"
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

# Each setting: the command-line option it is the default of (its click parameter name).
OPTIONS = {
    "tz": ("tz", "--tz"),
    "policy": ("policy", "--policy"),
    "employer_domains": ("employer_domain", "--employer-domain"),
    "default_region": ("default_region", "--default-region"),
    "roster": ("candidates", "--candidates"),
    "history": ("history", "--history"),
}
PATH_SETTINGS = ("roster", "history")


class Settings(BaseModel):
    """The settings one source gives; every field optional (a source sets what it sets)."""

    model_config = ConfigDict(extra="forbid")

    tz: str | None = None
    policy: str | None = None
    employer_domains: list[str] | None = None
    default_region: str | None = None
    roster: str | None = None
    history: str | None = None

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, tz):
        from .loading import check_timezone

        if tz is not None:
            try:
                check_timezone(tz)
            except FollowupError as exc:
                raise ValueError(str(exc)) from None
        return tz

    @field_validator("employer_domains")
    @classmethod
    def _domains(cls, domains):
        if domains is None:
            return None
        cleaned = [d.strip().lower().lstrip("@") for d in domains if d.strip()]
        bad = [d for d in cleaned if not DOMAIN.match(d)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a mail domain such as acme.com")
        return cleaned

    @field_validator("default_region")
    @classmethod
    def _region(cls, region):
        if region is None:
            return None
        import phonenumbers

        if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"{region!r} is not a country code such as US, GB or DE")
        return region.upper()


@dataclass
class Effective:
    """The settings in force: each one's value and where it came from."""

    values: dict[str, object]
    sources: dict[str, str]
    file: Path | None = None

    def value(self, name: str):
        return self.values[name]

    def source(self, name: str) -> str:
        return self.sources[name]

    def default_map(self, commands) -> dict[str, dict[str, object]]:
        """click's ``default_map`` for ``commands``: each setting not built in, under its
        option's parameter name (a command without that option ignores it)."""
        given = {OPTIONS[name][0]: value for name, value in self.values.items()
                 if self.sources[name] != BUILT_IN and value is not None}
        return {command: dict(given) for command in commands}

    def rows(self) -> list[dict[str, str]]:
        """One row per setting for ``followup config``: setting, option, value, from."""
        return [{"setting": name, "option": OPTIONS[name][1], "value": _shown(self.values[name]),
                 "from": self.sources[name]} for name in OPTIONS]


def effective(config_file: str | Path | None = None, environ=None, folder: str | Path | None = None) -> Effective:
    """The settings in force: ``config_file`` (or ``$FOLLOWUP_CONFIG``, or ``followup.toml`` in
    ``folder``, default the working folder), overridden by the ``FOLLOWUP_*`` variables of
    ``environ`` (default ``os.environ``)."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {name: None for name in OPTIONS}
    values.update(tz="UTC", policy=DEFAULT_POLICY, employer_domains=[])
    sources = dict.fromkeys(OPTIONS, BUILT_IN)

    path = _settings_file(config_file, environ, Path(folder) if folder is not None else Path.cwd())
    if path is not None:
        origin = f"{path}"
        from_file = _validated(_read_toml(path), origin, lambda name: name)
        for name, value in from_file.model_dump(exclude_none=True).items():
            values[name] = str((path.parent / value).resolve()) if name in PATH_SETTINGS else value
            sources[name] = origin
    # An empty variable is unset, as a shell's ``FOLLOWUP_TZ= followup …`` means.
    raw_env = {name: environ[ENV_PREFIX + name.upper()] for name in OPTIONS if environ.get(ENV_PREFIX + name.upper())}
    if "employer_domains" in raw_env:
        raw_env["employer_domains"] = re.split(r"[,\s]+", raw_env["employer_domains"].strip())
    from_env = _validated(raw_env, "environment", lambda name: ENV_PREFIX + name.upper())
    for name, value in from_env.model_dump(exclude_none=True).items():
        values[name] = value
        sources[name] = ENV_PREFIX + name.upper()
    if sources["policy"] != BUILT_IN:
        try:
            load_policy(values["policy"])
        except FollowupError as exc:
            raise FollowupError(f"{sources['policy']}: policy: {exc}") from None
    return Effective(values, sources, path)


def _settings_file(config_file, environ, folder: Path) -> Path | None:
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise FollowupError(f"settings file {path} does not exist")
        return path
    if environ.get(CONFIG_ENV):
        path = Path(environ[CONFIG_ENV])
        if not path.is_file():
            raise FollowupError(f"{CONFIG_ENV}: settings file {path} does not exist")
        return path
    found = folder / FILE_NAME
    return found if found.is_file() else None


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise FollowupError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise FollowupError(f"{path}: not valid TOML: {exc}") from None


def _validated(data: dict, origin: str, where) -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown setting (the settings are {', '.join(OPTIONS)})"
        label = where(name) if origin == "environment" else f"{origin}: {name}"
        raise FollowupError(f"{label}: {message}") from None


def _shown(value) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    return str(value)
