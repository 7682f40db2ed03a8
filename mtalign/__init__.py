"""mtalign: multilingual machine translation and sentence alignment for news text.

The Python API, one function per job, lives in :mod:`mtalign.api`::

    from mtalign.api import translate, align, evaluate, segment, detect, load_glossary

``translate``, ``translate_file``, ``detect``, ``load_glossary`` and ``Glossary`` are also here
(``from mtalign import translate``). ``mtalign.align``, ``mtalign.evaluate`` and
``mtalign.segment`` are the sub-packages of those names, nothing else: a name is one
thing (a function that was also a package changed meaning with import order).

Importing the package is cheap: the API and everything under it are imported on first
use, and no model, torch or network is touched until a function that needs one is called.
Errors are :class:`MtalignError` subclasses (``InputError``, ``ConfigError``,
``ModelError``, ``LanguageError``) whose message says what to fix.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mtalign.errors import ConfigError, InputError, LanguageError, ModelError, MtalignError

if TYPE_CHECKING:
    from mtalign.api import detect, load_glossary, translate, translate_file
    from mtalign.glossary.model import Glossary
    from mtalign.version import __version__  # noqa: F401 - resolved lazily below

__all__ = [
    "ConfigError",
    "Glossary",
    "InputError",
    "LanguageError",
    "ModelError",
    "MtalignError",
    "__version__",
    "detect",
    "load_glossary",
    "translate",
    "translate_file",
]

_API = ("translate", "translate_file", "detect", "load_glossary")


def __getattr__(name: str) -> Any:
    """The API functions and ``Glossary``, imported on first use (PEP 562).

    ``align``, ``evaluate`` and ``segment`` are not here: Python's import finds the
    sub-packages of those names (the functions are ``mtalign.api.align`` ...).
    """
    if name in _API:
        return getattr(importlib.import_module("mtalign.api"), name)
    if name == "Glossary":
        return importlib.import_module("mtalign.glossary.model").Glossary
    if name == "__version__":  # package metadata costs ~20 ms: read only when asked
        return importlib.import_module("mtalign.version").__version__
    raise AttributeError(f"module 'mtalign' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API, "Glossary", "__version__"})
