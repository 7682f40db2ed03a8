"""Normalising the values commands receive.

From the command line, values arrive already checked and converted by their declarations
(:mod:`mtalign.cli.parse`); from Python (tests, the API) they may be strings, lists or
numbers. These helpers give each command the one type it expects, or raise ``InputError``
naming the option.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mtalign.errors import InputError
from mtalign.settings import TranslateSettings, specs
from mtalign.settings.job import JobTable
from mtalign.settings.suite import SuiteTable


def flag_name(key: str) -> str:
    """The command-line flag of a declared setting (``models`` -> ``--model``)."""
    for cls in (TranslateSettings, JobTable, SuiteTable):
        spec = specs(cls).get(key)
        if spec is not None and spec.cli:
            return spec.cli
    return "--" + key.replace("_", "-")


def as_list(value: Any, option: str = "value") -> list[str]:
    """A list of strings from a str (comma separated), tuple/list, number or None."""
    if value is None or value is False:
        return []
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for v in value:
            out.extend(as_list(v, option))
        return out
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, str):
        return [p.strip() for p in value.split(",") if p.strip()]
    raise InputError(f"--{option}: expected a comma-separated list, got {value!r}")


def as_files(value: Any, option: str = "value") -> list[str]:
    """File names: one string, or a list of them; never split (names may hold commas)."""
    if value is None or value is False:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return [str(value)]
    raise InputError(f"--{option}: expected a file name, got {value!r}")


def as_str(value: Any, option: str = "value", default: str | None = None) -> str | None:
    """One string (numbers become their text); a list is an error."""
    if value is None:
        return default
    if isinstance(value, bool):
        raise InputError(f"--{option}: expected a value, got a bare flag")
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return as_str(value[0], option, default)
    raise InputError(f"--{option}: expected one value, got {value!r}")


def as_int(value: Any, option: str = "value", minimum: int | None = None) -> int:
    """An integer, optionally with a lower bound."""
    if isinstance(value, bool):
        raise InputError(f"--{option}: expected a number, got a bare flag")
    try:
        n = int(value)
        if isinstance(value, float) and n != value:
            raise ValueError
    except (TypeError, ValueError):
        raise InputError(f"--{option}: expected a whole number, got {value!r}") from None
    if minimum is not None and n < minimum:
        raise InputError(f"--{option}: must be at least {minimum}, got {n}")
    return n


def as_float(value: Any, option: str = "value") -> float:
    """A float."""
    if isinstance(value, bool):
        raise InputError(f"--{option}: expected a number, got a bare flag")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(f"--{option}: expected a number, got {value!r}") from None


def as_bool(value: Any, option: str = "value") -> bool:
    """A boolean from True/False, 1/0, yes/no, true/false, on/off."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise InputError(f"--{option}: expected true or false, got {value!r}")


def as_choice(value: Any, choices: Iterable[str], option: str) -> str:
    """One of ``choices`` (case-insensitive)."""
    choices = tuple(choices)
    s = (as_str(value, option) or "").lower()
    if s not in choices:
        raise InputError(f"--{option}: expected one of {', '.join(choices)}, got {value!r}")
    return s


def as_mapping(value: Any, option: str) -> dict[str, str]:
    """``lang=value`` pairs (a dict, or one string per pair) as a dict."""
    if isinstance(value, Mapping):
        return {str(k).strip().lower(): str(v) for k, v in value.items()}
    out: dict[str, str] = {}
    for item in as_files(value, option):
        key, sep, val = item.partition("=")
        if not sep or not key.strip() or not val.strip():
            raise InputError(
                f"--{option}: expected LANG=VALUE (e.g. tr=/models/en-tr), got {item!r}"
            )
        key = key.strip().lower()
        if key in out:
            raise InputError(
                f"--{option} {key}= is given twice ({out[key]!r} and {val.strip()!r}); "
                "give each language once"
            )
        out[key] = val.strip()
    return out


def as_paths(values: Iterable[Any], option: str = "input") -> list[str]:
    """Positional path arguments as strings (Fire may turn a name like 2024 into an int)."""
    out: list[str] = []
    for v in values:
        if isinstance(v, (list, tuple)):
            out.extend(as_paths(v, option))
        elif isinstance(v, bool) or v is None:
            raise InputError(f"--{option}: expected a path, got {v!r}")
        else:
            out.append(str(v))
    return out
