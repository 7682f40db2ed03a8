"""TOML configuration files: parsed with tomllib, checked against declared schemas.

Shared by job configs, evaluation suites, the model registry and glossaries. Every error
names the file, the table and key, and the fix. Unknown keys are errors: a typo must never
fall back to a default silently.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mtalign.errors import ConfigError, InputError, LanguageError
from mtalign.files import read_regular
from mtalign.langs import normalize_lang
from mtalign.safetext import nesting_depth
from mtalign.settings.schema import SettingError, build, did_you_mean, specs


def read_toml(path: str | os.PathLike[str], what: str = "config", example: str = "") -> dict:
    """Parse a TOML file; missing file, bad encoding and syntax errors are ConfigErrors."""
    name = str(path)
    if not os.path.lexists(path) or os.path.isdir(path):
        hint = f" (e.g. {example})" if example else ""
        raise ConfigError(f"{name}: no such {what}; check the path{hint}")
    try:
        data = read_regular(path)  # never a FIFO or a device: they could block or not end
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    try:
        return toml_value(tomllib.loads(data.decode("utf-8")), name)
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not UTF-8 text; save the {what} as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = f"{name}:{m.group(1)}" if m else name
        raise ConfigError(f"{where}: invalid TOML ({exc}); fix the syntax") from None
    except RecursionError:
        raise ConfigError(f"{name}: {TOO_DEEP}") from None


#: Deepest nesting of arrays and tables accepted in a config or glossary (they need ~4).
MAX_DEPTH = 50
#: The message for TOML whose arrays or tables nest deeper than that.
TOO_DEEP = f"arrays or tables nested too deeply to read (over {MAX_DEPTH} levels); flatten the TOML"


def toml_value(data: dict, name: str) -> dict:
    """``data`` as parsed, or a ConfigError when it nests deeper than :data:`MAX_DEPTH`."""
    if nesting_depth(data, MAX_DEPTH) > MAX_DEPTH:
        raise ConfigError(f"{name}: {TOO_DEEP}")
    return data


class ConfigContext:
    """Validation helpers whose errors name the file, the table/key and the fix."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.base = Path(path).resolve().parent

    def error(self, where: str, problem: str, fix: str) -> ConfigError:
        """A ConfigError naming this file and ``where``."""
        return ConfigError(f"{self.path}: {where}: {problem}; {fix}")

    def setting_error(self, exc: SettingError, table: str) -> ConfigError:
        """A schema error phrased for this file: ``FILE: [table] key: problem; fix``."""
        return ConfigError(exc.render(lambda key: f"{table} {key}".strip(), f"{self.path}: "))

    def build(self, cls: type, values: Mapping[str, Any], table: str) -> Any:
        """An instance of the schema ``cls`` from a TOML table, errors naming the table."""
        if not isinstance(values, Mapping):
            raise self.error(table, f"expected a table, got {values!r}", f"write {table}")
        self.unknown(values, specs(cls), table)
        try:
            return build(cls, values)
        except SettingError as exc:
            raise self.setting_error(exc, table) from None

    def unknown(self, table: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
        """Refuse keys of ``table`` that are not in ``allowed``."""
        allowed = set(allowed)
        for key in table:
            if key not in allowed:
                raise self.error(
                    where,
                    f"unknown key {key!r}" + did_you_mean(str(key), allowed),
                    f"use one of {', '.join(sorted(allowed))} (check the spelling)",
                )

    def resolve(self, value: Any, where: str, must_exist: bool = False) -> str:
        """A path relative to the config file's folder (``~`` expanded)."""
        if not isinstance(value, str) or not value.strip():
            raise self.error(where, f"expected a path, got {value!r}", "give a path string")
        p = Path(value).expanduser()
        p = p if p.is_absolute() else self.base / p
        if must_exist and not p.is_file():
            raise self.error(
                where,
                f"no such file {str(p)!r}",
                "fix the path (relative paths start at the config's folder)",
            )
        return os.path.normpath(str(p))

    def lang(self, value: Any, where: str) -> str:
        """A language code, normalised."""
        try:
            return normalize_lang(value)
        except LanguageError as exc:
            raise self.error(where, str(exc), "use an ISO 639-1 code") from None
