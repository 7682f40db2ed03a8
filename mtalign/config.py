"""Reading TOML configuration files, with errors that name the file, the place and the fix.

Shared by job configs (``mtalign.batch``), evaluation suites (``mtalign.evaluate.suite``)
and anything else configured in TOML. Unknown keys are errors: a typo must never fall back
to a default silently.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mtalign.errors import ConfigError, LanguageError
from mtalign.langs import normalize_lang

#: The choices every translation setting accepts (CLI flags, job configs, eval suites).
ENGINES = ("auto", "ctranslate2", "transformers")
GLOSSARY_MODES = ("off", "check", "enforce")
UNITS = ("sentence", "paragraph")


def read_toml(path: str | os.PathLike[str], what: str = "config", example: str = "") -> dict:
    """Parse a TOML file; missing file, bad encoding and syntax errors are ConfigErrors."""
    name = str(path)
    p = Path(path)
    if not p.is_file():
        hint = f" (e.g. {example})" if example else ""
        raise ConfigError(f"{name}: no such {what}; check the path{hint}")
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not UTF-8 text; save the {what} as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = f"{name}:{m.group(1)}" if m else name
        raise ConfigError(f"{where}: invalid TOML ({exc}); fix the syntax") from None


class ConfigContext:
    """Validation helpers whose errors name the file, the table/key and the fix."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.base = Path(path).resolve().parent

    def error(self, where: str, problem: str, fix: str) -> ConfigError:
        return ConfigError(f"{self.path}: {where}: {problem}; {fix}")

    def unknown(self, table: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
        """Refuse keys of ``table`` that are not in ``allowed``."""
        allowed = set(allowed)
        for key in table:
            if key not in allowed:
                raise self.error(
                    where,
                    f"unknown key {key!r}",
                    f"use one of {', '.join(sorted(allowed))} (check the spelling)",
                )

    def typed(self, value: Any, types: tuple[type, ...], what: str, where: str) -> Any:
        """``value`` if it has one of ``types`` (a bool is not accepted as a number)."""
        # bool is an int in Python: `beam = true` is a mistake, not 1.
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise self.error(where, f"expected {what}, got {value!r}", "fix the value")
        return value

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

    def choice(self, value: str, choices: tuple[str, ...], where: str) -> str:
        v = value.strip().lower()
        if v not in choices:
            raise self.error(
                where, f"expected one of {', '.join(choices)}, got {value!r}", "fix the value"
            )
        return v

    def lang(self, value: Any, where: str) -> str:
        try:
            return normalize_lang(value)
        except LanguageError as exc:
            raise self.error(where, str(exc), "use an ISO 639-1 code") from None
