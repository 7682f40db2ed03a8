"""Argument checks of the Python API (:mod:`mtalign.api`), done before any work.

Python does not check annotations, so ``translate(None)``, ``align([b"Hi"], ...)`` or
``evaluate([1], [2], ...)`` would reach the library and fail deep inside with a bare
``TypeError``, or worse, turn ``b"Hi"`` into the text ``"b'Hi'"``. Each helper here takes
one argument, checks its type and range, and raises an
:class:`~mtalign.errors.InputError` (data) or :class:`~mtalign.errors.ConfigError`
(settings) that names the function, the argument, what was given and the fix.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from mtalign.errors import ConfigError, InputError


def shown(value: object) -> str:
    """``value`` as a message shows it: its type, and a short repr."""
    text = repr(value)
    return f"{type(value).__name__} {text[:40] + '...' if len(text) > 40 else text}"


def _item_problem(item: object) -> str:
    if isinstance(item, (bytes, bytearray)):
        return "bytes; decode them first (data.decode('utf-8'))"
    return f"{shown(item)}; give str"


def as_path(value: object) -> str | None:
    """``value`` as a ``str`` path when it is a ``str`` or ``os.PathLike`` of str, else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        text = os.fspath(value)
        return text if isinstance(text, str) else None
    return None


def is_path(value: object) -> bool:
    """A path: ``str`` or ``os.PathLike`` (not bytes)."""
    return as_path(value) is not None


def texts(func: str, name: str, value: object, allow_empty: bool = True) -> list[str]:
    """A list or tuple of strings, copied."""
    if isinstance(value, (str, bytes, bytearray, Mapping)) or not isinstance(value, (list, tuple)):
        raise InputError(
            f"{func}: {name} must be a file path (str or Path) or a list of strings, "
            f"got {shown(value)}"
        )
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise InputError(f"{func}: {name}[{i}] is {_item_problem(item)}")
    if not allow_empty and not value:
        raise InputError(f"{func}: {name} is an empty list; give at least one string")
    return list(value)


def path_or_texts(func: str, name: str, value: object) -> str | list[str]:
    """A path as ``str``, or a list of strings."""
    given = as_path(value)
    return given if given is not None else texts(func, name, value)


def path(func: str, name: str, value: object, optional: bool = False) -> str | None:
    """A path as ``str`` (``None`` allowed when ``optional``)."""
    if value is None and optional:
        return None
    given = as_path(value)
    if given is None or not given.strip():
        raise InputError(
            f"{func}: {name} must be a file path (str or pathlib.Path), got {shown(value)}"
        )
    return given


def paths(func: str, name: str, value: object) -> list[str]:
    """One path, or a list/tuple of paths."""
    if is_path(value):
        return [path(func, name, value)]  # type: ignore[list-item]
    if not isinstance(value, (list, tuple)):
        raise InputError(
            f"{func}: {name} must be a file path or a list of paths, got {shown(value)}"
        )
    return [path(func, f"{name}[{i}]", v) for i, v in enumerate(value)]  # type: ignore[misc]


def text(func: str, name: str, value: object) -> str:
    """One string."""
    if not isinstance(value, str):
        fix = "decode them first (data.decode('utf-8'))" if isinstance(value, bytes) else ""
        raise InputError(
            f"{func}: {name} must be a str, got {shown(value)}" + (f"; {fix}" if fix else "")
        )
    return value


def lang(func: str, name: str, value: object) -> str:
    """A language code as given (``normalize_lang`` checks it next)."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(
            f"{func}: {name} must be a language code string such as 'tr', got {shown(value)}"
        )
    return value


def langs(func: str, name: str, value: object) -> tuple[str, ...]:
    """One language code or a non-empty list of them."""
    if isinstance(value, str):
        return (lang(func, name, value),)
    if not isinstance(value, (list, tuple)) or not value:
        raise InputError(
            f"{func}: {name} must be a language code ('tr') or a list of them "
            f"(['tr', 'ru']), got {shown(value)}"
        )
    return tuple(lang(func, f"{name}[{i}]", v) for i, v in enumerate(value))


def names(func: str, name: str, value: object) -> str | tuple[str, ...]:
    """A name (``"bleu"``, ``"bleu,chrf"``) or a list of names."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{func}: {name} must be a string or a list of strings, got {shown(value)}")


def option(func: str, name: str, value: object, optional: bool = True) -> str | None:
    """A string setting (``None`` allowed when ``optional``)."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{func}: {name} must be a string, got {shown(value)}")
    return value


def flag(func: str, name: str, value: object) -> bool:
    """``True`` or ``False``, nothing else (``"no"`` would be true)."""
    if not isinstance(value, bool):
        raise ConfigError(f"{func}: {name} must be True or False, got {shown(value)}")
    return value


def setting(func: str, cls: type, key: str, value: object) -> object:
    """``value`` checked against the declared setting ``key`` of ``cls`` (type and bounds)."""
    from mtalign.settings.schema import SettingError, check_value

    try:
        return check_value(cls, key, value)
    except SettingError as exc:
        raise ConfigError(f"{func}: {exc}") from None


def integer(func: str, name: str, value: object, low: int, high: int) -> int:
    """A whole number in ``[low, high]`` (a bool is not one)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{func}: {name} must be a whole number, got {shown(value)}")
    if not low <= value <= high:
        raise ConfigError(f"{func}: {name} must be between {low} and {high}, got {value}")
    return value


def mapping(func: str, name: str, value: object) -> dict[str, str]:
    """``None`` or a mapping of language code to a string or path."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{func}: {name} must be a dict such as {{'tr': 'models/en-tr'}}, got {shown(value)}"
        )
    out: dict[str, str] = {}
    for key, val in value.items():
        lang(func, f"a key of {name}", key)
        given = as_path(val)
        if given is None:
            raise ConfigError(f"{func}: {name}[{key!r}] must be a str or Path, got {shown(val)}")
        out[key] = given
    return out


def systems(func: str, value: object) -> dict[str, str | list[str]]:
    """``hyp`` of ``evaluate``: a path, a list of lines, or a mapping name -> either."""
    if isinstance(value, Mapping):
        if not value:
            raise InputError(f"{func}: hyp is an empty mapping; give at least one system")
        out: dict[str, str | list[str]] = {}
        for key, val in value.items():
            if not isinstance(key, str):
                raise InputError(f"{func}: the system names of hyp must be str, got {shown(key)}")
            out[key] = path_or_texts(func, f"hyp[{key!r}]", val)
        return out
    return {"": path_or_texts(func, "hyp", value)}
